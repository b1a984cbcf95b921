"""A bulk refresh of the map features vacuums their table after its commit (PostgreSQL): every map reads it whole."""

import pytest
from django.db import connection

import gis.services
from gis.models import MapFeature
from gis.services import shape_heads_refresh, shapes_refresh
from poc.models import OrgUnit
from tests.maintenance import maintenance_counts

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="VACUUM is PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


def vacuums() -> int:
    return maintenance_counts(MapFeature._meta.db_table)[0]


def test_a_bulk_refresh_vacuums_the_features_and_a_small_one_does_not(province, monkeypatch):
    monkeypatch.setattr(gis.services, "VACUUM_AFTER", 10)
    before = vacuums()
    shapes_refresh()  # 7 features written, then their 7 chained forms: 14 rows
    after = vacuums()
    assert after == before + 1
    unit = OrgUnit.objects.get(code="990101")
    unit.name_en = "Renamed"
    unit.save()  # its feature and its 4 followers' chained forms: 5 rows
    assert shape_heads_refresh(orgunit_ids=[unit.pk]) == 0  # already current after the save's own refresh
    assert vacuums() == after
