"""Reading values: aggregated over the hierarchy (from AggregateValue) and rolled up over periods.

Spatial aggregation is stored: an org unit's row holds the sum and count of its whole subtree.
Temporal roll-up happens here over the handful of stored periods inside the requested one:
``sum`` adds them, ``average`` divides total by count, ``last`` takes the latest period with data.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from datasets.models import AggregateValue, Aggregation, DataElement
from poc.models import OrgUnit, Period
from poc.periods import PeriodSpec


def _spec(period: Period | PeriodSpec) -> PeriodSpec:
    return period.spec if isinstance(period, Period) else period


def stored_periods(period_type: str, period: Period | PeriodSpec) -> list[Period]:
    """Stored periods of ``period_type`` that lie inside ``period`` (empty if it is finer than the type)."""
    spec = _spec(period)
    return list(Period.objects.filter(period_type=period_type, start_date__gte=spec.start, end_date__lte=spec.end).order_by("start_date"))


def rollup(aggregation: str, rows: list[tuple[object, float, int]]) -> float | None:
    """Combine (period start, total, count) rows of one element and org unit."""
    rows = [r for r in rows if r[2]]
    if not rows:
        return None
    if aggregation == Aggregation.AVERAGE:
        return sum(r[1] for r in rows) / sum(r[2] for r in rows)
    if aggregation == Aggregation.LAST:
        return max(rows, key=lambda r: r[0])[1]
    return sum(r[1] for r in rows)


def element_values(
    elements: Iterable[DataElement], orgunits: Iterable[OrgUnit | int], period: Period | PeriodSpec
) -> dict[tuple[int, int], float | None]:
    """Value of each element for each org unit (its whole subtree) over ``period``.

    One query per period type involved, whatever the number of org units.
    """
    elements = list(elements)
    orgunit_ids = [o if isinstance(o, int) else o.pk for o in orgunits]
    result: dict[tuple[int, int], float | None] = {(e.pk, o): None for e in elements for o in orgunit_ids}
    by_type: dict[str, list[DataElement]] = defaultdict(list)
    for element in elements:
        by_type[element.dataset.period_type].append(element)
    for period_type, group in by_type.items():
        periods = {p.pk: p.start_date for p in stored_periods(period_type, period)}
        if not periods:
            continue
        rows: dict[tuple[int, int], list] = defaultdict(list)
        queryset = AggregateValue.objects.filter(element__in=group, orgunit_id__in=orgunit_ids, period_id__in=list(periods))
        for element_id, orgunit_id, period_id, total, count in queryset.values_list(
            "element_id", "orgunit_id", "period_id", "total", "count"
        ):
            rows[(element_id, orgunit_id)].append((periods[period_id], total, count))
        for element in group:
            for orgunit_id in orgunit_ids:
                result[(element.pk, orgunit_id)] = rollup(element.aggregation, rows.get((element.pk, orgunit_id), []))
    return result


def element_value(element: DataElement, orgunit: OrgUnit | int, period: Period | PeriodSpec) -> float | None:
    key_orgunit = orgunit if isinstance(orgunit, int) else orgunit.pk
    return element_values([element], [key_orgunit], period)[(element.pk, key_orgunit)]


def element_series(element: DataElement, orgunit: OrgUnit | int, periods: Iterable[Period | PeriodSpec]) -> list[float | None]:
    return [element_value(element, orgunit, p) for p in periods]
