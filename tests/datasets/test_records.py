"""Point and dated records aggregated into the dataset's org units (point in polygon) and periods."""

from __future__ import annotations

import datetime as dt

import pytest

from datasets.imports import values_import_file
from datasets.models import Aggregation, DataElement, Dataset, Topic, ValueType
from datasets.records import parse_date
from poc.models import OrgUnit
from tests.conftest import square
from tests.datasets import files
from tests.datasets.files import stored


@pytest.fixture
def rain(rayong, agency_a) -> Dataset:
    """Monthly rainfall per district: total rain sums, temperature averages. Mueang and Klaeng get boundaries."""
    OrgUnit.objects.filter(code="2101").update(geom=square(101.2, 12.6, 0.2))
    OrgUnit.objects.filter(code="2103").update(geom=square(101.5, 12.6, 0.2))
    topic = Topic.objects.create(code="WX", name_th="อุตุนิยมวิทยา")
    dataset = Dataset.objects.create(code="DS-RAIN", topic=topic, name_th="ฝน", agency=agency_a, collection_level=2, period_type="M")
    DataElement.objects.create(code="RAIN_MM", dataset=dataset, name_th="ปริมาณฝน", value_type=ValueType.DECIMAL, order=1)
    DataElement.objects.create(
        code="TEMP_C", dataset=dataset, name_th="อุณหภูมิเฉลี่ย", value_type=ValueType.DECIMAL, aggregation=Aggregation.AVERAGE, order=2
    )
    return dataset


def test_dates_in_thai_and_iso_forms():
    assert [parse_date(v) for v in ["31/1/2568", "๓๑/๑/๒๕๖๘", "2025-01-31", "31.01.68", "2025-01-31 00:00:00", "31/02/2568", "x"]] == [
        dt.date(2025, 1, 31),
        dt.date(2025, 1, 31),
        dt.date(2025, 1, 31),
        dt.date(2025, 1, 31),
        dt.date(2025, 1, 31),
        None,
        None,
    ]


def test_daily_station_rainfall_is_summed_and_temperature_averaged_per_district_and_month(rain, entry_a):
    rows = [
        ["สถานี", "วันที่", "ละติจูด", "ลองจิจูด", "ปริมาณฝน", "อุณหภูมิเฉลี่ย"],
        ["ระยอง", "1/1/2568", 12.7, 101.3, "10.5", 30],
        ["ระยอง", "2/1/2568", 12.7, 101.3, "๔.๕", 32],
        ["ห้วยโป่ง", "15/1/2568", 12.65, 101.25, "-", 28],
        ["แกลง", "2025-01-03", 12.7, 101.6, "20", 29],
        ["แกลง", "2025-02-01", 12.7, 101.6, "1,000", 27],
        ["เกาะเสม็ด", "3/1/2568", 12.55, 101.45, "7", 31],  # at sea between the two districts
    ]
    result = values_import_file(dataset=rain, user=entry_a, content=files.csv_bytes(rows, "cp874"), filename="rain.csv")
    assert result.ok, result.errors
    assert stored(rain) == {
        ("RAIN_MM", "2101", "2568-01"): 15.0,
        ("TEMP_C", "2101", "2568-01"): 30.0,
        ("RAIN_MM", "2103", "2568-01"): 20.0,
        ("TEMP_C", "2103", "2568-01"): 29.0,
        ("RAIN_MM", "2103", "2568-02"): 1000.0,
        ("TEMP_C", "2103", "2568-02"): 27.0,
    }
    sheet = result.layout.sheets[0]
    assert sheet.kind == "records" and [(s.row, s.reason, s.text) for s in sheet.skipped] == [(7, "outside", "12.55000, 101.45000")]


def test_cases_with_a_date_and_a_subdistrict_are_counted(rayong, agency_a, entry_a):
    topic = Topic.objects.create(code="H", name_th="สุขภาพ")
    dataset = Dataset.objects.create(
        code="DS-DENGUE", topic=topic, name_th="ไข้เลือดออก", agency=agency_a, collection_level=3, period_type="M"
    )
    DataElement.objects.create(code="DENGUE", dataset=dataset, name_th="ผู้ป่วย", order=1)
    rows = [
        ["ลำดับ", "วันเริ่มป่วย", "ตำบล", "ผู้ป่วย"],
        [1, "5/3/2568", "ต.เนินพระ", 1],
        [2, "9/3/2568", "ต.เนินพระ", 1],
        [3, "1/4/2568", "ชากบก", 2],
        [4, "1/4/2568", "ต.ไม่มีจริง", 1],
    ]
    result = values_import_file(
        dataset=dataset, user=entry_a, content=files.csv_bytes(rows, "utf-8"), filename="cases.csv", mapping={"elements": {"ลำดับ": ""}}
    )
    assert result.ok, result.errors
    assert stored(dataset) == {("DENGUE", "210109", "2568-03"): 2.0, ("DENGUE", "210507", "2568-04"): 2.0}
    assert [(s.row, s.text) for s in result.layout.sheets[0].skipped] == [(5, "ต.ไม่มีจริง")]


def test_a_bad_date_or_number_in_a_record_saves_nothing(rain, entry_a):
    rows = [
        ["วันที่", "lat", "lon", "ปริมาณฝน"],
        ["1/1/2568", 12.7, 101.3, "5"],
        ["เมื่อวาน", 12.7, 101.3, "5"],
        ["2/1/2568", 12.7, 101.3, "มาก"],
    ]
    result = values_import_file(dataset=rain, user=entry_a, content=files.csv_bytes(rows, "utf-8"), filename="rain.csv")
    assert not stored(rain)
    assert [(e.row, e.column) for e in result.errors] == [(3, ""), (4, "D")]
    assert "เมื่อวาน" in result.errors[0].message and "มาก" in result.errors[1].message
