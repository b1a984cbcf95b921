"""Demo seed for datasets: the shipped catalogue and plausible values for every dataset.

Every dataset gets values for the current fiscal year and the three before it (periods that have
started), for every org unit at its collection level, written through
:func:`datasets.services.datavalues_save` (so aggregates and audit are kept) with
``source=demo``. Values follow each element's ``demo`` recipe in the catalogue files: a province
total split by a deterministic weight (DOPA registered population when the reference data is
present), yearly growth, relative noise and a monthly seasonal shape; ``ratio_of`` and ``sum_of``
keep related elements consistent (employed + unemployed = labour force). A broken-down element's
total is shared among its option combinations (:meth:`OptionSplit.option_shares`): by the recipe's
``split``, by DOPA's male/female register for sex, and by the municipalities' coverage for the
municipal area (the rule of migration 0011). Some forms are left missing, some entered after their
due date and a few cells are marked not available, so completeness and timeliness pages have
something to show. Everything is seeded from codes: the same catalogue gives the same values.
"""

from __future__ import annotations

import csv
import datetime as dt
import random
import time
import zlib
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from datasets.catalogue import Catalogue, ElementSpec, catalogue_load, catalogue_read
from datasets.categories import element_option_combos
from datasets.models import (
    Aggregation,
    CategoryOptionCombo,
    DataElement,
    Dataset,
    DataValue,
    DataValueAudit,
    NotAvailableReason,
    ValueSource,
    ValueType,
)
from datasets.services import CellInput, datavalues_save
from poc.models import MunicipalityArea, OrgUnit, OrgUnitLevel, Period
from poc.periods import fiscal_year_of, periods_in_fiscal_year

# The current fiscal year and 4 before it: the self-assessment rates the last completed year, which
# needs that year and the 3 before it (rubric level 1: at least 3 years of history plus the current one).
YEARS_OF_HISTORY = 4
# Monthly shapes (January..December), each averaging 1: eastern Thailand's rains peak in September,
# the dry/high season runs November-April, dengue peaks in the rainy months.
SEASONS = {
    "rain": [0.15, 0.25, 0.5, 0.8, 1.45, 1.55, 1.45, 1.55, 2.2, 1.6, 0.35, 0.15],
    "dry": [1.5, 1.45, 1.35, 1.15, 0.7, 0.55, 0.6, 0.6, 0.5, 0.75, 1.2, 1.65],
    "dengue": [0.4, 0.3, 0.35, 0.5, 0.9, 1.6, 2.0, 1.9, 1.5, 1.1, 0.85, 0.6],
}
LATE_SHARE = 0.12  # forms entered after their due date
MISSING_SHARE = 0.03  # forms never entered (besides the latest period of some datasets)
# Utilities and state banks often will not release figures by area: a few cells say so.
CONFIDENTIAL_ELEMENTS = {"ELEC_SALES_GWH": 0.3, "BAAC_LOANS_MB": 0.2}
# Daily datasets are seeded at a few stations only (five years of days at every unit would slow the seed):
# Mueang Rayong, Klaeng and Wang Chan, the coast, the east and the inland hills.
DAILY_STATIONS = {"DS-RAIN-DAILY": ["2101", "2103", "2104"]}


def _rng(*parts: object) -> random.Random:
    return random.Random(zlib.crc32("|".join(map(str, parts)).encode()))


def orgunit_weights(province: OrgUnit) -> dict[int, float]:
    """Share of the province for every unit below it: registered population when known, else deterministic."""
    # Municipalities overlap the subdistricts they cover: they take no share of their own.
    units = list(OrgUnit.objects.subtree(province).exclude(level=OrgUnitLevel.MUNICIPALITY).only("pk", "code", "level", "parent_id"))
    population = _reference_population()
    children: dict[int | None, list[OrgUnit]] = defaultdict(list)
    for unit in units:
        children[unit.parent_id].append(unit)
    weights = {province.pk: 1.0}

    def split(parent: OrgUnit) -> None:
        kids = children.get(parent.pk, [])
        raw = [population.get(k.code) or _rng("weight", k.code).uniform(0.5, 1.5) for k in kids]
        total = sum(raw) or 1.0
        for kid, share in zip(kids, raw, strict=True):
            weights[kid.pk] = weights[parent.pk] * share / total
            split(kid)

    split(province)
    return weights


def _reference_population() -> dict[str, float]:
    return {code: total for code, (total, _male, _female) in _reference_register().items()}


def _reference_register() -> dict[str, tuple[float, float, float]]:
    """DOPA's latest registered total, male and female population per unit code (empty without the reference file)."""
    path = settings.POC_REFERENCE_DIR / "rayong_population_dopa.csv"
    if not path.is_file():
        return {}
    latest: dict[str, tuple[int, tuple[float, float, float]]] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            year, code = int(row["year"]), row["code"]
            if code not in latest or year > latest[code][0]:
                latest[code] = (year, (float(row["total"] or 0), float(row["male"] or 0), float(row["female"] or 0)))
    return {code: figures for code, (_year, figures) in latest.items()}


def municipal_shares() -> dict[int, float]:
    """Share of a unit's population inside a municipality, where the reference data says: 1 for a municipality and
    for a subdistrict covered by one of unknown share, the recorded shares (at most 1) otherwise; villages follow
    their subdistrict. Units missing here take the recipe's ``AREA`` split."""
    covered: dict[int, list[float | None]] = defaultdict(list)
    for subdistrict_id, share in MunicipalityArea.objects.values_list("subdistrict_id", "share"):
        covered[subdistrict_id].append(share)
    shares = {pk: 1.0 for pk in OrgUnit.objects.filter(level=OrgUnitLevel.MUNICIPALITY).values_list("pk", flat=True)}
    for subdistrict_id, rows in covered.items():
        shares[subdistrict_id] = 1.0 if any(share is None for share in rows) else min(1.0, sum(rows))
    for pk, parent_id in OrgUnit.objects.filter(level=OrgUnitLevel.VILLAGE, parent_id__in=list(covered)).values_list("pk", "parent_id"):
        shares[pk] = shares[parent_id]
    return shares


def share_out(amount: float, shares: dict[int, float], whole: bool) -> dict[int, float]:
    """``amount`` in proportion to ``shares``; whole numbers by the largest remainder, so the parts add up to it exactly."""
    total_share = sum(shares.values()) or 1.0
    exact = {key: amount * share / total_share for key, share in shares.items()}
    if not whole:
        return {key: round(value, 2) for key, value in exact.items()}
    parts = {key: float(int(value)) for key, value in exact.items()}
    order = list(shares)
    for key in sorted(exact, key=lambda k: (-(exact[k] - parts[k]), order.index(k)))[: max(0, round(amount - sum(parts.values())))]:
        parts[key] += 1
    return parts


@dataclass
class OptionSplit:
    """What a seed needs to share broken-down elements' totals: cells, their options, and the per-unit overrides."""

    cells: dict[int, list[CategoryOptionCombo]]  # element id → its option combinations
    options: dict[int, dict[str, str]]  # option combination id → {category code: option code}
    register: dict[str, tuple[float, float, float]]  # DOPA total, male, female per unit code
    municipal: dict[int, float]  # unit id → municipal share

    @classmethod
    def for_elements(cls, elements: list[DataElement]) -> OptionSplit:
        cells = {e.pk: element_option_combos(e) for e in elements if e.category_combo_id}
        combos = CategoryOptionCombo.objects.filter(combo_id__in={e.category_combo_id for e in elements})
        combos = combos.prefetch_related("options__category")
        options = {combo.pk: {option.category.code: option.code for option in combo.options.all()} for combo in combos}
        return cls(cells, options, _reference_register(), municipal_shares())

    def option_shares(self, element: DataElement, spec: ElementSpec, unit: OrgUnit) -> dict[int, float]:
        """Share of the element's total per option combination at ``unit``: the product of each category's option share."""
        split = spec.demo.get("split") or {}
        register = self.register.get(unit.code)
        result = {}
        for option_combo in self.cells[element.pk]:
            share = 1.0
            for category, option in self.options[option_combo.pk].items():
                given = dict(split.get(category) or {})
                if category == "SEX" and register and register[1] + register[2] > 0:
                    given = {"M": register[1], "F": register[2]}
                if category == "AREA" and unit.pk in self.municipal:
                    given = {"MUN": self.municipal[unit.pk], "NONMUN": 1 - self.municipal[unit.pk]}
                options = {o for o_c in self.cells[element.pk] for c, o in self.options[o_c.pk].items() if c == category}
                share *= given.get(option, 0.0) / (sum(given.values()) or 1.0) if given else 1.0 / len(options)
            result[option_combo.pk] = share
        return result


def _season(kind: str | None, period: Period) -> float:
    if not kind:
        return 1.0
    shape = SEASONS[kind]
    months, day = [], period.start_date
    while day <= period.end_date:
        months.append(shape[day.month - 1])
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return sum(months) / len(months) if len(months) < 12 else 1.0


def _element_value(
    spec: ElementSpec, element: DataElement, unit: OrgUnit, period: Period, weight: float, first_year: int, values: dict[str, float | str]
) -> float | str | None:
    """One plausible value; ``values`` holds the same cell's already generated elements (for ratio_of/sum_of)."""
    demo = spec.demo
    rng = _rng(element.code, unit.code, period.code)
    if demo.get("sum_of"):
        parts = [values.get(code) for code in demo["sum_of"]]
        return None if any(not isinstance(p, (int, float)) for p in parts) else sum(parts)
    if element.value_type == ValueType.TEXT:
        return None
    if element.value_type == ValueType.OPTION:
        return _rng(element.code, unit.code).choice(element.options) if element.options else None
    if element.value_type == ValueType.BOOLEAN:
        # Villages keep their answer over the years, with an occasional change.
        stable = _rng(element.code, unit.code).random() < float(demo.get("base", 0.8))
        return int(stable if rng.random() > 0.05 else not stable)
    noise = float(demo.get("noise") or 0.0)
    if demo.get("ratio_of"):
        other = values.get(demo["ratio_of"])
        if not isinstance(other, (int, float)):
            return None
        number = other * float(demo.get("ratio", 1.0)) * max(0.0, 1 + noise * rng.gauss(0, 1))
    else:
        base = demo.get("base")
        if base is None:
            low, high = element.min_value or 0.0, element.max_value
            base = (low + high) / 2 if high is not None else 100.0
        years = period.start_date.year - first_year
        number = float(base) * (1 + float(demo.get("growth") or 0.0)) ** years * _season(demo.get("seasonal"), period)
        if element.aggregation != Aggregation.AVERAGE:  # totals and stocks add up over the hierarchy
            number *= weight
        else:
            number *= 1 + 0.1 * _rng("place", element.code, unit.code).gauss(0, 1)  # places differ, steadily
        number *= max(0.0, 1 + noise * rng.gauss(0, 1))
    if element.min_value is not None:
        number = max(number, element.min_value)
    if element.max_value is not None:
        number = min(number, element.max_value)
    return round(number) if element.value_type in (ValueType.INTEGER,) else round(number, 2)


def _ordered(specs: list[tuple[DataElement, ElementSpec]]) -> list[tuple[DataElement, ElementSpec]]:
    """Elements that others derive from (ratio_of, sum_of) come first."""
    done: list[tuple[DataElement, ElementSpec]] = []
    pending = list(specs)
    while pending:
        ready_codes = {e.code for e, _s in done}
        local = {e.code for e, _s in pending}
        progressed = False
        for item in list(pending):
            needs = ([item[1].demo["ratio_of"]] if item[1].demo.get("ratio_of") else []) + list(item[1].demo.get("sum_of") or [])
            if all(code in ready_codes or code not in local for code in needs):
                done.append(item)
                pending.remove(item)
                progressed = True
        if not progressed:  # a cycle: generate the rest in file order
            done.extend(pending)
            break
    return done


def _periods(dataset: Dataset, fiscal_years: list[int], today: dt.date) -> list[Period]:
    specs = [s for fy in fiscal_years for s in periods_in_fiscal_year(dataset.period_type, fy) if s.start <= today]
    return [Period.objects.for_spec(s) for s in specs]


def _entry_time(dataset: Dataset, unit: OrgUnit, period: Period, now: dt.datetime) -> dt.datetime:
    """When the form was first entered: mostly before its due date, some late, never in the future."""
    rng = _rng("entered", dataset.code, unit.code, period.code)
    due = period.end_date + dt.timedelta(days=dataset.due_days)
    if rng.random() < LATE_SHARE:
        day = due + dt.timedelta(days=rng.randint(1, 45))
    else:
        day = period.end_date + dt.timedelta(days=rng.randint(1, max(1, dataset.due_days)))
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(8 + rng.randint(0, 8), rng.randint(0, 59))))
    return min(moment, now - dt.timedelta(minutes=rng.randint(1, 600)))


def seed_values(*, province: OrgUnit, catalogue: Catalogue, today: dt.date | None = None) -> int:
    """Write demo values for every dataset of ``catalogue``; returns the number of cells written."""
    today = today or timezone.localdate()
    now = timezone.now()
    fiscal_years = [fiscal_year_of(today) - back for back in range(YEARS_OF_HISTORY, -1, -1)]
    first_year = min(fiscal_years) - 543 - 1
    weights = orgunit_weights(province)
    units_by_level: dict[int, list[OrgUnit]] = defaultdict(list)
    for unit in OrgUnit.objects.subtree(province).order_by("path"):
        units_by_level[unit.level].append(unit)
    codes = [d["code"] for d in catalogue.datasets]
    datasets = Dataset.objects.filter(code__in=codes).select_related("agency").prefetch_related("elements").with_assigned_units()
    written = 0
    open_on: dict[dt.date, set[int]] = {}
    for dataset in sorted(datasets, key=lambda d: codes.index(d.code)):
        elements = [(e, catalogue.elements[e.code]) for e in dataset.elements.all() if e.code in catalogue.elements]
        if not elements:
            continue
        split = OptionSplit.for_elements([e for e, _spec in elements])
        assigned = dataset.assigned_unit_ids()
        periods = _periods(dataset, fiscal_years, today)
        units = [u for u in units_by_level[dataset.collection_level] if not assigned or u.pk in assigned]
        if dataset.collection_level == OrgUnitLevel.PROVINCE:
            units = [province]
        # Some agencies are still collecting the latest period that is due: many of its forms are missing.
        due = [p for p in periods if p.end_date + dt.timedelta(days=dataset.due_days) < today]
        behind = due[-1] if due and _rng("latest", dataset.code).random() < 0.35 else None
        cells: list[CellInput] = []
        entered: dict[tuple[int, int], dt.datetime] = {}
        for period in periods:
            if period.end_date not in open_on:
                open_on[period.end_date] = set(OrgUnit.objects.open_on(period.end_date).values_list("pk", flat=True))
            open_ids = open_on[period.end_date]
            for unit in units:
                rng = _rng("form", dataset.code, unit.code, period.code)
                # ... but the first unit has sent, so a yearly dataset keeps a value in every year of its history.
                still_collecting = period == behind and rng.random() < 0.6 and unit is not units[0]
                # A dataset with one form per period (the province's) would lose a whole year of its history.
                never_sent = rng.random() < MISSING_SHARE and len(units) > 1
                if unit.pk not in open_ids or never_sent or still_collecting:
                    continue
                entered[(unit.pk, period.pk)] = _entry_time(dataset, unit, period, now)
                values: dict[str, float | str] = {}
                for element, spec in _ordered(elements):
                    share = CONFIDENTIAL_ELEMENTS.get(element.code, 0.0)
                    if share and _rng("na", element.code, unit.code).random() < share:
                        cells.append(CellInput(element=element, orgunit=unit, period=period, not_available=NotAvailableReason.CONFIDENTIAL))
                        continue
                    value = _element_value(spec, element, unit, period, weights.get(unit.pk, 1.0), first_year, values)
                    if value is None or (not element.required and rng.random() < 0.05):
                        continue
                    values[element.code] = value
                    if element.pk not in split.cells:
                        cells.append(CellInput(element=element, orgunit=unit, period=period, raw=value))
                        continue
                    parts = share_out(float(value), split.option_shares(element, spec, unit), element.value_type == ValueType.INTEGER)
                    for option_combo in split.cells[element.pk]:
                        part = parts[option_combo.pk]
                        raw = int(part) if element.value_type == ValueType.INTEGER else part
                        cells.append(CellInput(element=element, orgunit=unit, period=period, option_combo=option_combo, raw=raw))
        result = datavalues_save(cells=cells, user=None, source=ValueSource.DEMO, check_permissions=False)
        if not result.ok:
            raise RuntimeError(f"{dataset.code}: " + "; ".join(f"{e.element}/{e.orgunit}: {e.message}" for e in result.errors[:5]))
        _backdate(dataset, entered, [p.pk for p in periods])
        written += result.created + result.updated
    return written


def _backdate(dataset: Dataset, entered: dict[tuple[int, int], dt.datetime], period_ids: list[int]) -> None:
    """Demo history: first entry (and its audit row) at the time the form would have been entered."""
    element_ids = list(dataset.elements.values_list("pk", flat=True))
    rows = DataValue.objects.filter(element_id__in=element_ids, period_id__in=period_ids, source=ValueSource.DEMO)
    adapt = connection.ops.adapt_datetimefield_value
    values, audits = [], []
    for pk, element_id, orgunit_id, period_id in rows.values_list("pk", "element_id", "orgunit_id", "period_id"):
        moment = entered.get((orgunit_id, period_id))
        if moment is None:
            continue
        # A few elements are added to a form later than the rest (timeliness per element shows it).
        if _rng("element-late", element_id, orgunit_id, period_id).random() < 0.04:
            moment = min(moment + dt.timedelta(days=30), timezone.now())
        values.append((adapt(moment), adapt(moment), pk))
        audits.append((adapt(moment), element_id, orgunit_id, period_id))
    value_table = connection.ops.quote_name(DataValue._meta.db_table)
    audit_table = connection.ops.quote_name(DataValueAudit._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {value_table} SET created_at = %s, updated_at = %s WHERE id = %s", values)
        cursor.executemany(
            f"UPDATE {audit_table} SET at = %s WHERE element_id = %s AND orgunit_id = %s AND period_id = %s AND source = 'demo'", audits
        )


@transaction.atomic
def seed(context: dict[str, Any]) -> None:
    started = time.monotonic()
    result = catalogue_load()
    if not result.ok:
        raise RuntimeError("catalogue: " + "\n".join(result.errors))
    counts = ", ".join(f"{result.created[kind]}+{result.updated[kind]} {kind}" for kind in result.created)
    for code, stations in DAILY_STATIONS.items():
        dataset = Dataset.objects.filter(code=code).first()
        if dataset is not None:
            dataset.orgunits.set(OrgUnit.objects.filter(code__in=stations))
    written = seed_values(province=context["province"], catalogue=catalogue_read())
    context.setdefault("log", []).append(
        f"catalogue (created+updated): {counts}; demo values: {written} cells in {time.monotonic() - started:.1f} s"
    )
