"""The API on broken-down elements: categories metadata, values per option combination in the read API, analytics,
DHIS2 dataValueSets (JSON, CSV, ADX) in and out, the metadata package and CKAN's disaggregate field."""

import csv
import io
import xml.etree.ElementTree as ET

import pytest

from api.metadata import metadata_export, metadata_import
from datasets.aggregates import aggregates_recompute
from datasets.models import (
    AggregateOptionValue,
    Category,
    CategoryCombo,
    CategoryOptionCombo,
    DataElement,
    DataValue,
    DataValueAudit,
    Sensitivity,
    ValueType,
)
from datasets.services import datavalues_save
from tests.categories import option_cells

VALUES = "/api/datavalues/"
SETS = "/api/dataValueSets"
QUERY = "?dataSet=DS-HEALTH&period=202501&orgUnit=99&children=true"


@pytest.fixture
def population(dataset, sex_area):
    Category.objects.filter(code="SEX").update(name_th="เพศ", name_en="Sex")
    Category.objects.filter(code="AREA").update(name_th="เขตการปกครอง", name_en="Area")
    return DataElement.objects.create(
        code="POP", dataset=dataset, name_th="ประชากร", name_en="Population", value_type=ValueType.INTEGER, category_combo=sex_area, order=0
    )


@pytest.fixture
def counted(population, elements, entry_a, subdistricts, save):
    """POP for 990101 (10/20/30/40) and 990201 (1/2/3/4) in 2568-01, and CASES 5 at 990101."""
    cells = option_cells(population, subdistricts[0], "2568-01", {"M_MUN": 10, "M_NONMUN": 20, "F_MUN": 30, "F_NONMUN": 40})
    cells += option_cells(population, subdistricts[2], "2568-01", {"M_MUN": 1, "M_NONMUN": 2, "F_MUN": 3, "F_NONMUN": 4})
    assert datavalues_save(cells=cells, user=entry_a).ok
    save(entry_a, [(elements["cases"], subdistricts[0], "2568-01", 5)])


def stored_pop() -> dict[tuple[str, str], str]:
    values = DataValue.objects.filter(element__code="POP").select_related("orgunit", "option_combo")
    return {(v.orgunit.code, v.option_combo.code): v.display for v in values}


# --- metadata ----------------------------------------------------------------------------------------
def test_categories_endpoint_lists_categories_combinations_and_each_elements_combination(token_client, entry_a, population, elements):
    data = token_client(entry_a, language="th").get("/api/categories/").json()
    assert data["categories"] == [
        {
            "code": "SEX",
            "name_th": "เพศ",
            "name_en": "Sex",
            "name": "เพศ",
            "order": 1,
            "options": [
                {"code": "M", "name_th": "ชาย", "name_en": "Male", "name": "ชาย", "order": 1},
                {"code": "F", "name_th": "หญิง", "name_en": "Female", "name": "หญิง", "order": 2},
            ],
        },
        {
            "code": "AREA",
            "name_th": "เขตการปกครอง",
            "name_en": "Area",
            "name": "เขตการปกครอง",
            "order": 2,
            "options": [
                {"code": "MUN", "name_th": "ในเขตเทศบาล", "name_en": "Municipal", "name": "ในเขตเทศบาล", "order": 1},
                {"code": "NONMUN", "name_th": "นอกเขตเทศบาล", "name_en": "Non-municipal", "name": "นอกเขตเทศบาล", "order": 2},
            ],
        },
    ]
    [combo] = data["category_combos"]
    assert (combo["code"], combo["categories"]) == ("SEX_AREA", ["SEX", "AREA"])
    assert [(c["code"], c["name"], c["order"], c["options"]) for c in combo["option_combos"]] == [
        ("M_MUN", "ชาย, ในเขตเทศบาล", 0, ["M", "MUN"]),
        ("M_NONMUN", "ชาย, นอกเขตเทศบาล", 1, ["M", "NONMUN"]),
        ("F_MUN", "หญิง, ในเขตเทศบาล", 2, ["F", "MUN"]),
        ("F_NONMUN", "หญิง, นอกเขตเทศบาล", 3, ["F", "NONMUN"]),
    ]
    assert data["elements"] == [
        {"code": "POP", "dataset": "DS-HEALTH", "category_combo": "SEX_AREA"},
        {"code": "CASES", "dataset": "DS-HEALTH", "category_combo": None},
        {"code": "RATE", "dataset": "DS-HEALTH", "category_combo": None},
        {"code": "NOTE", "dataset": "DS-HEALTH", "category_combo": None},
    ]
    english = token_client(entry_a).get("/api/categories/").json()
    assert english["category_combos"][0]["option_combos"][2]["name"] == "Female, Municipal"


def test_categories_endpoint_hides_elements_of_datasets_the_caller_may_not_read(token_client, entry_a, entry_b, population, dataset):
    dataset.sensitivity = Sensitivity.RESTRICTED
    dataset.save()
    assert [e["code"] for e in token_client(entry_a).get("/api/categories/").json()["elements"]][:1] == ["POP"]
    response = token_client(entry_b).get("/api/categories/")
    assert response.json()["elements"] == [] and "POP" not in response.text and "DS-HEALTH" not in response.text


def test_metadata_package_carries_categories_and_an_import_regenerates_the_option_combinations(population, elements, en):
    package = metadata_export(datasets=["DS-HEALTH"])
    assert [c["code"] for c in package["categories"]] == ["SEX", "AREA"]
    assert [(o["category"], o["code"], o["order"]) for o in package["category_options"]] == [
        ("AREA", "MUN", 1),
        ("AREA", "NONMUN", 2),
        ("SEX", "M", 1),
        ("SEX", "F", 2),
    ]
    assert [(m["combo"], m["category"], m["order"]) for m in package["category_combo_members"]] == [
        ("SEX_AREA", "SEX", 1),
        ("SEX_AREA", "AREA", 2),
    ]
    assert [c["code"] for c in package["category_option_combos"]] == ["M_MUN", "M_NONMUN", "F_MUN", "F_NONMUN"]
    assert package["elements"][0]["code"] == "POP" and package["elements"][0]["category_combo"] == "SEX_AREA"
    assert package["elements"][1]["category_combo"] is None
    DataElement.objects.all().delete()
    CategoryCombo.objects.all().delete()
    Category.objects.all().delete()
    report = metadata_import(package=package)
    assert report.ok, report.errors
    assert "category_combos: SEX_AREA" in report.created and "category_options: SEX/F" in report.created
    assert list(CategoryOptionCombo.objects.order_by("order").values_list("code", "name_th")) == [
        ("M_MUN", "ชาย, ในเขตเทศบาล"),
        ("M_NONMUN", "ชาย, นอกเขตเทศบาล"),
        ("F_MUN", "หญิง, ในเขตเทศบาล"),
        ("F_NONMUN", "หญิง, นอกเขตเทศบาล"),
    ]
    assert DataElement.objects.get(code="POP").category_combo.code == "SEX_AREA"
    again = metadata_import(package=metadata_export(datasets=["DS-HEALTH"]))
    assert again.ok and not again.created and not again.changed


def test_metadata_import_refuses_a_wrong_cell_list_or_a_new_combination_for_an_element_with_values(counted, en):
    package = metadata_export(datasets=["DS-HEALTH"])
    package["category_option_combos"] = package["category_option_combos"][:3]
    report = metadata_import(package=package)
    assert report.errors == [
        "category_combos (SEX_AREA): its categories give the option combinations M_MUN, M_NONMUN, F_MUN, F_NONMUN, "
        "the package lists M_MUN, M_NONMUN, F_MUN"
    ]
    package = metadata_export(datasets=["DS-HEALTH"])
    package["elements"][0]["category_combo"] = None
    report = metadata_import(package=package)
    assert report.errors == ["elements[0] (POP): values are stored for this element, so its category combination cannot change"]
    assert DataElement.objects.get(code="POP").category_combo.code == "SEX_AREA"


# --- read API ----------------------------------------------------------------------------------------
def test_each_value_carries_its_option_combination_and_filters_take_an_option_or_a_combination(token_client, entry_a, counted):
    client = token_client(entry_a, language="th")

    def get(query: str) -> list[tuple]:
        response = client.get(VALUES + query)
        assert response.status_code == 200, response.json()
        return sorted((r["element"], r["orgunit"], r["option_combo"], r["value"]) for r in response.json()["results"])

    rows = client.get(VALUES + "?element=POP&orgunit=990101").json()["results"]
    assert [(r["option_combo"], r["option_combo_name"], r["value"]) for r in rows] == [
        ("M_MUN", "ชาย, ในเขตเทศบาล", "10"),
        ("M_NONMUN", "ชาย, นอกเขตเทศบาล", "20"),
        ("F_MUN", "หญิง, ในเขตเทศบาล", "30"),
        ("F_NONMUN", "หญิง, นอกเขตเทศบาล", "40"),
    ]
    assert get("?option=F") == [
        ("POP", "990101", "F_MUN", "30"),
        ("POP", "990101", "F_NONMUN", "40"),
        ("POP", "990201", "F_MUN", "3"),
        ("POP", "990201", "F_NONMUN", "4"),
    ]
    assert get("?element=POP&option=MUN&orgunit=9902&descendants=1") == [("POP", "990201", "F_MUN", "3"), ("POP", "990201", "M_MUN", "1")]
    assert get("?option_combo=F_NONMUN") == [("POP", "990101", "F_NONMUN", "40"), ("POP", "990201", "F_NONMUN", "4")]
    assert get("?element=CASES") == [("CASES", "990101", "", "5")]
    csv_text = client.get(VALUES + "?element=POP&orgunit=990201&option=M&format=csv").content.decode("utf-8-sig")
    assert [(r["value"], r["option_combo"]) for r in csv.DictReader(io.StringIO(csv_text))] == [("1", "M_MUN"), ("2", "M_NONMUN")]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?option=X", "option", "ไม่พบตัวเลือกหมวดหมู่ X"),
        ("?option_combo=F_X", "option_combo", "ไม่พบชุดตัวเลือกหมวดหมู่ F_X"),
        ("?element=POP&option=X", "option", "รายการข้อมูล POP ไม่มีตัวเลือกหรือชุดตัวเลือกหมวดหมู่ X"),
        ("?element=POP&option_combo=F", "option_combo", "รายการข้อมูล POP ไม่มีชุดตัวเลือกหมวดหมู่ F"),
        ("?element=CASES&option=F", "option", "รายการข้อมูล CASES ไม่ได้แยกกลุ่มย่อยตามหมวดหมู่"),
    ],
)
def test_unknown_options_are_a_thai_400(token_client, entry_a, counted, query, field, message):
    response = token_client(entry_a, language="th").get(VALUES + query)
    assert response.status_code == 400 and response.json() == {field: [message]}


def test_restricted_broken_down_values_never_leak_through_the_option_filter(token_client, entry_b, counted, dataset):
    dataset.sensitivity = Sensitivity.RESTRICTED
    dataset.save()
    response = token_client(entry_b).get(VALUES + "?option=F")
    assert response.status_code == 200 and response.json()["results"] == [] and "990101" not in response.text
    # the element is not readable, so the option is checked against the categories only: no hint the element exists
    assert token_client(entry_b).get(VALUES + "?element=POP&option=F").json()["results"] == []


def test_analytics_gives_totals_without_an_option_and_one_row_per_option_with_it(token_client, entry_a, counted):
    client = token_client(entry_a)

    def rows(query: str) -> dict[tuple[str, str, str], float | None]:
        response = client.get("/api/analytics/?period=2568-01" + query)
        assert response.status_code == 200, response.json()
        return {(r["element"], r["orgunit"], r["categoryoptioncombo"]): r["value"] for r in response.json()["rows"]}

    assert rows("&element=POP,CASES&orgunit=99") == {("POP", "99", "HllvX50cXC0"): 110.0, ("CASES", "99", "HllvX50cXC0"): 5.0}
    assert rows("&element=POP&orgunit=99&children=true&option=F,M_NONMUN") == {
        ("POP", "9901", "F"): 70.0,
        ("POP", "9902", "F"): 7.0,
        ("POP", "9901", "M_NONMUN"): 20.0,
        ("POP", "9902", "M_NONMUN"): 2.0,
    }
    assert rows("&element=POP&orgunit=990102&option=MUN") == {("POP", "990102", "MUN"): None}
    response = token_client(entry_a, language="th").get("/api/analytics/?element=POP,CASES&orgunit=99&period=2568-01&option=F")
    assert response.status_code == 400 and response.json() == {"detail": ["รายการข้อมูล CASES ไม่ได้แยกกลุ่มย่อยตามหมวดหมู่"]}
    response = token_client(entry_a, language="th").get("/api/analytics/?element=POP&orgunit=99&period=2568-01&option=OTHER")
    assert response.status_code == 400 and response.json() == {"detail": ["รายการข้อมูล POP ไม่มีตัวเลือกหรือชุดตัวเลือกหมวดหมู่ OTHER"]}


# --- DHIS2 dataValueSets -----------------------------------------------------------------------------
def test_export_names_the_combination_by_code_and_adx_by_one_attribute_per_category(token_client, entry_a, counted):
    client = token_client(entry_a)
    values = client.get(SETS + QUERY).json()["dataValues"]
    assert [(v["dataElement"], v["orgUnit"], v["categoryOptionCombo"], v["attributeOptionCombo"], v["value"]) for v in values] == [
        ("POP", "990101", "M_MUN", "HllvX50cXC0", "10"),
        ("POP", "990101", "M_NONMUN", "HllvX50cXC0", "20"),
        ("POP", "990101", "F_MUN", "HllvX50cXC0", "30"),
        ("POP", "990101", "F_NONMUN", "HllvX50cXC0", "40"),
        ("CASES", "990101", "HllvX50cXC0", "HllvX50cXC0", "5"),
        ("POP", "990201", "M_MUN", "HllvX50cXC0", "1"),
        ("POP", "990201", "M_NONMUN", "HllvX50cXC0", "2"),
        ("POP", "990201", "F_MUN", "HllvX50cXC0", "3"),
        ("POP", "990201", "F_NONMUN", "HllvX50cXC0", "4"),
    ]
    csv_rows = list(csv.DictReader(io.StringIO(client.get(SETS + ".csv" + QUERY).content.decode())))
    assert [r["categoryoptioncombo"] for r in csv_rows][:5] == ["M_MUN", "M_NONMUN", "F_MUN", "F_NONMUN", "HllvX50cXC0"]
    adx = ET.fromstring(client.get(SETS + ".adx" + QUERY).content)
    nodes = [{k: v for k, v in node.attrib.items()} for node in adx.iter("{urn:ihe:qrph:adx:2015}dataValue")]
    assert nodes[2] == {"dataElement": "POP", "SEX": "F", "AREA": "MUN", "value": "30"}
    assert nodes[4] == {"dataElement": "CASES", "value": "5"}


def test_round_trip_json_csv_and_adx_write_the_same_cells(token_client, entry_a, counted):
    client = token_client(entry_a)
    before = stored_pop()
    for suffix, media in ((".csv", "application/csv"), (".adx", "application/adx+xml")):
        body = client.get(SETS + suffix + QUERY).content
        deleted = client.post(SETS + "?importStrategy=DELETE", body, content_type=media).json()["response"]
        assert deleted["importCount"] == {"imported": 0, "updated": 0, "ignored": 0, "deleted": 9}, (suffix, deleted)
        assert not DataValue.objects.exists()
        summary = client.post(SETS, body, content_type=media).json()["response"]
        assert summary["status"] == "SUCCESS" and summary["importCount"]["imported"] == 9, (suffix, summary)
        assert stored_pop() == before
    assert aggregates_recompute().ok


def test_json_import_writes_each_combination_audited_and_aggregated(token_client, entry_a, population, province):
    payload = {
        "dataSet": "DS-HEALTH",
        "period": "202501",
        "orgUnit": "990102",
        "dataValues": [
            {"dataElement": "POP", "categoryOptionCombo": "F_MUN", "value": "7"},
            {"dataElement": "POP", "categoryOptionCombo": "f_nonmun", "value": "8"},
            {"dataElement": "POP", "categoryOptionCombo": "M_MUN", "attributeOptionCombo": "default", "value": "9"},
        ],
    }
    summary = token_client(entry_a).post(SETS, payload, format="json").json()["response"]
    assert summary["status"] == "SUCCESS" and summary["importCount"]["imported"] == 3
    assert stored_pop() == {("990102", "F_MUN"): "7", ("990102", "F_NONMUN"): "8", ("990102", "M_MUN"): "9"}
    audit = DataValueAudit.objects.filter(element=population).order_by("option_combo__order")
    assert list(audit.values_list("option_combo__code", "new_value", "source")) == [
        ("M_MUN", "9", "api"),
        ("F_MUN", "7", "api"),
        ("F_NONMUN", "8", "api"),
    ]
    female = AggregateOptionValue.objects.filter(element=population, orgunit=province, option_combo__code__startswith="F")
    assert sorted(female.values_list("option_combo__code", "total")) == [("F_MUN", 7.0), ("F_NONMUN", 8.0)]
    payload["dataValues"] = [{"dataElement": "POP", "categoryOptionCombo": "F_MUN", "value": "70"}]
    again = token_client(entry_a).post(SETS + "?importStrategy=UPDATE", payload, format="json").json()["response"]
    assert again["importCount"] == {"imported": 0, "updated": 1, "ignored": 0, "deleted": 0}
    payload["dataValues"] = [{"dataElement": "POP", "categoryOptionCombo": "F_NONMUN", "value": "1"}]
    created = token_client(entry_a).post(SETS + "?importStrategy=CREATE", payload, format="json").json()["response"]
    assert created["importCount"] == {"imported": 0, "updated": 0, "ignored": 1, "deleted": 0}
    assert stored_pop()[("990102", "F_MUN")] == "70" and stored_pop()[("990102", "F_NONMUN")] == "8"


def test_a_total_or_an_unknown_combination_is_a_conflict_and_nothing_is_saved(token_client, entry_a, population, elements):
    payload = {
        "period": "202501",
        "orgUnit": "990101",
        "dataValues": [
            {"dataElement": "POP", "categoryOptionCombo": "F_MUN", "value": "7"},
            {"dataElement": "POP", "value": "100"},
            {"dataElement": "POP", "categoryOptionCombo": "F_OTHER", "value": "1"},
            {"dataElement": "CASES", "categoryOptionCombo": "F_MUN", "value": "1"},
            {"dataElement": "POP", "categoryOptionCombo": "M_MUN", "attributeOptionCombo": "F_MUN", "value": "1"},
        ],
    }
    response = token_client(entry_a, language="th").post(SETS, payload, format="json")
    assert response.status_code == 409
    summary = response.json()["response"]
    assert [(c["indexes"], c["object"], c["value"]) for c in summary["conflicts"]] == [
        ([1], "POP", "POP แยกกลุ่มย่อยตามหมวดหมู่: ส่งค่าทีละชุดตัวเลือก (M_MUN, M_NONMUN, F_MUN, F_NONMUN) ยอดรวมคำนวณให้เอง"),
        ([2], "F_OTHER", "ไม่มีชุดตัวเลือกหมวดหมู่ F_OTHER สำหรับ POP (ใช้ได้: M_MUN, M_NONMUN, F_MUN, F_NONMUN)"),
        ([3], "F_MUN", "ไม่มีชุดตัวเลือกหมวดหมู่ F_MUN สำหรับ CASES: รายการนี้ไม่ได้แยกกลุ่มย่อยตามหมวดหมู่ ใช้ได้เฉพาะชุดค่าเริ่มต้น (default)"),
        ([4], "F_MUN", "ไม่มีชุดตัวเลือกแอตทริบิวต์ F_MUN ในระบบนี้: จัดเก็บเฉพาะชุดค่าเริ่มต้น (default)"),
    ]
    assert summary["importCount"]["ignored"] == 5 and not DataValue.objects.exists()
    partial = token_client(entry_a).post(SETS + "?atomicMode=NONE", payload, format="json").json()["response"]
    assert partial["status"] == "WARNING" and partial["importCount"]["imported"] == 1
    assert stored_pop() == {("990101", "F_MUN"): "7"}


def test_adx_import_names_the_cell_by_its_categories(token_client, entry_a, population, elements):
    good = b'<dataValue dataElement="POP" SEX="F" AREA="NONMUN" value="3"/>'
    good += b'<dataValue dataElement="POP" categoryOptionCombo="M_MUN" value="4"/>'
    bad = b'<dataValue dataElement="POP" SEX="F" value="5"/><dataValue dataElement="CASES" SEX="F" value="6"/>'

    def adx(values: bytes) -> bytes:
        group = b'<group orgUnit="990201" period="2025-01-01/P1M" dataSet="DS-HEALTH">' + values + b"</group>"
        return b'<adx xmlns="urn:ihe:qrph:adx:2015">' + group + b"</adx>"

    summary = token_client(entry_a).post(SETS, adx(good + bad), content_type="application/adx+xml").json()["response"]
    assert [(c["indexes"], c["object"], c["value"]) for c in summary["conflicts"]] == [
        ([2], "SEX=F", "Disaggregation SEX=F does not exist for POP: give one option of each of its categories (AREA, SEX)."),
        ([3], "SEX=F", "Disaggregation SEX=F does not exist here: CASES is not broken down by categories."),
    ]
    assert not DataValue.objects.exists()
    assert token_client(entry_a).post(SETS, adx(good), content_type="application/adx+xml").json()["response"]["status"] == "SUCCESS"
    assert stored_pop() == {("990201", "F_NONMUN"): "3", ("990201", "M_MUN"): "4"}


# --- CKAN --------------------------------------------------------------------------------------------
def test_ckan_disaggregate_lists_the_levels_then_the_categories_and_the_csv_names_each_cell(client, counted, dataset):
    dataset.sensitivity = Sensitivity.PUBLIC
    dataset.save()
    package = client.get("/api/3/action/package_show?id=ds-health").json()["result"]
    assert package["disaggregate"] == ["จังหวัด", "อำเภอ", "ตำบล", "เพศ", "เขตการปกครอง"]
    text = b"".join(client.get("/api/open-data/DS-HEALTH.csv").streaming_content).decode("utf-8-sig")
    rows = [
        (r["orgunit_code"], r["element_code"], r["option_combo_code"], r["option_combo_name"], r["value"])
        for r in csv.DictReader(io.StringIO(text))
    ]
    assert rows[:5] == [
        ("990101", "POP", "M_MUN", "Male, Municipal", "10"),
        ("990101", "POP", "M_NONMUN", "Male, Non-municipal", "20"),
        ("990101", "POP", "F_MUN", "Female, Municipal", "30"),
        ("990101", "POP", "F_NONMUN", "Female, Non-municipal", "40"),
        ("990101", "CASES", "", "", "5"),
    ]
