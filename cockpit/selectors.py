"""Cockpit reads: tiles, drill-downs and pivots from materialised values, cached per data version."""

from __future__ import annotations

from collections import defaultdict

from django.core.cache import cache
from django.utils.translation import get_language

from cockpit.models import Alert, AlertStatus, WarningRule
from datasets.models import DataElement, Dataset
from datasets.selectors import element_values
from indicators.models import Indicator, IndicatorValue, Light
from indicators.selectors import input_coverage, targets_by_year, thresholds, traffic_light
from indicators.services import values_version
from poc.models import OrgUnit, Period, User
from poc.periods import period_for_fiscal_year

SPARK_YEARS = 5
CACHE_SECONDS = 600
COMPARABLE_COVERAGE = 0.9  # share of expected input reports both years need for a tile to show the change


def format_value(value: float | None, decimals: int = 1) -> str:
    return "–" if value is None else f"{value:,.{decimals}f}"


def sparkline_points(values: list[float | None], width: int = 100, height: int = 28) -> str:
    """SVG polyline points for the known values (gaps skipped), scaled to the box."""
    known = [(i, v) for i, v in enumerate(values) if v is not None]
    if len(known) < 2:
        return ""
    low, high = min(v for _i, v in known), max(v for _i, v in known)
    span = (high - low) or 1
    step = width / max(len(values) - 1, 1)
    return " ".join(f"{i * step:.1f},{height - 2 - (v - low) / span * (height - 4):.1f}" for i, v in known)


def _cache_key(*parts: object) -> str:
    return ":".join(["cockpit", str(values_version()), get_language() or "th", *map(str, parts)])


def cockpit_tiles(*, orgunit: OrgUnit, fiscal_year: int) -> list[dict]:
    """Perspectives with their tiles for one org unit and fiscal year (three queries, then cached)."""
    key = _cache_key("tiles", orgunit.pk, fiscal_year)
    cached = cache.get(key)
    if cached is not None:
        return cached
    years = list(range(fiscal_year - SPARK_YEARS + 1, fiscal_year + 1))
    indicators = list(Indicator.objects.filter(is_active=True).prefetch_related("inputs__dataset"))
    coverage = input_coverage(indicators, orgunit, [fiscal_year - 1, fiscal_year])
    values: dict[tuple[int, int], float | None] = {}
    for indicator_id, year, value in IndicatorValue.objects.filter(
        orgunit=orgunit, period__period_type="FY", period__fiscal_year__in=years
    ).values_list("indicator_id", "period__fiscal_year", "value"):
        values[(indicator_id, year)] = value
    targets = targets_by_year(indicators, [fiscal_year])
    groups: dict[str, list[dict]] = defaultdict(list)
    for indicator in indicators:
        value = values.get((indicator.pk, fiscal_year))
        previous = values.get((indicator.pk, fiscal_year - 1))
        target = targets.get((indicator.pk, fiscal_year))
        # No change between years when either was largely unreported: it would measure reporting, not the province.
        now_share, before_share = (coverage.get((indicator.pk, year), 1.0) for year in (fiscal_year, fiscal_year - 1))
        comparable = min(now_share, before_share) >= COMPARABLE_COVERAGE
        change = None if value is None or previous in (None, 0) or not comparable else (value - previous) / abs(previous) * 100
        series = [values.get((indicator.pk, y)) for y in years]
        groups[indicator.perspective].append({
            "code": indicator.code, "name": indicator.name, "unit": indicator.unit, "polarity": indicator.polarity,
            "value": format_value(value, indicator.decimals), "raw": value,
            "target": format_value(target.target, indicator.decimals) if target else "",
            "light": traffic_light(indicator, value, target), "change": change,
            "spark": sparkline_points(series), "years": years,
            # Below 100%: the value stands on part of the expected data (an agency is late), and the tile says so.
            "coverage": None if value is None or now_share >= 1.0 else round(now_share * 100),
        })  # fmt: skip
    result = [{"name": name, "tiles": tiles} for name, tiles in groups.items()]
    cache.set(key, result, CACHE_SECONDS)
    return result


def drilldown(*, indicator: Indicator, orgunit: OrgUnit, fiscal_year: int) -> dict:
    """Children of ``orgunit`` with values and lights, and the unit's trend over the years (cached)."""
    key = _cache_key("drill", indicator.pk, orgunit.pk, fiscal_year)
    cached = cache.get(key)
    if cached is not None:
        return cached
    years = list(range(fiscal_year - SPARK_YEARS + 1, fiscal_year + 1))
    targets = targets_by_year([indicator], years)
    target = targets.get((indicator.pk, fiscal_year))
    fy_code = period_for_fiscal_year(fiscal_year).code
    children = list(OrgUnit.objects.filter(parent=orgunit).order_by("code").values("pk", "code", "name_th", "name_en", "level"))
    child_values = dict(
        IndicatorValue.objects.filter(indicator=indicator, orgunit_id__in=[c["pk"] for c in children], period__code=fy_code).values_list(
            "orgunit_id", "value"
        )
    )
    thai = (get_language() or "th").startswith("th")
    rows = []
    for child in children:
        if child["pk"] not in child_values:
            continue  # not materialised at this level: the inputs are collected higher up
        value = child_values[child["pk"]]
        rows.append({
            "pk": child["pk"], "code": child["code"], "name": child["name_th"] if thai or not child["name_en"] else child["name_en"],
            "value": value, "display": format_value(value, indicator.decimals), "light": traffic_light(indicator, value, target),
        })  # fmt: skip
    deeper = set(
        IndicatorValue.objects.filter(indicator=indicator, orgunit__parent_id__in=[r["pk"] for r in rows], period__code=fy_code)
        .values_list("orgunit__parent_id", flat=True)
        .distinct()
    )
    for row in rows:
        row["has_children"] = row["pk"] in deeper
    trend = dict(
        IndicatorValue.objects.filter(
            indicator=indicator, orgunit=orgunit, period__period_type="FY", period__fiscal_year__in=years
        ).values_list("period__fiscal_year", "value")
    )
    own = trend.get(fiscal_year)
    result = {
        "rows": rows,
        "value": own,
        "display": format_value(own, indicator.decimals),
        "light": traffic_light(indicator, own, target),
        "target": target.target if target else None,
        "thresholds": thresholds(indicator, target),
        "years": years,
        "trend": [trend.get(y) for y in years],
        "year_targets": [targets[(indicator.pk, y)].target if (indicator.pk, y) in targets else None for y in years],
    }
    cache.set(key, result, CACHE_SECONDS)
    return result


LIGHT_COLOURS = {Light.GREEN: "#1e8e3e", Light.AMBER: "#e0a100", Light.RED: "#c62828", Light.GREY: "#9aa5b5"}


def readable_elements(user: User):
    return DataElement.objects.filter(dataset__in=Dataset.objects.readable_by(user), value_type__in=["integer", "decimal", "percent"])


def pivot(
    *, items: list[Indicator | DataElement], orgunits: list[OrgUnit], periods: list[Period]
) -> dict[tuple[int, int, str], float | None]:
    """Values keyed (item index, org unit id, period code): indicators from materialised values, elements from aggregates.

    Keyed by code, not id: periods nobody stored yet are passed unsaved (reads never create them) and have no id.
    """
    unit_ids = [u.pk for u in orgunits]
    codes = {p.pk: p.code for p in periods if p.pk is not None}
    result: dict[tuple[int, int, str], float | None] = {}
    indicator_index = {item.pk: i for i, item in enumerate(items) if isinstance(item, Indicator)}
    if indicator_index:
        rows = IndicatorValue.objects.filter(
            indicator_id__in=list(indicator_index), orgunit_id__in=unit_ids, period_id__in=list(codes)
        ).values_list("indicator_id", "orgunit_id", "period_id", "value")
        for indicator_id, unit_id, period_id, value in rows:
            result[(indicator_index[indicator_id], unit_id, codes[period_id])] = value
    elements = [(i, item) for i, item in enumerate(items) if isinstance(item, DataElement)]
    for period in periods if elements else []:
        values = element_values([e for _i, e in elements], unit_ids, period)
        for i, element in elements:
            for unit_id in unit_ids:
                result[(i, unit_id, period.code)] = values[(element.pk, unit_id)]
    return result


def rules_addressed_to(user: User) -> list[int]:
    """Ids of the rules whose alerts go to ``user`` (rules are few: filtered here, portable across databases)."""
    direct = set(WarningRule.recipients.through.objects.filter(user_id=user.pk).values_list("warningrule_id", flat=True))
    roles = user.role_names
    return [
        pk for pk, rule_roles in WarningRule.objects.values_list("pk", "recipient_roles") if pk in direct or roles & set(rule_roles or [])
    ]


def visible_alerts(user: User):
    """Executives and the IT group see every alert; others those addressed to them (directly or by role)."""
    if user.is_it_admin or user.is_executive:
        return Alert.objects.all()
    return Alert.objects.filter(rule_id__in=rules_addressed_to(user))


def open_alert_count(user: User) -> int:
    from cockpit.services import alerts_version

    key = f"cockpit:badge:{alerts_version()}:{user.pk}"
    count = cache.get(key)
    if count is None:
        count = visible_alerts(user).filter(status=AlertStatus.OPEN).count()
        cache.set(key, count, 300)
    return count
