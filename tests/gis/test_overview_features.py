"""Country-wide maps of a level with thousands of units draw borders generalised for that view: built with the detailed
ones for levels of more than ``POC_MAP_OVERVIEW_ABOVE`` boundaries, one coverage per level (neighbours still share their
border), stored as features of their own, drawn on maps without a parent, current after a rename, and left aside
until built on a database migrated without them."""

import gzip
import json
import zlib

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core.cache import cache
from django.db import connection

from gis.deflate import Piece, inflate_piece
from gis.features import SLOT, TAIL
from gis.models import OVERVIEW, OVERVIEW_TOLERANCE, MapFeature, OrgUnitShape, OverviewFeature
from gis.selectors import _stored_heads, _stored_heads_postgresql, map_units
from gis.services import shapes_refresh
from poc.models import OrgUnit, OrgUnitLevel

pytestmark = pytest.mark.django_db
URL = "/gis/api/choropleth/"
# A border's zigzag, teeth 0.02° apart: each tooth's triangle (1e-5 square degrees) outweighs the subdistricts' own
# tolerance (0.0015°, squared: the coverage simplifier weighs areas) and not the overview's (0.005°).
AMPLITUDE = 0.001


def _zigzag_border(x: float, south: float, north: float, teeth: int = 20) -> list[tuple[float, float]]:
    """Points from south to north along longitude ``x``, swinging east and west by AMPLITUDE."""
    step = (north - south) / teeth
    return [(x + (AMPLITUDE if n % 2 else 0.0), south + n * step) for n in range(teeth + 1)]


@pytest.fixture
def zigzag(settings):
    """Province 98 → district 9801 → subdistricts 980101 (west) and 980102 (east), split by a zigzag border; a level of
    more than one boundary counts as "thousands" here (two subdistricts; one district)."""
    settings.POC_MAP_OVERVIEW_ABOVE = 1
    west, east, south, north, middle = 100.0, 100.2, 12.0, 12.2, 100.1
    border = _zigzag_border(middle, south, north)
    outline = Polygon(((west, south), (east, south), (east, north), (west, north), (west, south)))
    province = OrgUnit.objects.create(
        code="98", name_th="จังหวัดซิกแซก", name_en="Zigzag", level=OrgUnitLevel.PROVINCE, geom=MultiPolygon(outline)
    )
    district = OrgUnit.objects.create(
        code="9801",
        name_th="อำเภอซิกแซก",
        name_en="Zigzag District",
        level=OrgUnitLevel.DISTRICT,
        parent=province,
        geom=MultiPolygon(outline),
    )
    west_ring = [(west, south), *border, (west, north), (west, south)]
    east_ring = [(east, south), (east, north), *reversed(border), (east, south)]
    for code, ring in (("980101", west_ring), ("980102", east_ring)):
        OrgUnit.objects.create(
            code=code,
            name_th=f"ตำบล {code}",
            name_en=f"Subdistrict {code}",
            level=OrgUnitLevel.SUBDISTRICT,
            parent=district,
            geom=MultiPolygon(Polygon(ring)),
        )
    shapes_refresh()
    return province


def _points(geojson: str) -> int:
    return sum(len(ring) for polygon in json.loads(geojson)["coordinates"] for ring in polygon)


def _body(client, **query) -> dict:
    response = client.get(URL, {"level": 3, **query}, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    return json.loads(gzip.decompress(response.content))  # gzip checks the combined CRC-32 and length


def test_levels_drawn_finer_than_the_overview_are_generalised_as_one_coverage(zigzag):
    shapes = {s.orgunit.code: s for s in OrgUnitShape.objects.select_related("orgunit")}
    assert shapes["98"].tolerance == OVERVIEW_TOLERANCE and shapes["98"].geom_overview is None  # already that coarse
    assert shapes["98"].overview_geojson == "" and not OverviewFeature.objects.filter(orgunit__code="98").exists()
    west, east = shapes["980101"], shapes["980102"]
    for shape in (west, east):
        assert _points(shape.overview_geojson) < _points(shape.geojson)  # the zigzag is gone
        assert json.loads(shape.overview_geojson)["type"] == "MultiPolygon"
    assert _points(west.geojson) >= 20  # kept at the subdistricts' own tolerance
    # One coverage: the generalised neighbours neither overlap nor leave a gap between them.
    assert west.geom_overview.intersection(east.geom_overview).area == pytest.approx(0, abs=1e-12)
    union = west.geom_overview.union(east.geom_overview)
    assert union.area == pytest.approx(0.04, rel=1e-9) and union.geom_type == "Polygon" and union.num_interior_rings == 0
    stored = {f.orgunit.code: f for f in OverviewFeature.objects.select_related("orgunit")}
    assert set(stored) == {"980101", "980102"}  # the one district is not "thousands"
    assert shapes["9801"].overview_geojson == "" and shapes["9801"].geom_overview is None
    text = inflate_piece(Piece(bytes(stored["980101"].head), 0, 0))
    assert json.dumps(json.loads(west.overview_geojson), separators=(",", ":")).encode() in text.replace(b", ", b",")
    assert zlib.crc32(text) == stored["980101"].crc and len(text) == stored["980101"].size
    # chained after its predecessor in code order, as the detailed features are
    first = inflate_piece(Piece(bytes(stored["980101"].head), 0, 0))
    assert stored["980102"].depth == 1 and stored["980102"].after == stored["980101"].orgunit_id
    inflater = zlib.decompressobj(-15, zdict=first + b"\0" * SLOT + TAIL)
    assert inflater.decompress(bytes(stored["980102"].chained)) == inflate_piece(Piece(bytes(stored["980102"].head), 0, 0))


def test_a_country_wide_map_draws_the_overview_and_a_unit_s_parts_the_detail(admin_client, zigzag):
    shapes = {s.orgunit.code: s for s in OrgUnitShape.objects.select_related("orgunit")}
    overview = _body(admin_client)  # level 3, no parent: the whole country's subdistricts
    assert overview["meta"]["overview"] is True
    assert {f["id"]: f["geometry"] for f in overview["features"]} == {
        c: json.loads(shapes[c].overview_geojson) for c in ("980101", "980102")
    }
    detailed = _body(admin_client, parent="98")  # the same units as a province's parts
    assert detailed["meta"]["overview"] is False
    assert {f["id"]: f["geometry"] for f in detailed["features"]} == {c: json.loads(shapes[c].geojson) for c in ("980101", "980102")}
    assert [f["properties"] for f in overview["features"]] == [f["properties"] for f in detailed["features"]]
    districts = _body(admin_client, level=2)  # a level without generalised borders
    assert districts["meta"]["overview"] is False
    assert districts["features"][0]["geometry"] == json.loads(shapes["9801"].geojson)


def test_levels_of_fewer_boundaries_than_the_setting_get_none(admin_client, zigzag, settings):
    settings.POC_MAP_OVERVIEW_ABOVE = 2  # two subdistricts are not more than two
    shapes_refresh()
    assert not OverviewFeature.objects.exists() and not OrgUnitShape.objects.exclude(overview_geojson="").exists()
    body = _body(admin_client)
    assert body["meta"]["overview"] is False
    shapes = {s.orgunit.code: s.geojson for s in OrgUnitShape.objects.select_related("orgunit")}
    assert {f["id"]: f["geometry"] for f in body["features"]} == {c: json.loads(shapes[c]) for c in ("980101", "980102")}


def test_a_renamed_unit_shows_its_new_name_in_the_overview(admin_client, zigzag):
    unit = OrgUnit.objects.get(code="980102")
    unit.name_en = "Renamed East"
    unit.save()
    assert OverviewFeature.objects.get(orgunit=unit).source.split("\x1f")[2] == "Renamed East"
    features = _body(admin_client)["features"]
    assert [f["properties"]["name_en"] for f in features] == ["Subdistrict 980101", "Renamed East"]
    # renamed behind the services' back (a raw update): the read compares and builds that one feature on the spot
    OrgUnit.objects.filter(pk=unit.pk).update(name_en="Quietly Renamed")
    units = map_units(None, 3)
    heads, stale = (_stored_heads_postgresql if connection.vendor == "postgresql" else _stored_heads)(units, OVERVIEW)
    assert stale == [unit.pk] and [h.unit_id for h in heads] == sorted(h.unit_id for h in heads)
    cache.clear()  # no version moved: the body built before is kept under the same ETag
    features = _body(admin_client)["features"]
    assert features[1]["properties"]["name_en"] == "Quietly Renamed"
    assert features[1]["geometry"] == json.loads(OrgUnitShape.objects.get(orgunit=unit).overview_geojson)


def test_without_stored_overview_features_maps_keep_the_detailed_ones(admin_client, zigzag):
    """A database migrated before the overview existed has none until simplify_boundaries runs."""
    OverviewFeature.objects.all().delete()
    OrgUnitShape.objects.update(geom_overview=None, overview_geojson="")
    body = _body(admin_client)
    assert body["meta"]["overview"] is False
    shapes = {s.orgunit.code: s.geojson for s in OrgUnitShape.objects.select_related("orgunit")}
    assert {f["id"]: f["geometry"] for f in body["features"]} == {c: json.loads(shapes[c]) for c in ("980101", "980102")}
    assert MapFeature.objects.count() == 4
