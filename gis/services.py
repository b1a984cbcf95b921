"""Writes for maps: simplified boundaries and thematic layers.

Boundaries are simplified as a *coverage* (all units of one level together, with shapely's
GEOS coverage simplifier), so that neighbours keep one shared border — no slivers or gaps between
subdistricts — on PostGIS and SpatiaLite alike. Layer uploads are hostile files: they go through
the same checks as org-unit imports (``poc.geodata``, with the layer limits) and are saved all-or-nothing.
"""

from __future__ import annotations

import datetime as dt
import decimal
import tempfile
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.contrib.gis.db.models.functions import AsGeoJSON
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, WKBWriter
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from gis.coverage import simplify_in_child
from gis.deflate import Piece, inflate_piece
from gis.features import chain_links, chained_piece, head_piece, head_source
from gis.models import (
    FEATURE_SETS,
    LEVEL_TOLERANCE,
    OVERVIEW,
    OVERVIEW_PRECISION,
    OVERVIEW_TOLERANCE,
    FeatureSet,
    LayerVisibility,
    OrgUnitShape,
    ThematicFeature,
    ThematicLayer,
)
from poc import permissions
from poc.audit import audit
from poc.geodata import SUFFIXES as LAYER_SUFFIXES
from poc.geodata import GeodataError, GeodataLimits, read_geodata
from poc.maintenance import vacuum_after_commit
from poc.models import Agency, OrgUnit, Role, User

GEOJSON_PRECISION = 5  # ~1 m: finer than any map of ours draws
# Features rewritten by one refresh above which the table is rewritten compactly after the commit (PostgreSQL, VACUUM
# FULL). Each map reads it whole; a refresh writes a feature twice (head, then chained form) and an import refreshes
# after each step, so without autovacuum (off on many managed set-ups, as here) a national import left it 4x its live
# size: 32 MB read on every build, and a table over a quarter of shared_buffers is read through a small ring.
VACUUM_AFTER = 1_000


def simplify_coverage(geometries: list[GEOSGeometry], tolerance: float) -> list[MultiPolygon]:
    """Simplify polygons that tile an area together (see :mod:`gis.coverage`), in a child process."""
    simplified = simplify_in_child([bytes(g.wkb) for g in geometries], tolerance)
    return [GEOSGeometry(memoryview(wkb), srid=4326) for wkb in simplified]


@transaction.atomic
def shapes_refresh(*, orgunit_ids: Iterable[int] | None = None, levels: Iterable[int] | None = None) -> int:
    """Recompute the simplified boundaries of whole levels (those of ``orgunit_ids``, or ``levels``, or all).

    A level is simplified as one coverage so borders shared across districts or provinces match.
    Returns the number of shapes written.
    """
    units = OrgUnit.objects.filter(geom__isnull=False)
    if orgunit_ids is not None:
        levels = set(OrgUnit.objects.filter(pk__in=list(orgunit_ids), geom__isnull=False).values_list("level", flat=True))
    elif levels is None:
        levels = set(units.values_list("level", flat=True).distinct())
    written = 0
    for level in sorted(set(levels)):
        tolerance = LEVEL_TOLERANCE.get(level, min(LEVEL_TOLERANCE.values()))
        rows = list(units.filter(level=level).order_by("pk").values_list("pk", "geom"))
        if not rows:
            continue
        simplified = simplify_coverage([geom for _pk, geom in rows], tolerance)
        # Generalised again, as one coverage, for country-wide maps of the level where it has thousands of units
        # (more than POC_MAP_OVERVIEW_ABOVE) drawn finer than that: Thailand's subdistricts, not one province's.
        if tolerance < OVERVIEW_TOLERANCE and len(rows) > settings.POC_MAP_OVERVIEW_ABOVE:
            overview = simplify_coverage(simplified, OVERVIEW_TOLERANCE)
        else:
            overview = [None] * len(rows)
        OrgUnitShape.objects.filter(orgunit__level=level).delete()
        OrgUnitShape.objects.bulk_create(
            [
                OrgUnitShape(orgunit_id=pk, geom_simplified=geom, tolerance=tolerance, geom_overview=coarse)
                for (pk, _old), geom, coarse in zip(rows, simplified, overview, strict=True)
            ],
            batch_size=1000,
        )
        shapes = OrgUnitShape.objects.filter(orgunit__level=level)
        shapes.update(geojson=AsGeoJSON("geom_simplified", precision=GEOJSON_PRECISION))
        shapes.filter(geom_overview__isnull=False).update(overview_geojson=AsGeoJSON("geom_overview", precision=OVERVIEW_PRECISION))
        written += len(rows)
    shape_heads_refresh()  # the new shapes, and parents whose children came with the import
    return written


@transaction.atomic
def shape_heads_refresh(*, orgunit_ids: Iterable[int] | None = None) -> int:
    """Build the stored map features (:mod:`gis.features`, :data:`gis.models.FEATURE_SETS`) of every shape (of
    ``orgunit_ids``) that has none or whose unit's code, names, level or children differ from what it was built from;
    each rebuilt shape counts as updated (the maps' ETag). Then the chained forms of their levels, where what precedes
    them changed. Returns the number of shapes whose features were rebuilt."""
    shapes = OrgUnitShape.objects.all() if orgunit_ids is None else OrgUnitShape.objects.filter(orgunit_id__in=list(orgunit_ids))
    shapes = shapes.annotate(has_children=Exists(OrgUnit.objects.filter(parent=OuterRef("orgunit_id"))))
    rebuilt: set[int] = set()
    for features in FEATURE_SETS:
        rebuilt |= _heads_refresh(features, shapes)
    OrgUnitShape.objects.filter(pk__in=list(rebuilt)).update(updated=timezone.now())
    return len(rebuilt)


def _heads_refresh(features: FeatureSet, shapes) -> set[int]:
    """:func:`shape_heads_refresh` for one set of features; returns the shapes whose feature was rebuilt."""
    model, related = features.model, features.related("shape")
    if features is OVERVIEW:  # only the shapes generalised for country-wide maps have one
        shapes = shapes.exclude(overview_geojson="")
    fields = ("orgunit__code", "orgunit__name_th", "orgunit__name_en", "orgunit__level", "has_children")
    rows = list(shapes.values_list("pk", "orgunit_id", *fields, f"{related}__source"))
    stale = {pk: (unit_id, row) for pk, unit_id, *row, source in rows if head_source(*row) != source}
    rebuilt = []
    texts = OrgUnitShape.objects.filter(pk__in=list(stale)).order_by("pk").values_list("pk", features.geojson)
    for pk, geojson in texts.iterator(2000):
        unit_id, row = stale[pk]
        piece = head_piece(*row, geojson)
        rebuilt.append(
            model(shape_id=pk, orgunit_id=unit_id, head=piece.deflated, crc=piece.crc, size=piece.size, source=head_source(*row))
        )
    model.objects.bulk_create(
        rebuilt, batch_size=1000, update_conflicts=True, unique_fields=["shape"], update_fields=["head", "crc", "size", "source"]
    )
    rewritten = len(rebuilt) + sum(_chain_refresh(model, level) for level in sorted({row[5] for row in rows}))
    if rewritten >= VACUUM_AFTER:
        # FULL: a refresh writes each feature twice (its head, then its chained form), so a plain VACUUM left the table
        # at twice its live size, every page of it read by each build (national subdistricts: 1,714 pages instead of
        # 579, read from disk when the database's cache is cold). Rewriting these small tables takes a fraction of a
        # second, during which maps wait; it follows a boundary import, not a data entry.
        vacuum_after_commit(model, full=True)
    return set(stale)


def _chain_refresh(model, level: int) -> int:
    """Recompress the chained form of the level's features whose predecessors (code order) changed; returns how many."""
    features = model.objects.filter(orgunit__level=level).order_by("orgunit__code")
    rows = list(features.values_list("pk", "orgunit_id", "crc", "size", "after", "depth", "chain_crc"))
    links = chain_links([(crc, size) for _pk, _unit, crc, size, *_chain in rows])
    changed = [
        number
        for number, (row, link) in enumerate(zip(rows, links, strict=True))
        if row[4:] != ((rows[number - 1][1] if link.depth else None), link.depth, link.identity)
    ]
    if not changed:
        return 0
    needed = {rows[n][0] for number in changed for n in range(number - links[number].depth, number + 1)}
    stored = model.objects.filter(pk__in=list(needed)).values_list("pk", "head")
    texts = {pk: inflate_piece(Piece(bytes(head), 0, 0)) for pk, head in stored}
    updated = []
    for number in changed:
        link = links[number]
        heads = [texts[rows[n][0]] for n in range(number - link.depth, number + 1)]
        after = rows[number - 1][1] if link.depth else None
        chained = chained_piece(heads, link.depth)
        updated.append(model(shape_id=rows[number][0], chained=chained, after=after, depth=link.depth, chain_crc=link.identity))
    model.objects.bulk_update(updated, ["chained", "after", "depth", "chain_crc"], batch_size=500)
    return len(updated)


def _json_safe(value: object) -> object:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _flat(geometry: GEOSGeometry) -> GEOSGeometry:
    """Drop Z/M (KML carries altitudes): the layer column is two-dimensional."""
    if not geometry.hasz:
        return geometry
    writer = WKBWriter()
    writer.outdim = 2
    return GEOSGeometry(writer.write(geometry), srid=geometry.srid)


def can_upload_layers(user: User) -> bool:
    return permissions.may_upload_layers(user)


def can_manage_layer(user: User, layer: ThematicLayer, *, may_upload: bool | None = None) -> bool:
    """IT administrators manage every layer; an agency's data-entry staff manage their agency's layers.

    ``may_upload``: ``can_upload_layers(user)`` when the caller already knows it (a list of layers asks once).
    """
    if may_upload is None:
        may_upload = can_upload_layers(user)
    # In memory (the rule of permissions.layer_change on one loaded row): a list of layers asks no query per layer.
    return may_upload and (permissions.is_it_admin(user) or layer.agency_id == user.agency_id)


@transaction.atomic
def layer_delete(*, layer: ThematicLayer, user: User) -> str:
    """Delete a layer and its features; recorded in the admin history (who, when, what). Returns its name."""
    permissions.require(user, "delete", layer)
    name, features = layer.name, layer.features.count()
    audit(user, layer, "delete", f"{features} features, agency {layer.agency.code}")
    layer.delete()
    return name


@transaction.atomic
def layer_create(
    *,
    name: str,
    agency: Agency,
    features: list[tuple[dict, GEOSGeometry]],
    user: User | None = None,
    visibility: str = LayerVisibility.INTERNAL,
    roles: Iterable[str] = (),
    colour: str = "#1f78b4",
    description: str = "",
    source_name: str = "",
) -> ThematicLayer:
    """Create a layer with its features in one transaction."""
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError(_("Unknown role(s): %(roles)s") % {"roles": ", ".join(sorted(unknown))}, code="unknown_role")
    if visibility == LayerVisibility.ROLES and not roles:
        raise ValidationError(_("Choose at least one role for a role-restricted layer."), code="no_roles")
    if not features:
        raise ValidationError(_("The file has no features with a geometry."), code="empty")
    layer = ThematicLayer(
        name=name,
        description=description,
        colour=colour,
        visibility=visibility,
        agency=agency,
        created_by=user,
        roles=f",{','.join(sorted(roles))}," if roles else "",
        source_name=source_name[:255],
    )
    layer.full_clean()
    layer.save()
    ThematicFeature.objects.bulk_create(
        [
            ThematicFeature(layer=layer, geom=_flat(geom), attributes={k: _json_safe(v) for k, v in attrs.items()})
            for attrs, geom in features
        ],
        batch_size=2000,
    )
    return layer


def read_layer_file(upload: UploadedFile) -> list[tuple[dict, GEOSGeometry]]:
    """Read an uploaded GeoJSON, KML or zipped Shapefile into (attributes, geometry) pairs, or raise ValidationError."""
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in LAYER_SUFFIXES:
        raise ValidationError(_("Unsupported file type: upload GeoJSON (.geojson), KML (.kml) or a zipped Shapefile (.zip)."), code="type")
    if upload.size > settings.POC_MAX_LAYER_BYTES:
        raise ValidationError(
            _("The file is too large (at most %(mb)d MB).") % {"mb": settings.POC_MAX_LAYER_BYTES // (1024 * 1024)}, code="too_large"
        )
    with tempfile.TemporaryDirectory() as tmp:
        # Our own file name: the uploaded name never reaches the file system or GDAL.
        path = Path(tmp) / f"upload{suffix}"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            rows = read_geodata(path, limits=GeodataLimits.for_layers())
        except GeodataError as exc:
            raise ValidationError(str(exc), code="unreadable") from exc
    problems = []
    features = []
    for ref, attributes, geometry in rows:
        if geometry is None or geometry.empty:
            problems.append(_("feature %(ref)s has no geometry") % {"ref": ref})
        elif not geometry.valid:
            problems.append(_("feature %(ref)s: invalid geometry (%(reason)s)") % {"ref": ref, "reason": geometry.valid_reason})
        else:
            features.append((attributes, geometry))
    if problems:
        raise ValidationError([_("Nothing was saved:"), *problems[:20]], code="invalid")
    return features


def layer_upload(
    *,
    upload: UploadedFile,
    user: User,
    name: str,
    visibility: str,
    roles: Iterable[str] = (),
    colour: str = "#1f78b4",
    description: str = "",
) -> ThematicLayer:
    """Create a layer of ``user``'s agency from an uploaded file; a bad file saves nothing."""
    permissions.require_gate(user, permissions.may_upload_layers, _("You may not upload map layers."))
    features = read_layer_file(upload)
    return layer_create(
        name=name,
        agency=user.agency,
        features=features,
        user=user,
        visibility=visibility,
        roles=roles,
        colour=colour,
        description=description,
        source_name=upload.name or "",
    )
