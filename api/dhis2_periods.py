"""DHIS2 period identifiers ↔ our Buddhist-era period codes, matched by date range.

Our quarter and half-year codes are *fiscal* (``2568-Q1`` = Oct–Dec 2024), DHIS2's ``2025Q1`` is
Jan–Mar: both name three whole months, so a range maps to whichever of our periods covers exactly the
same days, and a DHIS2 period with no such twin (weeks starting on other days than Monday, calendar
halves, other financial years) is refused with a clear message rather than stretched or cut. ISO weeks
and days are ours too: ``2025W05`` is ``2568-W05`` (the ISO week-year, in BE), ``20250115`` is ``2568-01-15``.

=====================  ===============================  ==============
DHIS2 (ISO)            ADX                              ours
=====================  ===============================  ==============
``202501``             ``2025-01-01/P1M``               ``2568-01``
``202501B``            ``2025-01-01/P2M``               ``2568-B1``
``2024Q4``             ``2024-10-01/P3M``               ``2568-Q1``
``2024AprilS2``        ``2024-10-01/P6M``               ``2568-H1``
``2024Oct``            ``2024-10-01/P1Y``               ``FY2568``
``2025``               ``2025-01-01/P1Y``               ``2568``
``2025W05``            ``2025-01-27/P7D``               ``2568-W05``
``20250115``           ``2025-01-15/P1D``               ``2568-01-15``
=====================  ===============================  ==============
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _

from poc.periods import DAYS_IN, MONTHS_IN, PeriodError, PeriodSpec, PeriodType, iso_week_start, period_containing

_MONTHS = {
    "Jan": 1,
    "Feb": 2,
    "Mar": 3,
    "Apr": 4,
    "April": 4,
    "May": 5,
    "Jun": 6,
    "July": 7,
    "Jul": 7,
    "Aug": 8,
    "Sep": 9,
    "Oct": 10,
    "Nov": 11,
    "Dec": 12,
}
_DHIS2_PATTERNS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^(\d{4})(\d{2})$"), "monthly"),
    (re.compile(r"^(\d{4})-(\d{2})$"), "monthly"),
    (re.compile(r"^(\d{4})(\d{2})B$"), "bimonthly"),
    (re.compile(r"^(\d{4})Q([1-4])$"), "quarterly"),
    (re.compile(r"^(\d{4})S([12])$"), "sixmonthly"),
    (re.compile(r"^(\d{4})(April|Nov)S([12])$"), "sixmonthly_shifted"),
    (re.compile(r"^(\d{4})(Apr|April|July|Oct|Nov)$"), "financial"),
    (re.compile(r"^(\d{4})$"), "yearly"),
    (re.compile(r"^(\d{4})(Bi|Wed|Thu|Sat|Sun)?W(\d{1,2})$"), "weekly"),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "daily"),
]
_ADX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})/P(\d+)([DWMY])$")


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _match(start: dt.date, months: int, original: str) -> PeriodSpec:
    """Our period that starts on ``start`` and lasts ``months`` months, or PeriodError."""
    if start.day == 1:
        for kind in PeriodType:
            if MONTHS_IN.get(kind) != months:
                continue
            spec = period_containing(kind, start)
            if spec.start == start:
                return spec
    raise PeriodError(
        _(
            "Period %(p)s has no equivalent here (periods are months, two-month pairs, fiscal quarters and halves, "
            "fiscal and calendar years)."
        )
        % {"p": original}
    )


def _year(text: str, original: str) -> int:
    year = int(text)
    if not 1900 <= year <= 2200:
        raise PeriodError(_("Period %(p)s: DHIS2 periods use Gregorian years (e.g. 2025).") % {"p": original})
    return year


def from_dhis2(text: str) -> PeriodSpec:
    """Our period for a DHIS2 ISO period (``202501``, ``2025Q1``, ``2024Oct``…) or an ADX period (``2025-01-01/P1M``)."""
    original = (text or "").strip()
    if "/" in original:
        return from_adx(original)
    for pattern, kind in _DHIS2_PATTERNS:
        match = pattern.match(original)
        if not match:
            continue
        year = _year(match.group(1), original)
        if kind == "weekly":
            if match.group(2):  # BiWeekly, WednesdayWeekly…: weeks that are not ISO weeks
                raise PeriodError(_("Period %(p)s: only ISO weeks (Monday to Sunday, e.g. 2025W05) are collected here.") % {"p": original})
            start = iso_week_start(year, int(match.group(3)))
            return PeriodSpec(start, start + dt.timedelta(days=6), PeriodType.WEEKLY)
        if kind == "daily":
            try:
                day = dt.date(year, int(match.group(2)), int(match.group(3)))
            except ValueError:
                raise PeriodError(_("Period %(p)s: no such date.") % {"p": original}) from None
            return PeriodSpec(day, day, PeriodType.DAILY)
        if kind in ("monthly", "bimonthly"):
            month = int(match.group(2))
            if not 1 <= month <= 12 or (kind == "bimonthly" and not 1 <= month <= 6):
                break
            if kind == "bimonthly":
                return _match(dt.date(year, 2 * month - 1, 1), 2, original)
            return _match(dt.date(year, month, 1), 1, original)
        if kind == "quarterly":
            return _match(dt.date(year, 3 * int(match.group(2)) - 2, 1), 3, original)
        if kind == "sixmonthly":
            return _match(dt.date(year, 6 * int(match.group(2)) - 5, 1), 6, original)
        if kind == "sixmonthly_shifted":
            first = dt.date(year, _MONTHS[match.group(2)], 1)
            return _match(_add_months(first, 6 * (int(match.group(3)) - 1)), 6, original)
        if kind == "financial":
            return _match(dt.date(year, _MONTHS[match.group(2)], 1), 12, original)
        return _match(dt.date(year, 1, 1), 12, original)
    raise PeriodError(_("Period %(p)s is not a DHIS2 period (examples: 202501, 2025Q1, 2024Oct, 2025).") % {"p": original})


def from_adx(text: str) -> PeriodSpec:
    """Our period for an ADX period: a start date and an ISO 8601 duration (``2025-01-01/P1M``)."""
    original = (text or "").strip()
    match = _ADX.match(original)
    if not match:
        raise PeriodError(_("Period %(p)s is not an ADX period (example: 2025-01-01/P1M).") % {"p": original})
    year, month, day, count, unit = match.groups()
    try:
        start = dt.date(_year(year, original), int(month), int(day))
    except ValueError:
        raise PeriodError(_("Period %(p)s: no such date.") % {"p": original}) from None
    if unit in "DW":
        days = int(count) * (7 if unit == "W" else 1)
        kind = {7: PeriodType.WEEKLY, 1: PeriodType.DAILY}.get(days)
        if kind is None or period_containing(kind, start).start != start:
            message = _("Period %(p)s: weeks start on a Monday and last seven days (P7D or P1W); days last one day (P1D).")
            raise PeriodError(message % {"p": original})
        return period_containing(kind, start)
    return _match(start, int(count) * (12 if unit == "Y" else 1), original)


def to_dhis2(spec: PeriodSpec) -> str:
    """The DHIS2 ISO identifier of one of our periods."""
    kind, start = PeriodType(spec.type), spec.start
    if kind == PeriodType.DAILY:
        return f"{start:%Y%m%d}"
    if kind == PeriodType.WEEKLY:
        week_year, week, _weekday = start.isocalendar()
        return f"{week_year}W{week}"
    if kind == PeriodType.MONTHLY:
        return f"{start.year}{start.month:02d}"
    if kind == PeriodType.BIMONTHLY:
        return f"{start.year}{(start.month + 1) // 2:02d}B"
    if kind == PeriodType.QUARTERLY:
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    if kind == PeriodType.HALF_YEAR:  # fiscal halves start in October and April: DHIS2's SixMonthlyApril
        return f"{start.year}AprilS2" if start.month == 10 else f"{start.year}AprilS1"
    if kind == PeriodType.FISCAL_YEAR:
        return f"{start.year}Oct"
    return str(start.year)


def to_adx(spec: PeriodSpec) -> str:
    if spec.type in DAYS_IN:
        return f"{spec.start.isoformat()}/P{DAYS_IN[PeriodType(spec.type)]}D"
    months = MONTHS_IN[PeriodType(spec.type)]
    return f"{spec.start.isoformat()}/{'P1Y' if months == 12 else f'P{months}M'}"
