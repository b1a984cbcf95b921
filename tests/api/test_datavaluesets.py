"""DHIS2 dataValueSets: JSON, CSV and ADX in and out through the entry grid's service."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from datasets.models import AggregateValue, DataValue, DataValueAudit, Sensitivity
from poc.models import OrgUnit, Period

URL = "/api/dataValueSets"
QUERY = "?dataSet=DS-HEALTH&period=202501&orgUnit=99&children=true"


def month_payload(**extra) -> dict:
    return {
        "dataSet": "DS-HEALTH",
        "period": "202501",
        "dataValues": [
            {"dataElement": "CASES", "orgUnit": "990101", "categoryOptionCombo": "HllvX50cXC0", "value": "12", **extra},
            {"dataElement": "CASES", "orgUnit": "990102", "value": "7"},
            {"dataElement": "RATE", "orgUnit": "990101", "categoryOptionCombo": "default", "value": "45.5"},
            {"dataElement": "NOTE", "orgUnit": "990201", "value": "น้ำท่วม", "comment": "ประมาณการ"},
        ],
    }


def stored() -> dict[tuple[str, str, str], str]:
    values = DataValue.objects.select_related("element", "orgunit", "period")
    return {(v.element.code, v.orgunit.code, v.period.code): v.display for v in values}


def without_timestamps(data: dict) -> list[dict]:
    return [{k: v for k, v in row.items() if k != "lastUpdated"} for row in data["dataValues"]]


def test_json_push_is_saved_audited_as_api_and_aggregated(token_client, entry_a, elements):
    response = token_client(entry_a).post(URL, month_payload(), format="json")
    assert response.status_code == 200, response.json()
    summary = response.json()["response"]
    assert summary["status"] == "SUCCESS"
    assert summary["importCount"] == {"imported": 4, "updated": 0, "ignored": 0, "deleted": 0}
    assert stored() == {
        ("CASES", "990101", "2568-01"): "12",
        ("CASES", "990102", "2568-01"): "7",
        ("RATE", "990101", "2568-01"): "45.5",
        ("NOTE", "990201", "2568-01"): "น้ำท่วม",
    }
    assert set(DataValueAudit.objects.values_list("source", "user__username")) == {("api", "entry_a")}
    district = OrgUnit.objects.get(code="9901")
    assert AggregateValue.objects.get(element=elements["cases"], orgunit=district).total == 19
    again = token_client(entry_a).post(URL, month_payload(), format="json").json()["response"]
    assert again["importCount"] == {"imported": 0, "updated": 0, "ignored": 4, "deleted": 0}


def test_round_trip_json_csv_adx_is_equal(token_client, entry_a, elements):
    client = token_client(entry_a)
    assert client.post(URL, month_payload(), format="json").status_code == 200
    exported = client.get(URL + QUERY).json()
    assert len(exported["dataValues"]) == 4
    first = exported["dataValues"][0]
    assert first["period"] == "202501" and first["categoryOptionCombo"] == "HllvX50cXC0" and first["storedBy"] == "entry_a"
    csv_body = client.get(URL + ".csv" + QUERY).content
    adx_body = client.get(URL + QUERY, HTTP_ACCEPT="application/adx+xml").content
    assert next(csv.reader(io.StringIO(csv_body.decode()))) == [
        "dataelement",
        "period",
        "orgunit",
        "categoryoptioncombo",
        "attributeoptioncombo",
        "value",
        "storedby",
        "timestamp",
        "comment",
        "followup",
    ]
    root = ET.fromstring(adx_body)
    groups = root.findall("{urn:ihe:qrph:adx:2015}group")
    assert {g.get("period") for g in groups} == {"2025-01-01/P1M"} and {g.get("dataSet") for g in groups} == {"DS-HEALTH"}
    before = stored()
    DataValue.objects.all().delete()
    AggregateValue.objects.all().delete()
    for body, content_type in ((csv_body, "application/csv"), (adx_body, "application/adx+xml")):
        DataValue.objects.all().delete()
        response = client.post(URL, body, content_type=content_type)
        assert response.json()["response"]["importCount"]["imported"] == 4, response.json()
        assert stored() == before
        assert without_timestamps(client.get(URL + QUERY).json()) == without_timestamps(exported)
    DataValue.objects.all().delete()
    assert client.post(URL, exported, format="json").json()["response"]["importCount"]["imported"] == 4
    assert stored() == before


def test_one_bad_value_saves_nothing_and_names_the_offending_value(token_client, entry_a, elements):
    payload = month_payload()
    payload["dataValues"][1]["value"] = "เจ็ด"
    payload["dataValues"].append({"dataElement": "NOPE", "orgUnit": "990101", "value": "1"})
    payload["dataValues"].append({"dataElement": "CASES", "orgUnit": "990202", "period": "2025W05", "value": "1"})
    payload["dataValues"].append({"dataElement": "CASES", "orgUnit": "990202", "categoryOptionCombo": "aBcDeF12345", "value": "1"})
    response = token_client(entry_a).post(URL, payload, format="json")
    assert response.status_code == 409
    summary = response.json()["response"]
    assert summary["status"] == "ERROR" and summary["importCount"]["imported"] == 0 and summary["importCount"]["ignored"] == 7
    conflicts = {c["object"]: c for c in summary["conflicts"]}
    assert "not found or not accessible" in conflicts["NOPE"]["value"] and conflicts["NOPE"]["indexes"] == [4]
    assert "does not fit dataset DS-HEALTH: it takes Monthly periods, not Weekly (ISO week)" in conflicts["2025W05"]["value"]
    assert "only the default combination" in conflicts["aBcDeF12345"]["value"]
    assert not DataValue.objects.exists()
    # the service's own check (a value that is not a number) is reported too, once the codes are right
    payload["dataValues"] = payload["dataValues"][:4]
    conflicts = token_client(entry_a).post(URL, payload, format="json").json()["response"]["conflicts"]
    assert [(c["object"], c["indexes"]) for c in conflicts] == [("เจ็ด", [1])] and "is not a number" in conflicts[0]["value"]
    assert not DataValue.objects.exists()


def test_atomic_mode_none_saves_the_good_values(token_client, entry_a, elements):
    payload = month_payload()
    payload["dataValues"][1]["value"] = "-3"  # below the minimum 0
    response = token_client(entry_a).post(URL + "?atomicMode=NONE", payload, format="json")
    summary = response.json()["response"]
    assert response.status_code == 200 and summary["status"] == "WARNING"
    assert summary["importCount"] == {"imported": 3, "updated": 0, "ignored": 1, "deleted": 0}
    assert ("CASES", "990102", "2568-01") not in stored() and len(stored()) == 3


def test_dry_run_counts_exactly_and_saves_nothing(token_client, entry_a, elements):
    summary = token_client(entry_a).post(URL + "?dryRun=true", month_payload(), format="json").json()["response"]
    assert summary["importCount"]["imported"] == 4 and summary["importOptions"]["dryRun"] is True
    assert not DataValue.objects.exists() and not DataValueAudit.objects.exists() and not AggregateValue.objects.exists()
    assert not Period.objects.filter(code="2568-01").exists()


def test_import_strategies(token_client, entry_a, elements, save, subdistricts):
    save(entry_a, [(elements["cases"], subdistricts[0], "2568-01", 1)])
    client = token_client(entry_a)
    create = client.post(URL + "?importStrategy=CREATE", month_payload(), format="json").json()["response"]["importCount"]
    assert create == {"imported": 3, "updated": 0, "ignored": 1, "deleted": 0}
    assert stored()[("CASES", "990101", "2568-01")] == "1"
    payload = month_payload()
    payload["dataValues"][0]["value"] = "99"
    payload["dataValues"].append({"dataElement": "CASES", "orgUnit": "990202", "value": "5"})
    update = client.post(URL + "?importStrategy=UPDATE", payload, format="json").json()["response"]["importCount"]
    assert update == {"imported": 0, "updated": 1, "ignored": 4, "deleted": 0}
    assert stored()[("CASES", "990101", "2568-01")] == "99" and ("CASES", "990202", "2568-01") not in stored()
    delete = client.post(URL + "?importStrategy=DELETE", payload, format="json").json()["response"]["importCount"]
    assert delete == {"imported": 0, "updated": 0, "ignored": 1, "deleted": 4}
    assert not DataValue.objects.exists()
    assert AggregateValue.objects.get(element=elements["cases"], orgunit__code="99").count == 0


def test_agency_b_cannot_write_or_read_agency_a_restricted_values(token_client, entry_a, entry_b, elements, save, subdistricts):
    save(entry_a, [(elements["cases"], subdistricts[0], "2568-01", 1)])
    response = token_client(entry_b).post(URL, month_payload(), format="json")
    assert response.status_code == 409
    assert "your agency is not responsible for dataset DS-HEALTH" in response.json()["response"]["conflicts"][0]["value"]
    assert stored() == {("CASES", "990101", "2568-01"): "1"}
    elements["cases"].dataset.sensitivity = Sensitivity.RESTRICTED
    elements["cases"].dataset.save()
    response = token_client(entry_b).get(URL + QUERY)
    assert response.status_code == 400 and "not found or not accessible" in response.json()["dataSet"][0]
    assert "990101" not in response.text
    conflicts = token_client(entry_b).post(URL, month_payload(), format="json").json()["response"]["conflicts"]
    assert "Data element not found or not accessible: CASES" in conflicts[0]["value"]
    assert len(token_client(entry_a).get(URL + QUERY).json()["dataValues"]) == 1


def test_entry_outside_the_users_area_is_refused(token_client, make_user, agency_a, elements):
    agency_a.orgunit = OrgUnit.objects.get(code="9902")
    agency_a.save()
    district_clerk = make_user("clerk_9902", ["data_entry"], agency_a)
    conflicts = token_client(district_clerk).post(URL, month_payload(), format="json").json()["response"]["conflicts"]
    assert {c["object"] for c in conflicts} == {"990101", "990102"}
    assert "outside the area" in conflicts[0]["value"]


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"{not json", "application/json", "not valid JSON"),
        (b'{"dataValues": 3}', "application/json", "dataValues"),
        (b"<adx><group", "application/adx+xml", "not valid ADX"),
        (b'<!DOCTYPE x [<!ENTITY a "aaaa">]><adx>&a;</adx>', "application/adx+xml", "not valid ADX"),
        (b"<other/>", "application/adx+xml", "root must be"),
        (b"\xff\xfe", "application/csv", "not UTF-8"),
        (b"dataelement,value\nCASES,1", "application/csv", "lacks the column"),
    ],
)
def test_unreadable_bodies_get_a_clear_400(token_client, entry_a, elements, body, content_type, message):
    response = token_client(entry_a).post(URL, body, content_type=content_type)
    assert response.status_code == 400 and message in response.json()["detail"]
    assert not DataValue.objects.exists()


def test_export_needs_its_parameters_and_refuses_bad_ones(token_client, entry_a, elements):
    client = token_client(entry_a)
    assert "Give period" in client.get(URL + "?dataSet=DS-HEALTH&orgUnit=99").json()["non_field_errors"][0]
    assert "Unknown org unit" in client.get(URL + "?dataSet=DS-HEALTH&orgUnit=77&period=202501").json()["orgUnit"][0]
    assert "has no equivalent" in client.get(URL + "?dataSet=DS-HEALTH&orgUnit=99&period=2025S1").json()["period"][0]
    assert client.get(URL + "?dataSet=DS-HEALTH&orgUnit=99&period=202501&idScheme=name").status_code == 400


def test_csv_without_header_and_adx_with_disaggregation(token_client, entry_a, elements):
    client = token_client(entry_a)
    body = "CASES,202501,990101,,,4,,,,\nCASES,202501,990102,HllvX50cXC0,HllvX50cXC0,5,,,,false\n"
    assert client.post(URL, body.encode(), content_type="application/csv").json()["response"]["importCount"]["imported"] == 2
    adx = (
        b'<adx xmlns="urn:ihe:qrph:adx:2015"><group orgUnit="990201" period="2025-01-01/P1M" dataSet="DS-HEALTH">'
        b'<dataValue dataElement="CASES" value="3" SEX="F"/></group></adx>'
    )
    conflicts = client.post(URL, adx, content_type="application/adx+xml").json()["response"]["conflicts"]
    assert "Disaggregation SEX=F does not exist here" in conflicts[0]["value"]


def test_conflicts_are_in_thai_by_default(token_client, entry_a, elements):
    payload = month_payload(value="สิบสอง")
    conflicts = token_client(entry_a, language="th").post(URL, payload, format="json").json()["response"]["conflicts"]
    assert conflicts[0]["value"] == "“สิบสอง” ไม่ใช่ตัวเลข"


def test_api_messages_are_thai_by_default(token_client, entry_a, elements):
    payload = {"dataValues": [{"dataElement": "NOPE", "period": "2025W05", "orgUnit": "990101", "value": "1"}]}
    conflicts = token_client(entry_a, language="th").post(URL, payload, format="json").json()["response"]["conflicts"]
    assert conflicts[0]["value"] == "ไม่พบรายการข้อมูลหรือไม่มีสิทธิ์เข้าถึง: NOPE"


def test_atomic_mode_none_counts_unknown_codes_as_ignored(token_client, entry_a, elements):
    payload = month_payload()
    payload["dataValues"].append({"dataElement": "NOPE", "orgUnit": "990101", "value": "1"})
    summary = token_client(entry_a).post(URL + "?atomicMode=NONE", payload, format="json").json()["response"]
    assert summary["importCount"] == {"imported": 4, "updated": 0, "ignored": 1, "deleted": 0}
    assert summary["status"] == "WARNING" and summary["conflicts"][0]["object"] == "NOPE"


def test_an_export_past_the_limit_is_refused_not_cut(token_client, entry_a, elements, monkeypatch):
    client = token_client(entry_a)
    client.post(URL, month_payload(), format="json")
    monkeypatch.setattr("api.views.MAX_VALUES", 3)
    response = client.get(URL + QUERY)
    assert response.status_code == 400 and "More than 3 values" in response.json()["detail"][0]


def test_an_oversized_body_is_refused_before_reading(token_client, entry_a, elements, settings):
    settings.POC_API_MAX_BODY_BYTES = 100
    response = token_client(entry_a).post(URL, month_payload(), format="json")
    assert response.status_code == 413 and "too large" in response.json()["detail"]
    assert not DataValue.objects.exists()
