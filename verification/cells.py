"""Values of cells as verification reads them: raw values at the collection level, aggregates above it.

A broken-down element (``POP`` by SEX × AREA) has one cell per option combination; its total is the sum of
the cells present (never stored), the same as :class:`~datasets.models.AggregateValue` holds above the
collection level. Rules may also name one option (``POP.F``: every combination holding หญิง) or one
combination (``POP.F_MUN``): :func:`option_terms` lists them, :func:`unit_values_by_code` reads them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum

from datasets.models import (
    AggregateOptionValue,
    AggregateValue,
    Aggregation,
    CategoryOptionCombo,
    DataElement,
    Dataset,
    DataValue,
)
from poc.models import OrgUnit, Period

# Boundaries are large (real provinces): never load them where only codes and names are shown.
GEOMETRY = ("geom", "point")
TERM_SEPARATOR = "."  # POP.F, POP.F_MUN
NAME_SEPARATOR = " · "  # ประชากร · หญิง, ในเขตเทศบาล


def _split(
    elements: Iterable[DataElement], orgunits: Iterable[OrgUnit], periods: Iterable[Period]
) -> tuple[list[DataElement], list[int], list[int], list[int]] | None:
    """(elements, unit ids at the collection level, unit ids above it, period ids); None when there is nothing to read."""
    elements, orgunits, periods = list(elements), list(orgunits), list(periods)
    if not elements or not orgunits or not periods:
        return None
    level = elements[0].dataset.collection_level
    raw_units = [o.pk for o in orgunits if o.level == level]
    above = [o.pk for o in orgunits if o.level < level]
    return elements, raw_units, above, [p.pk for p in periods]


def cell_values(
    elements: Iterable[DataElement], orgunits: Iterable[OrgUnit], periods: Iterable[Period]
) -> dict[tuple[int, int, int], float]:
    """Numeric values per (element, org unit, period): raw values at the collection level, aggregates above it.

    A broken-down element's value is its total: the sum of the option cells present (their average for an
    averaged element), exactly as its AggregateValue is kept.
    """
    split = _split(elements, orgunits, periods)
    result: dict[tuple[int, int, int], float] = {}
    if split is None:
        return result
    elements, raw_units, above, period_ids = split
    average = {e.pk for e in elements if e.aggregation == Aggregation.AVERAGE}
    if raw_units:
        rows = DataValue.objects.filter(element__in=elements, orgunit_id__in=raw_units, period_id__in=period_ids, value_num__isnull=False)
        if any(e.category_combo_id for e in elements):
            grouped = (
                rows.values_list("element_id", "orgunit_id", "period_id").annotate(total=Sum("value_num"), count=Count("id")).order_by()
            )
            for e, o, p, total, count in grouped:
                result[(e, o, p)] = total / count if e in average else total
        else:  # one row per cell: no grouping needed
            for e, o, p, v in rows.values_list("element_id", "orgunit_id", "period_id", "value_num"):
                result[(e, o, p)] = v
    if above:
        rows = AggregateValue.objects.filter(element__in=elements, orgunit_id__in=above, period_id__in=period_ids, count__gt=0)
        for e, o, p, total, count in rows.values_list("element_id", "orgunit_id", "period_id", "total", "count"):
            result[(e, o, p)] = total / count if e in average else total
    return result


def option_cell_values(
    elements: Iterable[DataElement], orgunits: Iterable[OrgUnit], periods: Iterable[Period]
) -> dict[tuple[int, int, int, int], tuple[float, int]]:
    """(total, count) per (element, option combination, org unit, period) of the broken-down elements among ``elements``."""
    split = _split([e for e in elements if e.category_combo_id], orgunits, periods)
    result: dict[tuple[int, int, int, int], tuple[float, int]] = {}
    if split is None:
        return result
    elements, raw_units, above, period_ids = split
    if raw_units:
        rows = DataValue.objects.filter(
            element__in=elements, orgunit_id__in=raw_units, period_id__in=period_ids, value_num__isnull=False, option_combo__isnull=False
        )
        for e, c, o, p, v in rows.values_list("element_id", "option_combo_id", "orgunit_id", "period_id", "value_num"):
            result[(e, c, o, p)] = (v, 1)
    if above:
        rows = AggregateOptionValue.objects.filter(element__in=elements, orgunit_id__in=above, period_id__in=period_ids, count__gt=0)
        for e, c, o, p, total, count in rows.values_list("element_id", "option_combo_id", "orgunit_id", "period_id", "total", "count"):
            result[(e, c, o, p)] = (total, count)
    return result


@dataclass(frozen=True)
class OptionTerm:
    """``POP.F`` or ``POP.F_MUN`` in a rule: the element, the option combinations summed, and the name shown."""

    element: DataElement
    combo_ids: tuple[int, ...]
    label: str  # the option's or combination's name (Thai first)


def element_combos(elements: Iterable[DataElement]) -> dict[int, list[CategoryOptionCombo]]:
    """Each broken-down element's option combinations in order, with their options (two queries for all elements)."""
    combo_ids = {e.category_combo_id for e in elements if e.category_combo_id}
    if not combo_ids:
        return {}
    by_combo: dict[int, list[CategoryOptionCombo]] = defaultdict(list)
    for option_combo in CategoryOptionCombo.objects.filter(combo_id__in=combo_ids).prefetch_related("options").order_by("order", "code"):
        by_combo[option_combo.combo_id].append(option_combo)
    return {e.pk: by_combo[e.category_combo_id] for e in elements if e.category_combo_id}


def option_terms(elements: Iterable[DataElement]) -> dict[str, OptionTerm]:
    """Every ``CODE.OPTION`` and ``CODE.OPTION_COMBINATION`` term the broken-down elements allow in a rule."""
    elements = list(elements)
    combos = element_combos(elements)
    terms: dict[str, OptionTerm] = {}
    for element in elements:
        by_option: dict[str, list[int]] = defaultdict(list)
        names: dict[str, str] = {}
        for option_combo in combos.get(element.pk, []):
            for option in option_combo.options.all():
                by_option[option.code].append(option_combo.pk)
                names[option.code] = option.name
        for code, ids in by_option.items():
            terms[f"{element.code}{TERM_SEPARATOR}{code}"] = OptionTerm(element, tuple(ids), names[code])
        for option_combo in combos.get(element.pk, []):  # a combination code wins over an option of the same code
            terms[f"{element.code}{TERM_SEPARATOR}{option_combo.code}"] = OptionTerm(element, (option_combo.pk,), option_combo.name)
    return terms


def unit_values_by_code(dataset: Dataset, orgunits: Iterable[OrgUnit], period: Period) -> dict[int, dict[str, float | None]]:
    """Each unit's values by rule term: ``CODE`` (the total), and for broken-down elements ``CODE.F`` and ``CODE.F_MUN``."""
    elements = list(dataset.elements.select_related("dataset"))
    orgunits = list(orgunits)
    values = cell_values(elements, orgunits, [period])
    result = {o.pk: {e.code: values.get((e.pk, o.pk, period.pk)) for e in elements} for o in orgunits}
    terms = option_terms(elements)
    if not terms:
        return result
    parts = option_cell_values(elements, orgunits, [period])
    for unit in orgunits:
        for code, term in terms.items():
            found = [parts[key] for c in term.combo_ids if (key := (term.element.pk, c, unit.pk, period.pk)) in parts]
            total, count = sum(t for t, _n in found), sum(n for _t, n in found)
            average = term.element.aggregation == Aggregation.AVERAGE
            result[unit.pk][code] = None if not count else (total / count if average else total)
    return result


def term_labels(dataset: Dataset) -> dict[str, str]:
    """The option named by each ``CODE.OPTION`` term, for rule messages (``POP.F [หญิง] (130)``)."""
    return {code: term.label for code, term in option_terms(dataset.elements.all()).items()}


def units_with_values(dataset: Dataset, period: Period, within: OrgUnit | None = None) -> QuerySet[OrgUnit]:
    """Collection-level units (in ``within``'s subtree) that have at least one value for the period."""
    with_values = DataValue.objects.filter(period=period, element__dataset=dataset).values("orgunit_id")
    queryset = OrgUnit.objects.filter(level=dataset.collection_level, pk__in=with_values).defer(*GEOMETRY)
    return queryset.filter(path__startswith=within.path) if within else queryset
