"""Reading materialised indicator values and their inputs' coverage (judging them against targets: ``traffic_lights``)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import QuerySet, prefetch_related_objects
from django.utils import timezone

from datasets.models import AggregateValue, DataElement
from datasets.selectors import due_date, expected_orgunits
from indicators.models import Indicator, IndicatorValue
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


def element_coverage(
    elements: Iterable[DataElement],
    orgunit: OrgUnit,
    fiscal_years: Iterable[int],
    today: dt.date | None = None,
    *,
    stamps: dict[int, str] | None = None,
) -> dict[tuple[int, int], tuple[int, int]]:
    """(reported, expected) input cells of each element under ``orgunit``, per (element, fiscal year).

    With ``stamps`` (:func:`coverage_stamps`), each element's answer is cached under its own stamp: a write
    recomputes only the elements behind the indicators it refreshed (one cache round trip for the others).
    Without, everything is read (a fixed number of queries, see :func:`_element_coverage`).
    """
    today = today or timezone.localdate()
    elements = {e.pk: e for e in elements}
    fiscal_years = sorted(set(fiscal_years))
    if stamps is None:
        return _element_coverage(elements, orgunit, fiscal_years, today)
    years = ",".join(map(str, fiscal_years))
    keys = {pk: f"coverage:{pk}:{stamps[pk]}:{orgunit.pk}:{today.isoformat()}:{years}" for pk in elements}
    found = cache.get_many(list(keys.values()))
    counts: dict[tuple[int, int], tuple[int, int]] = {}
    for pk, key in keys.items():
        for fiscal_year, pair in found.get(key, {}).items():
            counts[(pk, fiscal_year)] = pair
    if missing := {pk: element for pk, element in elements.items() if keys[pk] not in found}:
        fresh = _element_coverage(missing, orgunit, fiscal_years, today)
        per_element: dict[int, dict[int, tuple[int, int]]] = {pk: {} for pk in missing}
        for (pk, fiscal_year), pair in fresh.items():
            per_element[pk][fiscal_year] = pair
        cache.set_many({keys[pk]: value for pk, value in per_element.items()}, COVERAGE_SECONDS)
        counts.update(fresh)
    return counts


def _element_coverage(
    elements: dict[int, DataElement], orgunit: OrgUnit, fiscal_years: list[int], today: dt.date
) -> dict[tuple[int, int], tuple[int, int]]:
    """(reported, expected) input cells of each element under ``orgunit``, per (element, fiscal year).

    Per element: numeric values reported under the unit in the year's periods that are already due by
    ``today``, and the units expected to report them (at the dataset's level, assigned, open) × those
    periods. Calendar-year inputs (population, area) count the calendar year containing the fiscal
    year's end, as indicators do. Pairs with nothing expected are left out. One pass for all years.
    """
    # Assignments are read once per dataset, not once per (element, period) by expected_orgunits.
    prefetch_related_objects([e.dataset for e in elements.values()], "orgunits", "orgunit_groups__members")
    specs: dict[tuple[int, int], list[PeriodSpec]] = {}  # (element, fiscal year) -> due periods
    for fiscal_year in fiscal_years:
        fy_end = period_for_fiscal_year(fiscal_year).end
        for element in elements.values():
            kind = element.dataset.period_type
            found = [period_containing(kind, fy_end)] if kind == PeriodType.CALENDAR_YEAR else periods_in_fiscal_year(kind, fiscal_year)
            specs[(element.pk, fiscal_year)] = [s for s in found if due_date(element.dataset, s) < today]
    codes = {s.code for due in specs.values() for s in due}
    rows = AggregateValue.objects.filter(orgunit=orgunit, element_id__in=list(elements), period__code__in=codes)  # one query
    reported = {(element_id, code): n for element_id, code, n in rows.values_list("element_id", "period__code", "count")}
    levels = {e.dataset.collection_level for e in elements.values()}
    units = list(OrgUnit.objects.subtree(orgunit).filter(level__in=levels).without_shapes())
    counts: dict[tuple[int, int], tuple[int, int]] = {}
    for (element_id, fiscal_year), due in specs.items():
        dataset = elements[element_id].dataset
        expected = sum(len(expected_orgunits(dataset, units, spec)) for spec in due)
        if expected:
            got = sum(reported.get((element_id, spec.code), 0) for spec in due)
            counts[(element_id, fiscal_year)] = (min(got, expected), expected)
    return counts


def input_coverage(
    indicators: Iterable[Indicator], orgunit: OrgUnit, fiscal_years: Iterable[int], today: dt.date | None = None
) -> dict[tuple[int, int], float]:
    """Share of the expected input cells behind each indicator's value for ``orgunit``, per (indicator, fiscal year).

    An indicator's coverage is its least-covered input (see :func:`element_coverage`); years in which
    no input is due yet are left out. A value from partial data is real data but not the whole
    picture: the cockpit says so next to the traffic light.
    """
    indicators = list(indicators)
    fiscal_years = list(fiscal_years)
    stamps = coverage_stamps(indicators)
    counts = element_coverage({e for i in indicators for e in i.inputs.all()}, orgunit, fiscal_years, today, stamps=stamps)
    share = {key: got / expected for key, (got, expected) in counts.items()}
    coverage = {}
    for fiscal_year in fiscal_years:
        for indicator in indicators:
            known = [share[(e.pk, fiscal_year)] for e in indicator.inputs.all() if (e.pk, fiscal_year) in share]
            if known:
                coverage[(indicator.pk, fiscal_year)] = min(known)
    return coverage
