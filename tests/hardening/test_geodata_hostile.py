"""Geodata files that try to make the server read local files, fetch URLs or run GDAL drivers we never meant.

Each payload is offered as a map layer (service and web page) and to ``import_orgunits``; it must be refused
with a clear message, nothing saved, no canary text in any response, and a local listener never contacted.
"""

from __future__ import annotations

import io
import json
import socket
import threading
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.gis.gdal import DataSource, GDALException, SpatialReference
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from gis.models import ThematicFeature, ThematicLayer
from gis.services import layer_upload
from poc.gdal_safety import gdal_option
from poc.geodata import SHAPEFILE_MAGIC, GeodataError, GeodataLimits, sniff_geojson
from poc.models import OrgUnit
from poc.orgunit_import import OrgUnitFileError, orgunits_import

pytestmark = pytest.mark.django_db


class Listener:
    """A TCP server on a free local port that records every connection it receives."""

    def __init__(self) -> None:
        self.server = socket.socket()
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(16)
        self.server.settimeout(0.1)
        self.port = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.requests: list[bytes] = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _address = self.server.accept()
            except OSError:
                continue
            with connection:
                connection.settimeout(0.5)
                try:
                    self.requests.append(connection.recv(4096) or b"(connected)")
                except OSError:
                    self.requests.append(b"(connected)")

    def close(self) -> None:
        self.stopped.set()
        self.thread.join(2)
        self.server.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def canary(tmp_path) -> tuple[Path, str]:
    secret = f"CANARY-{uuid.uuid4().hex}"
    path = tmp_path / "canary.csv"
    path.write_text(f"name,WKT\n{secret},POINT (100 12)\n", encoding="utf-8")
    return path, secret


def vrt(source: str) -> bytes:
    """An OGR VRT document: with GDAL's default open it reads ``source`` (a file, SQL or a URL) as a layer."""
    return (
        f'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>{source}</SrcDataSource>'
        '<GeometryField encoding="WKT" field="WKT"/></OGRVRTLayer></OGRVRTDataSource>'
    ).encode()


def zipped_shapefile(shp: bytes, shx: bytes | None = None, dbf: bytes = b"\x03") -> bytes:
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("layer.shp", shp)
        zf.writestr("layer.shx", shp if shx is None else shx)
        zf.writestr("layer.dbf", dbf)
    return archive.getvalue()


def geojson(crs: dict) -> bytes:
    point = {"type": "Feature", "properties": {"name": "x"}, "geometry": {"type": "Point", "coordinates": [100.0, 12.0]}}
    return json.dumps({"type": "FeatureCollection", "crs": crs, "features": [point]}).encode()


def kml(body: str, prolog: str = "") -> bytes:
    return f'<?xml version="1.0"?>{prolog}<kml xmlns="http://www.opengis.net/kml/2.2"><Document>{body}</Document></kml>'.encode()


PLACEMARK = "<Placemark><name>p</name><Point><coordinates>100,12</coordinates></Point></Placemark>"


def payloads(canary_path: Path, url: str) -> list[tuple[str, bytes, str]]:
    """(file name, content, words of the English message) for every way in we know of."""
    return [
        ("x.geojson", vrt(f"CSV:{canary_path}"), "not valid JSON"),
        ("x.kml", vrt(f"CSV:{canary_path}"), "root element must be <kml>"),
        ("x.zip", zipped_shapefile(vrt(f"CSV:{canary_path}")), "not a Shapefile"),
        ("x.geojson", vrt(f"/vsicurl/{url}/x.csv"), "not valid JSON"),
        ("x.kml", vrt(f"/vsicurl/{url}/x.csv"), "root element must be <kml>"),
        ("x.zip", zipped_shapefile(SHAPEFILE_MAGIC + vrt(f"/vsicurl/{url}/x.csv")), "Cannot read the file"),
        ("x.zip", zipped_shapefile(SHAPEFILE_MAGIC, shx=vrt(f"CSV:{canary_path}")), "not a Shapefile"),
        ("x.geojson", geojson({"type": "link", "properties": {"href": f"{url}/crs.wkt", "type": "ogcwkt"}}), "never a link"),
        ("x.geojson", geojson({"type": "name", "properties": {"name": f"{url}/crs"}}), "never a link"),
        ("x.geojson", geojson({"type": "name", "properties": {"name": str(canary_path)}}), "never a link"),
        ("x.kml", kml(f"<NetworkLink><Link><href>{url}/more.kml</href></Link></NetworkLink>"), "NetworkLink"),
        ("x.kml", kml(f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{canary_path}" parse="text"/>'), "XInclude"),
        ("x.kml", kml("<Placemark><name>&x;</name></Placemark>", f'<!DOCTYPE kml [<!ENTITY x SYSTEM "file://{canary_path}">]>'), "DTD"),
        ("x.kml", kml(f"<GroundOverlay><Icon><href>{url}/image.png</href></Icon></GroundOverlay>{PLACEMARK}"), "refers to another"),
        ("x.zip", zipped_shapefile(SHAPEFILE_MAGIC), "Cannot read the file"),
    ]


def test_gdal_itself_makes_no_network_request(listener):
    """Second wall: even a path that slipped past our checks would not reach the network."""
    assert gdal_option("GDAL_HTTP_PROXY") == "127.0.0.1:9"
    for source in (f"/vsicurl/{listener.url}/x.geojson", f"{listener.url}/x.geojson"):
        with pytest.raises(GDALException):
            DataSource(source)
    with pytest.raises(Exception):  # noqa: B017 - SRSException or GDALException, either way no fetch
        SpatialReference(f"{listener.url}/crs")
    listener.stopped.wait(0.3)
    assert listener.requests == []


def test_every_payload_is_refused_as_a_layer_and_saves_nothing(entry_a, listener, canary, en):
    canary_path, secret = canary
    for name, content, words in payloads(canary_path, listener.url):
        with pytest.raises(ValidationError) as caught:
            layer_upload(upload=SimpleUploadedFile(name, content), user=entry_a, name="x", visibility="internal")
        message = " ".join(caught.value.messages)
        assert words in message, (name, content[:80], message)
        assert secret not in message
    assert not ThematicLayer.objects.exists() and not ThematicFeature.objects.exists()
    assert listener.requests == []


def test_every_payload_is_refused_by_import_orgunits(tmp_path, listener, canary, en):
    canary_path, secret = canary
    for index, (name, content, words) in enumerate(payloads(canary_path, listener.url)):
        path = tmp_path / f"{index}{Path(name).suffix}"
        path.write_bytes(content)
        with pytest.raises(OrgUnitFileError, match=words) as caught:
            orgunits_import(path)
        assert secret not in str(caught.value)
    for path in (f"/vsicurl/{listener.url}/x.geojson", f"/vsizip/{tmp_path}/0.zip/layer.shp", f"{listener.url}/x.geojson"):
        with pytest.raises(OrgUnitFileError, match="Only local files"):
            orgunits_import(path)
    assert OrgUnit.objects.count() == 0 and listener.requests == []


def test_layer_page_answers_in_thai_and_no_response_shows_the_canary(client, entry_a, listener, canary):
    canary_path, secret = canary
    client.force_login(entry_a)
    for name, content, _words in payloads(canary_path, listener.url):
        response = client.post(
            "/gis/layers/", {"file": SimpleUploadedFile(name, content), "name": "x", "colour": "#123456", "visibility": "public"}
        )
        assert response.status_code == 200, name
        body = response.content.decode()
        assert secret not in body and "errorlist" in body
        assert any(thai in body for thai in ("ไม่ใช่", "ไม่รับ", "ไม่ติดตาม", "ไม่ดึง", "ไม่ได้")), (name, content[:60])
    listing = client.get("/gis/api/layers/")
    assert json.loads(listing.content) == {"layers": []} and secret not in listing.content.decode()
    assert listener.requests == []


def test_named_crs_and_style_icons_are_still_accepted(entry_a):
    """The checks refuse references, not ordinary files: QGIS's named CRS, Google Earth's icon styles, a BOM pass."""
    layer = layer_upload(
        upload=SimpleUploadedFile("a.geojson", geojson({"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}})),
        user=entry_a,
        name="a",
        visibility="internal",
    )
    assert layer.features.get().geom.coords == (100.0, 12.0)
    styled = kml(
        '<Style id="s"><IconStyle><Icon><href>http://maps.google.com/mapfiles/kml/pushpin/ylw-pushpin.png</href></Icon></IconStyle>'
        f"</Style>{PLACEMARK}"
    )
    layer = layer_upload(upload=SimpleUploadedFile("b.kml", styled), user=entry_a, name="b", visibility="internal")
    assert layer.features.count() == 1
    with_bom = b"\xef\xbb\xbf" + geojson(None)
    layer = layer_upload(upload=SimpleUploadedFile("c.geojson", with_bom), user=entry_a, name="c", visibility="internal")
    assert layer.features.get().attributes == {"name": "x"}


@pytest.mark.parametrize(
    ("crs", "accepted"),
    [
        (None, True),
        ({"type": "name", "properties": {"name": "EPSG:4326"}}, True),
        ({"type": "EPSG", "properties": {"code": 4326}}, True),
        ({"type": "EPSG", "properties": {"code": "http://127.0.0.1:9/x"}}, False),
        ({"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4326", "extra": {"href": "http://x"}}}, False),
        ({"type": "name", "properties": {"name": ["EPSG:4326"]}}, False),
        ("EPSG:4326", False),
    ],
)
def test_only_named_crs_pass_anywhere_in_the_file(crs, accepted, tmp_path, en):
    limits = GeodataLimits(10**6, 10, 10, 10, settings_names=("B", "F", "V", "A"))
    point = {"type": "Point", "coordinates": [100.0, 12.0], "crs": crs}
    feature = {"type": "Feature", "properties": {"crs": "attribute, not a CRS"}, "geometry": point}
    for document in ({"type": "FeatureCollection", "crs": crs, "features": [feature]}, feature):
        path = tmp_path / "a.geojson"
        path.write_text(json.dumps(document), encoding="utf-8")
        if accepted:
            sniff_geojson(path, limits)
        else:
            with pytest.raises(GeodataError, match="never a link"):
                sniff_geojson(path, limits)


def test_the_import_orgunits_command_fails_with_the_reason(tmp_path, canary, en):
    canary_path, secret = canary
    path = tmp_path / "units.geojson"
    path.write_bytes(vrt(f"CSV:{canary_path}"))
    with pytest.raises(CommandError, match="not valid JSON, so it cannot be GeoJSON") as caught:
        call_command("import_orgunits", str(path))
    assert secret not in str(caught.value) and OrgUnit.objects.count() == 0
