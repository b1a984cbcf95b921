"""Reading materialised indicator values and their inputs' coverage (judging them against targets: ``traffic_lights``)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Prefetch, QuerySet, prefetch_related_objects
from django.utils import timezone

from datasets.models import AggregateValue, DataElement
from datasets.selectors import due_date, expected_orgunits_over
from indicators.models import Indicator, IndicatorValue
from poc import request_memo
from poc.lookups import ids_filter
from poc.models import OrgUnit, Period
from poc.periods import PeriodSpec, PeriodType, parse_period, period_containing, period_for_fiscal_year, periods_in_fiscal_year

COVERAGE_SECONDS = 600  # also bounds how long a changed dataset assignment or org-unit tree takes to show


def readable_indicators(user) -> QuerySet[Indicator]:
    """Active indicators all of whose inputs ``user`` may read (an indicator reveals its inputs: a rate times a public
    denominator gives back its numerator)."""
    return Indicator.objects.restrict(user, "view").filter(is_active=True)


def _period_code(period: Period | PeriodSpec | str) -> str:
    if isinstance(period, Period):
        return period.code
    if isinstance(period, PeriodSpec):
        return period.code
    return parse_period(period).code


def indicator_values(
    indicator: Indicator, orgunit_ids: Iterable[int] | QuerySet[OrgUnit], period: Period | PeriodSpec | str
) -> dict[int, float | None]:
    """Value of ``indicator`` for each org unit over ``period`` (None when not computed or no data).

    An OrgUnit queryset's ids are read first and sent as one array (``poc.lookups``): the unique key serves the read
    whatever the planner's statistics.
    """
    units = orgunit_ids if isinstance(orgunit_ids, QuerySet) else None
    orgunit_ids = list(units.values_list("pk", flat=True) if units is not None else orgunit_ids)
    result: dict[int, float | None] = dict.fromkeys(orgunit_ids)
    period_id = Period.objects.filter(code=_period_code(period)).values_list("pk", flat=True).first()
    if period_id is None:  # nobody stored that period yet
        return result
    rows = IndicatorValue.objects.filter(ids_filter("orgunit_id", orgunit_ids, units), indicator=indicator, period_id=period_id)
    result.update(dict(rows.values_list("orgunit_id", "value")))
    return result


def indicator_series(indicator: Indicator, orgunit_id: int, periods: Iterable[Period | PeriodSpec | str]) -> list[float | None]:
    """Values of one org unit over ``periods`` in the given order. One query."""
    codes = [_period_code(p) for p in periods]
    rows = dict(
        IndicatorValue.objects.filter(indicator=indicator, orgunit_id=orgunit_id, period__code__in=codes).values_list(
            "period__code", "value"
        )
    )
    return [rows.get(code) for code in codes]


def latest_fiscal_year(orgunit_id: int) -> int | None:
    """The fiscal year to show by default: the one rule of :func:`indicators.reporting.reporting_year`."""
    from indicators.reporting import reporting_year  # it reads coverage from this module

    return reporting_year(OrgUnit.objects.without_shapes().filter(pk=orgunit_id).first()).fiscal_year


def coverage_stamps(indicators: Iterable[Indicator]) -> dict[int, str]:
    """A stamp per input element of ``indicators`` (inputs prefetched) that changes when any of them fed by that
    element is refreshed: every write to an element refreshes all active indicators it feeds (``refresh_for_change``),
    and approvals bump them too, so an element's cached coverage lives exactly as long as its data."""
    from indicators.services import indicator_versions

    feeds: dict[int, set[int]] = defaultdict(set)
    for indicator in indicators:
        for element in indicator.inputs.all():
            feeds[element.pk].add(indicator.pk)
    versions = indicator_versions({pk for pks in feeds.values() for pk in pks})
    return {
        element_id: hashlib.blake2b(repr(sorted((pk, versions[pk]) for pk in pks)).encode(), digest_size=8).hexdigest()
        for element_id, pks in feeds.items()
    }


def active_indicators() -> list[Indicator]:
    """Active indicators with their agency and their inputs' elements and datasets, read once per request
    (``poc.request_memo``): the reporting year and the tiles recomputed after a write share them."""
    return request_memo.remember(
        "indicators:active-with-inputs",
        lambda: list(Indicator.objects.filter(is_active=True).select_related("agency").prefetch_related("inputs__dataset")),
    )


# (due date, reported cells, expected cells) of each period of a fiscal year: what coverage is counted from, whatever
# the day it is counted on.
CoverageInputs = dict[int, tuple[tuple[dt.date, int, int], ...]]


def coverage_key(element_id: int, stamp: str, orgunit_id: int) -> str:
    return f"coverage-inputs:{element_id}:{stamp}:{orgunit_id}"


def element_coverage(
    elements: Iterable[DataElement],
    orgunit: OrgUnit,
    fiscal_years: Iterable[int],
    today: dt.date | None = None,
    *,
    stamps: dict[int, str] | None = None,
) -> dict[tuple[int, int], tuple[int, int]]:
    """(reported, expected) input cells of each element under ``orgunit``, per (element, fiscal year), counting the
    periods due by ``today``.

    With ``stamps`` (:func:`coverage_stamps`), each element's inputs (per period: due date, reported, expected) are
    cached under its own stamp, whatever the day: a write reads again only the elements behind the indicators it
    refreshed, and the reporting year (whole years) and the tiles (periods due by today) count from the same read
    (one cache round trip for the others, none for what this request read already).
    Without, everything is read (a fixed number of queries, see :func:`_coverage_inputs`).
    """
    today = today or timezone.localdate()
    elements = {e.pk: e for e in elements}
    fiscal_years = sorted(set(fiscal_years))
    if stamps is None:
        inputs = _coverage_inputs(elements, orgunit, fiscal_years)
    else:
        inputs = _cached_coverage_inputs(elements, orgunit, fiscal_years, stamps)
    counts: dict[tuple[int, int], tuple[int, int]] = {}
    for element_id, years in inputs.items():
        for fiscal_year in fiscal_years:
            due = [(got, expected) for due_on, got, expected in years[fiscal_year] if due_on < today]
            expected = sum(n for _got, n in due)
            if expected:  # pairs with nothing expected are left out
                counts[(element_id, fiscal_year)] = (min(sum(got for got, _n in due), expected), expected)
    return counts


def _cached_coverage_inputs(
    elements: dict[int, DataElement], orgunit: OrgUnit, fiscal_years: list[int], stamps: dict[int, str]
) -> dict[int, CoverageInputs]:
    keys = {pk: coverage_key(pk, stamps[pk], orgunit.pk) for pk in elements}
    memo = request_memo.active()
    found = {key: memo[key] for key in keys.values() if memo is not None and key in memo}
    if unread := [key for key in keys.values() if key not in found]:
        found.update(cache.get_many(unread))
    lacking = {pk: element for pk, element in elements.items() if any(year not in found.get(keys[pk], {}) for year in fiscal_years)}
    if lacking:
        years = sorted({year for pk in lacking for year in fiscal_years if year not in found.get(keys[pk], {})})
        fresh = _coverage_inputs(lacking, orgunit, years)
        merged = {keys[pk]: {**found.get(keys[pk], {}), **fresh[pk]} for pk in lacking}
        cache.set_many(merged, COVERAGE_SECONDS)
        found.update(merged)
    if memo is not None:
        memo.update({key: found[key] for key in keys.values()})
    return {pk: found[keys[pk]] for pk in elements}


def _coverage_inputs(elements: dict[int, DataElement], orgunit: OrgUnit, fiscal_years: list[int]) -> dict[int, CoverageInputs]:
    """Per element under ``orgunit`` and fiscal year, each period's due date, numeric values reported under the unit,
    and units expected to report them (at the dataset's level, assigned, open). Calendar-year inputs (population,
    area) count the calendar year containing the fiscal year's end, as indicators do. A fixed number of queries:
    the assignments, the reports (one query) and the units."""
    # Assignments are read once per dataset (their ids only: no boundary leaves the database).
    bare = OrgUnit.objects.without_shapes()
    prefetch_related_objects(
        list({e.dataset.pk: e.dataset for e in elements.values()}.values()),
        Prefetch("orgunits", queryset=bare),
        Prefetch("orgunit_groups__members", queryset=bare),
    )
    specs: dict[int, list[tuple[int, PeriodSpec]]] = {pk: [] for pk in elements}  # element -> (fiscal year, period)
    for fiscal_year in fiscal_years:
        fy_end = period_for_fiscal_year(fiscal_year).end
        for element in elements.values():
            kind = element.dataset.period_type
            found = [period_containing(kind, fy_end)] if kind == PeriodType.CALENDAR_YEAR else periods_in_fiscal_year(kind, fiscal_year)
            specs[element.pk] += [(fiscal_year, spec) for spec in found]
    codes = {spec.code for pairs in specs.values() for _year, spec in pairs}
    rows = AggregateValue.objects.filter(orgunit=orgunit, element_id__in=list(elements), period__code__in=codes)  # one query
    reported = {(element_id, code): n for element_id, code, n in rows.values_list("element_id", "period__code", "count")}
    levels = {e.dataset.collection_level for e in elements.values()}
    units = list(OrgUnit.objects.subtree(orgunit).filter(level__in=levels).without_shapes())
    inputs: dict[int, CoverageInputs] = {}
    for element_id, pairs in specs.items():
        dataset = elements[element_id].dataset
        expected = expected_orgunits_over(dataset, units, [spec for _year, spec in pairs])
        per_year: dict[int, list[tuple[dt.date, int, int]]] = {year: [] for year in fiscal_years}
        for (fiscal_year, spec), units_expected in zip(pairs, expected, strict=True):
            per_year[fiscal_year].append((due_date(dataset, spec), reported.get((element_id, spec.code), 0), len(units_expected)))
        inputs[element_id] = {year: tuple(periods) for year, periods in per_year.items()}
    return inputs


def input_coverage(
    indicators: Iterable[Indicator],
    orgunit: OrgUnit,
    fiscal_years: Iterable[int],
    today: dt.date | None = None,
    *,
    keyed_on: Iterable[Indicator] | None = None,
) -> dict[tuple[int, int], float]:
    """Share of the expected input cells behind each indicator's value for ``orgunit``, per (indicator, fiscal year).

    An indicator's coverage is its least-covered input (see :func:`element_coverage`); years in which
    no input is due yet are left out. A value from partial data is real data but not the whole
    picture: the cockpit says so next to the traffic light. ``keyed_on``: stamp each element's cached inputs
    with these indicators too (all active ones: then the reporting year's read serves the tiles).
    """
    indicators = list(indicators)
    fiscal_years = list(fiscal_years)
    stamps = coverage_stamps(indicators)
    if keyed_on is not None:
        stamps.update(coverage_stamps(keyed_on))
    counts = element_coverage({e for i in indicators for e in i.inputs.all()}, orgunit, fiscal_years, today, stamps=stamps)
    share = {key: got / expected for key, (got, expected) in counts.items()}
    coverage = {}
    for fiscal_year in fiscal_years:
        for indicator in indicators:
            known = [share[(e.pk, fiscal_year)] for e in indicator.inputs.all() if (e.pk, fiscal_year) in share]
            if known:
                coverage[(indicator.pk, fiscal_year)] = min(known)
    return coverage
