"""Each shape keeps its map feature compressed (alone and chained after its level's preceding features); a choropleth
strings those pieces together. The stored features follow every change of a boundary, a name or the children, a body
is a valid gzip member whose features are exactly the units as they are now, and the pieces join byte for byte."""

import gzip
import json
import math
import random
import zlib

import pytest
from django.core.cache import cache
from django.db import connection

from gis.deflate import GzipBuilder, Piece, crc32_combine, deflate_piece, inflate_piece
from gis.features import SLOT, TAIL, feature_head, value_slot
from gis.models import MapFeature, OrgUnitShape
from gis.selectors import _stored_heads, _stored_heads_postgresql, map_units, shapes_version
from poc.demo import generated_province_geojson
from poc.models import OrgUnit
from poc.orgunit_import import orgunits_import

pytestmark = pytest.mark.django_db
URL = "/gis/api/choropleth/"


@pytest.fixture
def imported(tmp_path):
    path = tmp_path / "province.geojson"
    generated_province_geojson(path)
    assert orgunits_import(path).ok
    return path


def _expected(level: int) -> list[dict]:
    """The features of ``level`` as the units and their simplified boundaries are now (no value selected)."""
    shapes = {s.orgunit_id: s.geojson for s in OrgUnitShape.objects.all()}
    return [
        {
            "type": "Feature",
            "id": unit.code,
            "geometry": json.loads(shapes[unit.pk]),
            "properties": {
                "code": unit.code,
                "name_th": unit.name_th,
                "name_en": unit.name_en,
                "level": unit.level,
                "has_children": unit.children.exists(),
                "value": None,
            },
        }
        for unit in OrgUnit.objects.filter(level=level).order_by("code")
    ]


def _features(client, **query) -> list[dict]:
    response = client.get(URL, {"level": 3, **query}, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and response["Content-Encoding"] == "gzip"
    return json.loads(gzip.decompress(response.content))["features"]  # gzip checks the combined CRC-32 and length


def _chains_hold() -> None:
    """Every stored chained feature decompresses, after the features it was chained after, to its own text."""
    features = list(MapFeature.objects.order_by("orgunit__level", "orgunit__code"))
    assert len(features) == OrgUnitShape.objects.count()  # one per boundary
    texts = {f.orgunit_id: inflate_piece(Piece(bytes(f.head), f.crc, f.size)) for f in features}
    for number, feature in enumerate(features):
        assert zlib.crc32(texts[feature.orgunit_id]) == feature.crc and len(texts[feature.orgunit_id]) == feature.size
        if not feature.depth:
            continue
        before = features[number - feature.depth : number]
        assert feature.after == before[-1].orgunit_id
        dictionary = b"".join(texts[f.orgunit_id] + b"\0" * SLOT + TAIL for f in before)[-32768:]
        inflater = zlib.decompressobj(-15, zdict=dictionary)
        assert inflater.decompress(bytes(feature.chained)) == texts[feature.orgunit_id]


def test_the_stored_features_are_the_units_and_follow_a_boundary_change(admin_client, imported):
    client = admin_client
    shape = OrgUnitShape.objects.select_related("orgunit", "feature").get(orgunit__code="990102")
    unit, feature = shape.orgunit, shape.feature
    assert inflate_piece(Piece(bytes(feature.head), feature.crc, feature.size)) == feature_head(
        unit.code, unit.name_th, unit.name_en, 3, False, shape.geojson
    )
    assert _features(client) == _expected(3)
    assert _features(client, parent="9902") == _expected(3)[5:10]
    _chains_hold()

    # 990102 loses its western half: the stored features carry the level's new simplified boundaries.
    data = json.loads(imported.read_text(encoding="utf-8"))
    [feature] = [f for f in data["features"] if f["properties"]["code"] == "990102"]
    ring = feature["geometry"]["coordinates"][0][0]
    west = ring[0][0]
    feature["geometry"]["coordinates"] = [[[[round(west + 0.05, 6) if x == west else x, y] for x, y in ring]]]
    imported.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    old = {f["id"]: f["geometry"] for f in _expected(3)}
    before = shapes_version()
    assert orgunits_import(imported).ok
    assert shapes_version() > before  # a new ETag: no cached body outlives the boundary
    shape = OrgUnitShape.objects.get(orgunit=unit)  # the level's shapes are simplified again together
    coordinates = json.loads(shape.geojson)["coordinates"]
    assert min(x for polygon in coordinates for ring in polygon for x, _y in ring) == pytest.approx(west + 0.05)
    features = _features(client)
    assert features == _expected(3)
    assert features[1]["geometry"] == json.loads(shape.geojson) != old["990102"]
    _chains_hold()


def test_renames_and_new_children_show_at_once_whatever_path_changed_them(admin_client, imported):
    client = admin_client
    _features(client)
    unit = OrgUnit.objects.get(code="990203")
    unit.name_th, unit.name_en = "ตำบลใหม่", "New Name"
    before = shapes_version()
    unit.save()  # the admin: the stored feature is rebuilt, the boundaries' version moves on
    assert shapes_version() > before
    assert MapFeature.objects.get(orgunit=unit).source.startswith("990203\x1fตำบลใหม่\x1fNew Name")
    features = _features(client)
    assert features == _expected(3) and features[7]["properties"]["name_th"] == "ตำบลใหม่"
    _chains_hold()

    # A bulk write that no signal follows (the ETag stays, a cached body lives out its minutes): a body built afresh
    # notices the stale features and builds them (their successors written alone).
    OrgUnit.objects.filter(code="990104").update(name_en="Renamed Quietly")
    OrgUnit.objects.bulk_create([OrgUnit(code="99040501", name_th="หมู่ 1", level=4, parent=OrgUnit.objects.get(code="990405"))])
    OrgUnit.objects.filter(code="99040501").update(path="99/9904/990405/99040501/")
    cache.clear()
    features = _features(client)
    assert features == _expected(3)
    assert features[3]["properties"]["name_en"] == "Renamed Quietly" and features[19]["properties"]["has_children"] is True


def test_a_body_of_stored_and_new_pieces_is_one_valid_gzip_member():
    texts = [f"feature {n} ".encode() * (n * 40 + 1) for n in range(30)]
    pieces = [deflate_piece(text) for text in texts]
    body, plain = GzipBuilder(), []
    for number, (text, piece) in enumerate(zip(texts, pieces, strict=True)):
        value = f"{number * 1.5}}}}},".encode()
        if number % 7 == 3:
            body.text(text)  # built per request: compressed or stored with its neighbours
        else:
            body.piece(piece)
        body.text(value)
        plain += [text, value]
    body.text(b"x" * 70_000)  # longer than one stored block
    plain.append(b"x" * 70_000)
    assert gzip.decompress(body.finish()) == b"".join(plain)
    assert crc32_combine(zlib.crc32(b"abc"), zlib.crc32(b"defgh"), 5) == zlib.crc32(b"abcdefgh")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-row read is PostgreSQL's")
def test_the_one_row_read_returns_what_the_row_by_row_read_does(imported):
    """PostgreSQL joins the features' records into one bytea; the row-by-row read (SpatiaLite's) is the reference: the
    same features, chains and stale units, for a level, a parent's children, a renamed unit and one without a feature."""
    OrgUnit.objects.filter(code="990104").update(name_en="Renamed Quietly")  # stale: its feature is built on the read
    MapFeature.objects.filter(orgunit__code="990202").delete()  # none stored
    units = OrgUnit.objects.get(code="9901")

    def read(function, queryset):
        heads, stale = function(queryset)
        return [(h.unit_id, h.crc, h.size, bytes(h.chained), h.after, h.depth) for h in heads], stale

    for queryset in (map_units(None, 3), map_units(units, None), map_units(None, 1), OrgUnit.objects.none()):
        assert read(_stored_heads_postgresql, queryset) == read(_stored_heads, queryset)
    heads, stale = read(_stored_heads_postgresql, map_units(None, 3))
    codes = dict(OrgUnit.objects.values_list("pk", "code"))
    assert [codes[pk] for pk in stale] == ["990104", "990202"]
    assert [codes[unit_id] for unit_id, *_rest in heads] == sorted(OrgUnit.objects.filter(level=3).values_list("code", flat=True))
    assert all(size and crc for unit_id, crc, size, *_rest in heads if unit_id not in stale)


def test_crc32_combine_and_empty_text():
    rng = random.Random(20)
    for _ in range(200):
        first, second = rng.randbytes(rng.randrange(0, 50)), rng.randbytes(rng.randrange(0, 5000))
        assert crc32_combine(zlib.crc32(first), zlib.crc32(second), len(second)) == zlib.crc32(first + second)
    body = GzipBuilder()
    body.text(b"")
    body.piece(deflate_piece(b"abc"))
    body.text(b"")
    assert gzip.decompress(body.finish()) == b"abc"


def test_value_slots_hold_exactly_the_json_of_the_values():
    values = [None, 0.0, -0.0, -1.5, 1234567.0, 1e16, 1.0000000000000002, 123456789012.5, 3, -7, 10**13, float("nan"), float("inf")]
    for value in values:
        expected = json.dumps(value if value is None or math.isfinite(value) else None).encode()
        data, fits = value_slot(value)
        assert fits == (len(expected) <= SLOT)
        assert data == (expected.ljust(SLOT) if fits else expected) + TAIL
