"""Limits on geodata files (unzipped bytes, features, vertices), counted while reading, each with a Thai message."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from gis.models import ThematicLayer
from gis.services import layer_upload
from poc import geodata
from poc.geodata import SHAPEFILE_MAGIC
from poc.models import OrgUnit
from poc.orgunit_import import OrgUnitFileError, orgunits_import

pytestmark = pytest.mark.django_db


def points(n: int) -> dict:
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"n": i}, "geometry": {"type": "Point", "coordinates": [100 + i / 1000, 12.0]}}
            for i in range(n)
        ],
    }


def circle(vertices: int) -> dict:
    """One polygon ring of ``vertices`` positions (the first repeated at the end)."""
    import math

    ring = [
        [100 + math.cos(2 * math.pi * i / (vertices - 1)) / 10, 12 + math.sin(2 * math.pi * i / (vertices - 1)) / 10]
        for i in range(vertices - 1)
    ]
    ring.append(ring[0])
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    return {"type": "FeatureCollection", "features": [feature]}


def as_kml(collection: dict) -> bytes:
    placemarks = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        if geometry["type"] == "Point":
            x, y = geometry["coordinates"]
            placemarks.append(f"<Placemark><Point><coordinates>{x},{y}</coordinates></Point></Placemark>")
        else:
            text = " ".join(f"{x},{y}" for x, y in geometry["coordinates"][0])
            placemarks.append(
                f"<Placemark><Polygon><outerBoundaryIs><LinearRing><coordinates>{text}</coordinates></LinearRing>"
                "</outerBoundaryIs></Polygon></Placemark>"
            )
    return f'<kml xmlns="http://www.opengis.net/kml/2.2"><Document>{"".join(placemarks)}</Document></kml>'.encode()


def as_zipped_shapefile(collection: dict, tmp_path: Path) -> bytes:
    source = tmp_path / "source.geojson"
    source.write_text(json.dumps(collection), encoding="utf-8")
    folder = tmp_path / "shp"
    folder.mkdir(exist_ok=True)
    subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", str(folder / "data.shp"), str(source)], check=True)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, part.name)
    return archive.getvalue()


def encode(kind: str, collection: dict, tmp_path: Path) -> tuple[str, bytes]:
    if kind == "geojson":
        return "data.geojson", json.dumps(collection).encode()
    if kind == "kml":
        return "data.kml", as_kml(collection)
    return "data.zip", as_zipped_shapefile(collection, tmp_path)


def upload(user, name: str, content: bytes):
    return layer_upload(upload=SimpleUploadedFile(name, content), user=user, name="x", visibility="internal")


@pytest.mark.parametrize("kind", ["geojson", "kml", "shapefile"])
def test_features_over_the_limit_are_refused_before_gdal_reads_them(entry_a, tmp_path, settings, monkeypatch, kind, en):
    settings.POC_MAX_LAYER_FEATURES = 10
    name, content = encode(kind, points(11), tmp_path)
    monkeypatch.setattr(geodata, "open_vector", lambda *args: pytest.fail("GDAL was asked to read a file over the limit"))
    with pytest.raises(ValidationError) as caught:
        upload(entry_a, name, content)
    assert caught.value.messages == [
        "The file has more than 10 features. Split it into smaller files, for example one per district, "
        "or ask the IT administrator to raise POC_MAX_LAYER_FEATURES."
    ]
    assert not ThematicLayer.objects.exists()


@pytest.mark.parametrize("kind", ["geojson", "kml", "shapefile"])
def test_a_file_at_the_limits_is_accepted(entry_a, tmp_path, settings, kind):
    settings.POC_MAX_LAYER_FEATURES, settings.POC_MAX_LAYER_VERTICES = 10, 10
    layer = upload(entry_a, *encode(kind, points(10), tmp_path))
    assert layer.features.count() == 10


@pytest.mark.parametrize("kind", ["geojson", "kml", "shapefile"])
def test_vertices_over_the_limit_are_refused(entry_a, tmp_path, settings, kind, en):
    settings.POC_MAX_LAYER_VERTICES = 100
    name, content = encode(kind, circle(101), tmp_path)
    with pytest.raises(ValidationError, match=r"more than 100 vertices\. Simplify .* POC_MAX_LAYER_VERTICES"):
        upload(entry_a, name, content)
    assert upload(entry_a, *encode(kind, circle(100), tmp_path)).features.count() == 1


def test_a_zip_bomb_is_refused_by_its_unzipped_size(entry_a, settings, monkeypatch, en):
    settings.POC_MAX_LAYER_UNZIPPED_BYTES = 1024 * 1024
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("layer.shp", SHAPEFILE_MAGIC + bytes(2 * 1024 * 1024))
        zf.writestr("layer.shx", SHAPEFILE_MAGIC + bytes(96))
        zf.writestr("layer.dbf", b"\x03")
    assert len(archive.getvalue()) < 10_000
    monkeypatch.setattr(geodata, "_copy_member", lambda *args: pytest.fail("a member was extracted"))
    with pytest.raises(ValidationError) as caught:
        upload(entry_a, "bomb.zip", archive.getvalue())
    assert caught.value.messages == [
        "The file is larger than 1.0\xa0MB (unzipped). Split it into smaller files, for example one per district, "
        "or ask the IT administrator to raise POC_MAX_LAYER_UNZIPPED_BYTES."
    ]


def test_extraction_stops_at_the_budget_even_if_sizes_were_not_checked_first(tmp_path, en):
    """The byte count while extracting is a second guard behind the declared sizes."""
    limits = geodata.GeodataLimits(1000, 10, 10, 10, settings_names=("POC_MAX_LAYER_UNZIPPED_BYTES", "F", "V", "A"))
    archive_path = tmp_path / "a.zip"
    with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("layer.shp", SHAPEFILE_MAGIC + bytes(5000))
    with zipfile.ZipFile(archive_path) as zf, pytest.raises(geodata.GeodataError, match=r"larger than 1000.bytes"):
        geodata._copy_member(zf, zf.infolist()[0], tmp_path / "out.shp", limits.max_bytes, limits)
    assert (tmp_path / "out.shp").stat().st_size <= 1000


def test_a_zipped_geojson_is_refused_whatever_its_size(entry_a, en):
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("huge.geojson", json.dumps(points(3)))
    with pytest.raises(ValidationError, match=r"only one Shapefile .* Remove huge\.geojson"):
        upload(entry_a, "huge.zip", archive.getvalue())


def test_limit_messages_are_thai_on_the_layer_page(client, entry_a, settings):
    settings.POC_MAX_LAYER_FEATURES = 2
    client.force_login(entry_a)
    file = SimpleUploadedFile("many.geojson", json.dumps(points(3)).encode())
    response = client.post("/gis/layers/", {"file": file, "name": "x", "colour": "#123456", "visibility": "internal"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "ไฟล์มีมากกว่า 2 รายการ (feature) กรุณาแบ่งเป็นไฟล์เล็กลง" in body and "POC_MAX_LAYER_FEATURES" in body
    assert not ThematicLayer.objects.exists()


def test_orgunit_import_has_its_own_limits(tmp_path, settings, en):
    settings.POC_MAX_GEODATA_FEATURES = 2
    square = [[[100.0, 12.0], [100.1, 12.0], [100.1, 12.1], [100.0, 12.1], [100.0, 12.0]]]
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name_th": code, "parent_code": parent},
            "geometry": {"type": "Polygon", "coordinates": square},
        }
        for code, parent in (("88", ""), ("8801", "88"), ("8802", "88"))
    ]
    path = tmp_path / "units.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    with pytest.raises(OrgUnitFileError, match=r"more than 2 features.*POC_MAX_GEODATA_FEATURES"):
        orgunits_import(path)
    assert OrgUnit.objects.count() == 0
    settings.POC_MAX_GEODATA_FEATURES = 3
    assert orgunits_import(path).created == 3


def test_deeply_nested_json_is_refused_at_once(entry_a, en):
    """Five million nested brackets (10 MB) once cost time quadratic in the depth; now the parser stops at level 64."""
    depth = 5_000_000
    content = b'{"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"coordinates": '
    content += b"[" * depth + b"]" * depth + b"}}]}"
    with pytest.raises(ValidationError, match="nested more than 64 levels deep"):
        upload(entry_a, "deep.geojson", content)


def test_deeply_nested_kml_is_refused_at_once(entry_a, en):
    content = b'<kml xmlns="http://www.opengis.net/kml/2.2">' + b"<Folder>" * 100_000 + b"</Folder>" * 100_000 + b"</kml>"
    with pytest.raises(ValidationError, match="nested more than 64 levels deep"):
        upload(entry_a, "deep.kml", content)


def test_attribute_values_over_the_limit_are_refused(entry_a, settings, en):
    """Features × columns: 3 features of 4 columns are 12 values."""
    settings.POC_MAX_LAYER_VALUES = 11
    collection = points(3)
    for feature in collection["features"]:
        feature["properties"].update({"a": 1, "b": "x", "c": 2.5})
    with pytest.raises(ValidationError, match=r"more than 11 attribute values \(features × columns\).*POC_MAX_LAYER_VALUES"):
        upload(entry_a, "wide.geojson", json.dumps(collection).encode())
    settings.POC_MAX_LAYER_VALUES = 12
    layer = upload(entry_a, "wide.geojson", json.dumps(collection).encode())
    assert layer.features.get(attributes__n=2).attributes == {"n": 2, "a": 1, "b": "x", "c": 2.5}


def test_orgunit_import_reads_only_the_columns_it_uses(tmp_path, settings):
    settings.POC_MAX_GEODATA_VALUES = 3 * 8  # eight known columns per feature at most; the 500 others are never read
    square = [[[100.0, 12.0], [100.1, 12.0], [100.1, 12.1], [100.0, 12.1], [100.0, 12.0]]]
    extra = {f"column_{i}": i for i in range(500)}
    features = [
        {
            "type": "Feature",
            "properties": {"code": code, "name_th": code, "parent_code": parent, **extra},
            "geometry": {"type": "Polygon", "coordinates": square},
        }
        for code, parent in (("88", ""), ("8801", "88"), ("8802", "88"))
    ]
    path = tmp_path / "units.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    assert orgunits_import(path).created == 3


def _patched_zip(path: Path, *, flag: int = 0, method: int | None = None) -> None:
    """A shapefile zip whose members claim encryption (general-purpose flag bit 0) or an unknown compression method."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("layer.shp", SHAPEFILE_MAGIC + bytes(96))
        zf.writestr("layer.shx", SHAPEFILE_MAGIC + bytes(96))
        zf.writestr("layer.dbf", b"\x03" + bytes(31))
    data = bytearray(path.read_bytes())
    for signature, flag_at, method_at in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        start = data.find(signature)
        while start != -1:
            data[start + flag_at] |= flag
            if method is not None:
                data[start + method_at : start + method_at + 2] = method.to_bytes(2, "little")
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("patch", [{"flag": 1}, {"method": 99}], ids=["encrypted", "unknown-compression"])
def test_an_encrypted_or_unreadable_zip_is_a_message_not_a_crash(tmp_path, patch, en):
    path = tmp_path / "layer.zip"
    _patched_zip(path, **patch)
    with pytest.raises(geodata.GeodataError) as caught:
        geodata.extract_shapefile(path, tmp_path / "out", geodata.GeodataLimits.for_layers())
    assert str(caught.value) == "The zip file is encrypted or uses an unsupported compression."
    assert not (tmp_path / "out" / "layer.shp").exists()
