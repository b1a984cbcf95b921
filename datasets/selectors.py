"""Reading values: aggregated over the hierarchy (from AggregateValue) and rolled up over periods.

Spatial aggregation is stored: an org unit's row holds the sum and count of its whole subtree.
Temporal roll-up happens here over the handful of stored periods inside the requested one:
``sum`` adds them, ``average`` divides total by count, ``last`` takes the latest period with data.
A week counts whole in the month, quarter or year holding its Thursday (its anchor, the ISO rule).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple, TypeVar

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, Count, ExpressionWrapper, F, IntegerField, Prefetch, Q, QuerySet, Sum, When, prefetch_related_objects
from django.utils import timezone

from datasets import values_versions
from datasets.models import AggregateOptionValue, AggregateValue, Aggregation, CategoryOptionCombo, DataElement, Dataset, DataValue
from poc.lookups import id_array, ids_filter
from poc.models import OrgUnit, OrgUnitLevel, Period
from poc.periods import PeriodSpec, PeriodType, period_containing, periods_in_fiscal_year


def _spec(period: Period | PeriodSpec) -> PeriodSpec:
    return period.spec if isinstance(period, Period) else period


def stored_periods(period_type: str, period: Period | PeriodSpec) -> list[Period]:
    """Stored periods of ``period_type`` that lie inside ``period`` (empty if it is finer than the type).

    Weeks that straddle the edge of a month, quarter or year are inside the one holding their Thursday
    and wholly so: cases are not spread evenly over a week, a split would invent fractions of a case,
    and averages and last values cannot be split at all (README, "Weekly and daily periods").
    """
    spec = _spec(period)
    if period_type == PeriodType.WEEKLY and (spec.end - spec.start).days >= 6:
        thursday = dt.timedelta(days=3)
        weeks = Period.objects.filter(period_type=period_type, start_date__gte=spec.start - thursday, start_date__lte=spec.end - thursday)
        return list(weeks.order_by("start_date"))
    return list(Period.objects.filter(period_type=period_type, start_date__gte=spec.start, end_date__lte=spec.end).order_by("start_date"))


def holds(period: Period | PeriodSpec, stored: Period | PeriodSpec) -> bool:
    """Whether :func:`stored_periods` of ``period`` counts the stored period ``stored`` (no query: the same rule)."""
    outer, inner = _spec(period), _spec(stored)
    if inner.type == PeriodType.WEEKLY and (outer.end - outer.start).days >= 6:
        thursday = dt.timedelta(days=3)
        return outer.start - thursday <= inner.start <= outer.end - thursday
    return outer.start <= inner.start and inner.end <= outer.end


def rollup(aggregation: str, rows: list[tuple[object, float, int]]) -> float | None:
    """Combine (period start, total, count) rows of one element and org unit.

    Last value (stocks: insured persons, hospital beds): the latest period reported by as many units as
    the best-reported period of the window. Above the collection level a period only some units have
    reported yet would otherwise pass for the whole (two of eight districts' September as the province's
    figure); for a single unit this is simply its latest value.
    """
    rows = [r for r in rows if r[2]]
    if not rows:
        return None
    if aggregation == Aggregation.AVERAGE:
        return sum(r[1] for r in rows) / sum(r[2] for r in rows)
    if aggregation == Aggregation.LAST:
        best = max(r[2] for r in rows)
        return max((r for r in rows if r[2] == best), key=lambda r: r[0])[1]
    return sum(r[1] for r in rows)


def element_values(
    elements: Iterable[DataElement],
    orgunits: Iterable[OrgUnit | int],
    period: Period | PeriodSpec,
    *,
    option_combo_ids: Iterable[int] | None = None,
) -> dict[tuple[int, int], float | None]:
    """Value of each element for each org unit (its whole subtree) over ``period``.

    ``option_combo_ids`` narrows broken-down elements to those option combinations, summed (e.g. every
    หญิง cell of SEX × AREA, from :func:`datasets.categories.option_filter`); ``None`` reads the totals.

    One query per period type involved, whatever the number of org units. ``orgunits`` may be an
    OrgUnit queryset: its ids are read first and sent as one array (``poc.lookups``), so the unique
    key (element, org unit, period) serves the read whatever the planner's statistics. Sums and
    averages are rolled up over the periods in the database, so one row per element and unit comes
    back rather than one per stored period.
    """
    elements = list(elements)
    if isinstance(orgunits, QuerySet):
        orgunit_ids = list(orgunits.values_list("pk", flat=True))
        unit_filter = ids_filter("orgunit_id", orgunit_ids, orgunits)
    else:
        orgunit_ids = [o if isinstance(o, int) else o.pk for o in orgunits]
        unit_filter = ids_filter("orgunit_id", orgunit_ids)
    result: dict[tuple[int, int], float | None] = {(pk, o): None for pk in [e.pk for e in elements] for o in orgunit_ids}
    by_type: dict[str, list[DataElement]] = defaultdict(list)
    for element in elements:
        by_type[element.dataset.period_type].append(element)
    for period_type, group in by_type.items():
        periods = {p.pk: p.start_date for p in stored_periods(period_type, period)}
        if not periods:
            continue
        if option_combo_ids is None:
            stored = _in_periods(AggregateValue.objects.filter(unit_filter, count__gt=0), list(periods))
        else:  # several combination rows per element, unit and period: summed below
            combos = list(option_combo_ids)
            stored = _in_periods(AggregateOptionValue.objects.filter(unit_filter, option_combo_id__in=combos, count__gt=0), list(periods))
        summed = {e.pk: e.aggregation for e in group if e.aggregation != Aggregation.LAST}
        if summed:
            rows = stored.filter(element_id__in=list(summed))
            if len(periods) == 1 and option_combo_ids is None:  # one stored row per element and unit: no grouping needed
                rows = rows.values_list("element_id", "orgunit_id", "total", "count")
            elif connection.vendor == "postgresql":
                rows = _summed_per_unit(list(summed), orgunit_ids, list(periods), combos if option_combo_ids is not None else None)
            else:
                rows = rows.values_list("element_id", "orgunit_id").annotate(sum_total=Sum("total"), sum_count=Sum("count")).order_by()
            for element_id, orgunit_id, total, count in rows:
                average = summed[element_id] == Aggregation.AVERAGE
                result[(element_id, orgunit_id)] = total / count if average else total
        latest = [e.pk for e in group if e.aggregation == Aggregation.LAST]
        if latest:
            by_key: dict[tuple[int, int], list] = defaultdict(list)
            rows = stored.filter(element_id__in=latest).values_list("element_id", "orgunit_id", "period_id")
            rows = rows.annotate(sum_total=Sum("total"), sum_count=Sum("count")).order_by()
            for element_id, orgunit_id, period_id, total, count in rows:
                by_key[(element_id, orgunit_id)].append((periods[period_id], total, count))
            for key, rows in by_key.items():
                result[key] = rollup(Aggregation.LAST, rows)
    return result


def _summed_per_unit(
    element_ids: list[int], orgunit_ids: list[int], period_ids: list[int], combo_ids: list[int] | None
) -> list[tuple[int, int, float, int]]:
    """(element, unit, summed total, summed count) of the stored rows of these periods (and option combinations), for
    each element and unit that has any: PostgreSQL only.

    Summed per unit in a lateral subquery: one index descent per element and unit reads its periods side by side (the
    roll-ups are stored in key order, ``datasets.aggregates``), whatever the planner's statistics. Grouped over the
    whole set instead, the 89,100 rows of a national fiscal-year map (7,425 subdistricts × 12 months) were sorted first,
    spilling to disk (~50 ms of its ~120 ms)."""
    model = AggregateValue if combo_ids is None else AggregateOptionValue
    combos = "" if combo_ids is None else " AND a.option_combo_id = ANY(%s)"
    # The exact list checked on each row found, unless the range holds nothing else (ids made one after the other).
    listed = len(set(period_ids)) != max(period_ids) - min(period_ids) + 1
    sql = (
        "SELECT e.id, u.id, s.total, s.count FROM unnest(%s::bigint[]) e(id) CROSS JOIN unnest(%s::bigint[]) u(id) "
        f"CROSS JOIN LATERAL (SELECT SUM(a.total) AS total, SUM(a.count) AS count FROM {connection.ops.quote_name(model._meta.db_table)} a "
        f"WHERE a.element_id = e.id{combos} AND a.orgunit_id = u.id AND a.period_id BETWEEN %s AND %s "
        f"{'AND (a.period_id + 0) = ANY(%s) ' if listed else ''}AND a.count > 0) s WHERE s.count IS NOT NULL"
    )
    combo_param = [id_array(combo_ids)] if combo_ids is not None else []
    params = [id_array(element_ids), id_array(orgunit_ids), *combo_param, min(period_ids), max(period_ids)]
    params += [id_array(period_ids)] if listed else []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _in_periods(rows: QuerySet, period_ids: list[int]) -> QuerySet:
    """Rows of these periods. Several periods are read as the range of their ids (one index descent per element and
    unit, the unit's periods side by side in the key) with the exact list checked on the rows found, an expression the
    index cannot serve: listed in the index condition, thousands of units × 12 months were 89,100 descents."""
    if len(period_ids) == 1:
        return rows.filter(period_id=period_ids[0])
    exact = ExpressionWrapper(F("period_id") + 0, output_field=IntegerField())
    return rows.alias(listed_period=exact).filter(
        period_id__gte=min(period_ids), period_id__lte=max(period_ids), listed_period__in=period_ids
    )


def element_values_over(
    elements: Iterable[DataElement],
    orgunits: Iterable[OrgUnit | int],
    period: Period,
    *,
    option_combo_ids: Iterable[int] | None = None,
) -> dict[tuple[int, int], float | None]:
    """:func:`element_values`, except that calendar-year elements (population, area) which do not fit inside a
    fiscal year or shorter ``period`` are read for the calendar year containing its end: the latest annual figure.
    What indicators and the pivot read for a fiscal year."""
    elements = list(elements)
    ids = None if option_combo_ids is None else list(option_combo_ids)
    yearly = [e for e in elements if e.dataset.period_type == PeriodType.CALENDAR_YEAR and period.period_type != PeriodType.CALENDAR_YEAR]
    values = element_values([e for e in elements if e not in yearly], orgunits, period, option_combo_ids=ids)
    if yearly:
        calendar_year = period_containing(PeriodType.CALENDAR_YEAR, period.end_date)
        values.update(element_values(yearly, orgunits, calendar_year, option_combo_ids=ids))
    return values


def reads(element: DataElement, period: Period | PeriodSpec, stored: Period | PeriodSpec) -> bool:
    """Whether :func:`element_values_over` of ``element`` over ``period`` reads its value stored for ``stored``: a write
    there can change what is read (indicators refresh only the periods a write feeds)."""
    outer, inner = _spec(period), _spec(stored)
    kind = element.dataset.period_type
    if inner.type != kind:
        return False
    if kind == PeriodType.CALENDAR_YEAR and outer.type != PeriodType.CALENDAR_YEAR:
        return inner.start <= outer.end <= inner.end  # the calendar year containing the period's end
    return holds(outer, inner)


def element_value(
    element: DataElement, orgunit: OrgUnit | int, period: Period | PeriodSpec, *, option_combo_ids: Iterable[int] | None = None
) -> float | None:
    key_orgunit = orgunit if isinstance(orgunit, int) else orgunit.pk
    return element_values([element], [key_orgunit], period, option_combo_ids=option_combo_ids)[(element.pk, key_orgunit)]


def element_series(element: DataElement, orgunit: OrgUnit | int, periods: Iterable[Period | PeriodSpec]) -> list[float | None]:
    return [element_value(element, orgunit, p) for p in periods]


# --- Completeness and timeliness (reporting rates that never exceed 100%) ------------------------
@dataclass
class Tally:
    """Cells expected, filled, marked not available, and of those entered, how many by their due date."""

    expected: int = 0
    filled: int = 0
    not_available: int = 0
    on_time: int = 0

    @property
    def reported(self) -> int:
        return self.filled + self.not_available

    @property
    def missing(self) -> int:
        return self.expected - self.reported

    @property
    def late(self) -> int:
        return self.reported - self.on_time

    @property
    def rate(self) -> float | None:
        """Share of expected cells reported (filled or not available), in percent."""
        return 100.0 * self.reported / self.expected if self.expected else None

    @property
    def on_time_rate(self) -> float | None:
        return 100.0 * self.on_time / self.expected if self.expected else None

    def add(self, other: Tally) -> None:
        self.expected += other.expected
        self.filled += other.filled
        self.not_available += other.not_available
        self.on_time += other.on_time

    def as_dict(self) -> dict[str, float | int | None]:
        rate, on_time_rate = self.rate, self.on_time_rate
        return {
            "expected": self.expected,
            "filled": self.filled,
            "not_available": self.not_available,
            "missing": self.missing,
            "on_time": self.on_time,
            "late": self.late,
            "rate": None if rate is None else round(rate, 2),
            "on_time_rate": None if on_time_rate is None else round(on_time_rate, 2),
        }


class _Unit(NamedTuple):
    """What completeness reads of an org unit (what :func:`expected_orgunits` needs of one)."""

    pk: int
    code: str
    path: str
    level: int
    valid_from: dt.date | None
    valid_to: dt.date | None


@dataclass
class CompletenessReport:
    total: Tally = field(default_factory=Tally)
    by_dataset: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_dataset_year: dict[tuple[int, int], Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_element: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_topic: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_agency: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_orgunit: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_fiscal_year: dict[int, Tally] = field(default_factory=lambda: defaultdict(Tally))
    datasets: dict[int, Dataset] = field(default_factory=dict)
    orgunits: dict[int, OrgUnit] = field(default_factory=dict)


def due_date(dataset: Dataset, period: Period | PeriodSpec) -> dt.date:
    """The last day on which a value for ``period`` is on time."""
    return _spec(period).end + dt.timedelta(days=dataset.due_days)


def _due_moment(dataset: Dataset, period: Period | PeriodSpec) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(due_date(dataset, period) + dt.timedelta(days=1), dt.time.min))


def expected_orgunits(dataset: Dataset, units: Iterable[OrgUnit], period: Period | PeriodSpec) -> list[OrgUnit]:
    """Units expected to report ``dataset`` for ``period``: at its level, assigned, and open on the period's last day."""
    return expected_orgunits_over(dataset, units, [period])[0]


def expected_orgunits_over(dataset: Dataset, units: Iterable[OrgUnit], periods: Iterable[Period | PeriodSpec]) -> list[list[OrgUnit]]:
    """:func:`expected_orgunits` for each of ``periods``, the assignment and the level sorted out once."""
    candidates = _candidates(dataset, units)
    result = []
    for period in periods:
        end = _spec(period).end
        result.append([u for u in candidates if (u.valid_from or end) <= end <= (u.valid_to or end)])  # open on its last day
    return result


U = TypeVar("U")  # an org unit, or what completeness reads of one (_Unit)


def _candidates(dataset: Dataset, units: Iterable[U]) -> list[U]:
    """The units that may be expected to report ``dataset``, whatever the period: at its level and assigned to it."""
    assigned = dataset.assigned_unit_ids()
    return [u for u in units if u.level == dataset.collection_level and (not assigned or u.pk in assigned)]


def _expected_ids(dataset: Dataset, units: list[_Unit], specs: list[PeriodSpec]) -> dict[str, frozenset[int]]:
    """The ids of :func:`expected_orgunits_over` per period code, the units open in every period (nearly all) sorted out
    once; periods expecting the same units share one set."""
    candidates = _candidates(dataset, units)
    always = frozenset(u.pk for u in candidates if u.valid_from is None and u.valid_to is None)
    dated = [u for u in candidates if u.valid_from is not None or u.valid_to is not None]
    shared: dict[frozenset[int], frozenset[int]] = {always: always}
    result = {}
    for spec in specs:
        end = spec.end
        ids = always | {u.pk for u in dated if (u.valid_from or end) <= end <= (u.valid_to or end)} if dated else always
        result[spec.code] = shared.setdefault(ids, ids)
    return result


def completeness(
    *,
    datasets: Iterable[Dataset],
    fiscal_years: Iterable[int],
    within: OrgUnit,
    as_of: dt.date | None = None,
    orgunit_level: int = OrgUnitLevel.DISTRICT,
    cached: bool = False,
    per_element: bool = True,
) -> CompletenessReport:
    """Completeness and timeliness of ``datasets`` over whole fiscal years, under ``within``.

    Expected cells = cells per form × org units assigned and open in each period × periods whose due
    date has passed by ``as_of``; a form's cells are its elements', a broken-down element counting one
    cell per option combination (a part left empty is a missing cell, not a complete report). Only values
    of expected cells count, and each cell is unique, so no rate can exceed 100%. A cell is on time when
    it was first entered (``DataValue.created_at``) by its due date (period end + ``due_days``): no "mark
    complete" step. ``by_orgunit`` attributes cells to their ancestor at ``orgunit_level`` (cells
    collected above that level are left out of it).

    ``cached``: the database's counts are kept in the shared cache under each dataset's values version and exactly
    what they were counted over (see :func:`_cell_counts_cached`); for pages, which write nothing first.
    ``per_element=False`` leaves ``by_element`` empty, for pages that show no figure per element: the database then
    groups the cells one way, not two (at national scale ~15% less of the count's time).
    """
    as_of = as_of or timezone.localdate()
    report = CompletenessReport()
    # Plain rows, not model instances: a national province holds ~2,000 units (villages included).
    rows = OrgUnit.objects.subtree(within).values_list("pk", "code", "path", "level", "valid_from", "valid_to", "name_th", "name_en")
    units = [_Unit(*row[:6]) for row in rows]
    by_code = {u.code: u for u in units}
    level_ancestor: dict[int, int | None] = {}
    for unit in units:
        codes = unit.path.rstrip("/").split("/")
        ancestor = by_code.get(codes[orgunit_level - 1]) if len(codes) >= orgunit_level else None
        level_ancestor[unit.pk] = ancestor.pk if ancestor and ancestor.level == orgunit_level else None
    report.orgunits.update(
        (pk, OrgUnit(pk=pk, code=code, level=level, name_th=name_th, name_en=name_en))
        for pk, code, _path, level, _from, _to, name_th, name_en in rows
        if level == orgunit_level
    )
    fiscal_years = sorted(set(fiscal_years))
    datasets = list(datasets)
    _prefetch_assignments(datasets)
    specs_of = {
        d.pk: [(fy, spec) for fy in fiscal_years for spec in periods_in_fiscal_year(d.period_type, fy) if due_date(d, spec) < as_of]
        for d in datasets
    }
    periods = {p.code: p for p in Period.objects.filter(code__in={s.code for specs in specs_of.values() for _fy, s in specs})}
    combo_ids = {e.category_combo_id for d in datasets for e in d.elements.all() if e.category_combo_id}
    parts = dict(_option_combo_counts(combo_ids)) if combo_ids else {}
    forms = []
    counts: list[CellCountsRequest] = []
    for dataset in datasets:
        report.datasets[dataset.pk] = dataset
        elements = list(dataset.elements.all())
        specs = specs_of[dataset.pk]
        if not elements or not specs:
            continue
        expected = _expected_ids(dataset, units, [s for _fy, s in specs])
        fy_of_period = {periods[s.code].pk: fy for fy, s in specs if s.code in periods}
        # Periods expecting the same units (all of them unless a unit opened or closed within the years) are read
        # together: two grouped queries per set, counted by the database, only expected cells (ids, not a join).
        same_units: dict[frozenset[int], list[Period]] = defaultdict(list)
        for _fy, spec in specs:
            if spec.code in periods and expected[spec.code]:
                same_units[expected[spec.code]].append(periods[spec.code])
        first = len(counts)
        counts += [
            CellCountsRequest(dataset, [e.pk for e in elements], group, fy_of_period, sorted(unit_ids), per_element)
            for unit_ids, group in same_units.items()
        ]
        forms.append((dataset, elements, specs, expected, slice(first, len(counts))))
    counted = _cell_counts_cached(counts) if cached else [request.count() for request in counts]
    for dataset, elements, specs, expected, requests in forms:
        cells_of = {e.pk: parts.get(e.category_combo_id, 1) for e in elements}
        per_form = sum(cells_of.values())
        # Every element of a dataset is expected wherever the dataset is: tallied per (fiscal year, unit at the report's
        # level) and per element, not per cell (a national province expects ~200,000 cells) nor per unit (~2,000).
        by_year_ancestor: dict[tuple[int, int | None], Tally] = defaultdict(Tally)
        unit_periods = 0
        for (fy, unit_ids), n in Counter((fy, expected[spec.code]) for fy, spec in specs).items():
            unit_periods += n * len(unit_ids)
            for ancestor, k in Counter(map(level_ancestor.get, unit_ids)).items():
                by_year_ancestor[(fy, ancestor)].expected += k * n * per_form
        for by_year_unit, by_element in counted[requests]:
            for (fy, unit_id), tally in by_year_unit:
                by_year_ancestor[(fy, level_ancestor.get(unit_id))].add(tally)
            for element_id, tally in by_element:
                report.by_element[element_id].add(tally)
        for (fy, ancestor), tally in by_year_ancestor.items():
            _tally_add(report, dataset, fy, ancestor, tally)
        if unit_periods and per_element:
            for element in elements:
                report.by_element[element.pk].expected += unit_periods * cells_of[element.pk]
    return report


@dataclass(frozen=True)
class CellCountsRequest:
    """What :func:`_cell_counts` counts: a dataset's elements × periods (with their fiscal years) × units."""

    dataset: Dataset
    element_ids: list[int]
    periods: list[Period]
    fiscal_year_of: dict[int, int]
    unit_ids: list[int]
    per_element: bool = True

    def count(self) -> tuple[list[tuple[tuple[int, int], Tally]], list[tuple[int, Tally]]]:
        return _cell_counts(self.dataset, self.element_ids, self.periods, self.fiscal_year_of, self.unit_ids, per_element=self.per_element)

    def key(self, version: int) -> str:
        """Names everything the counts depend on but the values themselves (``version``, bumped by every write to the
        dataset): its elements, each period with its due moment (the due days) and fiscal year, the expected units, and
        whether it was counted per element too."""
        due = [(p.pk, _due_moment(self.dataset, p).isoformat(), self.fiscal_year_of[p.pk]) for p in self.periods]
        what = repr((self.element_ids, due, self.unit_ids) + (() if self.per_element else ("per unit only",))).encode()
        return f"completeness-counts:{self.dataset.pk}:{version}:{hashlib.blake2b(what, digest_size=16).hexdigest()}"


COUNTS_SECONDS = 24 * 3600


def _cell_counts_cached(requests: list[CellCountsRequest]) -> list[tuple[list[tuple[tuple[int, int], Tally]], list[tuple[int, Tally]]]]:
    """:func:`_cell_counts` of each request, kept in the shared cache: two round trips (versions, counts) when all are
    cached. A dataset's counts are read again only after a write to its values (its version) or when what it counts
    changes (another day's due periods, its elements, due days, assignments, units opened or closed: the key)."""
    versions = values_versions.current({request.dataset.pk for request in requests})
    keys = [request.key(versions[request.dataset.pk]) for request in requests]
    found = cache.get_many(keys) if keys else {}
    fresh = {}
    for request, key in zip(requests, keys, strict=True):
        if key not in found:
            by_year_unit, by_element = request.count()
            fresh[key] = (
                [(year, unit_id, t.filled, t.not_available, t.on_time) for (year, unit_id), t in by_year_unit],
                [(element_id, t.filled, t.not_available, t.on_time) for element_id, t in by_element],
            )
    if fresh:
        cache.set_many(fresh, COUNTS_SECONDS)
        found.update(fresh)
    return [
        (
            [((year, unit_id), Tally(filled=f, not_available=na, on_time=ot)) for year, unit_id, f, na, ot in found[key][0]],
            [(element_id, Tally(filled=f, not_available=na, on_time=ot)) for element_id, f, na, ot in found[key][1]],
        )
        for key in keys
    ]


# The plan is fixed by the query and these settings, not by the planner's statistics (a database after a bulk load has
# none or stale ones; with none, a national province's count read the whole table: 56 s). The unit list is the only
# indexable condition (element and period compared as ``+ 0``), so the (orgunit, period) index finds the cells, through
# a bitmap: each table page is read once for all its cells (an index probe per cell revisits a page per cell: 228,000
# page visits instead of 5,800, half again the time); no read-ahead setting, which PostgreSQL refuses on platforms that
# cannot announce reads (macOS). The groups hash in memory (no sort spilled to disk), in this process: parallel workers
# each load PostGIS first (~15 ms), and on two busy cores they lost more than the leader's ~20 ms of CPU they saved.
_COUNTS_SETTINGS = {
    "work_mem": "64MB",
    "enable_seqscan": "off",
    "enable_indexscan": "off",
    "enable_sort": "off",
    "max_parallel_workers_per_gather": "0",
}
_COUNTS_SAVED = "poc.completeness_saved"  # the settings as they were, for a caller's transaction (SET LOCAL outlasts us)
_COUNTS_SET = "SELECT " + ", ".join(
    [f"set_config('{_COUNTS_SAVED}', concat_ws(',', " + ", ".join(f"current_setting('{name}')" for name in _COUNTS_SETTINGS) + "), true)"]
    + [f"set_config('{name}', '{value}', true)" for name, value in _COUNTS_SETTINGS.items()]
)
_COUNTS_RESET = "SELECT " + ", ".join(
    f"set_config('{name}', split_part(current_setting('{_COUNTS_SAVED}'), ',', {n}), true)" for n, name in enumerate(_COUNTS_SETTINGS, 1)
)
_COUNTS_FROM = (
    "count(*) FILTER (WHERE v.not_available <> ''), count(*), count(*) FILTER (WHERE v.created_at < d.due) "
    f"FROM {DataValue._meta.db_table} v "
    "JOIN unnest(%s::bigint[], %s::timestamptz[], %s::integer[]) AS d(period_id, due, year) ON d.period_id = v.period_id + 0 "
    "WHERE v.orgunit_id = ANY(%s::bigint[]) AND v.element_id + 0 = ANY(%s::bigint[]) "
)
_COUNTS_SQL = {  # per element too, or per (fiscal year, unit) only
    True: f"SELECT GROUPING(v.element_id), d.year, v.orgunit_id, v.element_id, {_COUNTS_FROM}"
    "GROUP BY GROUPING SETS ((d.year, v.orgunit_id), (v.element_id))",
    False: f"SELECT 1, d.year, v.orgunit_id, NULL, {_COUNTS_FROM}GROUP BY d.year, v.orgunit_id",
}


def _cell_counts(
    dataset: Dataset,
    element_ids: list[int],
    periods: list[Period],
    fiscal_year_of: dict[int, int],
    unit_ids: list[int],
    *,
    per_element: bool = True,
) -> tuple[list[tuple[tuple[int, int], Tally]], list[tuple[int, Tally]]]:
    """Filled, not-available and on-time cells of ``element_ids`` × ``periods`` × ``unit_ids``, counted by the database
    per (fiscal year, unit) and, unless ``per_element`` is false (then none), per element.

    On PostgreSQL one read serves both (``GROUPING SETS``, hashed in memory; each period's due moment and fiscal year
    joined as arrays): at national scale a province's ~200,000 cells are read once, not twice, and come back as one row
    per unit rather than per unit and month. Elsewhere two grouped ORM reads.
    """
    if connection.vendor == "postgresql":
        by_year_unit, by_element = [], []
        nested = connection.in_atomic_block
        params = [[p.pk for p in periods], [_due_moment(dataset, p) for p in periods], [fiscal_year_of[p.pk] for p in periods]]
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            # one round trip; thousands of units as one array literal
            cursor.execute(f"{_COUNTS_SET}; {_COUNTS_SQL[per_element]}", [*params, id_array(unit_ids), id_array(element_ids)])
            rows = cursor.fetchall()
            if nested:
                cursor.execute(_COUNTS_RESET)
        for unit_row, year, unit_id, element_id, na, n, on_time in rows:
            tally = Tally(filled=n - na, not_available=na, on_time=on_time)
            if unit_row:  # GROUPING(element_id) = 1: the row of a (fiscal year, unit) set
                by_year_unit.append(((year, unit_id), tally))
            else:
                by_element.append((element_id, tally))
        return by_year_unit, by_element
    cells = DataValue.objects.filter(
        ids_filter("element_id", element_ids), ids_filter("period_id", [p.pk for p in periods]), ids_filter("orgunit_id", unit_ids)
    )
    due = [When(period_id=p.pk, created_at__lt=_due_moment(dataset, p), then=1) for p in periods]
    # Resolved once (one When per period: a daily dataset has 365) and shared by both reads.
    cells = cells.alias(in_time=Case(*due, default=0, output_field=IntegerField()))
    counts = {"na": Count("id", filter=~Q(not_available="")), "n": Count("id"), "on_time": Sum("in_time")}
    by_year_unit = [
        ((fiscal_year_of[period_id], unit_id), Tally(filled=n - na, not_available=na, on_time=in_time or 0))
        for period_id, unit_id, na, n, in_time in cells.values_list("period_id", "orgunit_id").annotate(**counts).order_by()
    ]
    if not per_element:
        return by_year_unit, []
    by_element = [
        (element_id, Tally(filled=n - na, not_available=na, on_time=in_time or 0))
        for element_id, na, n, in_time in cells.values_list("element_id").annotate(**counts).order_by()
    ]
    return by_year_unit, by_element


def _option_combo_counts(combo_ids: set[int]) -> list[tuple[int, int]]:
    """(category combination, number of option combinations): the cells a broken-down element has per form."""
    rows = CategoryOptionCombo.objects.filter(combo_id__in=combo_ids).values("combo_id").annotate(n=Count("id")).order_by()
    return [(row["combo_id"], row["n"]) for row in rows]


def _prefetch_assignments(datasets: list[Dataset]) -> None:
    """Elements and assigned units of every dataset in a few queries, not once per dataset and period (a caller's
    prefetch, e.g. :meth:`DatasetQuerySet.with_assigned_units`, is kept)."""
    units = Prefetch("orgunits", queryset=OrgUnit.objects.without_shapes())
    members = Prefetch("orgunit_groups__members", queryset=OrgUnit.objects.only("pk"))
    prefetch_related_objects(datasets, "elements", units, members)


def _tally_add(report: CompletenessReport, dataset: Dataset, fiscal_year: int, ancestor: int | None, tally: Tally) -> None:
    """Add one tally to every roll-up of the report except ``by_element``."""
    for bucket in (
        report.total,
        report.by_dataset[dataset.pk],
        report.by_dataset_year[(dataset.pk, fiscal_year)],
        report.by_topic[dataset.topic_id],
        report.by_agency[dataset.agency_id],
        report.by_fiscal_year[fiscal_year],
    ):
        bucket.add(tally)
    if ancestor:
        report.by_orgunit[ancestor].add(tally)


# --- History ------------------------------------------------------------------------------------
def history_periods(dataset: Dataset, fiscal_years: Iterable[int], today: dt.date | None = None) -> list[PeriodSpec]:
    """The dataset's periods in ``fiscal_years`` that have started by ``today``."""
    today = today or timezone.localdate()
    return [s for fy in sorted(fiscal_years) for s in periods_in_fiscal_year(dataset.period_type, fy) if s.start <= today]


def dataset_history(
    dataset: Dataset, orgunit: OrgUnit, fiscal_years: Iterable[int]
) -> tuple[list[PeriodSpec], list[DataElement], dict[tuple[int, str], float | None]]:
    """Each numeric element's value for ``orgunit`` (its subtree) in every period: (periods, elements, {(element, code): value})."""
    periods = history_periods(dataset, fiscal_years)
    elements = [e for e in dataset.elements.all() if e.is_numeric]
    values: dict[tuple[int, str], float | None] = {}
    stored = {p.code: p for p in Period.objects.filter(code__in=[s.code for s in periods])}
    rows = AggregateValue.objects.filter(element__in=elements, orgunit=orgunit, period__in=stored.values()).values_list(
        "element_id", "period__code", "total", "count"
    )
    by_key = {(e, code): (total, count) for e, code, total, count in rows}
    for element in elements:
        for spec in periods:
            total, count = by_key.get((element.pk, spec.code), (0.0, 0))
            values[(element.pk, spec.code)] = rollup(element.aggregation, [(spec.start, total, count)])
    return periods, elements, values
