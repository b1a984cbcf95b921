"""Outlier maths: min/max and a seasonal robust modified z-score (Iglewicz & Hoaglin).

DHIS2's mean ± 2 SD over all history flags every wet-season month as an outlier. Here a value is
compared with the same month/quarter of previous years (median and MAD, |0.6745·(x−median)/MAD| > 3.5)
when at least three years exist, otherwise with all previous periods, and not at all with too little
history. The maths are pure functions; the reads below feed them values from the database (entry-form hints,
the verifier's flags).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from datasets.hints import CellHint, HintKey
from datasets.models import Aggregation, DataElement
from poc.models import OrgUnit, Period
from poc.periods import PeriodSpec, PeriodType, to_be
from verification.cells import cell_values, option_cell_values
from verification.models import OutlierConfirmation

Z_THRESHOLD = 3.5
MAD_SCALE = 0.6745
MIN_SEASONAL_YEARS = 3
MAX_SEASONAL_YEARS = 10
MIN_HISTORY = 4


@dataclass(frozen=True)
class OutlierFlag:
    kind: str  # "range" (element min/max) or "history"
    value: float
    low: float | None
    high: float | None
    explanation: str


def _fmt(number: float) -> str:
    if abs(number) >= 100:
        return f"{round(number):,}"
    return f"{number:,.1f}".removesuffix(".0")


def robust_bounds(history: list[float]) -> tuple[float, float] | None:
    """Values whose modified z-score stays within the threshold; None when the history has no spread."""
    if len(history) < 3:
        return None
    median = statistics.median(history)
    mad = statistics.median(abs(x - median) for x in history)
    if mad == 0:
        return None
    half_width = Z_THRESHOLD * mad / MAD_SCALE
    return median - half_width, median + half_width


def modified_z(value: float, history: list[float]) -> float | None:
    median = statistics.median(history)
    mad = statistics.median(abs(x - median) for x in history)
    return None if mad == 0 else MAD_SCALE * (value - median) / mad


def history_window(current: PeriodSpec, history: Mapping[PeriodSpec, float]) -> tuple[list[PeriodSpec], bool] | None:
    """The periods to compare with: the same season of ≥ 3 previous years, else all earlier periods."""
    yearly = PeriodType(current.type) in (PeriodType.FISCAL_YEAR, PeriodType.CALENDAR_YEAR)
    if not yearly:
        seasonal = [s for s in (current.same_season(k) for k in range(1, MAX_SEASONAL_YEARS + 1)) if s in history]
        if len(seasonal) >= MIN_SEASONAL_YEARS:
            return sorted(seasonal), True
    earlier = sorted(s for s in history if s.start < current.start)
    if len(earlier) >= MIN_HISTORY:
        return earlier, False
    return None


def _range_label(periods: list[PeriodSpec], seasonal: bool) -> str:
    first, last = periods[0], periods[-1]
    if seasonal:
        return f"{first.label()}–{to_be(last.start.year)}" if first.type == PeriodType.MONTHLY else f"{first.label()} – {last.label()}"
    return f"{first.label()} – {last.label()}"


def expected_range(current: PeriodSpec, history: Mapping[PeriodSpec, float]) -> tuple[float, float, str] | None:
    """(low, high, explanation) for a value of ``current`` given the cell's history; None without enough history."""
    window = history_window(current, history)
    if window is None:
        return None
    periods, seasonal = window
    bounds = robust_bounds([history[p] for p in periods])
    if bounds is None:
        return None
    low, high = bounds
    # Counts cannot go below zero: do not show a negative lower bound for a series that never did.
    shown_low = max(low, 0.0) if min(history[p] for p in periods) >= 0 else low
    range_text = _range_label(periods, seasonal)
    return low, high, _("expected %(low)s–%(high)s, from %(range)s") % {"low": _fmt(shown_low), "high": _fmt(high), "range": range_text}


def assess(
    value: float | None,
    current: PeriodSpec,
    history: Mapping[PeriodSpec, float],
    min_value: float | None = None,
    max_value: float | None = None,
) -> OutlierFlag | None:
    """The flag for ``value`` in ``current`` given earlier values of the same cell, or None."""
    if value is None:
        return None
    if (min_value is not None and value < min_value) or (max_value is not None and value > max_value):
        low = _fmt(min_value) if min_value is not None else "–"
        high = _fmt(max_value) if max_value is not None else "–"
        return OutlierFlag(
            "range", value, min_value, max_value, _("outside the allowed range %(low)s–%(high)s") % {"low": low, "high": high}
        )
    expected = expected_range(current, history)
    if expected is None:
        return None
    low, high, text = expected
    if low <= value <= high:
        return None
    return OutlierFlag("history", value, low, high, text)


# --- Reads: the flags and ranges of stored cells ---------------------------------------------------
def _history_periods(period_type: str, current: PeriodSpec) -> list[Period]:
    earliest = current.start.replace(year=current.start.year - MAX_SEASONAL_YEARS)
    return list(Period.objects.filter(period_type=period_type, start_date__gte=earliest, start_date__lte=current.start))


def _cell_histories(
    elements: list[DataElement], orgunits: list[OrgUnit], period: Period
) -> tuple[dict[tuple[int, int], dict[PeriodSpec, float]], dict[tuple[int, int, int], float]]:
    """Earlier values of each (element, org unit) by period, and all values read (one query per level kind)."""
    periods = _history_periods(period.period_type, period.spec)
    values = cell_values(elements, orgunits, periods)
    specs = {p.pk: p.spec for p in periods}
    histories: dict[tuple[int, int], dict[PeriodSpec, float]] = {}
    for (e, o, p), v in values.items():
        if p != period.pk:
            histories.setdefault((e, o), {})[specs[p]] = v
    return histories, values


def outlier_flags(elements: Iterable[DataElement], orgunits: Iterable[OrgUnit], period: Period) -> dict[tuple[int, int], OutlierFlag]:
    """Flags for the current values of each (element, org unit) in ``period`` (entry form, verifier's queue).

    A broken-down element is judged here on its total against the history of its totals; the allowed range
    bounds the entered cells (:func:`option_outlier_flags`), not their sum."""
    elements = [e for e in elements if e.is_numeric]
    orgunits = list(orgunits)
    if not elements:
        return {}
    histories, values = _cell_histories(elements, orgunits, period)
    flags = {}
    for element in elements:
        low, high = (None, None) if element.category_combo_id else (element.min_value, element.max_value)
        for unit in orgunits:
            current = values.get((element.pk, unit.pk, period.pk))
            flag = assess(current, period.spec, histories.get((element.pk, unit.pk), {}), low, high)
            if flag:
                flags[(element.pk, unit.pk)] = flag
    return flags


def option_outlier_flags(
    elements: Iterable[DataElement], orgunits: Iterable[OrgUnit], period: Period
) -> dict[tuple[int, int, int], OutlierFlag]:
    """Flags per (element, option combination, org unit) of the broken-down elements: each combination's history
    is its own series (the หญิง, ในเขตเทศบาล cell against earlier หญิง, ในเขตเทศบาล cells), and the element's allowed
    range bounds each cell."""
    elements = [e for e in elements if e.is_numeric and e.category_combo_id]
    orgunits = list(orgunits)
    if not elements or not orgunits:
        return {}
    periods = _history_periods(period.period_type, period.spec)
    specs = {p.pk: p.spec for p in periods}
    average = {e.pk for e in elements if e.aggregation == Aggregation.AVERAGE}
    histories: dict[tuple[int, int, int], dict[PeriodSpec, float]] = {}
    current: dict[tuple[int, int, int], float] = {}
    for (e, c, o, p), (total, count) in option_cell_values(elements, orgunits, periods).items():
        value = total / count if e in average else total
        if p == period.pk:
            current[(e, c, o)] = value
        else:
            histories.setdefault((e, c, o), {})[specs[p]] = value
    by_pk = {e.pk: e for e in elements}
    flags = {}
    for key, value in current.items():
        element = by_pk[key[0]]
        flag = assess(value, period.spec, histories.get(key, {}), element.min_value, element.max_value)
        if flag:
            flags[key] = flag
    return flags


def expected_ranges(
    elements: Iterable[DataElement], orgunits: Iterable[OrgUnit], period: Period
) -> dict[tuple[int, int], tuple[float, float, str]]:
    """(low, high, explanation) per (element, org unit) before a value is typed: hints for the entry form."""
    elements = [e for e in elements if e.is_numeric]
    orgunits = list(orgunits)
    if not elements:
        return {}
    histories, _values = _cell_histories(elements, orgunits, period)
    ranges = {}
    for key, history in histories.items():
        expected = expected_range(period.spec, history)
        if expected:
            ranges[key] = expected
    return ranges


def confirmations(
    elements: Iterable[DataElement], orgunits: Iterable[OrgUnit], period: Period
) -> dict[tuple[int, int, int | None], OutlierConfirmation]:
    """The latest confirmation of each (element, org unit, option combination or None for the total or an element
    without categories): it applies only while the value is the one confirmed."""
    latest: dict[tuple[int, int, int | None], OutlierConfirmation] = {}
    rows = OutlierConfirmation.objects.filter(element__in=list(elements), orgunit__in=list(orgunits), period=period).select_related("user")
    for row in rows.order_by("at", "id"):
        latest[(row.element_id, row.orgunit_id, row.option_combo_id)] = row
    return latest


def entry_hints(elements: Iterable[DataElement], orgunits: Iterable[OrgUnit], period: Period) -> dict[HintKey, CellHint]:
    """For the data-entry grid: the expected range of each cell and the outlier flag of its stored value."""
    elements, orgunits = list(elements), list(orgunits)
    hints: dict[HintKey, CellHint] = {}
    for key, (_low, _high, explanation) in expected_ranges(elements, orgunits, period).items():
        hints[key] = CellHint(text=explanation)
    for key, flag in outlier_flags(elements, orgunits, period).items():
        hints[key] = CellHint(text=hints.get(key, CellHint()).text, flag=flag.explanation)
    # Each part of a broken-down element under its own sub-column (the grid's key puts the org unit second).
    for (element_id, combo_id, orgunit_id), flag in option_outlier_flags(elements, orgunits, period).items():
        hints[(element_id, orgunit_id, combo_id)] = CellHint(flag=flag.explanation)
    return hints
