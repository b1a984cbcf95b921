"""A value write redraws only the cockpit tiles and pages of the indicators fed by what it changed, and a cold cockpit
costs the same number of queries whatever the number of input datasets and due periods."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cockpit.selectors import _tile_key
from datasets.models import DataElement, Dataset, ValueType
from indicators.models import Indicator
from indicators.services import indicator_save, indicator_versions
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def gov(client, executive):
    client.login(username="governor", password=TEST_PASSWORD)
    return client


@pytest.fixture
def water(inputs):
    return indicator_save(indicator=Indicator(code="WATER", name_th="น้ำในอ่าง", numerator="STORAGE_PCT", perspective_th="น้ำ"))


def _tile(response, code):
    return next(t for g in response.context["groups"] for t in g["tiles"] if t["code"] == code)


def test_a_write_redraws_only_the_tiles_of_indicators_fed_by_the_changed_elements(
    gov, rate, water, inputs, province, subdistricts, entry_a, write
):
    districts = sorted({s.parent for s in subdistricts}, key=lambda d: d.code)
    write(entry_a, [(e, s, "FY2568", n) for s in subdistricts for e, n in ((inputs["cases"], 20), (inputs["pop"], 1000))])
    write(entry_a, [(inputs["storage"], d, "2568-03", 40) for d in districts])
    first = gov.get(reverse("cockpit:tiles"), {"fy": 2568})
    assert (_tile(first, "RATE1")["value"], _tile(first, "WATER")["value"]) == ("20.0", "40.0")
    before = indicator_versions([rate.pk, water.pk])
    rate_key = _tile_key(rate.pk, before[rate.pk], province.pk, 2568)
    assert cache.get(rate_key)["value"] == "20.0"

    write(entry_a, [(inputs["storage"], d, "2568-03", 60) for d in districts])  # feeds WATER only

    after = indicator_versions([rate.pk, water.pk])
    assert after[rate.pk] == before[rate.pk] and after[water.pk] != before[water.pk]
    assert cache.get(rate_key)["value"] == "20.0"  # RATE1's cached tile survives the write
    with CaptureQueriesContext(connection) as ctx:
        second = gov.get(reverse("cockpit:tiles"), {"fy": 2568})
    assert (_tile(second, "RATE1")["value"], _tile(second, "WATER")["value"]) == ("20.0", "60.0")
    # Only WATER's tile was computed again: the values read for tiles name its id and not RATE1's.
    tile_reads = [q["sql"] for q in ctx.captured_queries if "indicators_indicatorvalue" in q["sql"] and '"period_type" = ' in q["sql"]]
    assert len(tile_reads) == 1 and f"IN ({water.pk})" in tile_reads[0]
    assert cache.get(_tile_key(water.pk, after[water.pk], province.pk, 2568))["value"] == "60.0"


def test_a_write_keeps_the_drilldown_of_an_indicator_it_does_not_feed(gov, rate, water, inputs, subdistricts, entry_a, write):
    write(entry_a, [(e, s, "FY2568", n) for s in subdistricts for e, n in ((inputs["cases"], 20), (inputs["pop"], 1000))])
    url = reverse("cockpit:drilldown", args=["RATE1"])
    assert gov.get(url, {"fy": 2568}).status_code == 200
    districts = sorted({s.parent for s in subdistricts}, key=lambda d: d.code)
    write(entry_a, [(inputs["storage"], d, "2568-03", 60) for d in districts])
    with CaptureQueriesContext(connection) as ctx:
        again = gov.get(url, {"fy": 2568})
    assert "20.0" in again.content.decode()
    assert not [q for q in ctx.captured_queries if "indicators_indicatorvalue" in q["sql"]]  # served from its cache


def _monthly_indicator(code: str, topic, agency, datasets: int, subdistricts) -> Indicator:
    elements = []
    for n in range(datasets):
        dataset = Dataset.objects.create(
            code=f"{code}-DS{n}", topic=topic, name_th=f"ชุด {n}", agency=agency, collection_level=3, period_type="M", due_days=10
        )
        dataset.orgunits.set(subdistricts[: 1 + n % 4])
        elements.append(DataElement.objects.create(code=f"{code}E{n}", dataset=dataset, name_th=f"ค่า {n}", value_type=ValueType.INTEGER))
    numerator = " + ".join(e.code for e in elements)
    return indicator_save(indicator=Indicator(code=code, name_th=code, numerator=numerator, perspective_th="ทดสอบ", agency=agency))


def _cold_queries(client) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("cockpit:tiles"), {"fy": 2568})
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_a_cold_cockpit_costs_the_same_queries_whatever_the_datasets_and_periods(gov, topic, agency_a, subdistricts):
    _monthly_indicator("ONE", topic, agency_a, 1, subdistricts)
    few = _cold_queries(gov)
    _monthly_indicator("SIX", topic, agency_a, 6, subdistricts)
    _monthly_indicator("TEN", topic, agency_a, 10, subdistricts)
    many = _cold_queries(gov)
    assert many == few
    assert many <= 34  # session, user, permissions, the tiles' batch and the reporting year's coverage (33 on SpatiaLite)


def test_a_warm_wall_does_not_scan_the_values_for_approvals_again(gov, rate, inputs, subdistricts, entry_a, write):
    write(entry_a, [(e, s, "FY2568", n) for s in subdistricts for e, n in ((inputs["cases"], 20), (inputs["pop"], 1000))])
    assert _tile(gov.get(reverse("cockpit:tiles"), {"fy": 2568}), "RATE1")["approval"] == "unapproved"
    with CaptureQueriesContext(connection) as ctx:
        again = gov.get(reverse("cockpit:tiles"), {"fy": 2568})
    assert _tile(again, "RATE1")["approval"] == "unapproved"
    assert not [q for q in ctx.captured_queries if "datasets_datavalue" in q["sql"]]  # kept with RATE1's version


def test_after_a_write_only_the_datasets_behind_it_are_scanned_for_approvals(
    gov, rate, water, inputs, subdistricts, entry_a, write, monthly_dataset
):
    districts = sorted({s.parent for s in subdistricts}, key=lambda d: d.code)
    write(entry_a, [(e, s, "FY2568", n) for s in subdistricts for e, n in ((inputs["cases"], 20), (inputs["pop"], 1000))])
    write(entry_a, [(inputs["storage"], d, "2568-03", 40) for d in districts])
    gov.get(reverse("cockpit:tiles"), {"fy": 2568})
    write(entry_a, [(inputs["storage"], d, "2568-03", 60) for d in districts])
    with CaptureQueriesContext(connection) as ctx:
        again = gov.get(reverse("cockpit:tiles"), {"fy": 2568})
    assert (_tile(again, "RATE1")["approval"], _tile(again, "WATER")["approval"]) == ("unapproved", "unapproved")
    scans = [q["sql"] for q in ctx.captured_queries if "datasets_datavalue" in q["sql"]]
    assert len(scans) == 1 and f'"dataset_id" IN ({monthly_dataset.pk})' in scans[0], scans


def _wall(gov, **params) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        response = gov.get(reverse("cockpit:tiles"), params)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_a_warm_wall_is_a_fixed_handful_of_queries_and_a_write_recounts_only_what_it_fed(
    gov, rate, water, inputs, subdistricts, entry_a, write
):
    from django.conf import settings

    districts = sorted({s.parent for s in subdistricts}, key=lambda d: d.code)
    write(entry_a, [(e, s, "FY2568", n) for s in subdistricts for e, n in ((inputs["cases"], 20), (inputs["pop"], 1000))])
    write(entry_a, [(inputs["storage"], d, "2568-03", 40) for d in districts])
    # With Redis the session is read from it and the page view pushed to it; without, each is a query.
    session = 0 if settings.REDIS_URL else 2
    _wall(gov)  # fills the caches: tiles, coverage, reporting year, rendered wall
    warm = _wall(gov)
    # user, agency (menu and badges), active indicators, and the readable indicators with their input datasets (one
    # query: the permission and the approval flags, read fresh so that an approval shows at once; the user's roles and
    # the agencies whose restricted data they may read come from the permissions cache): nothing about values,
    # coverage, periods, roles or permissions.
    assert len(warm) == 4 + session
    assert not [q for q in warm if "guardian_" in q or "auth_permission" in q or "auth_group" in q]
    assert not [q for q in warm if "aggregatevalue" in q or "indicatorvalue" in q or "poc_period" in q]
    assert len(_wall(gov)) == len(warm)  # constant

    write(entry_a, [(inputs["storage"], d, "2568-04", 50) for d in districts])  # feeds WATER only

    after = _wall(gov)
    assert len(after) == 14 + session
    # Coverage is counted again for STORAGE_PCT alone, once: the reporting year (whole years) and WATER's tile (periods
    # due by today) count from the same read; CASES and POP come from the cache.
    counted = [q for q in after if 'FROM "datasets_aggregatevalue"' in q]
    assert len(counted) == 1 and f'"element_id" IN ({inputs["storage"].pk})' in counted[0]
    # The active indicators with their inputs are read once for both, and no boundary leaves the database.
    assert len([q for q in after if '"_prefetch_related_val_indicator_id"' in q]) == 1
    assert not [q for q in after if '"poc_orgunit"."geom"' in q]
    assert len(_wall(gov)) == len(warm)  # and warm again


def test_reporting_year_keeps_the_coverage_of_elements_a_write_did_not_touch(rate, water, inputs, province, subdistricts, entry_a, write):
    import datetime as dt

    from indicators.reporting import year_shares
    from indicators.selectors import coverage_key, coverage_stamps

    districts = sorted({s.parent for s in subdistricts}, key=lambda d: d.code)
    write(entry_a, [(e, s, "FY2568", n) for s in subdistricts for e, n in ((inputs["cases"], 20), (inputs["pop"], 1000))])
    write(entry_a, [(inputs["storage"], d, "2568-03", 40) for d in districts])
    indicators = list(Indicator.objects.prefetch_related("inputs__dataset").order_by("code"))
    before = coverage_stamps(indicators)
    assert year_shares(province, [2568]) == {2568: (4 + 4 + 2) / (4 + 4 + 24)}  # storage: 2 districts × 12 months due

    def cached(element, stamps):
        """The element's cached inputs for FY2568 summed: (reported, expected) over the whole year."""
        periods = cache.get(coverage_key(element.pk, stamps[element.pk], province.pk))[2568]
        assert all(due < dt.date.max for due, _got, _expected in periods)
        return {2568: (sum(got for _due, got, _n in periods), sum(n for _due, _got, n in periods))}

    assert cached(inputs["cases"], before) == {2568: (4, 4)} and cached(inputs["storage"], before) == {2568: (2, 24)}

    write(entry_a, [(inputs["storage"], d, "2568-04", 50) for d in districts])  # feeds WATER only

    after = coverage_stamps(Indicator.objects.prefetch_related("inputs__dataset").order_by("code"))
    assert after[inputs["cases"].pk] == before[inputs["cases"].pk] and after[inputs["pop"].pk] == before[inputs["pop"].pk]
    assert after[inputs["storage"].pk] != before[inputs["storage"].pk]
    with CaptureQueriesContext(connection) as ctx:
        assert year_shares(province, [2568]) == {2568: (4 + 4 + 4) / (4 + 4 + 24)}
    counted = [q["sql"] for q in ctx.captured_queries if 'FROM "datasets_aggregatevalue"' in q["sql"]]
    assert len(counted) == 1 and f'"element_id" IN ({inputs["storage"].pk})' in counted[0]  # only the written element
    assert cached(inputs["cases"], after) == {2568: (4, 4)}  # the untouched element's entry, intact
    assert cached(inputs["storage"], after) == {2568: (4, 24)}  # the written one, fresh


def test_a_warm_wall_reads_every_version_it_keys_on_in_one_round_trip(gov, rate, water, inputs, subdistricts, entry_a, write, cache_calls):
    from django.conf import settings

    districts = sorted({s.parent for s in subdistricts}, key=lambda d: d.code)
    write(entry_a, [(e, s, "FY2568", n) for s in subdistricts for e, n in ((inputs["cases"], 20), (inputs["pop"], 1000))])
    write(entry_a, [(inputs["storage"], d, "2568-03", 40) for d in districts])
    _wall(gov)
    cache_calls.clear()
    _wall(gov)
    versions = [keys for method, keys in cache_calls if any(str(k).startswith("version:") for k in keys)]
    # The global indicators version, each active indicator's, the alerts' and the permissions' (reporting year, tiles,
    # approval notes, badge, the readable indicators): one get_many, nothing more.
    assert versions == [
        ["version:indicators", f"version:indicators:{rate.pk}", f"version:indicators:{water.pk}", "version:alerts", "version:permissions"]
    ]
    # The session (from Redis), the picker's units, the versions, the reporting year, the agencies whose restricted
    # data the user may read, the tiles, the red tile's comment, the approval notes, the rendered tiles, the alert
    # badge, the user's roles (the menu) and the notification badge: each once.
    session = 1 if settings.REDIS_URL else 0
    assert [method for method, _keys in cache_calls] == ["get"] * session + [
        "get_or_set",
        "get_many",
        "get",
        "get_or_set",
        "get_many",
        "get_or_set",
        "get_many",
        "get_many",
        "get",
        "get_or_set",
        "get",
    ], [(m, k[:2]) for m, k in cache_calls]
