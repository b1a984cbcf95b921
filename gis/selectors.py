"""Reads for maps: choropleth GeoJSON with values joined, series for the side panel, layers.

A choropleth is assembled, already gzip-compressed, from each unit's feature stored compressed with its simplified
boundary (geometry serialised once by the database with a fixed precision, ``AsGeoJSON(..., precision=5)``) and the
values of the request: thousands of features are neither parsed nor compressed per request (``gis.features``,
``gis.deflate``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import math
import struct
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.gis.db.models.functions import AsGeoJSON
from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Max, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from datasets.models import DataElement, DataValueAudit
from datasets.option_parts import OptionPart
from datasets.selectors import element_series, element_value, element_values
from gis.deflate import GzipBuilder
from gis.features import SOURCE_SEPARATOR, TAIL, feature_head, head_source, value_slot
from gis.models import DETAIL, OVERVIEW, FeatureSet, OrgUnitShape, OverviewFeature, ThematicFeature, ThematicLayer
from gis.services import GEOJSON_PRECISION
from indicators.models import Indicator, IndicatorValue
from indicators.selectors import indicator_series, indicator_values
from poc import cache_versions, parallel_reads
from poc.group_selectors import GroupAggregation, combine, outermost_members
from poc.models import OrgUnit, OrgUnitGroup, OrgUnitLevel
from poc.periods import PeriodSpec, PeriodType, parse_period, period_containing
from verification.approvals import units_with_unapproved
from verification.models import SubmissionEvent

EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# A built body (a national one is ~1.3 MB gzipped) is kept in the shared cache under its ETag for every worker.
BODY_SECONDS = 15 * 60


@dataclass(frozen=True)
class MapSelection:
    """What a choropleth shows: a data element or an indicator for a period, over units under ``parent``."""

    element: DataElement | None
    period: PeriodSpec | None
    parent: OrgUnit | None
    level: int | None
    indicator: Indicator | None = None
    group: OrgUnitGroup | None = None  # draw the group's members instead of a part of the tree
    option: OptionPart | None = None  # one part of a broken-down element (female population) …
    ratio: tuple[OptionPart, OptionPart] | None = None  # … or the first part per 100 of the second (males per 100 females)

    @property
    def measure(self) -> DataElement | Indicator | None:
        return self.element or self.indicator


RATIO_BASE = 100  # a ratio of two parts is per 100 of the second, as DOPA's sex ratio (males per 100 females)


def ratio_value(first: float | None, second: float | None) -> float | None:
    """``first`` per 100 ``second``; no value when either is missing or the second is zero."""
    return None if first is None or not second else first / second * RATIO_BASE


def _element_part_values(selection: MapSelection, orgunit_ids, period: PeriodSpec) -> dict[int, float | None]:
    element = selection.element
    if selection.ratio is not None:
        if isinstance(orgunit_ids, QuerySet):  # read twice: resolve the units once
            orgunit_ids = list(orgunit_ids.values_list("pk", flat=True))
        first, second = (element_values([element], orgunit_ids, period, option_combo_ids=part.ids) for part in selection.ratio)
        return {unit_id: ratio_value(value, second[(element_id, unit_id)]) for (element_id, unit_id), value in first.items()}
    ids = selection.option.ids if selection.option is not None else None
    joined = element_values([element], orgunit_ids, period, option_combo_ids=ids)
    return {unit_id: value for (_element_id, unit_id), value in joined.items()}


def measure_values(selection: MapSelection, orgunit_ids: list[int] | QuerySet[OrgUnit]) -> dict[int, float | None]:
    """Values of the selected element or indicator for each org unit, in one query (per period type).

    Given the units as a queryset, the database joins them instead of parsing thousands of ids.
    """
    if selection.period is None:
        return {}
    if selection.element is not None:
        return _element_part_values(selection, orgunit_ids, selection.period)
    if selection.indicator is not None:
        values = indicator_values(selection.indicator, orgunit_ids, selection.period)
        if selection.indicator.approved_only:  # the indicator's choice: a unit with unapproved inputs shows no value
            datasets = set(selection.indicator.inputs.values_list("dataset_id", flat=True))
            units = OrgUnit.objects.filter(pk__in=[pk for pk, value in values.items() if value is not None]).only("pk", "path")
            for pk in units_with_unapproved(datasets, units, selection.period.start, selection.period.end):
                values[pk] = None
        return values
    return {}


def map_units(parent: OrgUnit | None, level: int | None, group: OrgUnitGroup | None = None):
    """Units drawn for a selection: ``parent``'s children, or units at ``level`` (under ``parent`` if given),
    or a group's members (each counted once)."""
    units = OrgUnit.objects.all()
    if group is not None:
        return units.filter(pk__in=[unit.pk for unit in outermost_members([group])[group.pk]])
    if parent is not None:
        units = units.filter(path__startswith=parent.path).exclude(pk=parent.pk)
        units = units.filter(level=level) if level else units.in_tree().filter(parent=parent)
    else:
        units = units.filter(level=level or OrgUnitLevel.PROVINCE)
    return units


class FeatureHead(NamedTuple):
    """A selected unit's feature up to its value: stored (compressed alone, and chained after ``after``) or ``built``.

    A named tuple, not a dataclass: a national map makes 7,425 of them per build."""

    unit_id: int
    crc: int = 0
    size: int = 0
    chained: bytes = b""
    after: int | None = None
    depth: int = 0
    built: bytes | None = None  # the text, when the unit has no current stored feature (a point, a unit renamed since)


# What the read below returns per unit on PostgreSQL, in code order (big-endian, as int8send and the like write): unit,
# CRC-32 and size of its feature, the unit it is chained after (-1: none), depth, whether the stored feature is current,
# and the length of its chained form, which follows.
_RECORD = struct.Struct(">qqiqh?i")


def feature_set(parent: OrgUnit | None, level: int | None, group: OrgUnitGroup | None = None) -> FeatureSet:
    """Which stored features draw a selection: a country-wide map of a level (no parent, no group) whose borders were
    generalised for it (levels of more than ``POC_MAP_OVERVIEW_ABOVE`` boundaries, :func:`gis.services.shapes_refresh`)
    draws those; every other map, and every map until ``simplify_boundaries`` has built them, the detailed ones.

    Decided from the stored features, not by counting the selected units: a count reads every unit's row first (~50 ms
    of a national map's first build with the database's cache cold), one stored feature of the level is a few pages."""
    if parent is not None or group is not None:
        return DETAIL
    has_overview = OverviewFeature.objects.filter(orgunit__level=level or OrgUnitLevel.PROVINCE).exists()
    return OVERVIEW if has_overview else DETAIL


def feature_heads(
    parent: OrgUnit | None, level: int | None, group: OrgUnitGroup | None = None, features: FeatureSet = DETAIL
) -> list[FeatureHead]:
    """The selected units' features, in code order: one read of those stored (``features``), each compared with its
    unit as it is now; the text built here for a unit without a current one."""
    units = map_units(parent, level, group)
    heads, stale = _stored_heads_postgresql(units, features) if connection.vendor == "postgresql" else _stored_heads(units, features)
    if stale:
        built = _built_heads(stale, features)
        heads = [FeatureHead(head.unit_id, built=built[head.unit_id]) if head.unit_id in built else head for head in heads]
    return heads


def _stored_heads_postgresql(units: QuerySet[OrgUnit], features: FeatureSet = DETAIL) -> tuple[list[FeatureHead], list[int]]:
    """The stored features of ``units`` and which units have no current one, in one row: the features' records and
    chained forms joined into one bytea by the database (7,425 rows through the driver cost more than the query)."""
    try:
        sql, params = units.order_by().values_list("pk", "code", "name_th", "name_en", "level").query.sql_with_params()
    except EmptyResultSet:  # e.g. a group without members
        return [], []
    quote = connection.ops.quote_name
    # A unit's first child, not EXISTS: PostgreSQL may answer EXISTS by hashing every unit's parent (a scan of all
    # 82,680 units); a scalar subquery is always one probe of the parent index per unit. ``SELECT 1``: the index alone
    # answers where the table is marked visible (vacuumed after bulk imports, poc.maintenance), no village row read.
    query = f"""
        SELECT string_agg(
            int8send(u.id) || int8send(coalesce(f.crc, 0)) || int4send(coalesce(f.size, 0))
            || int8send(coalesce(f.after, -1)) || int2send(coalesce(f.depth, 0)::int2)
            || CASE WHEN f.size > 0 AND f.source = concat_ws(%s, u.code, u.name_th, u.name_en, u.level::text,
                    CASE WHEN (SELECT 1 FROM {quote(OrgUnit._meta.db_table)} c WHERE c.parent_id = u.id LIMIT 1) IS NULL
                    THEN '0' ELSE '1' END)
               THEN '\\x01'::bytea ELSE '\\x00'::bytea END
            || int4send(length(coalesce(f.chained, ''::bytea))) || coalesce(f.chained, ''::bytea),
            ''::bytea ORDER BY u.code)
        FROM ({sql}) u(id, code, name_th, name_en, level)
        LEFT JOIN {quote(features.model._meta.db_table)} f ON f.orgunit_id = u.id
    """
    data = _one_bytea(query, [SOURCE_SEPARATOR, *params])  # head_source's separator, then the units' query's
    heads: list[FeatureHead] = []
    stale: list[int] = []
    if data is None:  # no units
        return heads, stale
    unpack, step, position, end = _RECORD.unpack_from, _RECORD.size, 0, len(data)
    while position < end:
        unit_id, crc, size, after, depth, current, length = unpack(data, position)
        position += step
        if current:
            heads.append(FeatureHead(unit_id, crc, size, data[position : position + length], after if after >= 0 else None, depth))
        else:
            heads.append(FeatureHead(unit_id))
            stale.append(unit_id)
        position += length
    return heads, stale


def _one_bytea(query: str, params) -> memoryview | None:
    """The one bytea value ``query`` returns, through a binary COPY where the driver has one (psycopg2): megabytes arrive
    as they are, not as text in hex twice as long, decoded again."""
    with connection.cursor() as cursor:
        driver = cursor.cursor
        if not hasattr(driver, "copy_expert"):
            cursor.execute(query, params)
            value = cursor.fetchone()[0]
            return None if value is None else memoryview(value)
        received = io.BytesIO()
        driver.copy_expert(f"COPY ({driver.mogrify(query, params).decode()}) TO STDOUT WITH (FORMAT binary)", received)
    data = received.getbuffer()
    # PGCOPY signature (11 bytes), flags (4), header extension length (4) and extension; then the row: its number of
    # fields (2), the value's length (4, -1 for NULL) and the value.
    (extension,) = struct.unpack_from(">i", data, 15)
    (length,) = struct.unpack_from(">i", data, 19 + extension + 2)
    start = 19 + extension + 6
    return None if length < 0 else data[start : start + length]


def _stored_heads(units: QuerySet[OrgUnit], features: FeatureSet = DETAIL) -> tuple[list[FeatureHead], list[int]]:
    """:func:`_stored_heads_postgresql` row by row (SpatiaLite)."""
    first_child = OrgUnit.objects.filter(parent=OuterRef("pk")).order_by().values("pk")[:1]
    stored = features.related("orgunit")
    rows = (
        units.annotate(first_child=Subquery(first_child))
        .order_by("code")
        .values_list(
            "pk",
            "code",
            "name_th",
            "name_en",
            "level",
            "first_child",
            f"{stored}__source",
            f"{stored}__crc",
            f"{stored}__size",
            f"{stored}__chained",
            f"{stored}__after",
            f"{stored}__depth",
        )
    )
    heads: list[FeatureHead] = []
    stale: list[int] = []
    for pk, code, name_th, name_en, unit_level, first_child, source, crc, size, chained, after, depth in rows:
        if size and source == head_source(code, name_th, name_en, unit_level, first_child is not None):
            heads.append(FeatureHead(pk, crc, size, chained, after, depth))
        else:
            heads.append(FeatureHead(pk))
            stale.append(pk)
    return heads, stale


def _built_heads(unit_ids: list[int], features: FeatureSet = DETAIL) -> dict[int, bytes]:
    """The features of these units built now, from the units as they are and their boundaries (those of ``features``
    where the unit has one, else the detailed one, else the whole boundary or the point)."""
    first_child = OrgUnit.objects.filter(parent=OuterRef("pk")).order_by().values("pk")[:1]
    rows = (
        OrgUnit.objects.filter(pk__in=unit_ids)
        .annotate(
            first_child=Subquery(first_child),
            geojson=Coalesce(
                NullIf(f"shape__{features.geojson}", Value("")),
                NullIf("shape__geojson", Value("")),
                AsGeoJSON("geom", precision=GEOJSON_PRECISION),
                AsGeoJSON("point", precision=GEOJSON_PRECISION),
                output_field=TextField(),
            ),
        )
        .values_list("pk", "code", "name_th", "name_en", "level", "first_child", "geojson")
    )
    return {
        pk: feature_head(code, name_th, name_en, unit_level, first_child is not None, geojson)
        for pk, code, name_th, name_en, unit_level, first_child, geojson in rows
    }


def _finite(value: float | None) -> float | None:
    """``value``, or None when it is not a finite number: JSON has no Infinity or NaN (a stray one broke the map)."""
    return value if value is None or math.isfinite(value) else None


def choropleth_body(selection: MapSelection) -> bytes:
    """A FeatureCollection of the selected units with simplified geometry and values, as gzip: the features stored
    compressed strung together with the values (:mod:`gis.deflate`); only a head built here is compressed now.

    Each value fills its slot (:func:`gis.features.value_slot`); a stored feature is written in its chained form where
    the features just written are the ones it was chained after, alone otherwise (read in a second query)."""
    parent, level, group = selection.parent, selection.level, selection.group
    values_read = None
    if parallel_reads.usable():  # the values read on the second connection while this one reads the features
        # the units in no order (the values are looked up by unit): not sorted by path first
        values_read = parallel_reads.start(measure_values, selection, map_units(parent, level, group).order_by())
    features = feature_set(parent, level, group)
    heads = feature_heads(parent, level, group, features)
    if values_read is not None:
        values = values_read()
    else:
        # The units just read, as one array on PostgreSQL (not read again); SQLite bounds a statement's parameters.
        units = [head.unit_id for head in heads] if connection.vendor == "postgresql" else None
        values = measure_values(selection, units if units is not None else map_units(parent, level, group))
    meta = {
        "group": _group_summary(selection, values) if selection.group else None,
        "parent": _unit_summary(selection.parent) if selection.parent else None,
        "breadcrumb": breadcrumb(selection.parent) if selection.parent else [],
        "measure": measure_summary(selection) if selection.measure else None,
        "period": selection.period.code if selection.period else None,
        "overview": features is OVERVIEW,  # boundaries generalised for a country-wide view
    }
    # Each stored feature in its chained form where the run of features just written (each stored, its value in its
    # slot, each after the first following the one it was chained after) reaches back as far as it was chained, alone
    # otherwise. Inline rather than a class: a national map writes 7,425 features per build.
    previous, run = None, 0
    get = values.get
    chained: list[bool] = []
    closing: list[bytes] = []  # each feature's value in its slot and its tail
    for head in heads:
        value, fits = value_slot(get(head.unit_id))
        unit_id, after, depth = head.unit_id, head.after, head.depth
        follows = after is not None and after == previous
        stored = head.built is None
        chained.append(stored and depth > 0 and follows and run >= depth)
        closing.append(value)
        run = (run + 1 if run and follows else 1) if stored and fits else 0
        previous = unit_id
    if closing:  # the last feature closes without a comma
        closing[-1] = closing[-1][: -len(TAIL)] + b"}}"
    alone = [head.unit_id for head, chain in zip(heads, chained, strict=True) if head.built is None and not chain]
    pieces = dict(features.model.objects.filter(orgunit_id__in=alone).values_list("orgunit_id", "head")) if alone else {}
    body = GzipBuilder()
    body.text(f'{{"type":"FeatureCollection","meta":{json.dumps(meta, ensure_ascii=False)},"features":['.encode())
    body.pieces_and_texts(
        (None, 0, 0, head.built + text)
        if head.built is not None
        else (head.chained if chain else pieces[head.unit_id], head.crc, head.size, text)
        for head, chain, text in zip(heads, chained, closing, strict=True)
    )
    body.text(b"]}")
    return body.finish()


def _group_summary(selection: MapSelection, values: dict[int, float | None]) -> dict:
    """The group's own value over its drawn members: sum for counts, mean otherwise (README, Foundation)."""
    from cockpit.group_values import default_aggregation  # the one rule, shared with the analysis page

    how = default_aggregation(selection.measure) if selection.measure else GroupAggregation.MEAN
    group = selection.group
    return {
        "code": group.code,
        "name_th": group.name_th,
        "name_en": group.name_en,
        "how": str(how),
        "value": _finite(combine(values.values(), how)) if selection.measure else None,
    }


def choropleth_gzipped(selection: MapSelection, etag: str) -> bytes:
    """The choropleth body gzip-compressed, kept in the shared cache under its ETag (data and shapes versions).

    Built from the stored features in a few tens of milliseconds even at national scale (7,425 subdistricts with their
    country-wide borders, ~5 MB of GeoJSON, ~1.3 MB gzipped), so a cache flush or a write costs the next request
    little; the cache spares even that.
    Callers check permission first: the body depends only on the selection (and the language of the measure's name).
    """
    key = f"choropleth:{etag.strip(chr(34))}:{get_language() or 'th'}"
    body = cache.get(key)
    if body is None:
        body = choropleth_body(selection)
        cache.set(key, body, BODY_SECONDS)
    return body


def _unit_summary(unit: OrgUnit) -> dict:
    return {"code": unit.code, "name_th": unit.name_th, "name_en": unit.name_en, "level": unit.level}


def measure_title(selection: MapSelection) -> tuple[str, str]:
    """(name, unit) of what is drawn: the measure, one of its parts (ประชากร · หญิง) or a ratio of two parts."""
    measure = selection.measure
    if selection.ratio is not None:
        first, second = selection.ratio
        name = _("%(measure)s: %(first)s per 100 %(second)s") % {"measure": measure.name, "first": first.name, "second": second.name}
        return name, _("per 100")
    if selection.option is not None:
        return f"{measure.name} · {selection.option.name}", measure.unit
    return measure.name, measure.unit


def measure_summary(selection: MapSelection) -> dict:
    measure = selection.measure
    kind = "indicator" if isinstance(measure, Indicator) else "element"
    name, unit = measure_title(selection)
    summary = {"kind": kind, "code": measure.code, "name": name, "unit": unit}
    if selection.option is not None:
        summary["option"] = selection.option.code
    if selection.ratio is not None:
        summary["ratio"] = [part.code for part in selection.ratio]
    return summary


def breadcrumb(unit: OrgUnit) -> list[dict]:
    """The unit's ancestors and itself, root first (for navigating back up)."""
    return [_unit_summary(u) for u in unit.ancestors()] + [_unit_summary(unit)]


def measure_changed_at(measure: DataElement | Indicator) -> dt.datetime:
    """When the measure's values last changed (cached; the values-changed signals clear the entry)."""
    is_indicator = isinstance(measure, Indicator)
    key = cache_versions.stamp_key("map-indicator" if is_indicator else "map-element", measure.pk)
    stamp = cache.get(key)
    if stamp is None:
        if is_indicator:
            latest = IndicatorValue.objects.filter(indicator=measure).aggregate(latest=Max("computed_at"))["latest"]
            if measure.approved_only:  # an approval or a return changes what such a map shows
                datasets = measure.inputs.values("dataset_id")
                approved = SubmissionEvent.objects.filter(submission__dataset_id__in=datasets).aggregate(latest=Max("at"))["latest"]
                latest = max(filter(None, (latest, approved)), default=None)
        else:
            latest = DataValueAudit.objects.filter(element=measure).aggregate(latest=Max("at"))["latest"]
        stamp = (latest or EPOCH).isoformat()
        cache.set(key, stamp, timeout=24 * 3600)
    return dt.datetime.fromisoformat(stamp)


def shapes_version() -> dt.datetime:
    return OrgUnitShape.objects.aggregate(latest=Max("updated"))["latest"] or EPOCH


def choropleth_validators(selection: MapSelection, query: Iterable[tuple[str, str]]) -> tuple[str, dt.datetime]:
    """ETag and Last-Modified of a choropleth response, without building it."""
    modified = shapes_version()
    if selection.measure is not None:
        modified = max(modified, measure_changed_at(selection.measure))
    # The indicator's "approved data only" choice changes the body without touching values or shapes.
    parts = [repr(sorted(query)), modified.isoformat(), str(getattr(selection.measure, "approved_only", False))]
    if selection.group is not None:  # membership edits change the drawing without touching shapes or values
        parts.append(repr(list(selection.group.members.order_by("pk").values_list("pk", flat=True))))
    key = "|".join(parts)
    return f'"{hashlib.sha1(key.encode()).hexdigest()}"', modified


def series_periods(period: PeriodSpec, period_type: str, count: int | None = None) -> list[PeriodSpec]:
    """The ``count`` periods of ``period_type`` ending with the one that holds ``period``'s end (oldest first)."""
    if period_type == PeriodType.FISCAL_YEAR or period.type in (PeriodType.FISCAL_YEAR, PeriodType.CALENDAR_YEAR):
        # Yearly view: five fiscal years ending with the selected one.
        last = parse_period(f"FY{period.fiscal_year}")
        return [last.shifted(-n) for n in range(4, -1, -1)]
    last = period_containing(period_type, period.end)
    count = count or 12
    return [last.shifted(-n) for n in range(count - 1, -1, -1)]


def element_part_series(selection: MapSelection, orgunit: OrgUnit, periods: list[PeriodSpec]) -> list[float | None]:
    """The selected element's values (its total, one part, or a ratio of two parts) for ``orgunit`` over ``periods``."""
    element = selection.element
    if selection.ratio is not None:
        first, second = selection.ratio
        return [
            ratio_value(
                element_value(element, orgunit, p, option_combo_ids=first.ids),
                element_value(element, orgunit, p, option_combo_ids=second.ids),
            )
            for p in periods
        ]
    if selection.option is not None:
        return [element_value(element, orgunit, p, option_combo_ids=selection.option.ids) for p in periods]
    return element_series(element, orgunit, periods)


def measure_series(selection: MapSelection) -> tuple[list[PeriodSpec], list[float | None]]:
    """The periods leading to the selection's period and the selected measure's values for its ``parent`` in them."""
    measure, orgunit, period = selection.measure, selection.parent, selection.period
    if isinstance(measure, Indicator):
        periods = series_periods(period, measure.period_type)
        return periods, indicator_series(measure, orgunit.pk, periods)
    periods = series_periods(period, measure.dataset.period_type)
    return periods, element_part_series(selection, orgunit, periods)


def layer_geojson(layer: ThematicLayer) -> str:
    rows = (
        ThematicFeature.objects.filter(layer=layer)
        .annotate(geojson=AsGeoJSON("geom", precision=6))
        .order_by("pk")
        .values_list("pk", "attributes", "geojson")
    )
    features = [
        f'{{"type":"Feature","id":{pk},"geometry":{geojson},"properties":{json.dumps(attributes, ensure_ascii=False)}}}'
        for pk, attributes, geojson in rows
    ]
    meta = {"id": layer.pk, "name": layer.name, "colour": layer.colour}
    return f'{{"type":"FeatureCollection","meta":{json.dumps(meta, ensure_ascii=False)},"features":[{",".join(features)}]}}'
