"""CKAN action API over the open-data catalogue, in the GD Catalog field set, and its CSV resources."""

import csv
import io

import pytest

from datasets.models import Sensitivity


@pytest.fixture
def public(dataset, elements, entry_a, save, subdistricts):
    dataset.sensitivity = Sensitivity.PUBLIC
    dataset.definition = "จำนวนผู้ป่วยรายตำบล"
    dataset.official_statistics = True
    dataset.save()
    elements["cases"].unit = "ราย"
    elements["cases"].name_en = "Cases"
    elements["cases"].save()
    save(entry_a, [(elements["cases"], subdistricts[0], "2567-09", 4), (elements["cases"], subdistricts[1], "2568-09", 6)])
    save(entry_a, [(elements["rate"], subdistricts[0], "2568-01", 12.5)])
    return dataset


def test_package_list_and_show_have_the_gd_catalog_fields(client, public, topic):
    listing = client.get("/api/3/action/package_list").json()
    assert listing["success"] is True and listing["result"] == ["ds-health"]
    package = client.get("/api/3/action/package_show?id=ds-health").json()["result"]
    assert client.get("/api/3/action/package_show?id=DS-HEALTH").json()["result"] == package
    assert package["title"] == "ข้อมูลสุขภาพ" and package["owner_org"] == "ag-a" and package["maintainer"] == "หน่วยงานเอ"
    assert package["notes"] == "จำนวนผู้ป่วยรายตำบล" and package["tags"][0]["name"] == "สาธารณสุข"
    assert package["objective"] == ["พันธกิจหน่วยงาน"] and package["license_id"] == "Open Data Common"
    assert (package["update_frequency_unit"], package["update_frequency_interval"]) == ("เดือน", "1")
    assert package["geo_coverage"] == "จังหวัด" and package["data_category"] == "ข้อมูลสาธารณะ" and package["data_format"] == ["CSV"]
    assert (package["first_year_of_data"], package["last_year_of_data"]) == ("2567", "2568")
    assert package["disaggregate"] == ["จังหวัด", "อำเภอ", "ตำบล"] and package["unit_of_measure"] == "ราย"
    assert package["official_statistics"] == "ใช่" and package["accessible_condition"]
    for key in ("maintainer_email", "data_source"):
        assert key in package
    resource = package["resources"][0]
    assert resource["format"] == "CSV" and resource["url"] == "http://testserver/api/open-data/DS-HEALTH.csv"


def test_csv_resource_has_english_column_names_without_spaces(client, public):
    text = b"".join(client.get("/api/open-data/DS-HEALTH.csv").streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "period",
        "period_start",
        "period_end",
        "orgunit_code",
        "orgunit_name",
        "element_code",
        "element_name",
        "value",
        "unit",
        "option_combo_code",
        "option_combo_name",
    ]
    assert all(" " not in column for column in rows[0])
    assert rows[1] == ["2567-09", "2024-09-01", "2024-09-30", "990101", "Subdistrict 1-1", "CASES", "Cases", "4", "ราย", "", ""]
    assert len(rows) == 4


def test_only_public_datasets_are_harvestable(client, dataset, elements, entry_a, save, subdistricts):
    save(entry_a, [(elements["cases"], subdistricts[0], "2568-01", 4)])
    assert client.get("/api/3/action/package_list").json()["result"] == []
    response = client.get("/api/3/action/package_show?id=ds-health")
    assert response.status_code == 404 and response.json()["error"]["__type"] == "Not Found Error"
    assert "ข้อมูลสุขภาพ" not in response.text
    assert client.get("/api/open-data/DS-HEALTH.csv").status_code == 404
    assert client.get("/api/3/action/package_search?q=health").json()["result"]["count"] == 0


def test_package_search_pages_and_matches_words(client, public):
    found = client.get("/api/3/action/package_search?q=สุขภาพ&rows=5").json()["result"]
    assert found["count"] == 1 and found["results"][0]["name"] == "ds-health"
    assert client.get("/api/3/action/package_search?q=*:*&start=1").json()["result"] == {
        "count": 1,
        "sort": "name asc",
        "facets": {},
        "search_facets": {},
        "results": [],
    }
    assert client.get("/api/3/action/package_search?q=nothing-like-this").json()["result"]["count"] == 0
    bad = client.get("/api/3/action/package_search?rows=-1")
    assert bad.status_code == 409 and bad.json()["success"] is False
