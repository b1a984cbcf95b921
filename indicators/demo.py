"""Demo seed: values for the indicators' inputs (from the catalogue's ``demo`` recipes), the 33
indicators with their targets, and their materialised values.

Inputs that already hold values (e.g. from the datasets demo generator) are left alone, so this
only fills what is missing. Deterministic: seeded by element and org-unit codes.
"""

from __future__ import annotations

import math
import random
from typing import Any

import yaml
from django.utils import timezone

from datasets.catalogue import catalogue_read
from datasets.models import AggregateValue, DataElement, ValueSource, ValueType
from datasets.services import CellInput, datavalues_save
from indicators.expressions import expression_codes
from indicators.services import CATALOGUE, indicator_values_refresh, indicators_load
from poc.models import OrgUnit, Period
from poc.periods import PeriodSpec, fiscal_year_of, period_containing, periods_in_fiscal_year

FIRST_FISCAL_YEAR_BACK = 4  # the current fiscal year and four before
# Warning-rule inputs besides the indicators' own.
RULE_INPUTS = ["RES_STORAGE_PCT", "FIRE_HOTSPOTS", "FOREST_LOSS_RAI"]
PEAK_MONTH = {"rain": 9, "dengue": 7, "dry": 3}


def _periods(period_type: str, today) -> list[PeriodSpec]:
    current = fiscal_year_of(today)
    if period_type == "Y":
        return [period_containing("Y", today.replace(year=today.year - k)) for k in range(FIRST_FISCAL_YEAR_BACK, 0, -1)]
    specs = [p for fy in range(current - FIRST_FISCAL_YEAR_BACK, current + 1) for p in periods_in_fiscal_year(period_type, fy)]
    return [p for p in specs if p.end < today]


def _seasonal(kind: str | None, spec: PeriodSpec, value_type: str) -> float:
    if not kind or spec.type not in ("M", "B", "Q"):
        return 1.0
    wave = math.cos(2 * math.pi * (spec.start.month - PEAK_MONTH[kind]) / 12)
    # A percentage of capacity dips in the dry season; counts (hotspots, cases) peak in their season.
    return 1 - 0.45 * wave if value_type == ValueType.PERCENT else 1 + 0.7 * wave


def _needed_codes(catalogue, codes: set[str]) -> list[str]:
    """The codes plus everything their recipes refer to, referred-to first."""
    ordered: list[str] = []

    def visit(code: str) -> None:
        spec = catalogue.elements.get(code)
        if spec is None or code in ordered:
            return
        for ref in [spec.demo.get("ratio_of"), *(spec.demo.get("sum_of") or [])]:
            if ref:
                visit(ref)
        ordered.append(code)

    for code in sorted(codes):
        visit(code)
    return ordered


def seed_input_values(codes: set[str]) -> int:
    catalogue = catalogue_read()
    today = timezone.localdate()
    elements = {e.code: e for e in DataElement.objects.filter(code__in=_needed_codes(catalogue, codes)).select_related("dataset")}
    have = set(AggregateValue.objects.filter(element__in=elements.values(), count__gt=0).values_list("element__code", flat=True))
    generated: dict[tuple[str, int, str], float] = {}
    written = 0
    for code in _needed_codes(catalogue, codes):
        element = elements.get(code)
        if element is None or code in have:
            continue
        recipe = catalogue.elements[code].demo
        units = list(OrgUnit.objects.filter(level=element.dataset.collection_level).order_by("code"))
        weights = {u.pk: random.Random(f"w{u.code}").uniform(0.5, 1.5) for u in units}
        total_weight = sum(weights.values()) or 1
        rng = random.Random(f"demo-{code}")
        cells = []
        for spec in _periods(element.dataset.period_type, today):
            period = Period.objects.for_spec(spec)
            years = spec.fiscal_year - (fiscal_year_of(today) - FIRST_FISCAL_YEAR_BACK)
            for unit in units:
                if recipe.get("ratio_of"):
                    base = generated.get((recipe["ratio_of"], unit.pk, spec.code))
                    value = None if base is None else base * float(recipe.get("ratio", 1))
                elif recipe.get("sum_of"):
                    parts = [generated.get((ref, unit.pk, spec.code)) for ref in recipe["sum_of"]]
                    value = None if None in parts else sum(parts)
                else:
                    value = float(recipe.get("base") or 0) * (1 + float(recipe.get("growth") or 0)) ** years
                    if element.aggregation != "average":  # base is the province figure per period: share it out
                        value *= weights[unit.pk] / total_weight
                    value *= _seasonal(recipe.get("seasonal"), spec, element.value_type)
                if value is None or not value:
                    continue
                value *= 1 + rng.uniform(-1, 1) * float(recipe.get("noise") or 0)
                if element.max_value is not None:
                    value = min(value, element.max_value)
                value = round(value) if element.value_type == ValueType.INTEGER else round(value, 2)
                generated[(code, unit.pk, spec.code)] = value
                cells.append(CellInput(element=element, orgunit=unit, period=period, raw=value))
        result = datavalues_save(cells=cells, user=None, source=ValueSource.DEMO, check_permissions=False)
        if not result.ok:
            raise RuntimeError(f"demo values for {code}: {result.errors[:3]}")
        written += result.created
    return written


def seed(context: dict[str, Any]) -> None:
    entries = yaml.safe_load(CATALOGUE.read_text(encoding="utf-8"))["indicators"]
    codes = {c for e in entries for c in expression_codes(e["numerator"]) | expression_codes(e.get("denominator") or "")}
    written = seed_input_values(codes | set(RULE_INPUTS))
    result = indicators_load()
    if result.errors:
        raise RuntimeError("indicators: " + "\n".join(result.errors))
    values = indicator_values_refresh()
    count = result.created + result.updated
    # The datasets seed usually provides every input already; only mention inputs this seed had to add.
    extra = f", {written} extra input values" if written else ""
    context.setdefault("log", []).append(f"indicators: {count} indicators, {values} indicator values{extra}")
