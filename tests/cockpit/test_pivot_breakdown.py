"""The analysis page breaks a broken-down element into columns by any of its categories, beside its total."""

import csv
import io

import openpyxl
import pytest
from django.urls import reverse

from datasets.models import DataElement, ValueType
from datasets.services import datavalues_save
from tests.categories import option_cells
from tests.cockpit.test_views import gov  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(fy_dataset, sex_area, entry_a, subdistricts):
    """9901: M 80 (MUN 60), F 95 (MUN 55); 9902: M 8, F 2, none municipal; province 185."""
    element = DataElement.objects.create(
        code="POPSA", dataset=fy_dataset, name_th="ประชากร", name_en="Population", value_type=ValueType.INTEGER, category_combo=sex_area
    )
    first, second, third = subdistricts[:3]
    cells = (
        option_cells(element, first, "FY2568", {"M_MUN": 10, "M_NONMUN": 20, "F_MUN": 30, "F_NONMUN": 40})
        + option_cells(element, second, "FY2568", {"M_MUN": 50, "F_MUN": 25})
        + option_cells(element, third, "FY2568", {"M_NONMUN": 8, "F_NONMUN": 2})
    )
    assert datavalues_save(cells=cells, user=entry_a).ok
    return element


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def _query(population, **extra):
    return {"item": f"e:{population.pk}", "from": 2568, "to": 2568, "orgunit": "99", **extra}


def test_columns_by_sex_beside_the_total(gov, population):  # noqa: F811
    rows = _csv(gov.get(reverse("cockpit:pivot"), {**_query(population), "by": "SEX", "export": "csv"}))
    assert [label.split(" · ")[:2] for label in rows[0][1:]] == [["POPSA", "รวม"], ["POPSA", "ชาย"], ["POPSA", "หญิง"]]
    assert [row[1:] for row in rows[1:]] == [["185.0", "88.0", "97.0"], ["175.0", "80.0", "95.0"], ["10.0", "8.0", "2.0"]]


def test_columns_by_sex_and_area_are_the_four_combinations(gov, population):  # noqa: F811
    response = gov.get(reverse("cockpit:pivot"), {**_query(population), "by": ["SEX", "AREA"], "export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert [label.split(" · ")[1] for label in table[0][1:]] == [
        "รวม",
        "ชาย, ในเขตเทศบาล",
        "ชาย, นอกเขตเทศบาล",
        "หญิง, ในเขตเทศบาล",
        "หญิง, นอกเขตเทศบาล",
    ]
    assert [row[1:] for row in table[1:]] == [[185, 60, 28, 55, 42], [175, 60, 20, 55, 40], [10, None, 8, None, 2]]


def test_columns_by_area_only_sum_over_sex_and_the_page_shows_them(gov, population):  # noqa: F811
    rows = _csv(gov.get(reverse("cockpit:pivot"), {**_query(population), "by": "AREA", "export": "csv"}))
    assert [row[1:] for row in rows[1:]] == [["185.0", "115.0", "70.0"], ["175.0", "115.0", "60.0"], ["10.0", "", "10.0"]]
    page = gov.get(reverse("cockpit:pivot"), {**_query(population), "by": "AREA"})
    assert page.status_code == 200
    assert [label.split(" · ")[1] for label in page.context["col_labels"]] == ["รวม", "ในเขตเทศบาล", "นอกเขตเทศบาล"]
    assert '<option value="AREA" selected>AREA</option>' in page.content.decode()


def test_without_breakdown_a_broken_down_element_is_its_total(gov, population):  # noqa: F811
    rows = _csv(gov.get(reverse("cockpit:pivot"), {**_query(population), "export": "csv"}))
    assert [row[1:] for row in rows[1:]] == [["185.0"], ["175.0"], ["10.0"]]


def test_unknown_category_or_one_no_chosen_element_has_is_a_thai_400(gov, population, rate):  # noqa: F811
    response = gov.get(reverse("cockpit:pivot"), {**_query(population), "by": "NOPE"})
    assert response.status_code == 400
    assert "ไม่รู้จักหมวดหมู่: NOPE" in response.content.decode()
    response = gov.get(reverse("cockpit:pivot"), {"item": f"i:{rate.pk}", "from": 2568, "to": 2568, "by": "SEX", "export": "csv"})
    assert response.status_code == 400
    assert "ไม่มีรายการข้อมูลที่เลือกซึ่งแยกตามหมวดหมู่ SEX" in response.content.decode()


def test_rows_by_category_put_the_total_and_each_part_one_under_the_other(gov, population):  # noqa: F811
    rows = _csv(gov.get(reverse("cockpit:pivot"), {**_query(population), "by": "SEX", "rows": "items", "export": "csv"}))
    assert [label.split(" · ")[0] for label in rows[0][1:]] == ["จังหวัดทดสอบ", "อำเภอทดสอบ 1", "อำเภอทดสอบ 2"]
    assert rows[1:] == [
        ["POPSA · รวม", "185.0", "175.0", "10.0"],
        ["POPSA · ชาย", "88.0", "80.0", "8.0"],
        ["POPSA · หญิง", "97.0", "95.0", "2.0"],
    ]


def test_a_calendar_year_element_shows_its_latest_annual_figure_in_a_fiscal_year_column(gov, fy_dataset, sex_area, entry_a, subdistricts):  # noqa: F811
    """Population is registered per calendar year: FY2568 (Oct 2567 – Sep 2568) shows the calendar year 2568 figure,
    as the indicators read it, rather than nothing (no calendar year fits inside a fiscal year)."""
    from datasets.models import Dataset

    yearly = Dataset.objects.create(
        code="DS-YEARLY",
        topic=fy_dataset.topic,
        name_th="รายปี",
        agency=fy_dataset.agency,
        collection_level=fy_dataset.collection_level,
        period_type="Y",
    )
    element = DataElement.objects.create(
        code="POPY", dataset=yearly, name_th="ประชากร", value_type=ValueType.INTEGER, category_combo=sex_area
    )
    assert datavalues_save(cells=option_cells(element, subdistricts[0], "2568", {"F_MUN": 7, "M_MUN": 5}), user=entry_a).ok
    rows = _csv(gov.get(reverse("cockpit:pivot"), {**_query(element), "by": "SEX", "export": "csv"}))
    assert rows[0][1:] == ["POPY · รวม · ปีงบประมาณ 2568", "POPY · ชาย · ปีงบประมาณ 2568", "POPY · หญิง · ปีงบประมาณ 2568"]
    assert rows[1:] == [["จังหวัดทดสอบ", "12.0", "5.0", "7.0"], ["อำเภอทดสอบ 1", "12.0", "5.0", "7.0"], ["อำเภอทดสอบ 2", "", "", ""]]
