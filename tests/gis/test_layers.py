import io
import json
import shutil
import subprocess
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from gis.models import LayerVisibility, ThematicFeature, ThematicLayer
from gis.services import layer_create, layer_upload

pytestmark = pytest.mark.django_db

MIXED = {
    "type": "FeatureCollection",
    "features": [
        {"type": "Feature", "properties": {"name": "บ่อน้ำ 1", "depth_m": 12}, "geometry": {"type": "Point", "coordinates": [100.05, 12.05]}},
        {
            "type": "Feature",
            "properties": {"name": "คลอง"},
            "geometry": {"type": "LineString", "coordinates": [[100.0, 12.0], [100.2, 12.2]]},
        },
        {
            "type": "Feature",
            "properties": {"name": "ป่า"},
            "geometry": {"type": "Polygon", "coordinates": [[[100.0, 12.0], [100.1, 12.0], [100.1, 12.1], [100.0, 12.0]]]},
        },
    ],
}
KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark><name>จุดระบาด 1</name><description>ไก่ 300 ตัว</description><Point><coordinates>100.05,12.05,0</coordinates></Point></Placemark>
<Placemark><name>จุดระบาด 2</name><Point><coordinates>100.15,12.1,0</coordinates></Point></Placemark>
</Document></kml>"""


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def do_upload(user, file, **kwargs):
    return layer_upload(
        upload=file, user=user, name=kwargs.pop("name", "ชั้นข้อมูล"), visibility=kwargs.pop("visibility", "internal"), **kwargs
    )


def test_geojson_with_points_lines_and_polygons_keeps_attributes(entry_a):
    layer = do_upload(entry_a, upload("water.geojson", json.dumps(MIXED).encode()), colour="#ff0000")
    assert layer.agency == entry_a.agency and layer.created_by == entry_a
    kinds = sorted(f.geom.geom_type for f in layer.features.all())
    assert kinds == ["LineString", "Point", "Polygon"]
    assert layer.features.get(attributes__name="บ่อน้ำ 1").attributes["depth_m"] == 12


@pytest.mark.skipif(shutil.which("ogr2ogr") is None, reason="ogr2ogr not installed")
def test_zipped_shapefile_made_with_ogr2ogr(entry_a, tmp_path):
    source = tmp_path / "points.geojson"
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [MIXED["features"][0]]}), encoding="utf-8")
    subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", "-lco", "ENCODING=UTF-8", str(tmp_path / "wells.shp"), str(source)], check=True)
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        for part in tmp_path.glob("wells.*"):
            zf.write(part, part.name)
    layer = do_upload(entry_a, upload("wells.zip", archive.getvalue()))
    feature = layer.features.get()
    assert feature.geom.geom_type == "Point" and feature.attributes["name"] == "บ่อน้ำ 1"


def test_kml_points_drop_altitude(entry_a):
    layer = do_upload(entry_a, upload("outbreaks.kml", KML.encode()))
    features = list(layer.features.order_by("pk"))
    assert len(features) == 2 and not features[0].geom.hasz
    assert features[0].attributes["Name"] == "จุดระบาด 1"


def zip_with(name: str, content: bytes) -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(name, content)
    return archive.getvalue()


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (("broken.geojson", b'{"type": "FeatureCollection", "features": [{"type": '), "not valid JSON"),
        (("layer.exe", b"MZ\x90\x00"), "Unsupported file type"),
        (("layer.zip", b"PK\x03\x04 not really a zip"), "Not a valid zip"),
        (("evil.zip", zip_with("../../evil.geojson", json.dumps(MIXED).encode())), "unsafe path"),
        (("readme.zip", zip_with("a/readme.txt", b"hello")), "may hold only one Shapefile"),
        (("two.zip", zip_with("a.shp", b"x") + b""), "exactly one layer"),
        (("empty.geojson", json.dumps({"type": "FeatureCollection", "features": []}).encode()), None),
    ],
)
def test_bad_files_are_rejected_with_a_clear_message_and_nothing_saved(entry_a, file, message, en):
    with pytest.raises(ValidationError) as caught:
        do_upload(entry_a, upload(*file))
    if message:
        assert message in " ".join(caught.value.messages)
    assert not ThematicLayer.objects.exists() and not ThematicFeature.objects.exists()


def test_too_large_file_is_rejected(entry_a, en):
    with override_settings(POC_MAX_LAYER_BYTES=100), pytest.raises(ValidationError, match="too large"):
        do_upload(entry_a, upload("water.geojson", json.dumps(MIXED).encode()))
    assert not ThematicLayer.objects.exists()


def test_invalid_geometry_saves_nothing(entry_a, en):
    bowtie = {"type": "Polygon", "coordinates": [[[100.0, 12.0], [100.1, 12.1], [100.1, 12.0], [100.0, 12.1], [100.0, 12.0]]]}
    data = {"type": "FeatureCollection", "features": [MIXED["features"][0], {"type": "Feature", "properties": {}, "geometry": bowtie}]}
    with pytest.raises(ValidationError, match="invalid geometry"):
        do_upload(entry_a, upload("bad.geojson", json.dumps(data).encode()))
    assert not ThematicFeature.objects.exists()


def test_upload_page_shows_the_error_and_saves_nothing(client, entry_a):
    client.force_login(entry_a)
    response = client.post(
        "/gis/layers/",
        {"file": upload("broken.geojson", b"{not json"), "name": "x", "colour": "#123456", "visibility": "internal"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200 and b"The file is not valid JSON" in response.content
    response = client.post(
        "/gis/layers/",
        {"file": upload("water.geojson", json.dumps(MIXED).encode()), "name": "Water", "colour": "#123456", "visibility": "public"},
    )
    assert response.status_code == 302 and ThematicLayer.objects.get().features.count() == 3


def test_users_without_entry_rights_cannot_upload(client, executive):
    with pytest.raises(PermissionDenied):
        do_upload(executive, upload("water.geojson", json.dumps(MIXED).encode()))
    client.force_login(executive)
    assert client.post("/gis/layers/", {"name": "x"}).status_code == 403


@pytest.fixture
def layers(agency_a, entry_a):
    from django.contrib.gis.geos import Point

    features = [({"name": "x"}, Point(100.05, 12.05, srid=4326))]
    return {
        visibility: layer_create(
            name=visibility,
            agency=agency_a,
            features=features,
            visibility=visibility,
            roles=["executive"] if visibility == LayerVisibility.ROLES else (),
        )
        for visibility in LayerVisibility.values
    }


def visible_names(client) -> set[str]:
    return {layer["name"] for layer in json.loads(client.get("/gis/api/layers/").content)["layers"]}


def test_restricted_layers_are_invisible_to_other_agencies_and_anonymous(client, layers, entry_a, entry_b, executive, it_admin):
    assert visible_names(client) == {"public"}
    assert client.get(f"/gis/api/layers/{layers['agency'].pk}/").status_code == 404
    client.force_login(entry_b)
    assert visible_names(client) == {"public", "internal"}
    assert client.get(f"/gis/api/layers/{layers['agency'].pk}/").status_code == 404
    assert client.get(f"/gis/api/layers/{layers['roles'].pk}/").status_code == 404
    client.force_login(executive)
    assert visible_names(client) == {"public", "internal", "roles"}
    client.force_login(entry_a)
    assert visible_names(client) == {"public", "internal", "agency", "roles"}
    response = client.get(f"/gis/api/layers/{layers['agency'].pk}/")
    assert response.status_code == 200
    assert json.loads(response.content)["features"][0]["properties"] == {"name": "x"}
    client.force_login(it_admin)
    assert len(visible_names(client)) == 4


def test_a_layer_is_deleted_by_its_agency_or_it_after_confirmation_and_recorded(client, layers, entry_a, entry_b, executive, it_admin):
    from django.contrib.admin.models import DELETION, LogEntry

    layer = layers["internal"]
    url = f"/gis/layers/{layer.pk}/delete/"
    for outsider in (entry_b, executive):  # another agency's staff see the layer but may not delete it
        client.force_login(outsider)
        assert client.get(url).status_code == 403 and client.post(url).status_code == 403
    assert client.get(f"/gis/layers/{layers['agency'].pk}/delete/").status_code == 404  # not even visible to them
    client.force_login(entry_a)
    assert b"confirm-delete" in client.get(url).content and ThematicLayer.objects.filter(pk=layer.pk).exists()
    assert client.post(url).status_code == 302
    assert not ThematicLayer.objects.filter(pk=layer.pk).exists() and not ThematicFeature.objects.filter(layer_id=layer.pk).exists()
    entry = LogEntry.objects.get(object_id=str(layer.pk), action_flag=DELETION)
    assert (entry.user, entry.object_repr) == (entry_a, "internal")
    client.force_login(it_admin)
    assert client.post(f"/gis/layers/{layers['public'].pk}/delete/").status_code == 302
