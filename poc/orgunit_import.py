"""All-or-nothing import of an org-unit hierarchy from GeoJSON, zipped Shapefile, KML or CSV.

Files are treated as hostile: geodata is read by :mod:`poc.geodata` (content checked before GDAL,
one driver allowed, limits counted while reading), every feature validated before anything is written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from poc.geodata import GeodataError, GeodataLimits, check_local_path, read_geodata
from poc.maintenance import BULK_ROWS, vacuum_after_commit
from poc.models import OrgUnit, OrgUnitLevel
from poc.signals import orgunits_imported

LEVEL_NAMES = {
    "province": 1,
    "changwat": 1,
    "จังหวัด": 1,
    "district": 2,
    "amphoe": 2,
    "อำเภอ": 2,
    "subdistrict": 3,
    "tambon": 3,
    "ตำบล": 3,
    "village": 4,
    "muban": 4,
    "หมู่บ้าน": 4,
}
ALIASES = {
    "code": ("code", "geocode", "pcode"),
    "name_th": ("name_th", "name", "nameth"),
    "name_en": ("name_en", "nameen"),
    "parent_code": ("parent_code", "parent", "parentcode"),
    "level": ("level",),
    "area_km2": ("area_km2", "area"),
    "lat": ("lat", "latitude", "office_lat"),
    "lon": ("lon", "lng", "longitude", "office_lon"),
}


# The file as a whole cannot be read (the name callers of the import know).
OrgUnitFileError = GeodataError


@dataclass
class RawUnit:
    ref: str
    code: str
    name_th: str
    name_en: str
    parent_code: str
    level: int | None
    geom: MultiPolygon | None = None
    point: Point | None = None
    area_km2: float | None = None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def lines(self) -> list[str]:
        if not self.ok:
            rows = [_("Rejected %(n)d feature(s); nothing was changed:") % {"n": len(self.rejected)}]
            rows += [f"  {ref}: {reason}" for ref, reason in self.rejected]
            return rows
        rows = [_("Created %(c)d, updated %(u)d, unchanged %(s)d.") % {"c": self.created, "u": self.updated, "s": self.unchanged}]
        rows += [_("Repaired invalid geometry: %(ref)s") % {"ref": ref} for ref in self.repaired]
        return rows


def _pick(record: dict, key: str) -> str:
    lowered = {str(k).lower(): v for k, v in record.items()}
    for alias in ALIASES[key]:
        value = lowered.get(alias)
        if value not in (None, ""):
            text = str(value).strip()
            return text[:-2] if key == "code" and text.endswith(".0") else text
    return ""


def _parse_level(text: str) -> int | None:
    if not text:
        return None
    if text.isdigit() and int(text) in OrgUnitLevel.values:
        return int(text)
    return LEVEL_NAMES.get(text.lower(), -1)


def _to_multipolygon(geometry: GEOSGeometry) -> MultiPolygon | None:
    if isinstance(geometry, MultiPolygon):
        return geometry
    if isinstance(geometry, Polygon):
        return MultiPolygon(geometry, srid=geometry.srid)
    polygons = [g for g in getattr(geometry, "__iter__", lambda: iter(()))() if isinstance(g, (Polygon, MultiPolygon))]
    parts: list[Polygon] = []
    for item in polygons:
        parts.extend(item if isinstance(item, MultiPolygon) else [item])
    return MultiPolygon(*parts, srid=geometry.srid) if parts else None


def _read_csv(path: Path) -> list[tuple[str, dict, GEOSGeometry | None]]:
    check_local_path(path, GeodataLimits.for_orgunits())
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OrgUnitFileError(_("The CSV file must be UTF-8 encoded.")) from exc
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not any(f.lower() in ALIASES["code"] for f in reader.fieldnames):
        raise OrgUnitFileError(_("The CSV file needs a header row with at least: code, name_th, parent_code."))
    return [(_("row %(n)d") % {"n": n}, row, None) for n, row in enumerate(reader, start=2)]


def read_units(path: Path, fix_invalid: bool, report: ImportReport) -> list[RawUnit]:
    if path.suffix.lower() == ".csv":
        rows = _read_csv(path)
    else:  # only the columns we use: a file with hundreds of columns must not cost their reading
        columns = {alias for aliases in ALIASES.values() for alias in aliases}
        rows = read_geodata(path, limits=GeodataLimits.for_orgunits(), columns=columns)
    units: list[RawUnit] = []
    for ref, record, geometry in rows:
        code = _pick(record, "code").upper().removeprefix("TH") if _pick(record, "code") else ""
        name_th = _pick(record, "name_th") or _pick(record, "name_en")
        label = f"{ref} ({code})" if code else ref
        if not code:
            report.rejected.append((label, _("missing code")))
            continue
        if not name_th:
            report.rejected.append((label, _("missing name")))
            continue
        level = _parse_level(_pick(record, "level"))
        if level == -1:
            report.rejected.append((label, _("unknown level %(level)s") % {"level": _pick(record, "level")}))
            continue
        unit = RawUnit(label, code, name_th, _pick(record, "name_en"), _pick(record, "parent_code").removeprefix("TH"), level)
        area = _pick(record, "area_km2")
        try:
            unit.area_km2 = float(area) if area else None
            lat, lon = _pick(record, "lat"), _pick(record, "lon")
            if lat and lon:
                unit.point = Point(float(lon), float(lat), srid=4326)
        except ValueError:
            report.rejected.append((label, _("area or coordinates are not numbers")))
            continue
        if geometry is not None:
            if isinstance(geometry, Point):
                unit.point = geometry
            else:
                if not geometry.valid:
                    if not fix_invalid:
                        report.rejected.append((label, _("invalid geometry: %(reason)s") % {"reason": geometry.valid_reason}))
                        continue
                    geometry = geometry.make_valid()
                    report.repaired.append(label)
                multipolygon = _to_multipolygon(geometry)
                if multipolygon is None or multipolygon.empty:
                    report.rejected.append((label, _("geometry is not a polygon or point")))
                    continue
                unit.geom = multipolygon
                unit.point = unit.point or multipolygon.point_on_surface
        units.append(unit)
    return units


def _resolve(units: list[RawUnit], report: ImportReport) -> list[RawUnit]:
    """Check codes, parents and levels; return units ordered parents-first."""
    by_code: dict[str, RawUnit] = {}
    for unit in units:
        if unit.code in by_code:
            report.rejected.append((unit.ref, _("duplicate code %(code)s in the file") % {"code": unit.code}))
        by_code[unit.code] = unit
    parent_codes = {u.parent_code for u in units if u.parent_code and u.parent_code not in by_code}
    existing_parents = dict(OrgUnit.objects.filter(code__in=parent_codes).values_list("code", "level"))
    levels: dict[str, int] = {}

    def level_of(unit: RawUnit, seen: frozenset = frozenset()) -> int | None:
        if unit.code in levels:
            return levels[unit.code]
        if unit.code in seen:
            return None
        if not unit.parent_code:
            parent_level = 0
        elif unit.parent_code in by_code:
            parent_level = level_of(by_code[unit.parent_code], seen | {unit.code})
        else:
            parent_level = existing_parents.get(unit.parent_code)
        if parent_level is None:
            return None
        levels[unit.code] = unit.level or parent_level + 1
        return levels[unit.code]

    ordered = []
    for unit in units:
        level = level_of(unit)
        if level is None:
            report.rejected.append((unit.ref, _("unknown parent code %(code)s") % {"code": unit.parent_code}))
            continue
        parent_level = 0
        if unit.parent_code:
            parent = by_code.get(unit.parent_code)
            parent_level = levels.get(parent.code, 0) if parent else existing_parents[unit.parent_code]
        if level <= parent_level or level not in OrgUnitLevel.values:
            report.rejected.append((unit.ref, _("level %(level)s does not fit below its parent") % {"level": level}))
            continue
        unit.level = level
        ordered.append(unit)
    return sorted(ordered, key=lambda u: (u.level, u.code))


def _differs(old: object, new: object) -> bool:
    if isinstance(old, GEOSGeometry) and isinstance(new, GEOSGeometry):
        return not old.equals_exact(new, 1e-9)
    return old != new


FIELDS = ("name_th", "name_en", "level", "geom", "point", "area_km2")


def _apply(units: list[RawUnit], report: ImportReport) -> list[int]:
    """Write the units; returns the ids of those created or changed."""
    existing = OrgUnit.objects.in_bulk([u.code for u in units] + [u.parent_code for u in units if u.parent_code], field_name="code")
    moved: list[tuple[str, OrgUnit]] = []
    touched: list[str] = []
    for level in sorted({u.level for u in units}):
        to_create, to_update = [], []
        for unit in (u for u in units if u.level == level):
            parent = existing.get(unit.parent_code) if unit.parent_code else None
            current = existing.get(unit.code)
            if current is None:
                obj = OrgUnit(code=unit.code, parent=parent, **{f: getattr(unit, f) for f in FIELDS})
                obj.path = obj.build_path()
                to_create.append(obj)
                continue
            changed = current.parent_id != (parent.pk if parent else None)
            for name in FIELDS:
                new = getattr(unit, name)
                if name in ("geom", "point", "area_km2") and new is None:
                    continue  # a CSV without geometry keeps the stored boundary
                if _differs(getattr(current, name), new):
                    setattr(current, name, new)
                    changed = True
            if not changed:
                report.unchanged += 1
                continue
            old_path = current.path
            current.parent = parent
            current.path = current.build_path()
            if current.path != old_path:
                moved.append((old_path, current))
            to_update.append(current)
        for obj in OrgUnit.objects.bulk_create(to_create, batch_size=2000):
            existing[obj.code] = obj
        touched += [obj.code for obj in to_create] + [obj.code for obj in to_update]
        OrgUnit.objects.bulk_update(to_update, ["parent", "path", *FIELDS], batch_size=2000)
        report.created += len(to_create)
        report.updated += len(to_update)
    for old_path, unit in moved:  # re-root the descendants of units that changed parent
        OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=unit.pk).update(
            path=Concat(Value(unit.path), Substr("path", len(old_path) + 1))
        )
    # SQLite's bulk_create does not return primary keys.
    return list(OrgUnit.objects.filter(code__in=touched).values_list("pk", flat=True))


def orgunits_import(path: Path | str, *, fix_invalid: bool = False) -> ImportReport:
    """Import or update org units from ``path``; nothing changes unless every feature is accepted."""
    report = ImportReport()
    units = read_units(Path(path), fix_invalid, report)
    ordered = _resolve(units, report)
    if report.rejected:
        report.repaired.clear()
        return report
    with transaction.atomic():
        orgunit_ids = _apply(ordered, report)
        if orgunit_ids:
            orgunits_imported.send(sender=OrgUnit, orgunit_ids=orgunit_ids)
        if len(orgunit_ids) >= BULK_ROWS:  # a country's hierarchy: its pages marked visible, its statistics recorded
            vacuum_after_commit(OrgUnit)
    return report
