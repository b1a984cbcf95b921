"""Values of cells as verification reads them: raw values at the collection level, aggregates above it."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from datasets.models import AggregateValue, Aggregation, DataElement, Dataset, DataValue
from poc.models import OrgUnit, Period

# Boundaries are large (real provinces): never load them where only codes and names are shown.
GEOMETRY = ("geom", "point")


def cell_values(
    elements: Iterable[DataElement], orgunits: Iterable[OrgUnit], periods: Iterable[Period]
) -> dict[tuple[int, int, int], float]:
    """Numeric values per (element, org unit, period): raw values at the collection level, aggregates above it."""
    elements, orgunits, periods = list(elements), list(orgunits), list(periods)
    result: dict[tuple[int, int, int], float] = {}
    if not elements or not orgunits or not periods:
        return result
    level = elements[0].dataset.collection_level
    raw_units = [o.pk for o in orgunits if o.level == level]
    above = [o.pk for o in orgunits if o.level < level]
    period_ids = [p.pk for p in periods]
    if raw_units:
        rows = DataValue.objects.filter(element__in=elements, orgunit_id__in=raw_units, period_id__in=period_ids, value_num__isnull=False)
        for e, o, p, v in rows.values_list("element_id", "orgunit_id", "period_id", "value_num"):
            result[(e, o, p)] = v
    if above:
        average = {e.pk for e in elements if e.aggregation == Aggregation.AVERAGE}
        rows = AggregateValue.objects.filter(element__in=elements, orgunit_id__in=above, period_id__in=period_ids, count__gt=0)
        for e, o, p, total, count in rows.values_list("element_id", "orgunit_id", "period_id", "total", "count"):
            result[(e, o, p)] = total / count if e in average else total
    return result


def unit_values_by_code(dataset: Dataset, orgunits: Iterable[OrgUnit], period: Period) -> dict[int, dict[str, float | None]]:
    elements = list(dataset.elements.select_related("dataset"))
    orgunits = list(orgunits)
    values = cell_values(elements, orgunits, [period])
    return {o.pk: {e.code: values.get((e.pk, o.pk, period.pk)) for e in elements} for o in orgunits}


def units_with_values(dataset: Dataset, period: Period, within: OrgUnit | None = None) -> QuerySet[OrgUnit]:
    """Collection-level units (in ``within``'s subtree) that have at least one value for the period."""
    with_values = DataValue.objects.filter(period=period, element__dataset=dataset).values("orgunit_id")
    queryset = OrgUnit.objects.filter(level=dataset.collection_level, pk__in=with_values).defer(*GEOMETRY)
    return queryset.filter(path__startswith=within.path) if within else queryset
