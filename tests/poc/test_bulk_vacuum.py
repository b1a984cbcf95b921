"""A bulk org-unit import vacuums the units' table after its commit (PostgreSQL, run here without autovacuum): its
pages are marked visible, so index lookups (a unit's first child, on every map) need not read the rows; a small import
leaves it. Nothing when the import is rejected."""

import json

import pytest
from django.db import connection

import poc.orgunit_import
from poc.demo import generated_province_geojson
from poc.models import OrgUnit
from poc.orgunit_import import orgunits_import
from tests.maintenance import maintenance_counts

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="VACUUM is PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


def vacuums() -> int:
    return maintenance_counts(OrgUnit._meta.db_table)[0]


@pytest.fixture
def province_file(tmp_path):
    path = tmp_path / "province.geojson"
    generated_province_geojson(path)  # 25 units: a province, 4 districts, 20 subdistricts
    return path


def test_a_bulk_import_vacuums_the_units(province_file, monkeypatch):
    monkeypatch.setattr(poc.orgunit_import, "BULK_ROWS", 25)
    before = vacuums()
    assert orgunits_import(province_file).ok and OrgUnit.objects.count() == 25
    assert vacuums() == before + 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT relallvisible > 0 FROM pg_class WHERE relname = %s", [OrgUnit._meta.db_table])
        assert cursor.fetchone()[0]


def test_a_small_import_leaves_the_table(province_file, monkeypatch):
    monkeypatch.setattr(poc.orgunit_import, "BULK_ROWS", 26)  # 25 units are not a bulk load
    before = vacuums()
    assert orgunits_import(province_file).ok and OrgUnit.objects.count() == 25
    assert vacuums() == before


def test_a_rejected_import_vacuums_nothing(tmp_path, monkeypatch):
    path = tmp_path / "orphan.geojson"
    box = [[[[100.8, 12.5], [100.9, 12.5], [100.9, 12.6], [100.8, 12.6], [100.8, 12.5]]]]
    orphan = {"code": "7701", "name_th": "อำเภอไม่มีจังหวัด", "name_en": "Orphan", "parent_code": "77", "level": "district"}
    feature = {"type": "Feature", "properties": orphan, "geometry": {"type": "MultiPolygon", "coordinates": box}}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    monkeypatch.setattr(poc.orgunit_import, "BULK_ROWS", 0)
    before = vacuums()
    assert not orgunits_import(path).ok  # its parent is unknown: nothing imported
    assert vacuums() == before and not OrgUnit.objects.exists()
