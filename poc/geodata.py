"""Read GeoJSON, KML and zipped Shapefiles as hostile files, for map layers and org-unit imports.

GDAL opens a file by its content, not by its name: an OGR VRT document called ``x.geojson`` reads
any local file, SQL over the portal's own database or a URL. So a file is accepted only when its
content is the format its name says, checked by our own parsers *before* any GDAL call, and GDAL then
opens it with that one driver only. On the way, every limit (unzipped bytes, features, vertices) is
counted while reading, so a small file that unfolds into a huge one stops early.
"""

from __future__ import annotations

import ctypes
import re
import shutil
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import ParseError

import ijson
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse
from django.conf import settings
from django.contrib.gis.gdal import DataSource, GDALException
from django.contrib.gis.gdal.driver import Driver
from django.contrib.gis.gdal.prototypes import ds as capi
from django.contrib.gis.geos import GEOSGeometry
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

MAX_ZIP_MEMBERS = 20
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
SHAPEFILE_MAGIC = struct.pack(">i", 9994)  # file code at the start of .shp and .shx
XINCLUDE = "{http://www.w3.org/2001/XInclude}"
# Named CRSs GDAL resolves from its own database; anything else could be a URL or a file name.
CRS_NAME = re.compile(r"^(urn:ogc:def:crs:(OGC:1\.3:CRS84|OGC::CRS84|EPSG:[\d.]*:\d{4,6})|EPSG:\d{4,6})$", re.IGNORECASE)
PRJ_WKT = re.compile(r"^\s*(PROJCS|GEOGCS|GEOCCS|COMPD_CS|LOCAL_CS|PROJCRS|GEOGCRS|GEODCRS|COMPOUNDCRS)\[")
CPG_NAME = re.compile(r"^[A-Za-z0-9_. -]{1,40}$")
GEOJSON_TYPES = {
    "FeatureCollection",
    "Feature",
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}


class GeodataError(ValueError):
    """The file as a whole is refused; the message says why and what to do."""


class GeoFormat(StrEnum):
    """Accepted formats, each the name of the only GDAL driver allowed to open it."""

    GEOJSON = "GeoJSON"
    KML = "KML"
    SHAPEFILE = "ESRI Shapefile"


SUFFIXES = {".geojson": GeoFormat.GEOJSON, ".json": GeoFormat.GEOJSON, ".kml": GeoFormat.KML, ".zip": GeoFormat.SHAPEFILE}


@dataclass(frozen=True)
class GeodataLimits:
    """What one file may hold, counted while reading; ``settings_names`` are the settings that set them (see README)."""

    max_bytes: int
    max_features: int
    max_vertices: int
    max_values: int
    settings_names: tuple[str, str, str, str]

    @classmethod
    def from_settings(cls, *names: str) -> GeodataLimits:
        return cls(*(getattr(settings, name) for name in names), settings_names=names)

    @classmethod
    def for_orgunits(cls) -> GeodataLimits:
        return cls.from_settings("POC_MAX_GEODATA_BYTES", "POC_MAX_GEODATA_FEATURES", "POC_MAX_GEODATA_VERTICES", "POC_MAX_GEODATA_VALUES")

    @classmethod
    def for_layers(cls) -> GeodataLimits:
        return cls.from_settings("POC_MAX_LAYER_UNZIPPED_BYTES", "POC_MAX_LAYER_FEATURES", "POC_MAX_LAYER_VERTICES", "POC_MAX_LAYER_VALUES")

    def too_many_bytes(self) -> GeodataError:
        return GeodataError(
            _(
                "The file is larger than %(limit)s (unzipped). Split it into smaller files, for example one per district, "
                "or ask the IT administrator to raise %(setting)s."
            )
            % {"limit": filesizeformat(self.max_bytes), "setting": self.settings_names[0]}
        )

    def check_features(self, count: int) -> None:
        if count > self.max_features:
            raise GeodataError(
                _(
                    "The file has more than %(limit)s features. Split it into smaller files, for example one per district, "
                    "or ask the IT administrator to raise %(setting)s."
                )
                % {"limit": f"{self.max_features:,}", "setting": self.settings_names[1]}
            )

    def check_vertices(self, count: int) -> None:
        if count > self.max_vertices:
            raise GeodataError(
                _(
                    "The file has more than %(limit)s vertices. Simplify the geometries (for example in QGIS: Vector › "
                    "Geometry Tools › Simplify) or split the file, or ask the IT administrator to raise %(setting)s."
                )
                % {"limit": f"{self.max_vertices:,}", "setting": self.settings_names[2]}
            )

    def check_values(self, count: int) -> None:
        """Attribute values (features × columns read): each costs GDAL and Python time, so many columns are a limit too."""
        if count > self.max_values:
            raise GeodataError(
                _(
                    "The file has more than %(limit)s attribute values (features × columns). Remove the columns you do not "
                    "need or split the file, or ask the IT administrator to raise %(setting)s."
                )
                % {"limit": f"{self.max_values:,}", "setting": self.settings_names[3]}
            )


def check_local_path(path: Path, limits: GeodataLimits) -> None:
    """Only an existing local file: no GDAL virtual file systems (``/vsi*``), URLs or driver prefixes."""
    text = str(path)
    if text.lower().startswith("/vsi") or "://" in text or re.match(r"^[A-Za-z_]{2,}:", text):
        raise GeodataError(_("Only local files can be imported."))
    if not path.is_file():
        raise GeodataError(_("File not found: %(path)s") % {"path": path})
    if path.stat().st_size > limits.max_bytes:
        raise limits.too_many_bytes()


def geo_format(path: Path) -> GeoFormat:
    try:
        return SUFFIXES[path.suffix.lower()]
    except KeyError:
        raise GeodataError(_("Unsupported file type: upload GeoJSON (.geojson), KML (.kml) or a zipped Shapefile (.zip).")) from None


# --- GeoJSON ----------------------------------------------------------------------------------


def _refuse_crs(crs: object) -> GeodataError:
    return GeodataError(
        _(
            "The GeoJSON names its coordinate system in a way we do not accept (%(crs)s): only a named CRS such as "
            "urn:ogc:def:crs:EPSG::4326 — never a link. Remove the “crs” member or save the file again as WGS 84."
        )
        % {"crs": str(crs)[:120]}
    )


def _check_crs(crs: dict) -> None:
    kind = str(crs.get("type", "")).lower()
    if kind == "name" and isinstance(crs.get("properties.name"), str) and CRS_NAME.match(crs["properties.name"]):
        return
    if kind == "epsg" and isinstance(crs.get("properties.code"), int):
        return
    raise _refuse_crs(crs or "{}")


CRS_MEMBERS = {("type",), ("properties", "name"), ("properties", "href"), ("properties", "code"), ("properties", "type")}
MAX_JSON_DEPTH = 64  # GeoJSON needs about 10 (a MultiPolygon in a collection); deeper is an attack on the parser
MAX_XML_DEPTH = 64  # KML folders nest, but not this deep


def _in_attributes(keys: list) -> bool:
    """Inside a feature's own properties: a key named "crs" there is data, not a coordinate system."""
    return (len(keys) > 1 and keys[0] == "properties") or (len(keys) > 3 and keys[0] == "features" and keys[2] == "properties")


def sniff_geojson(path: Path, limits: GeodataLimits) -> None:
    """Stream-parse the file as JSON: GeoJSON type at the top, only named CRSs, features and vertices counted.

    One pass over ijson's basic events, linear in the file (prefix strings would be quadratic in the nesting
    depth): ``keys`` holds, per open container, its current key (None in arrays). Most events are
    coordinates, so numbers take the shortest path.
    """
    features = vertices = 0
    after_number = False  # an array that held numbers is one position
    top_type: object = None
    keys: list = []
    crs_at: int | None = None  # index in ``keys`` of the "crs" member being read
    crs: dict = {}
    try:
        with path.open("rb") as handle:
            if handle.read(3) != b"\xef\xbb\xbf":  # Windows tools start UTF-8 with a byte-order mark; GDAL skips it too
                handle.seek(0)
            for event, value in ijson.basic_parse(handle, use_float=True):
                if event == "number":
                    after_number = True
                    if crs_at is not None:
                        crs_at = _crs_scalar(keys, crs_at, crs, value)
                    continue
                if event == "end_array":
                    if after_number:
                        vertices += 1
                        limits.check_vertices(vertices)
                    after_number = False
                    keys.pop()
                    continue
                after_number = False
                if event == "map_key":
                    keys[-1] = value
                    if value == "crs" and crs_at is None and not _in_attributes(keys):
                        crs_at, crs = len(keys) - 1, {}
                elif event == "start_map" or event == "start_array":
                    if crs_at is not None and (event == "start_array" or tuple(keys[crs_at + 1 :]) not in ((), ("properties",))):
                        raise _refuse_crs(keys[crs_at + 1 :])
                    if event == "start_map" and len(keys) == 2 and keys[0] == "features":
                        features += 1
                        limits.check_features(features)
                    keys.append(None)
                    if len(keys) > MAX_JSON_DEPTH:
                        raise GeodataError(_("The file is not GeoJSON: it is nested more than %(n)d levels deep.") % {"n": MAX_JSON_DEPTH})
                elif event == "end_map":
                    keys.pop()
                    if crs_at is not None and len(keys) - 1 == crs_at:
                        _check_crs(crs)
                        crs_at = None
                else:  # string, boolean, null
                    if len(keys) == 1 and keys[0] == "type":
                        top_type = value
                    if crs_at is not None:
                        crs_at = _crs_scalar(keys, crs_at, crs, value)
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        first_line = (str(exc).splitlines() or [""])[0][:200]  # yajl draws an arrow under the error on later lines
        raise GeodataError(_("The file is not valid JSON, so it cannot be GeoJSON: %(error)s") % {"error": first_line}) from exc
    if top_type not in GEOJSON_TYPES:
        raise GeodataError(_("The file is not GeoJSON: its “type” must be FeatureCollection, Feature or a geometry."))


def _crs_scalar(keys: list, crs_at: int, crs: dict, value: object) -> int | None:
    """Record one value inside a "crs" member; returns where the member still is (None once it ended)."""
    if len(keys) - 1 == crs_at:  # "crs": <value> itself
        if value is not None:
            raise _refuse_crs(value)
        return None
    member = tuple(keys[crs_at + 1 :])
    if member not in CRS_MEMBERS:
        raise _refuse_crs({".".join(map(str, member)): value})
    crs[".".join(member)] = value
    return crs_at


# --- KML --------------------------------------------------------------------------------------


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def sniff_kml(path: Path, limits: GeodataLimits) -> None:
    """Parse with defusedxml (no DTD, entities or external resources); refuse network links and XInclude."""
    features = vertices = 0
    names: list[str] = []
    try:
        for event, element in iterparse(str(path), events=("start", "end"), forbid_dtd=True):
            name = _local(element.tag)
            if event == "start":
                if not names and name != "kml":
                    raise GeodataError(_("The file is not KML: its root element must be <kml>."))
                if element.tag.startswith(XINCLUDE):
                    raise GeodataError(_("The KML file includes other files (XInclude), which we do not follow. Remove them."))
                if name in ("NetworkLink", "Link", "Url"):
                    raise GeodataError(
                        _("The KML file links to data elsewhere (NetworkLink), which we do not fetch. Save the data itself in the file.")
                    )
                names.append(name)
                if len(names) > MAX_XML_DEPTH:
                    raise GeodataError(_("The file is not KML: it is nested more than %(n)d levels deep.") % {"n": MAX_XML_DEPTH})
                continue
            names.pop()
            text = (element.text or "").strip()
            if name == "href" and text and not text.startswith("#") and "IconStyle" not in names:
                # Style icons are never read (GDAL's KML driver ignores styles); any other reference is refused.
                raise GeodataError(
                    _("The KML file refers to another file or address (%(href)s), which we do not follow. Remove the reference.")
                    % {"href": text[:120]}
                )
            if name == "coordinates":
                vertices += len(text.split())
                limits.check_vertices(vertices)
            elif name == "coord":  # gx:Track
                vertices += 1
                limits.check_vertices(vertices)
            elif name == "Placemark":
                features += 1
                limits.check_features(features)
                element.clear()  # keep memory flat: the placemark is counted
    except DefusedXmlException as exc:
        raise GeodataError(_("The KML file declares a DTD or entities, which we do not accept. Save it again without them.")) from exc
    except ParseError as exc:
        raise GeodataError(_("The file is not valid XML, so it cannot be KML: %(error)s") % {"error": str(exc)[:200]}) from exc
    if not features:
        raise GeodataError(_("The KML file has no placemarks."))


# --- Zipped Shapefile -------------------------------------------------------------------------


def _zip_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """Members that are files, without the metadata folder macOS adds; unsafe or foreign names refused."""
    members = [m for m in archive.infolist() if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
    if len(members) > MAX_ZIP_MEMBERS:
        raise GeodataError(_("The zip file holds too many files (at most %(n)d).") % {"n": MAX_ZIP_MEMBERS})
    for member in members:
        name = PurePosixPath(member.filename.replace("\\", "/"))
        if name.is_absolute() or ".." in name.parts or ":" in member.filename:
            raise GeodataError(_("The zip file contains an unsafe path: %(name)s") % {"name": member.filename})
        if name.suffix.lower() not in SHAPEFILE_PARTS:
            raise GeodataError(
                _("The zip file may hold only one Shapefile (.shp, .shx, .dbf, .prj, .cpg). Remove %(name)s and zip it again.")
                % {"name": member.filename}
            )
    return members


def _copy_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path, budget: int, limits: GeodataLimits) -> int:
    """Extract one member to ``target`` counting bytes; returns the bytes left in the budget."""
    with archive.open(member) as source, target.open("wb") as out:
        while chunk := source.read(1024 * 1024):
            budget -= len(chunk)
            if budget < 0:
                raise limits.too_many_bytes()
            out.write(chunk)
    return budget


def _check_shapefile_parts(folder: Path, limits: GeodataLimits) -> None:
    for part in ("layer.shp", "layer.shx"):
        with (folder / part).open("rb") as handle:
            if handle.read(4) != SHAPEFILE_MAGIC:
                raise GeodataError(_("%(part)s inside the zip is not a Shapefile.") % {"part": part[-4:]})
    # The index has a 100-byte header and 8 bytes per feature: the count is known before reading any.
    limits.check_features(max(0, ((folder / "layer.shx").stat().st_size - 100) // 8))
    prj = folder / "layer.prj"
    if prj.exists():
        text = prj.read_bytes()[:65536].decode("utf-8", "replace")
        if not PRJ_WKT.match(text) or "://" in text:
            raise GeodataError(_("The .prj file inside the zip is not a coordinate system in WKT. Remove it or export it again."))
    cpg = folder / "layer.cpg"
    if cpg.exists() and not CPG_NAME.match(cpg.read_bytes()[:64].decode("ascii", "replace").strip()):
        raise GeodataError(_("The .cpg file inside the zip does not name a character encoding. Remove it or export it again."))


def extract_shapefile(path: Path, folder: Path, limits: GeodataLimits) -> Path:
    """Check a zipped Shapefile and extract its parts as ``folder/layer.*`` (uploaded names never touch the disk)."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = _zip_members(archive)
            if sum(m.file_size for m in members) > limits.max_bytes:
                raise limits.too_many_bytes()
            by_suffix: dict[str, list[zipfile.ZipInfo]] = {}
            for member in members:
                by_suffix.setdefault(PurePosixPath(member.filename).suffix.lower(), []).append(member)
            if len(by_suffix.get(".shp", [])) != 1 or any(len(found) > 1 for found in by_suffix.values()):
                raise GeodataError(_("The zip file must hold exactly one layer (one .shp with its .shx and .dbf)."))
            stem = PurePosixPath(by_suffix[".shp"][0].filename).stem.lower()
            if any(PurePosixPath(m.filename).stem.lower() != stem for m in members) or not {".shx", ".dbf"} <= by_suffix.keys():
                raise GeodataError(_("The zip file must hold exactly one layer (one .shp with its .shx and .dbf)."))
            budget = limits.max_bytes
            for suffix, (member,) in by_suffix.items():
                # zipfile stops at each member's declared size; counting here also bounds the total.
                budget = _copy_member(archive, member, folder / f"layer{suffix}", budget, limits)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise GeodataError(_("Not a valid zip file.")) from exc
    except (RuntimeError, NotImplementedError) as exc:  # encrypted members, unknown compression
        raise GeodataError(_("The zip file is encrypted or uses an unsupported compression.")) from exc
    _check_shapefile_parts(folder, limits)
    return folder / "layer.shp"


# --- Reading through GDAL ---------------------------------------------------------------------


def open_vector(path: Path, driver: GeoFormat) -> DataSource:
    """Open ``path`` read-only with exactly one GDAL driver allowed (never VRT, never a network driver)."""
    Driver.ensure_registered()
    allowed = (ctypes.c_char_p * 2)(driver.value.encode(), None)
    try:
        pointer = capi.open_ds(str(path).encode(), capi.GDAL_OF_READONLY | capi.GDAL_OF_VECTOR, allowed, None, None)
    except GDALException as exc:
        raise GeodataError(_("Cannot read the file as geodata (%(format)s).") % {"format": driver.value}) from exc
    return DataSource(pointer, Driver(driver.value).ptr)


def _features(
    data_source: DataSource, target_srid: int, limits: GeodataLimits, columns: Collection[str] | None
) -> Iterator[tuple[str, dict, GEOSGeometry | None]]:
    count = vertices = values = 0
    for layer in data_source:
        fields = [name for name in layer.fields if columns is None or name.lower() in columns]
        for index, feature in enumerate(layer, start=1):
            count += 1
            values += len(fields)
            limits.check_features(count)
            limits.check_values(values)
            attributes = {name: feature.get(name) for name in fields}
            geometry = None
            ogr = feature.geom
            if ogr is not None:
                vertices += ogr.point_count
                limits.check_vertices(vertices)
                if ogr.srs is None:
                    ogr.srid = 4326
                if ogr.srid != target_srid:
                    ogr.transform(target_srid)
                geometry = ogr.geos
            yield f"#{index}", attributes, geometry


def read_geodata(
    path: Path, *, limits: GeodataLimits, target_srid: int = 4326, columns: Collection[str] | None = None
) -> list[tuple[str, dict, GEOSGeometry | None]]:
    """Features (ref, attributes, geometry in ``target_srid``) of a GeoJSON, KML or zipped Shapefile.

    ``columns``: the only attributes to read (lower-case names), or None for all of them.
    """
    check_local_path(path, limits)
    kind = geo_format(path)
    with tempfile.TemporaryDirectory() as tmp:
        if kind is GeoFormat.SHAPEFILE:
            source = extract_shapefile(path, Path(tmp), limits)
        else:
            # Our own name in our own folder: nothing the sender named reaches GDAL.
            source = Path(tmp) / f"layer{path.suffix.lower()}"
            shutil.copyfile(path, source)
            (sniff_geojson if kind is GeoFormat.GEOJSON else sniff_kml)(source, limits)
        data_source = open_vector(source, kind)
        try:
            return list(_features(data_source, target_srid, limits, columns))
        except GDALException as exc:
            raise GeodataError(_("Cannot read the file as geodata (%(format)s): %(error)s") % {"format": kind.value, "error": exc}) from exc
