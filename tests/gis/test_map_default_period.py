"""The map opens on the newest period whose data are complete enough to judge, and says how complete."""

import pytest

pytestmark = pytest.mark.django_db


def test_map_opens_on_the_newest_complete_period_not_the_newest_with_any_data(client, shapes, save, elements, subdistricts, entry_a):
    cases = elements["cases"]
    assert save(entry_a, [(cases, sub, "2568-01", 3) for sub in subdistricts]).ok  # January: all four subdistricts
    assert save(entry_a, [(cases, subdistricts[0], "2568-02", 1)]).ok  # February: one of four so far
    client.force_login(entry_a)
    response = client.get("/gis/map/", {"element": "CASES"})
    assert response.context["config"]["period"] == "2568-01"
    assert response.context["reported_percent"] == 100
    assert 'id="map-as-of">ข้อมูลม.ค. 2568: รายงานแล้ว 100%</p>' in response.content.decode()

    picked = client.get("/gis/map/", {"element": "CASES", "period": "2568-02"})  # the still-filling month, one click away
    assert (picked.context["config"]["period"], picked.context["reported_percent"]) == ("2568-02", 25)


def test_without_a_complete_period_the_newest_with_data_is_shown(client, shapes, save, elements, subdistricts, entry_a):
    assert save(entry_a, [(elements["cases"], subdistricts[0], "2568-02", 1)]).ok
    client.force_login(entry_a)
    response = client.get("/gis/map/", {"element": "CASES"})
    assert (response.context["config"]["period"], response.context["reported_percent"]) == ("FY2568", 2)  # 1 of 48 reports
