"""A bulk refresh of the map features rewrites their table compactly after its commit (PostgreSQL, VACUUM FULL: a new
file), a small one leaves it; every map reads it whole."""

import pytest
from django.db import connection

import gis.services
from gis.models import MapFeature, OverviewFeature
from gis.services import shape_heads_refresh, shapes_refresh
from poc.models import OrgUnit
from tests.maintenance import maintenance_counts

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="VACUUM is PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


def file_of(model) -> int:
    """The table's file: VACUUM FULL writes a new one."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relfilenode FROM pg_class WHERE relname = %s", [model._meta.db_table])
        return cursor.fetchone()[0]


def analyses(model) -> int:
    return maintenance_counts(model._meta.db_table)[1]


def test_a_bulk_refresh_rewrites_the_features_and_a_small_one_does_not(province, monkeypatch, settings):
    monkeypatch.setattr(gis.services, "VACUUM_AFTER", 10)
    settings.POC_MAP_OVERVIEW_ABOVE = 1_000  # the country-wide features (none here) are tested below
    before, analysed = file_of(MapFeature), analyses(MapFeature)
    shapes_refresh()  # 7 features written, then their 7 chained forms: 14 rows
    after = file_of(MapFeature)
    assert after != before and analyses(MapFeature) == analysed + 1
    unit = OrgUnit.objects.get(code="990101")
    unit.name_en = "Renamed"
    unit.save()  # its feature and its 4 followers' chained forms: 5 rows
    assert shape_heads_refresh(orgunit_ids=[unit.pk]) == 0  # already current after the save's own refresh
    assert file_of(MapFeature) == after


def test_each_set_of_features_is_rewritten_when_its_own_refresh_is_bulk(province, monkeypatch, settings):
    monkeypatch.setattr(gis.services, "VACUUM_AFTER", 8)
    settings.POC_MAP_OVERVIEW_ABOVE = 3  # the 4 subdistricts get country-wide features, the 2 districts do not
    detail, overview = file_of(MapFeature), file_of(OverviewFeature)
    shapes_refresh()  # detailed: 7 + 7 rows written; country-wide: 4 + 4
    assert OverviewFeature.objects.count() == 4
    assert file_of(MapFeature) != detail and file_of(OverviewFeature) != overview
    settings.POC_MAP_OVERVIEW_ABOVE = 4
    overview = file_of(OverviewFeature)
    shapes_refresh()  # no country-wide features any more: nothing written to their table, left as it is
    assert OverviewFeature.objects.count() == 0 and file_of(OverviewFeature) == overview
