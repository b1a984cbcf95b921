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
=========  ==============  =====================================================
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
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
]  # fmt: skip
MONTHS_EN_SHORT = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
MONTHS_EN = list(calendar.month_name)[1:]


class PeriodType(models.TextChoices):
    MONTHLY = "M", _("Monthly")
    BIMONTHLY = "B", _("Bimonthly")
    QUARTERLY = "Q", _("Quarterly (fiscal)")
    HALF_YEAR = "H", _("Half-year (fiscal)")
    FISCAL_YEAR = "FY", _("Fiscal year")
    CALENDAR_YEAR = "Y", _("Calendar year")


# Length of each period type in months (all periods are whole months).
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


# --- Periods ----------------------------------------------------------------------------------
@dataclass(frozen=True, order=True)
class PeriodSpec:
    """A period as a value: type and first/last day (inclusive)."""

    start: dt.date
    end: dt.date
    type: str

    @property
    def fiscal_year(self) -> int:
        return fiscal_year_of(self.start)

    @property
    def code(self) -> str:
        kind = PeriodType(self.type)
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
        months = MONTHS_IN[PeriodType(self.type)] * steps
        start = _add_months(self.start, months)
        return PeriodSpec(start, _month_end(_add_months(start, MONTHS_IN[PeriodType(self.type)] - 1)), self.type)

    def previous(self) -> PeriodSpec:
        return self.shifted(-1)

    def next(self) -> PeriodSpec:
        return self.shifted(1)

    def same_season(self, years_back: int) -> PeriodSpec:
        """The same month/quarter ``years_back`` years earlier (seasonal comparisons)."""
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
]
_MAX_NUMBER = {PeriodType.MONTHLY: 12, PeriodType.BIMONTHLY: 6, PeriodType.QUARTERLY: 4, PeriodType.HALF_YEAR: 2}


def parse_period(code: str) -> PeriodSpec:
    """Parse a period code (see module docstring). Raises :class:`PeriodError`."""
    text = (code or "").strip().upper()
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
        number = int(match.group(2))
        if not 1 <= number <= _MAX_NUMBER[kind]:
            raise PeriodError(_("Period %(code)s: number out of range.") % {"code": code})
        months = MONTHS_IN[kind]
        if kind in (PeriodType.MONTHLY, PeriodType.BIMONTHLY):
            start = dt.date(from_be(year_be), (number - 1) * months + 1, 1)
        else:
            start = _add_months(fiscal_year_bounds(year_be)[0], (number - 1) * months)
        return PeriodSpec(start, _month_end(_add_months(start, months - 1)), kind)
    raise PeriodError(_("Unknown period code %(code)s (examples: 2568-01, 2568-B1, 2568-Q1, 2568-H1, FY2568, 2568).") % {"code": code})


def period_containing(kind: str, day: dt.date) -> PeriodSpec:
    """The period of type ``kind`` that contains ``day``."""
    kind = PeriodType(kind)
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
    """Periods of ``kind`` that start inside fiscal year ``fy_be``, in order."""
    start, end = fiscal_year_bounds(fy_be)
    first = period_containing(kind, start)
    if first.start < start:
        first = first.next()
    result = []
    current = first
    while current.start <= end:
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
