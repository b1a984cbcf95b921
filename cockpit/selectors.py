"""Cockpit reads: tiles, drill-downs and pivots from materialised values, cached per data version."""

from __future__ import annotations

import hashlib
from collections import defaultdict

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import get_language

from cockpit.breakdown import ElementPart
from cockpit.definitions import indicator_definition
from cockpit.models import Alert, AlertEvent, AlertStatus
from datasets.models import Aggregation, DataElement
from datasets.selectors import element_values_over
from indicators.models import Indicator, IndicatorValue, Light, Polarity
from indicators.selectors import active_indicators, input_coverage, readable_indicators
from indicators.services import indicator_versions, version_names
from indicators.traffic_lights import area_targets, targets_by_year, thresholds, traffic_light
from poc import cache_versions, permission_version, request_memo
from poc.models import OrgUnit, Period, User
from poc.periods import format_date_be, period_for_fiscal_year
from verification.approvals import unapproved_datasets

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
    return ":".join(["cockpit", get_language() or "th", *map(str, parts)])


def _change(value: float | None, previous: float | None, polarity: str) -> dict | None:
    """Change against the previous year, its direction and whether that direction is good news."""
    if value is None or previous in (None, 0):
        return None
    percent = (value - previous) / abs(previous) * 100
    shown = round(percent, 1)
    if shown == 0:  # "▲ 0.0%" would read as a rise
        return {"percent": percent, "direction": "flat", "tone": "neutral", "display": "0%"}
    direction = "up" if percent > 0 else "down"
    good = {Polarity.HIGHER_BETTER: "up", Polarity.LOWER_BETTER: "down"}.get(polarity)
    tone = "neutral" if good is None else "good" if direction == good else "bad"
    return {"percent": percent, "direction": direction, "tone": tone, "display": f"{abs(shown):,.1f}%"}


def _latest_comments(indicator_ids: list[int]) -> dict[int, dict]:
    """The newest acknowledgement comment on each indicator's alerts: what the responsible agency says it is doing."""
    comments: dict[int, dict] = {}
    events = (
        AlertEvent.objects.filter(action="acknowledged", alert__rule__indicator_id__in=indicator_ids)
        .exclude(comment="")
        .order_by("-at", "-id")
        .values_list("alert__rule__indicator_id", "comment", "at", "user__first_name", "user__last_name", "user__username")
    )
    for indicator_id, comment, at, first, last, username in events:
        if indicator_id not in comments:
            comments[indicator_id] = {
                "text": comment,
                "at": format_date_be(timezone.localtime(at).date()),
                "by": f"{first} {last}".strip() or username,
            }
    return comments


def _state(light: str, value: float | None, enough: bool, judged: bool) -> str:
    """Summary bucket: judged by the traffic light, or not enough data yet, or nothing to judge against."""
    if value is None or not enough:
        return "insufficient"
    return light if judged else "unjudged"


def cockpit_tiles(*, orgunit: OrgUnit, fiscal_year: int, user: User) -> list[dict]:
    """Perspectives with the tiles ``user`` may read, for one org unit and fiscal year.

    Every tile is computed once and cached for all users under its indicator's version; each user's copy keeps
    only the indicators whose inputs they may all read (``poc.permissions``). One permission query, which also names
    each readable indicator's input datasets for the approval notes."""
    rows = list(readable_indicators(user).values_list("code", "pk", "approved_only", "inputs__dataset_id"))
    readable = {code for code, _pk, _only, _dataset_id in rows}
    groups = [{**group, "tiles": [{**t} for t in group["tiles"] if t["code"] in readable]} for group in _all_tiles(orgunit, fiscal_year)]
    groups = [group for group in groups if group["tiles"]]
    _mark_approval([t for group in groups for t in group["tiles"]], orgunit, fiscal_year, rows)
    return groups


def _mark_approval(tiles: list[dict], orgunit: OrgUnit, fiscal_year: int, rows: list[tuple[str, int, bool, int | None]]) -> None:
    """The per-indicator choice: an approved-only tile shows no value standing on data not yet through its last
    approval level; any other such tile says it shows unapproved values. Outside the tile cache, so an approval
    shows at once; ``rows``: (code, pk, approved only, input dataset) of the readable indicators, and the unapproved
    datasets' cached read."""
    approved_only: dict[str, bool] = {}
    inputs: dict[str, set[int]] = defaultdict(set)
    feeds: dict[int, set[int]] = defaultdict(set)  # dataset -> indicators it feeds
    shown = {t["code"] for t in tiles}
    for code, pk, only, dataset_id in rows:
        if code not in shown:
            continue
        approved_only[code] = only
        if dataset_id is not None:
            inputs[code].add(dataset_id)
            feeds[dataset_id].add(pk)
    pending = _pending_datasets(feeds, orgunit, fiscal_year) if feeds else set()
    for tile in tiles:
        tile["approval"] = ""
        if tile["raw"] is None or not inputs[tile["code"]] & pending:
            continue
        if approved_only.get(tile["code"]):
            tile.update(value=format_value(None), raw=None, light=Light.GREY, state="insufficient", change=None, coverage=None)
            tile["approval"] = "awaiting"
        else:
            tile["approval"] = "unapproved"


def _pending_datasets(feeds: dict[int, set[int]], orgunit: OrgUnit, fiscal_year: int) -> set[int]:
    """The datasets (keys of ``feeds``: dataset -> indicators it feeds) with values not yet through their last approval.

    Each dataset's answer is kept under the versions of the indicators it feeds: a write refreshes them and an approval,
    return or reopening bumps them (``verification.services``), so the note changes at once, and only the datasets
    behind what changed are scanned again (one query for all of them)."""
    versions = indicator_versions({pk for pks in feeds.values() for pk in pks})

    def key(dataset_id: int) -> str:
        stamp = hashlib.blake2b(repr(sorted((pk, versions[pk]) for pk in feeds[dataset_id])).encode(), digest_size=8).hexdigest()
        return f"cockpit:unapproved:{dataset_id}:{stamp}:{orgunit.pk}:{fiscal_year}"

    keys = {dataset_id: key(dataset_id) for dataset_id in feeds}
    found = cache.get_many(list(keys.values()))
    known = {dataset_id: found[k] for dataset_id, k in keys.items() if k in found}
    if missing := [dataset_id for dataset_id in feeds if dataset_id not in known]:
        pending = unapproved_datasets(missing, orgunit, fiscal_year)
        fresh = {dataset_id: dataset_id in pending for dataset_id in missing}
        cache.set_many({keys[dataset_id]: flag for dataset_id, flag in fresh.items()}, CACHE_SECONDS)
        known.update(fresh)
    return {dataset_id for dataset_id, flag in known.items() if flag}


def _tile_key(pk: int, version: int, orgunit_id: int, fiscal_year: int) -> str:
    return f"cockpit:tile:{get_language() or 'th'}:{orgunit_id}:{fiscal_year}:{pk}:{version}"


def indicators_stamp(pks: list[int]) -> str:
    """A short stamp that changes when any of these indicators is rewritten: the key of a page showing them."""
    versions = sorted(indicator_versions(pks).items())
    return hashlib.blake2b(repr(versions).encode(), digest_size=8).hexdigest()


def active_indicator_ids() -> list[int]:
    """The active indicators' ids in wall order (read once per request)."""
    return request_memo.remember(
        "cockpit:active-indicators", lambda: list(Indicator.objects.filter(is_active=True).values_list("pk", flat=True))
    )


def read_wall_versions() -> None:
    """Every version counter the wall keys on (all indicators', each active one's, the alerts', the permissions'), in
    one round trip: the rest of the request reads them from its memo (``poc.cache_versions``)."""
    from cockpit.services import ALERTS_VERSION

    cache_versions.current_many([*version_names(active_indicator_ids()), ALERTS_VERSION, permission_version.NAME])


def _all_tiles(orgunit: OrgUnit, fiscal_year: int) -> list[dict]:
    """Every active indicator's tile, each cached under its own indicator's version: a write recomputes only the
    tiles of the indicators fed by what it changed (in one batch, a bounded number of queries)."""
    active = active_indicator_ids()
    versions = indicator_versions(active)
    keys = {pk: _tile_key(pk, versions[pk], orgunit.pk, fiscal_year) for pk in active}
    found = cache.get_many(list(keys.values()))
    tiles = {pk: found[key] for pk, key in keys.items() if key in found}
    if missing := [pk for pk in active if pk not in tiles]:
        computed = _compute_tiles(missing, orgunit, fiscal_year)
        cache.set_many({keys[pk]: tile for pk, tile in computed.items()}, CACHE_SECONDS)
        tiles.update(computed)
    comments = _red_comments([pk for pk in active if tiles[pk]["state"] == Light.RED])
    groups: dict[str, list[dict]] = defaultdict(list)
    for pk in active:
        tile = tiles[pk]
        groups[tile["perspective"]].append({**tile, "comment": comments.get(pk) if tile["state"] == Light.RED else None})
    return [{"name": name, "tiles": group} for name, group in groups.items()]


def _red_comments(indicator_ids: list[int]) -> dict[int, dict]:
    """Red tiles' latest acknowledgement comments, kept with the alerts' version (not inside the tiles)."""
    from cockpit.services import alerts_version

    if not indicator_ids:
        return {}
    return cache.get_or_set(
        f"cockpit:comments:{alerts_version()}:{indicators_stamp(indicator_ids)}", lambda: _latest_comments(indicator_ids), CACHE_SECONDS
    )


def _compute_tiles(pks: list[int], orgunit: OrgUnit, fiscal_year: int) -> dict[int, dict]:
    """Tiles of the indicators ``pks``: a fixed number of queries whatever their number, datasets or periods."""
    years = list(range(fiscal_year - SPARK_YEARS + 1, fiscal_year + 1))
    wanted = set(pks)
    indicators = [i for i in active_indicators() if i.pk in wanted]  # read once with the reporting year's
    if len(indicators) < len(wanted):  # not all active
        indicators = list(Indicator.objects.filter(pk__in=pks).select_related("agency").prefetch_related("inputs__dataset"))
    coverage = input_coverage(indicators, orgunit, years, keyed_on=active_indicators())  # the reporting year's keys
    values: dict[tuple[int, int], float | None] = {}
    for indicator_id, year, value in IndicatorValue.objects.filter(
        indicator_id__in=pks, orgunit=orgunit, period__period_type="FY", period__fiscal_year__in=years
    ).values_list("indicator_id", "period__fiscal_year", "value"):
        values[(indicator_id, year)] = value
    targets = targets_by_year(indicators, [fiscal_year])
    tiles: dict[int, dict] = {}
    for indicator in indicators:
        value = values.get((indicator.pk, fiscal_year))
        target = targets.get((indicator.pk, fiscal_year))
        # A year under COMPARABLE_COVERAGE measures reporting, not the province: it is not judged, compared or plotted.
        enough = {year: coverage.get((indicator.pk, year), 1.0) >= COMPARABLE_COVERAGE for year in years}
        now_share = coverage.get((indicator.pk, fiscal_year), 1.0)
        light = traffic_light(indicator, value, target)
        state = _state(light, value, enough[fiscal_year], thresholds(indicator, target) is not None)
        comparable = enough[fiscal_year] and enough[fiscal_year - 1]
        series = [values.get((indicator.pk, y)) if enough[y] else None for y in years]
        tiles[indicator.pk] = {
            "code": indicator.code,
            "pk": indicator.pk,
            "name": indicator.name,
            "unit": indicator.unit,
            "polarity": indicator.polarity,
            "perspective": indicator.perspective,
            "value": format_value(value, indicator.decimals),
            "raw": value,
            "target": format_value(target.target, indicator.decimals) if target else "",
            "light": light if state in (Light.RED, Light.AMBER, Light.GREEN) else Light.GREY,
            "state": state,
            "change": _change(value, values.get((indicator.pk, fiscal_year - 1)), indicator.polarity) if comparable else None,
            "spark": sparkline_points(series),
            "years": years,
            "definition": indicator_definition(indicator),
            "agency": indicator.agency.name if indicator.agency else "",
            # Below 100%: the value stands on part of the expected data (an agency is late), and the tile says so.
            "coverage": None if value is None or now_share >= 1.0 else int(now_share * 100),
        }
    return tiles


def flat_tiles(groups: list[dict]) -> list[dict]:
    """All tiles perspective by perspective, each naming its perspective: one grid fills the width without gaps."""
    return [{**tile, "perspective": group["name"]} for group in groups for tile in group["tiles"]]


SUMMARY_STATES = ("red", "amber", "green", "insufficient", "unjudged")


def cockpit_summary(groups: list[dict]) -> dict[str, int]:
    """How many tiles are in each state, for the strip a governor reads first."""
    counts = dict.fromkeys(SUMMARY_STATES, 0)
    for group in groups:
        for tile in group["tiles"]:
            counts[tile["state"]] += 1
    return counts


def _rank(rows: list[dict], polarity: str) -> None:
    """Rank the areas best first by the indicator's polarity (1 = best); context indicators rank highest first."""
    known = [r for r in rows if r["value"] is not None]
    known.sort(key=lambda r: r["value"], reverse=polarity != Polarity.LOWER_BETTER)
    for position, row in enumerate(known, start=1):  # equal values share a rank: 1, 1, 3
        row["rank"] = known[position - 2]["rank"] if position > 1 and row["value"] == known[position - 2]["value"] else position
    for row in rows:
        row.setdefault("rank", None)


def _versus(value: float | None, reference: float | None, polarity: str) -> str:
    """Whether an area does better or worse than the unit above it ("" when it cannot be said)."""
    if value is None or reference is None or polarity == Polarity.CONTEXT or value == reference:
        return ""
    higher = value > reference
    return "better" if higher == (polarity == Polarity.HIGHER_BETTER) else "worse"


def comparable_across_levels(indicator: Indicator) -> bool:
    """A rate or an average reads the same for a district and its province; a total does not (a district's GPP is
    always below the province's), so totals are only ranked, never compared with the unit above."""
    return bool(indicator.denominator) or all(e.aggregation == Aggregation.AVERAGE for e in indicator.inputs.all())


def drilldown(*, indicator: Indicator, orgunit: OrgUnit, fiscal_year: int) -> dict:
    """Children of ``orgunit`` ranked, judged by their own targets where set (never by the province's, which would paint
    them all one colour), the unit's value against its target, and its trend without partly reported years (cached)."""
    key = _cache_key("drill", indicator.pk, indicator_versions([indicator.pk])[indicator.pk], orgunit.pk, fiscal_year)
    cached = cache.get(key)
    if cached is not None:
        return cached
    years = list(range(fiscal_year - SPARK_YEARS + 1, fiscal_year + 1))
    targets = targets_by_year([indicator], years)
    target = targets.get((indicator.pk, fiscal_year))
    fy_code = period_for_fiscal_year(fiscal_year).code
    children = list(OrgUnit.objects.in_tree().filter(parent=orgunit).order_by("code").values("pk", "code", "name_th", "name_en", "level"))
    child_values = dict(
        IndicatorValue.objects.filter(indicator=indicator, orgunit_id__in=[c["pk"] for c in children], period__code=fy_code).values_list(
            "orgunit_id", "value"
        )
    )
    trend = dict(
        IndicatorValue.objects.filter(
            indicator=indicator, orgunit=orgunit, period__period_type="FY", period__fiscal_year__in=years
        ).values_list("period__fiscal_year", "value")
    )
    own = trend.get(fiscal_year)
    thai = (get_language() or "th").startswith("th")
    comparable = comparable_across_levels(indicator)
    rows = []
    for child in children:
        if child["pk"] not in child_values:
            continue  # not materialised at this level: the inputs are collected higher up
        value = child_values[child["pk"]]
        rows.append(
            {
                "pk": child["pk"],
                "code": child["code"],
                "name": child["name_th"] if thai or not child["name_en"] else child["name_en"],
                "value": value,
                "display": format_value(value, indicator.decimals),
                "versus": _versus(value, own, indicator.polarity) if comparable else "",
            }
        )
    own_targets = area_targets(indicator, [r["pk"] for r in rows], fiscal_year)
    for row in rows:  # an area with its own target is judged by it; the province's would not fit it
        area_target = own_targets.get(row["pk"])
        row["light"] = traffic_light(indicator, row["value"], area_target) if area_target else None
        row["target"] = format_value(area_target.target, indicator.decimals) if area_target else ""
    _rank(rows, indicator.polarity)
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]))
    deeper = set(
        IndicatorValue.objects.filter(indicator=indicator, orgunit__parent_id__in=[r["pk"] for r in rows], period__code=fy_code)
        .values_list("orgunit__parent_id", flat=True)
        .distinct()
    )
    for row in rows:
        row["has_children"] = row["pk"] in deeper
    coverage = input_coverage([indicator], orgunit, years)
    enough = {year: coverage.get((indicator.pk, year), 1.0) >= COMPARABLE_COVERAGE for year in years}
    share = coverage.get((indicator.pk, fiscal_year), 1.0)
    result = {
        "rows": rows,
        "comparable": comparable,
        "area_targets": bool(own_targets),
        "value": own,
        "display": format_value(own, indicator.decimals),
        "light": traffic_light(indicator, own, target) if enough[fiscal_year] else Light.GREY,
        "coverage": None if own is None or share >= 1.0 else int(share * 100),
        "enough": enough[fiscal_year],
        "target": target.target if target else None,
        "target_display": format_value(target.target, indicator.decimals) if target else "–",
        "thresholds": thresholds(indicator, target),
        "years": years,
        # A partly reported year is drawn apart, not as a point of the line: its fall measures missing reports.
        "trend": [trend.get(y) if enough[y] else None for y in years],
        "partial": [None if enough[y] else trend.get(y) for y in years],
        "year_targets": [targets[(indicator.pk, y)].target if (indicator.pk, y) in targets else None for y in years],
    }
    cache.set(key, result, CACHE_SECONDS)
    return result


LIGHT_COLOURS = {Light.GREEN: "#1e8e3e", Light.AMBER: "#e0a100", Light.RED: "#c62828", Light.GREY: "#9aa5b5"}
VERSUS_COLOURS = {"better": "#1e8e3e", "worse": "#e0a100", "": "#5b7db1"}


def chartable_elements(user: User):
    """Integer, decimal and percent elements whose dataset ``user`` may read (what a cockpit chart can plot)."""
    return DataElement.objects.restrict(user, "view").filter(value_type__in=["integer", "decimal", "percent"])


def pivot(
    *, items: list[Indicator | DataElement | ElementPart], orgunits: list[OrgUnit], periods: list[Period]
) -> dict[tuple[int, int, str], float | None]:
    """Values keyed (item index, org unit id, period code): indicators from materialised values, elements (and parts of
    broken-down elements) from aggregates.

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
    parts = [(i, item) for i, item in enumerate(items) if isinstance(item, ElementPart)]
    for period in periods if elements or parts else []:
        values = element_values_over([e for _i, e in elements], unit_ids, period)
        for i, element in elements:
            for unit_id in unit_ids:
                result[(i, unit_id, period.code)] = values[(element.pk, unit_id)]
        for i, part in parts:  # one read per part: each sums its own option combinations
            values = element_values_over([part.element], unit_ids, period, option_combo_ids=part.option_combo_ids)
            for unit_id in unit_ids:
                result[(i, unit_id, period.code)] = values[(part.element.pk, unit_id)]
    return result


def visible_alerts(user: User):
    """Alerts ``user`` may read (the rule lives in ``poc.permissions``)."""
    return Alert.objects.restrict(user, "view")


def open_alert_count(user: User) -> int:
    """Open alerts ``user`` may read (cached per user and alert version; read once per request)."""
    from cockpit.services import alerts_version

    def count() -> int:
        key = f"cockpit:badge:{alerts_version()}:{user.pk}"
        found = cache.get(key)
        if found is None:
            found = visible_alerts(user).filter(status=AlertStatus.OPEN).count()
            cache.set(key, found, 300)
        return found

    return request_memo.remember(f"cockpit:badge:{user.pk}", count)
