"""Templates, uploads, mapped files and exports of a broken-down element: one column per option combination."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from datasets.imports import values_import_file
from datasets.models import DataElement, DataValue, DataValueAudit, ImportProfile, ValueType
from datasets.selectors import element_value
from datasets.services import datavalues_save, importprofile_save
from datasets.transfer import values_import
from poc.periods import parse_period
from tests.categories import option_cells
from tests.conftest import TEST_PASSWORD
from tests.datasets import files
from tests.datasets.test_mapping_step import form_fields

pytestmark = pytest.mark.django_db

COMBOS = ["POP.M_MUN", "POP.M_NONMUN", "POP.F_MUN", "POP.F_NONMUN"]
HEADERS = ["ประชากร (ชาย, ในเขตเทศบาล)", "ประชากร (ชาย, นอกเขตเทศบาล)", "ประชากร (หญิง, ในเขตเทศบาล)", "ประชากร (หญิง, นอกเขตเทศบาล)"]


@pytest.fixture
def population(dataset, sex_area):
    return DataElement.objects.create(
        code="POP",
        dataset=dataset,
        name_th="ประชากร",
        name_en="Population",
        unit="คน",
        value_type=ValueType.INTEGER,
        min_value=0,
        category_combo=sex_area,
        order=1,
    )


@pytest.fixture
def cases(dataset):
    return DataElement.objects.create(code="CASES", dataset=dataset, name_th="ผู้ป่วย", value_type=ValueType.INTEGER, min_value=0, order=2)


@pytest.fixture
def clerk(client, entry_a):
    assert client.login(username=entry_a.username, password=TEST_PASSWORD)
    return client


def stored(element) -> dict[tuple[str, str, str], float]:
    rows = DataValue.objects.filter(element=element).select_related("orgunit", "period", "option_combo")
    return {(v.orgunit.code, v.period.code, v.option_combo.code if v.option_combo else ""): v.value_num for v in rows}


def csv_file(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("values.csv", text.encode("utf-8"), content_type="text/csv")


def test_xlsx_template_has_a_column_per_option_combination_and_imports_back_per_combination(
    clerk, dataset, population, cases, subdistricts, province
):
    download = clerk.get(reverse("datasets:download", args=[dataset.code, "template"]) + "?period=2568-02&format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    rows = list(book.active.iter_rows(values_only=True))
    # Thai names people read, the unit, then the codes the importer reads back; no column for the derived total.
    assert list(rows[0][3:]) == [*HEADERS, "ผู้ป่วย"]
    assert list(rows[1][2:]) == ["หน่วยนับ", "คน", "คน", "คน", "คน", None]
    assert list(rows[2]) == ["period", "orgunit_code", "orgunit_name", *COMBOS, "CASES"]
    assert [r[1] for r in rows[3:]] == [u.code for u in subdistricts]
    for column, number in zip(range(4, 9), [10, 20, 30, 40, 7], strict=True):
        book.active.cell(row=4, column=column, value=number)
    book.active.cell(row=5, column=6, value=3)  # second subdistrict: หญิง ในเขตเทศบาล only
    buffer = io.BytesIO()
    book.save(buffer)
    response = clerk.post(reverse("datasets:upload", args=[dataset.code]), {"file": SimpleUploadedFile("t.xlsx", buffer.getvalue())})
    assert response.context["result"].ok and response.context["result"].created == 6
    assert stored(population) == {
        ("990101", "2568-02", "M_MUN"): 10,
        ("990101", "2568-02", "M_NONMUN"): 20,
        ("990101", "2568-02", "F_MUN"): 30,
        ("990101", "2568-02", "F_NONMUN"): 40,
        ("990102", "2568-02", "F_MUN"): 3,
    }
    assert stored(cases) == {("990101", "2568-02", ""): 7}
    assert element_value(population, province, parse_period("2568-02")) == 103  # the total is summed, never entered
    assert set(DataValueAudit.objects.filter(element=population).values_list("option_combo__code", flat=True)) == {
        "M_MUN",
        "M_NONMUN",
        "F_MUN",
        "F_NONMUN",
    }


def test_an_unknown_option_column_is_a_thai_error_and_saves_nothing(clerk, dataset, population, cases, subdistricts):
    text = "period,orgunit_code,POP.M_MUN,POP.X_MUN,CASES.M_MUN,CASES\n2568-01,990101,1,2,3,4\n"
    response = clerk.post(reverse("datasets:upload", args=[dataset.code]), {"file": csv_file(text)})
    errors = [(e.row, e.column, e.message) for e in response.context["result"].errors]
    assert errors == [
        (1, "POP.X_MUN", "POP ไม่มีชุดตัวเลือก X_MUN (ที่มี: M_MUN, M_NONMUN, F_MUN, F_NONMUN)"),
        (1, "CASES.M_MUN", "CASES ไม่ได้จำแนกตามกลุ่มประเภท: ใช้คอลัมน์ CASES"),
    ]
    assert not DataValue.objects.exists()


def test_a_total_column_of_a_broken_down_element_is_refused_and_saves_nothing(dataset, population, cases, subdistricts, entry_a):
    content = b"period,orgunit_code,POP.M_MUN,POP.F_MUN,POP,CASES\n2568-01,990101,1,2,3,4\n"
    result = values_import(dataset=dataset, user=entry_a, content=content, filename="v.csv")
    assert [(e.row, e.column) for e in result.errors] == [(1, "POP")]
    assert result.errors[0].message.startswith("POP จำแนกตามกลุ่มประเภท: ยอดรวมคำนวณจากผลบวกของแต่ละส่วน นำเข้าไม่ได้")
    assert "(POP.M_MUN, POP.M_NONMUN, …)" in result.errors[0].message
    assert not DataValue.objects.exists()


def test_a_bad_value_in_one_option_column_saves_no_other_part(dataset, population, subdistricts, entry_a):
    content = b"period,orgunit_code,POP.M_MUN,POP.F_MUN\n2568-01,990101,1,2\n2568-01,990102,5,-1\n"
    result = values_import(dataset=dataset, user=entry_a, content=content, filename="v.csv")
    assert [(e.row, e.column) for e in result.errors] == [(3, "POP.F_MUN")]
    assert not DataValue.objects.exists()


def test_values_export_names_each_option_combination_and_is_neutralised(clerk, entry_a, dataset, population, cases, subdistricts, sex_area):
    female = sex_area.option_combos.get(code="F_MUN")
    female.name_th = "=หญิง"  # would be a formula in Excel if it led a cell
    female.save()
    cells = option_cells(population, subdistricts[0], "2568-01", {"M_MUN": 10, "F_MUN": 30, "F_NONMUN": 40})
    assert datavalues_save(cells=cells, user=None, check_permissions=False).ok
    DataElement.objects.filter(pk=population.pk).update(name_th="@ประชากร")
    download = clerk.get(reverse("datasets:download", args=[dataset.code, "values"]) + "?period=2568-01&format=csv")
    header, units, codes, *rows = csv.reader(io.StringIO(download.content.decode("utf-8-sig")))
    assert header[3:] == [
        "'@ประชากร (ชาย, ในเขตเทศบาล)",
        "'@ประชากร (ชาย, นอกเขตเทศบาล)",
        "'@ประชากร (=หญิง)",
        "'@ประชากร (หญิง, นอกเขตเทศบาล)",
        "ผู้ป่วย",
    ]
    assert units[3:] == ["คน", "คน", "คน", "คน", ""]
    assert codes == ["period", "orgunit_code", "orgunit_name", *COMBOS, "CASES"]
    assert rows[0] == ["2568-01", "990101", subdistricts[0].name_th, "10", "", "30", "40", ""]
    assert rows[1] == ["2568-01", "990102", subdistricts[1].name_th, "", "", "", "", ""]
    # The export imports back unchanged (the neutralised names sit above the codes the importer reads).
    result = values_import(dataset=dataset, user=entry_a, content=download.content, filename="v.csv")
    assert result.ok and (result.created, result.unchanged) == (0, 3)


def published(month: str, values: dict[str, list[int]]) -> bytes:
    """A DOPA-like sheet: a title, three merged header rows (ประชากร / ชาย, หญิง, รวม / ในเขต, นอกเขตเทศบาล), names."""
    rows = [
        ["ตารางที่ 1 ประชากรตามทะเบียนราษฎร", None, None, None, None, None],
        ["ตำบล", "ประชากร", None, None, None, None],
        [None, "ชาย", None, "หญิง", None, "รวม"],
        [None, "ในเขตเทศบาล", "นอกเขตเทศบาล", "ในเขตเทศบาล", "นอกเขตเทศบาล", None],
    ]
    rows += [[name, *parts, sum(parts)] for name, parts in values.items()]
    merged = [(0, 0, 0, 5), (1, 0, 3, 0), (1, 1, 1, 5), (2, 1, 2, 2), (2, 3, 2, 4), (2, 5, 3, 5)]
    return files.xlsx({month: (rows, merged)})


def test_a_published_file_maps_each_column_to_an_option_combination_and_the_profile_imports_the_next_month(
    clerk, dataset, population, cases, subdistricts
):
    content = published("ม.ค. 2568", {"ต.ทดสอบ 1-1": [10, 20, 30, 40], "ตำบลทดสอบ 1-2": [1, 2, 3, 4]})
    response = clerk.post(reverse("datasets:upload", args=[dataset.code]), {"file": SimpleUploadedFile("pop.xlsx", content)})
    assert response.status_code == 302 and "/map/" in response.url
    page = clerk.get(response.url)
    assert "ยอดรวมของรายการที่จำแนกตามกลุ่มประเภท: คำนวณจากผลบวกของแต่ละส่วน ไม่นำเข้า" in page.text  # the รวม column
    assert '<option value="POP">' not in page.text  # the total cannot be chosen
    data = form_fields(page.text)
    assert [data[f"col-{n}"] for n in range(5)] == [*COMBOS, ""]
    assert [data[f"col-key-{n}"] for n in range(5)] == [
        "ประชากร / ชาย / ในเขตเทศบาล",
        "ประชากร / ชาย / นอกเขตเทศบาล",
        "ประชากร / หญิง / ในเขตเทศบาล",
        "ประชากร / หญิง / นอกเขตเทศบาล",
        "ประชากร / รวม",
    ]
    assert not DataValue.objects.exists()
    done = clerk.post(page.request["PATH_INFO"], data | {"action": "import", "profile_name": "ทะเบียนราษฎร", "period": ""})
    assert done.status_code == 302 and done.url == reverse("datasets:upload", args=[dataset.code])
    assert stored(population) == {
        ("990101", "2568-01", "M_MUN"): 10,
        ("990101", "2568-01", "M_NONMUN"): 20,
        ("990101", "2568-01", "F_MUN"): 30,
        ("990101", "2568-01", "F_NONMUN"): 40,
        ("990102", "2568-01", "M_MUN"): 1,
        ("990102", "2568-01", "M_NONMUN"): 2,
        ("990102", "2568-01", "F_MUN"): 3,
        ("990102", "2568-01", "F_NONMUN"): 4,
    }
    profile = ImportProfile.objects.get()
    assert profile.mapping["elements"] == dict(zip([data[f"col-key-{n}"] for n in range(5)], [*COMBOS, ""], strict=True))
    # Next month's file imports in one step with the profile.
    content = published("ก.พ. 2568", {"ต.ทดสอบ 1-1": [11, 21, 31, 41]})
    upload = {"file": SimpleUploadedFile("pop-02.xlsx", content), "profile": str(profile.pk)}
    response = clerk.post(reverse("datasets:upload", args=[dataset.code]), upload)
    assert response.status_code == 302 and response.url == reverse("datasets:upload", args=[dataset.code])
    february = {k: v for k, v in stored(population).items() if k[1] == "2568-02"}
    assert february == {
        ("990101", "2568-02", "M_MUN"): 11,
        ("990101", "2568-02", "M_NONMUN"): 21,
        ("990101", "2568-02", "F_MUN"): 31,
        ("990101", "2568-02", "F_NONMUN"): 41,
    }


def test_a_mapping_to_a_broken_down_total_is_refused_with_a_thai_message(dataset, population, cases, subdistricts, entry_a):
    with pytest.raises(ValidationError, match="POP จำแนกตามกลุ่มประเภท"):
        importprofile_save(user=entry_a, dataset=dataset, name="x", mapping={"elements": {"ประชากร / รวม": "POP"}})
    with pytest.raises(ValidationError, match=r"POP\.X"):
        importprofile_save(user=entry_a, dataset=dataset, name="x", mapping={"elements": {"ประชากร": "POP.X"}})
    assert not ImportProfile.objects.exists()
    # A profile saved before the element was broken down: its column now names the total, an error on the header row.
    mapping = {"elements": {key: "" for key in ("ประชากร / ชาย / ในเขตเทศบาล",)} | {"ประชากร / รวม": "POP"}}
    content = published("ม.ค. 2568", {"ต.ทดสอบ 1-1": [10, 20, 30, 40]})
    result = values_import_file(dataset=dataset, user=entry_a, content=content, filename="pop.xlsx", mapping=mapping)
    assert [(e.row, e.column) for e in result.errors] == [(4, "F")]
    assert result.errors[0].message.startswith("POP จำแนกตามกลุ่มประเภท") and not result.saved
    assert not DataValue.objects.exists()


def test_detection_reads_element_and_options_from_the_header_in_any_order(dataset, population, cases):
    from datasets.columns import column_targets
    from datasets.layout import _element_for

    targets = column_targets([population, cases], totals=True)
    assert _element_for("ประชากร (หญิง, นอกเขตเทศบาล)", targets) == ("POP.F_NONMUN", "name")
    assert _element_for("จำนวนประชากร / ในเขตเทศบาล / Male", targets) == ("POP.M_MUN", "name")
    assert _element_for("POP.F_MUN", targets) == ("POP.F_MUN", "code")
    assert _element_for("หญิง / ในเขตเทศบาล", targets) == ("POP.F_MUN", "close")  # options only: proposed, not applied
    assert _element_for("ประชากร / หญิง", targets) == (None, "total")  # summed over AREA: derived
    assert _element_for("POP", targets) == (None, "total")
    assert _element_for("ผู้ป่วย", targets) == ("CASES", "name")
