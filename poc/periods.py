"""Thai periods: fiscal years (1 Oct - 30 Sep), Buddhist-era (BE) years and period codes.

All parsing and formatting of periods and BE dates lives here. Period codes carry BE years because
that is what staff read and type (in forms and in Excel templates):

=========  ==============  =====================================================
type       code            meaning
=========  ==============  =====================================================
monthly    ``2568-01``     January 2025
bimonthly  ``2568-B1``     January-February 2025 (B1..B6, calendar pairs)
quarterly  ``2568-Q1``     fiscal Q1 of FY 2568 = October-December 2024
half-year  ``2568-H1``     fiscal H1 of FY 2568 = October 2024-March 2025
fiscal yr  ``FY2568``      1 October 2024 - 30 September 2025
calendar   ``2568``        January-December 2025
weekly     ``2569-W05``    ISO week 5 of ISO week-year 2026 (Monday 26 January - Sunday 1 February 2026)
daily      ``2569-01-15``  15 January 2026
=========  ==============  =====================================================

Weeks are ISO 8601 weeks (Monday to Sunday, week 1 holds the year's first Thursday); the year in the
code is the ISO *week-year* in BE, so 29 December 2025 is ``2569-W01``. A week belongs to the month,
quarter and fiscal year that contains its Thursday (see :attr:`PeriodSpec.anchor`): ISO's own rule
for the week-year, applied to every coarser period, so each week is counted once and whole.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

BE_OFFSET = 543
FISCAL_YEAR_START_MONTH = 10

MONTHS_TH_SHORT = ["ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."]
MONTHS_TH = [
    "มกราคม",
    "กุมภาพันธ์",
    "มีนาคม",
    "เมษายน",
    "พฤษภาคม",
    "มิถุนายน",
    "กรกฎาคม",
    "สิงหาคม",
    "กันยายน",
    "ตุลาคม",
    "พฤศจิกายน",
    "ธันวาคม",
]
MONTHS_EN_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTHS_EN = list(calendar.month_name)[1:]


class PeriodType(models.TextChoices):
    MONTHLY = "M", _("Monthly")
    BIMONTHLY = "B", _("Bimonthly")
    QUARTERLY = "Q", _("Quarterly (fiscal)")
    HALF_YEAR = "H", _("Half-year (fiscal)")
    FISCAL_YEAR = "FY", _("Fiscal year")
    CALENDAR_YEAR = "Y", _("Calendar year")
    WEEKLY = "W", _("Weekly (ISO week)")
    DAILY = "D", _("Daily")


# Periods shorter than a month: a fixed number of days, not whole months.
DAYS_IN = {PeriodType.WEEKLY: 7, PeriodType.DAILY: 1}

# Length of each month-based period type in months.
MONTHS_IN = {
    PeriodType.MONTHLY: 1,
    PeriodType.BIMONTHLY: 2,
    PeriodType.QUARTERLY: 3,
    PeriodType.HALF_YEAR: 6,
    PeriodType.FISCAL_YEAR: 12,
    PeriodType.CALENDAR_YEAR: 12,
}


class PeriodError(ValueError):
    """A period code or date that cannot be understood."""


# --- Years ------------------------------------------------------------------------------------
def to_be(year: int) -> int:
    return year + BE_OFFSET


def from_be(year_be: int) -> int:
    return year_be - BE_OFFSET


def fiscal_year_of(day: dt.date) -> int:
    """The BE fiscal year containing ``day``: 1 Oct 2024 and 30 Sep 2025 are both FY 2568."""
    return to_be(day.year) + (1 if day.month >= FISCAL_YEAR_START_MONTH else 0)


def fiscal_year_bounds(fy_be: int) -> tuple[dt.date, dt.date]:
    year = from_be(fy_be)
    return dt.date(year - 1, 10, 1), dt.date(year, 9, 30)


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def _month_end(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def iso_week_start(week_year: int, week: int) -> dt.date:
    """Monday of ISO week ``week`` of ISO week-year ``week_year`` (Christian era). Raises PeriodError."""
    try:
        return dt.date.fromisocalendar(week_year, week, 1)
    except ValueError:
        raise PeriodError(_("Week %(week)d: year %(year)d has no such week.") % {"week": week, "year": to_be(week_year)}) from None


# --- Periods ----------------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class PeriodSpec:
    """A period as a value: type and first/last day (inclusive)."""

    start: dt.date
    end: dt.date
    type: str

    @property
    def anchor(self) -> dt.date:
        """The day that decides which coarser period this one belongs to: a week's Thursday, else its first day.

        A week spanning two months (or two fiscal years) counts whole in the one holding its Thursday,
        i.e. its fourth day or more: the ISO 8601 rule for the week-year, used for months too.
        """
        return self.start + dt.timedelta(days=3) if self.type == PeriodType.WEEKLY else self.start

    @property
    def fiscal_year(self) -> int:
        return fiscal_year_of(self.anchor)

    @property
    def code(self) -> str:
        kind = PeriodType(self.type)
        if kind == PeriodType.DAILY:
            return f"{to_be(self.start.year)}-{self.start.month:02d}-{self.start.day:02d}"
        if kind == PeriodType.WEEKLY:
            week_year, week, _weekday = self.start.isocalendar()
            return f"{to_be(week_year)}-W{week:02d}"
        if kind == PeriodType.FISCAL_YEAR:
            return f"FY{self.fiscal_year}"
        if kind == PeriodType.CALENDAR_YEAR:
            return str(to_be(self.start.year))
        if kind == PeriodType.MONTHLY:
            return f"{to_be(self.start.year)}-{self.start.month:02d}"
        if kind == PeriodType.BIMONTHLY:
            return f"{to_be(self.start.year)}-B{(self.start.month + 1) // 2}"
        fiscal_month = (self.start.month - FISCAL_YEAR_START_MONTH) % 12  # 0 for October
        number = fiscal_month // MONTHS_IN[kind] + 1
        letter = "Q" if kind == PeriodType.QUARTERLY else "H"
        return f"{self.fiscal_year}-{letter}{number}"

    def shifted(self, steps: int) -> PeriodSpec:
        if self.type in DAYS_IN:
            days = DAYS_IN[PeriodType(self.type)]
            start = self.start + dt.timedelta(days=days * steps)
            return PeriodSpec(start, start + dt.timedelta(days=days - 1), self.type)
        months = MONTHS_IN[PeriodType(self.type)] * steps
        start = _add_months(self.start, months)
        return PeriodSpec(start, _month_end(_add_months(start, MONTHS_IN[PeriodType(self.type)] - 1)), self.type)

    def previous(self) -> PeriodSpec:
        return self.shifted(-1)

    def next(self) -> PeriodSpec:
        return self.shifted(1)

    def same_season(self, years_back: int) -> PeriodSpec:
        """The same month/quarter ``years_back`` years earlier (seasonal comparisons).

        A week compares with the same ISO week number (week 53 with week 52 in years that have none),
        a day with the same date (29 February with the 28th).
        """
        if self.type == PeriodType.WEEKLY:
            week_year, week, _weekday = self.start.isocalendar()
            year = week_year - years_back
            week = min(week, dt.date(year, 12, 28).isocalendar()[1])  # 28 December is always in the last week
            return period_containing(PeriodType.WEEKLY, iso_week_start(year, week))
        if self.type == PeriodType.DAILY:
            year = self.start.year - years_back
            day = min(self.start.day, calendar.monthrange(year, self.start.month)[1])
            return period_containing(PeriodType.DAILY, dt.date(year, self.start.month, day))
        return self.shifted(-years_back * 12 // MONTHS_IN[PeriodType(self.type)])

    def label(self, language: str | None = None) -> str:
        return period_label(self, language)

    def __str__(self) -> str:
        return self.code


_PATTERNS = [
    (re.compile(r"^FY(\d{4})$"), PeriodType.FISCAL_YEAR),
    (re.compile(r"^(\d{4})$"), PeriodType.CALENDAR_YEAR),
    (re.compile(r"^(\d{4})-(\d{2})$"), PeriodType.MONTHLY),
    (re.compile(r"^(\d{4})-B(\d)$"), PeriodType.BIMONTHLY),
    (re.compile(r"^(\d{4})-Q(\d)$"), PeriodType.QUARTERLY),
    (re.compile(r"^(\d{4})-H(\d)$"), PeriodType.HALF_YEAR),
    (re.compile(r"^(\d{4})-W(\d{1,2})$"), PeriodType.WEEKLY),
    (re.compile(r"^(\d{4})-(\d{2})-(\d{2})$"), PeriodType.DAILY),
]
_MAX_NUMBER = {PeriodType.MONTHLY: 12, PeriodType.BIMONTHLY: 6, PeriodType.QUARTERLY: 4, PeriodType.HALF_YEAR: 2}


def parse_period(code: str) -> PeriodSpec:
    """Parse a period code (see module docstring) or a period in words. Raises :class:`PeriodError`.

    Besides codes, every label :func:`period_label` prints reads back (Thai or English), and the forms
    staff type: ``ต.ค. 2569``, ``ตุลาคม 2569``, ``10/2569``, ``ต.ค. 69``, ``ไตรมาส 1/2569``, ``ปีงบประมาณ 2569``.
    """
    text = (code or "").strip().upper()
    words = _code_from_words(code or "")
    if words:
        text = words
    for pattern, kind in _PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        year_be = int(match.group(1))
        if not 2400 <= year_be <= 2700:
            raise PeriodError(_("Period %(code)s: the year must be a Buddhist-era year (e.g. 2568).") % {"code": code})
        if kind == PeriodType.FISCAL_YEAR:
            return period_for_fiscal_year(year_be)
        if kind == PeriodType.CALENDAR_YEAR:
            year = from_be(year_be)
            return PeriodSpec(dt.date(year, 1, 1), dt.date(year, 12, 31), kind)
        if kind == PeriodType.WEEKLY:
            start = iso_week_start(from_be(year_be), int(match.group(2)))
            return PeriodSpec(start, start + dt.timedelta(days=6), kind)
        if kind == PeriodType.DAILY:
            try:
                day = dt.date(from_be(year_be), int(match.group(2)), int(match.group(3)))
            except ValueError:
                raise PeriodError(_("%(text)s is not a date in the calendar.") % {"text": code}) from None
            return PeriodSpec(day, day, kind)
        number = int(match.group(2))
        if not 1 <= number <= _MAX_NUMBER[kind]:
            raise PeriodError(_("Period %(code)s: number out of range.") % {"code": code})
        months = MONTHS_IN[kind]
        if kind in (PeriodType.MONTHLY, PeriodType.BIMONTHLY):
            start = dt.date(from_be(year_be), (number - 1) * months + 1, 1)
        else:
            start = _add_months(fiscal_year_bounds(year_be)[0], (number - 1) * months)
        return PeriodSpec(start, _month_end(_add_months(start, months - 1)), kind)
    message = _(
        "Unknown period %(code)s (e.g. ต.ค. 2569, 10/2569, 2569-10, ไตรมาส 1/2569, 2569-Q1, FY2569, "
        "สัปดาห์ที่ 5/2569, 2569-W05, 15 ม.ค. 2569, 2569-01-15)."
    )
    raise PeriodError(message % {"code": (code or "")[:MAX_TYPED_LENGTH]})


def _month_names() -> dict[str, int]:
    names: dict[str, int] = {}
    for number, group in enumerate(zip(MONTHS_TH_SHORT, MONTHS_TH, MONTHS_EN_SHORT, MONTHS_EN, strict=True), start=1):
        for name in group:
            names[_month_key(name)] = number
    return names


def _month_key(name: str) -> str:
    return re.sub(r"[.\s]", "", name).lower()


_MONTHS = _month_names()
MAX_TYPED_LENGTH = 40
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_YEAR = r"(?:พ\.?\s?ศ\.?\s*)?(\d{2}|\d{4})"
_WORD_PATTERNS = [
    # Order matters: days and weeks first (they hold digits the month patterns would misread),
    # and the bimonth pattern must try before the single month one.
    (re.compile(rf"^(\d{{1,2}})\s*/\s*(\d{{1,2}})\s*/\s*{_YEAR}$"), "day_number"),
    (re.compile(rf"^(\d{{1,2}})\s*(?:\s|-)\s*(\D+?)\s*{_YEAR}$"), "day"),
    (re.compile(rf"^(?:สัปดาห์(?:ที่)?|week|wk|w)\s*(\d{{1,2}})\s*(?:/|ปี)?\s*{_YEAR}$", re.IGNORECASE), "week"),
    (re.compile(rf"^(\d{{1,2}})\s*/\s*{_YEAR}$"), "month_number"),
    (re.compile(rf"^(\D+?)\s*[–\-]\s*(\D+?)\s*{_YEAR}$"), "bimonth"),
    (re.compile(rf"^(?:ไตรมาส(?:ที่)?|Q)\s*([1-4])\s*(?:/|ปีงบ(?:ประมาณ)?|FY)\s*{_YEAR}$", re.IGNORECASE), "quarter"),
    (re.compile(rf"^(ครึ่งปีแรก|ครึ่งปีหลัง|H[12])\s*(?:/|ปีงบ(?:ประมาณ)?|FY)?\s*{_YEAR}$", re.IGNORECASE), "half"),
    (re.compile(rf"^(?:ปีงบ(?:ประมาณ)?|FY)\s*{_YEAR}$", re.IGNORECASE), "fiscal_year"),
    (re.compile(r"^(?:พ\.?\s?ศ\.?)\s*(\d{4})$|^(\d{4})\s*BE$", re.IGNORECASE), "calendar_year"),
    (re.compile(rf"^(?:เดือน)?\s*(\D+?)\s*{_YEAR}$"), "month"),
]


def _year_be(text: str) -> int:
    """A BE year as typed: ``2569``, or the two-digit ``69`` staff write for 2569."""
    year = int(text)
    return year + 2500 if year < 100 else year


def _code_from_words(text: str) -> str:
    """The period code for a period written in words, or "" when ``text`` is not such a form."""
    text = re.sub(r"\s+", " ", text.strip())
    if len(text) > MAX_TYPED_LENGTH:  # no period is written longer; and the patterns need not see a whole page
        return ""
    for pattern, kind in _WORD_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        groups = [g for g in match.groups() if g is not None]
        if len(groups[-1]) == 2 and kind != "month_number" and not _THAI.search(text):
            return ""  # "FY25" is a mistyped code, not fiscal year 2525
        year = _year_be(groups[-1])
        if kind == "day_number":
            return f"{year}-{int(groups[1]):02d}-{int(groups[0]):02d}"
        if kind == "day":
            month = _MONTHS.get(_month_key(groups[1]))
            return f"{year}-{month:02d}-{int(groups[0]):02d}" if month else ""
        if kind == "week":
            return f"{year}-W{int(groups[0]):02d}"
        if kind == "month_number":
            month = int(groups[0])
            return f"{year}-{month:02d}" if 1 <= month <= 12 else ""
        if kind == "month":
            month = _MONTHS.get(_month_key(groups[0]))
            return f"{year}-{month:02d}" if month else ""
        if kind == "bimonth":
            first, last = _MONTHS.get(_month_key(groups[0])), _MONTHS.get(_month_key(groups[1]))
            if first and last and first % 2 == 1 and last == first + 1:
                return f"{year}-B{(first + 1) // 2}"
            return ""
        if kind == "quarter":
            return f"{year}-Q{groups[0]}"
        if kind == "half":
            first_half = groups[0].upper() in ("ครึ่งปีแรก", "H1")
            return f"{year}-H{1 if first_half else 2}"
        if kind == "fiscal_year":
            return f"FY{year}"
        return str(year)
    return ""


def recent_periods(kind: str, today: dt.date, count: int | None = None) -> list[PeriodSpec]:
    """The periods of ``kind`` a person may want to pick on ``today``: the current one and those before, newest first.

    By default two years back (24 months, 12 bimonths, 8 quarters, 4 halves, 4 years): what is still entered or corrected;
    for weeks a year (53), for days ninety days (a picker of 730 days helps nobody; older days are typed).
    """
    kind = PeriodType(kind)
    if count is None:
        count = {PeriodType.WEEKLY: 53, PeriodType.DAILY: 90}.get(kind) or max(4, 24 // MONTHS_IN[kind])
    current = period_containing(kind, today)
    return [current.shifted(-step) for step in range(count)]


# --- Buddhist-era dates -----------------------------------------------------------------------
MAX_YEARS_AHEAD = 10
_DATE_NUMERIC = re.compile(r"^(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})$")
_DATE_WORDS = re.compile(r"^(\d{1,2})\s+(\D+?)\s*(?:พ\.?\s?ศ\.?\s*)?(\d{4})$")
_DATE_ISO_BE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


def parse_date_be(text: str, today: dt.date | None = None) -> dt.date:
    """A date typed in the Buddhist era: ``28/11/2569``, ``28.11.2569``, ``28 พ.ย. 2569``, ``2569-11-28``.

    ISO ``2026-11-28`` (what scripts and native date inputs send) is read as the Christian era it is.

    Refuses what is almost surely a slip: a Christian-era year (``28/11/2026`` would be 1483 CE) or a year more
    than ten years ahead. Raises :class:`PeriodError` with a message a person can act on.
    """
    value = re.sub(r"\s+", " ", (text or "").strip())[: MAX_TYPED_LENGTH + 1]
    match = _DATE_NUMERIC.match(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
    elif match := _DATE_WORDS.match(value):
        day, month, year = int(match.group(1)), _MONTHS.get(_month_key(match.group(2)), 0), int(match.group(3))
    elif match := _DATE_ISO_BE.match(value):
        year, month, day = (int(g) for g in match.groups())
        if year < 2400:  # ISO 8601 as machines send it (old bookmarks, scripts) is Christian era by definition
            year += BE_OFFSET
    else:
        raise PeriodError(_("Enter the date as day/month/Buddhist-era year, e.g. 28/11/2569."))
    this_year = to_be((today or dt.date.today()).year)
    if year < 2400:
        message = _("%(year)d looks like a Christian-era year: enter the Buddhist-era year (e.g. %(be)d).")
        raise PeriodError(message % {"year": year, "be": year + BE_OFFSET})
    if year > this_year + MAX_YEARS_AHEAD:
        raise PeriodError(_("The year %(year)d is more than %(n)d years ahead.") % {"year": year, "n": MAX_YEARS_AHEAD})
    try:
        return dt.date(from_be(year), month, day)
    except ValueError:
        raise PeriodError(_("%(text)s is not a date in the calendar.") % {"text": value}) from None


def format_date_input(day: dt.date | None) -> str:
    """``28/11/2569``: how a BE date input shows a date."""
    return f"{day.day:02d}/{day.month:02d}/{to_be(day.year)}" if day else ""


def period_containing(kind: str, day: dt.date) -> PeriodSpec:
    """The period of type ``kind`` that contains ``day``."""
    kind = PeriodType(kind)
    if kind == PeriodType.DAILY:
        return PeriodSpec(day, day, kind)
    if kind == PeriodType.WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return PeriodSpec(start, start + dt.timedelta(days=6), kind)
    if kind == PeriodType.CALENDAR_YEAR:
        return PeriodSpec(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), kind)
    if kind == PeriodType.FISCAL_YEAR:
        return period_for_fiscal_year(fiscal_year_of(day))
    months = MONTHS_IN[kind]
    if kind in (PeriodType.MONTHLY, PeriodType.BIMONTHLY):
        start = dt.date(day.year, (day.month - 1) // months * months + 1, 1)
    else:
        fy_start = fiscal_year_bounds(fiscal_year_of(day))[0]
        offset = (day.year - fy_start.year) * 12 + day.month - fy_start.month
        start = _add_months(fy_start, offset // months * months)
    return PeriodSpec(start, _month_end(_add_months(start, months - 1)), kind)


def period_for_fiscal_year(fy_be: int) -> PeriodSpec:
    start, end = fiscal_year_bounds(fy_be)
    return PeriodSpec(start, end, PeriodType.FISCAL_YEAR)


def periods_in_fiscal_year(kind: str, fy_be: int) -> list[PeriodSpec]:
    """Periods of ``kind`` whose anchor (first day; a week's Thursday) lies inside fiscal year ``fy_be``, in order."""
    start, end = fiscal_year_bounds(fy_be)
    first = period_containing(kind, start)
    if first.anchor < start:
        first = first.next()
    result = []
    current = first
    while current.anchor <= end:
        result.append(current)
        current = current.next()
    return result


# --- Formatting -------------------------------------------------------------------------------
def _is_thai(language: str | None) -> bool:
    return (language or get_language() or "th").startswith("th")


def format_date_be(day: dt.date | dt.datetime | None, language: str | None = None, long: bool = False) -> str:
    """``24 พ.ย. 2569`` (Thai) or ``24 Nov 2569`` (English): always the Buddhist-era year."""
    if day is None:
        return ""
    thai = _is_thai(language)
    names = (MONTHS_TH if thai else MONTHS_EN) if long else MONTHS_TH_SHORT if thai else MONTHS_EN_SHORT
    text = f"{day.day} {names[day.month - 1]} {to_be(day.year)}"
    if isinstance(day, dt.datetime):
        text += f" {day:%H:%M}"
    return text


def period_label(period: PeriodSpec, language: str | None = None) -> str:
    thai = _is_thai(language)
    months = MONTHS_TH_SHORT if thai else MONTHS_EN_SHORT
    kind = PeriodType(period.type)
    start, end, fy = period.start, period.end, period.fiscal_year
    if kind == PeriodType.DAILY:
        return format_date_be(start, language)
    if kind == PeriodType.WEEKLY:
        week_year, week, _weekday = start.isocalendar()
        return f"สัปดาห์ที่ {week}/{to_be(week_year)}" if thai else f"Week {week}/{to_be(week_year)}"
    if kind == PeriodType.MONTHLY:
        return f"{months[start.month - 1]} {to_be(start.year)}"
    if kind == PeriodType.BIMONTHLY:
        return f"{months[start.month - 1]}–{months[end.month - 1]} {to_be(start.year)}"
    if kind == PeriodType.QUARTERLY:
        number = period.code[-1]
        return f"ไตรมาส {number}/{fy}" if thai else f"Q{number} FY{fy}"
    if kind == PeriodType.HALF_YEAR:
        number = period.code[-1]
        if thai:
            return f"{'ครึ่งปีแรก' if number == '1' else 'ครึ่งปีหลัง'} ปีงบประมาณ {fy}"
        return f"H{number} FY{fy}"
    if kind == PeriodType.FISCAL_YEAR:
        return f"ปีงบประมาณ {fy}" if thai else f"FY{fy}"
    return f"พ.ศ. {to_be(start.year)}" if thai else f"{to_be(start.year)} BE"
