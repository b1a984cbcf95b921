"""The read API (/api/datavalues/) on DRF, and analytics from the live aggregates."""

import pytest

from datasets.models import DataElement, Dataset, Sensitivity, ValueType

URL = "/api/datavalues/"


@pytest.fixture
def values(entry_a, elements, save, subdistricts):
    save(
        entry_a,
        [
            (elements["cases"], unit, period, n)
            for n, (unit, period) in enumerate([(u, p) for p in ("2568-01", "2568-02", "2568-03") for u in subdistricts], start=1)
        ],
    )
    save(entry_a, [(elements["rate"], subdistricts[0], "2568-01", 40), (elements["rate"], subdistricts[1], "2568-01", 60)])


def test_filters_by_element_orgunit_descendants_period_range_and_last_update(token_client, entry_a, values):
    client = token_client(entry_a)

    def get(query: str) -> list[tuple]:
        return sorted((r["element"], r["orgunit"], r["period"], r["value"]) for r in client.get(URL + query).json()["results"])

    assert get("?element=CASES&orgunit=9902&descendants=1&period=2568-02") == [
        ("CASES", "990201", "2568-02", "7"),
        ("CASES", "990202", "2568-02", "8"),
    ]
    assert get("?element=CASES&orgunit=990101&period_from=2568-02&period_to=2568-03") == [
        ("CASES", "990101", "2568-02", "5"),
        ("CASES", "990101", "2568-03", "9"),
    ]
    assert get("?dataset=DS-HEALTH&orgunit=9901") == []  # district itself holds no values
    assert len(get("?updated_since=2000-01-01T00:00:00Z")) == 14
    assert get("?updated_since=2999-01-01T00:00:00Z") == []


def test_cursor_pagination_walks_every_value_once(token_client, entry_a, values):
    client = token_client(entry_a)
    page = client.get(URL + "?dataset=DS-HEALTH&page_size=5").json()
    seen = []
    while True:
        seen += [(r["element"], r["orgunit"], r["period"]) for r in page["results"]]
        if not page["next"]:
            break
        assert "cursor=" in page["next"]
        page = client.get(page["next"]).json()
    assert len(seen) == len(set(seen)) == 14


def test_bad_filters_are_a_clear_400(token_client, entry_a, values):
    client = token_client(entry_a)
    assert "2568-13" in client.get(URL + "?period=2568-13").json()["period"][0]
    assert "Unknown org unit 77" in client.get(URL + "?orgunit=77").json()["orgunit"][0]
    assert client.get(URL + "?updated_since=yesterday").status_code == 400
    assert client.get(URL + "?cursor=garbage").status_code == 404


def test_restricted_values_never_leak_to_another_agency(token_client, entry_a, entry_b, values, dataset):
    dataset.sensitivity = Sensitivity.RESTRICTED
    dataset.save()
    assert len(token_client(entry_a).get(URL).json()["results"]) == 14
    response = token_client(entry_b).get(URL)
    assert response.json()["results"] == [] and "990101" not in response.text
    assert token_client(entry_b).get(URL + "?dataset=DS-HEALTH").status_code == 404
    assert token_client(entry_b).get(URL + "?format=csv").content.decode("utf-8-sig").strip() == (
        "dataset,element,orgunit,period,value,not_available,updated_at,option_combo"
    )


def test_analytics_answers_from_aggregates_with_rollups(token_client, entry_a, values):
    client = token_client(entry_a)
    data = client.get("/api/analytics/?element=CASES,RATE&orgunit=99&period=2568-Q2,2568-01").json()
    got = {(r["element"], r["orgunit"], r["period"]): r["value"] for r in data["rows"]}
    # fiscal Q2 = Jan–Mar 2025: cases 1..12 summed; rate averaged over its two values
    assert got == {
        ("CASES", "99", "2568-Q2"): 78.0,
        ("RATE", "99", "2568-Q2"): 50.0,
        ("CASES", "99", "2568-01"): 10.0,
        ("RATE", "99", "2568-01"): 50.0,
    }
    assert {r["categoryoptioncombo"] for r in data["rows"]} == {"HllvX50cXC0"}
    children = client.get("/api/analytics/?element=CASES&orgunit=99&period=2568-01&children=true").json()["rows"]
    assert [(r["orgunit"], r["value"]) for r in children] == [("9901", 3.0), ("9902", 7.0)]


def test_analytics_refuses_unreadable_elements(token_client, entry_b, values, dataset, agency_a, topic):
    dataset.sensitivity = Sensitivity.RESTRICTED
    dataset.save()
    response = token_client(entry_b).get("/api/analytics/?element=CASES&orgunit=99&period=2568-01")
    assert response.status_code == 400 and "not found or not accessible: CASES" in response.json()["detail"][0]
    open_dataset = Dataset.objects.create(code="DS-OPEN", topic=topic, name_th="เปิด", agency=agency_a, period_type="M")
    DataElement.objects.create(code="OPEN1", dataset=open_dataset, name_th="x", value_type=ValueType.INTEGER)
    response = token_client(entry_b).get("/api/analytics/?element=OPEN1&orgunit=99&period=2568-01")
    assert response.json()["rows"] == [
        {"element": "OPEN1", "orgunit": "99", "period": "2568-01", "categoryoptioncombo": "HllvX50cXC0", "value": None}
    ]
