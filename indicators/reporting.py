"""The one rule for which fiscal year a page opens on: the latest one whose data are complete enough to judge.

The cockpit, the war room, the map and the self-assessment all start from :func:`reporting_year`, so a
governor, a map reader and the IT group look at the same year. A year counts as complete when the
indicator inputs received cover ``POC_COMPLETE_SHARE`` (default 90%) of those expected over the whole
year — reports not due yet count as missing, so a year that has just begun never passes for a judged one.
The current, still-filling year stays one click away (``current``, ``current_share``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from datasets.models import AggregateValue
from datasets.selectors import expected_orgunits
from indicators.models import Indicator
from indicators.selectors import active_indicators, coverage_stamps, element_coverage
from indicators.services import indicators_version
from poc.models import OrgUnit, OrgUnitLevel
from poc.periods import PeriodType, fiscal_year_bounds, fiscal_year_of, parse_period

LOOK_BACK_YEARS = 8  # as far back as the cockpit's year picker goes
CACHE_SECONDS = 600


@dataclass(frozen=True)
class ReportingYear:
    """The fiscal year a page opens on, how complete its data are, and the current year still filling."""

    fiscal_year: int
    current: int
    threshold: float
    shares: dict[int, float] = field(default_factory=dict)  # reported / expected input cells over each whole year
    default: int | None = None  # the rule's year when a page shows another one

    @property
    def is_default(self) -> bool:
        return self.default is None or self.default == self.fiscal_year

    @property
    def share(self) -> float | None:
        return self.shares.get(self.fiscal_year)

    @property
    def current_share(self) -> float | None:
        return self.shares.get(self.current)

    @property
    def complete(self) -> bool:
        return self.share is not None and self.share >= self.threshold

    @property
    def as_of(self) -> dt.date:
        """The last day the shown data speak for: the year's end, or yesterday within the current year."""
        end = fiscal_year_bounds(self.fiscal_year)[1]
        return min(end, timezone.localdate() - dt.timedelta(days=1))

    @property
    def percent(self) -> int | None:
        return None if self.share is None else int(self.share * 100)  # floor: 89.6% must not read as 90%

    @property
    def current_percent(self) -> int | None:
        return None if self.current_share is None else int(self.current_share * 100)


def complete_share() -> float:
    return float(getattr(settings, "POC_COMPLETE_SHARE", 0.9))


def year_shares(orgunit: OrgUnit, fiscal_years: list[int]) -> dict[int, float]:
    """Share of the active indicators' expected input cells reported over each whole fiscal year."""
    indicators = active_indicators()  # shared with the tiles this request computes
    elements = {e for i in indicators for e in i.inputs.all()}
    # Each element's counts are kept under the versions of the indicators it feeds: after a write only the
    # elements behind the refreshed indicators are counted again, the rest come from one cache read.
    stamps = coverage_stamps(indicators)
    counts = element_coverage(elements, orgunit, fiscal_years, today=dt.date.max, stamps=stamps)  # the whole year is expected
    totals: dict[int, list[int]] = {}
    for (_element_id, fiscal_year), (got, expected) in counts.items():
        total = totals.setdefault(fiscal_year, [0, 0])
        total[0] += got
        total[1] += expected
    return {fiscal_year: got / expected for fiscal_year, (got, expected) in totals.items() if expected}


def reporting_year(orgunit: OrgUnit | None = None, today: dt.date | None = None) -> ReportingYear:
    """The latest fiscal year at or above the completeness threshold (cached with the data's version).

    When no year reaches it, the best-reported year (the newest among equals) is shown and says so;
    with no indicator inputs at all, the last completed fiscal year.
    """
    today = today or timezone.localdate()
    orgunit = orgunit or OrgUnit.objects.filter(level=OrgUnitLevel.PROVINCE).order_by("code").first()
    current = fiscal_year_of(today)
    threshold = complete_share()
    if orgunit is None:
        return ReportingYear(current - 1, current, threshold)
    key = f"reporting-year:{indicators_version()}:{orgunit.pk}:{today.isoformat()}:{threshold}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    years = list(range(current, current - LOOK_BACK_YEARS, -1))
    shares = year_shares(orgunit, years)
    chosen = next((y for y in years if shares.get(y, 0) >= threshold), None)
    if chosen is None:
        best = max(shares.values(), default=0)
        chosen = next((y for y in years if best and shares.get(y) == best), current - 1)
    result = ReportingYear(chosen, current, threshold, shares)
    cache.set(key, result, CACHE_SECONDS)
    return result


def period_shares(*, orgunit: OrgUnit, codes: list[str], element=None, indicator: Indicator | None = None) -> dict[str, float]:
    """Share of expected reports received for each period code under ``orgunit``, by the same measure as the cockpit.

    Fiscal years count every report of the whole year (of the element, or of the indicator's least-reported
    input); an element's finer periods count the units that reported it over those expected to.
    """
    elements = [element] if element is not None else list(indicator.inputs.select_related("dataset")) if indicator else []
    if not elements:
        return {}
    specs = {code: parse_period(code) for code in codes}
    years = sorted({spec.fiscal_year for spec in specs.values() if spec.type == PeriodType.FISCAL_YEAR})
    counts = element_coverage(elements, orgunit, years, today=dt.date.max)
    shares: dict[str, float] = {}
    for code, spec in specs.items():
        if spec.type == PeriodType.FISCAL_YEAR:
            known = [counts[(e.pk, spec.fiscal_year)] for e in elements if (e.pk, spec.fiscal_year) in counts]
            if known:
                shares[code] = min(got / expected for got, expected in known)
    finer = {code: spec for code, spec in specs.items() if spec.type != PeriodType.FISCAL_YEAR}
    if element is not None and finer:
        rows = AggregateValue.objects.filter(element=element, orgunit=orgunit, period__code__in=list(finer))
        reported = dict(rows.values_list("period__code", "count"))
        units = list(OrgUnit.objects.subtree(orgunit).filter(level=element.dataset.collection_level).without_shapes())
        for code, spec in finer.items():
            expected = len(expected_orgunits(element.dataset, units, spec))
            if expected:
                shares[code] = min(1.0, reported.get(code, 0) / expected)
    return shares


def complete_period(*, orgunit: OrgUnit, codes: list[str], element=None, indicator: Indicator | None = None) -> tuple[str, float | None]:
    """The first of ``codes`` (newest first) complete enough to judge, else the first; with its share of reports."""
    if not codes:
        return "", None
    shares = period_shares(orgunit=orgunit, codes=codes, element=element, indicator=indicator)
    threshold = complete_share()
    code = next((c for c in codes if shares.get(c, 0) >= threshold), codes[0])
    return code, shares.get(code)
