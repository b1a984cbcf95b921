"""Builders of files shaped like the ones agencies publish (OAE/NSO style), in every format we read."""

from __future__ import annotations

import io

import openpyxl
import pytest
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

from datasets.models import DataElement, Dataset, DataValue, Topic, ValueType
from poc.models import OrgUnit, OrgUnitLevel

Rows = list[list[object]]

TITLE = "ตารางที่ 5 เนื้อที่เพาะปลูกและผลผลิตข้าวนาปี รายอำเภอ จังหวัดระยอง"


def agri_sheet(year: int, area: dict[str, object], crop: dict[str, object]) -> tuple[Rows, list[tuple[int, int, int, int]]]:
    """Title row, two-row merged header, province and regional subtotals, district names, footnotes."""
    rows: Rows = [
        [TITLE, None, None],
        [f"ปีเพาะปลูก {year}", None, None],
        ["อำเภอ", "เนื้อที่เพาะปลูก", "ผลผลิต"],
        [None, "(ไร่)", "(ตัน)"],
        ["ภาคตะวันออก", "๙๙,๙๙๙", "88,888"],
        ["จังหวัดระยอง", "12,345", "6,789"],
    ]
    for name in area:
        rows.append([name, area[name], crop[name]])
    rows += [
        ["รวม", "12,345", "6,789"],
        [None, None, None],
        ["ที่มา: สำนักงานเศรษฐกิจการเกษตร", None, None],
        ["หมายเหตุ: - หมายถึง ไม่มีข้อมูล", None, None],
        ["Update : 3-04-60", None, None],
    ]
    merged = [(0, 0, 0, 2), (1, 0, 1, 2), (2, 0, 3, 0)]  # title, subtitle, "อำเภอ" over both header rows
    return rows, merged


def xlsx(sheets: dict[str, tuple[Rows, list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (rows, merged) in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for top, left, bottom, right in merged:
            sheet.merge_cells(start_row=top + 1, start_column=left + 1, end_row=bottom + 1, end_column=right + 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xls(sheets: dict[str, tuple[Rows, list]]) -> bytes:
    """Legacy BIFF8, as most Thai government statistics are still published."""
    book = xlwt.Workbook(encoding="utf-8")
    for name, (rows, merged) in sheets.items():
        sheet = book.add_sheet(name)
        covered = {(r, c) for t, lft, b, rgt in merged for r in range(t, b + 1) for c in range(lft, rgt + 1) if (r, c) != (t, lft)}
        for top, left, bottom, right in merged:
            sheet.write_merge(top, bottom, left, right, rows[top][left])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None and (r, c) not in covered and not any((r, c) == (t, lft) for t, lft, _b, _r in merged):
                    sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ods(sheets: dict[str, tuple[Rows, list]]) -> bytes:
    document = OpenDocumentSpreadsheet()
    for name, (rows, _merged) in sheets.items():
        table = Table(name=name)
        for row in rows:
            line = TableRow()
            for value in row:
                if isinstance(value, (int, float)):
                    cell = TableCell(valuetype="float", value=value)
                    cell.addElement(P(text=str(value)))
                else:
                    cell = TableCell(valuetype="string") if value is not None else TableCell()
                    if value is not None:
                        cell.addElement(P(text=str(value)))
                line.addElement(cell)
            table.addElement(line)
        document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Rows, encoding: str, delimiter: str = ",") -> bytes:
    lines = []
    for row in rows:
        cells = ["" if v is None else str(v) for v in row]
        lines.append(delimiter.join(f'"{c}"' if "," in c else c for c in cells))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


# --- Fixtures: a part of Rayong and a rice dataset published per district --------------------------------
AREA_2566 = {"อ.เมืองระยอง": "1,234", "อ.บ้านค่าย": "๒๕๐", "อำเภอแกลง": 4321, "บ้านฉาง": "-"}
CROP_2566 = {"อ.เมืองระยอง": "500", "อ.บ้านค่าย": "๑,๐๐๐.๕", "อำเภอแกลง": 77, "บ้านฉาง": "n.a."}
AREA_2567 = {"อ.เมืองระยอง": 1300, "อ.บ้านค่าย": 260, "อำเภอแกลง": 4400, "บ้านฉาง": 10}
CROP_2567 = {"อ.เมืองระยอง": 510, "อ.บ้านค่าย": 990, "อำเภอแกลง": 80, "บ้านฉาง": 5}


@pytest.fixture
def rayong(db) -> OrgUnit:
    """Part of Rayong with real DOPA codes: district แกลง (2103) and subdistrict แกลง (210106, in Mueang) share a name."""
    province = OrgUnit.objects.create(code="21", name_th="ระยอง", name_en="Rayong", level=OrgUnitLevel.PROVINCE)
    districts = {}
    for code, name, en in [
        ("2101", "เมืองระยอง", "Mueang Rayong"),
        ("2102", "บ้านฉาง", "Ban Chang"),
        ("2103", "แกลง", "Klaeng"),
        ("2105", "บ้านค่าย", "Ban Khai"),
    ]:
        districts[code] = OrgUnit.objects.create(code=code, name_th=name, name_en=en, level=OrgUnitLevel.DISTRICT, parent=province)
    for code, name in [
        ("210101", "ท่าประดู่"),
        ("210106", "แกลง"),
        ("210109", "เนินพระ"),
        ("210301", "ทางเกวียน"),
        ("210308", "บ้านนา"),
        ("210501", "บ้านค่าย"),
        ("210507", "ชากบก"),
        ("210201", "บ้านฉาง"),
    ]:
        OrgUnit.objects.create(code=code, name_th=name, level=OrgUnitLevel.SUBDISTRICT, parent=districts[code[:4]])
    return province


@pytest.fixture
def agri(rayong, agency_a) -> Dataset:
    topic = Topic.objects.create(code="AGRI", name_th="เกษตร")
    dataset = Dataset.objects.create(code="DS-RICE", topic=topic, name_th="ข้าวนาปี", agency=agency_a, collection_level=2, period_type="Y")
    DataElement.objects.create(code="RICE_AREA", dataset=dataset, name_th="เนื้อที่เพาะปลูก", unit="ไร่", order=1)
    DataElement.objects.create(code="RICE_PROD", dataset=dataset, name_th="ผลผลิต", value_type=ValueType.DECIMAL, unit="ตัน", order=2)
    return dataset


def two_years() -> dict:
    return {"ปี 2566": agri_sheet(2566, AREA_2566, CROP_2566), "ปี 2567": agri_sheet(2567, AREA_2567, CROP_2567)}


def stored(dataset: Dataset) -> dict[tuple[str, str, str], float]:
    rows = DataValue.objects.filter(element__dataset=dataset).select_related("element", "orgunit", "period")
    return {(v.element.code, v.orgunit.code, v.period.code): v.value_num for v in rows}


EXPECTED = {
    ("RICE_AREA", "2101", "2566"): 1234.0,
    ("RICE_AREA", "2105", "2566"): 250.0,
    ("RICE_AREA", "2103", "2566"): 4321.0,
    ("RICE_PROD", "2101", "2566"): 500.0,
    ("RICE_PROD", "2105", "2566"): 1000.5,
    ("RICE_PROD", "2103", "2566"): 77.0,
    ("RICE_AREA", "2101", "2567"): 1300.0,
    ("RICE_AREA", "2105", "2567"): 260.0,
    ("RICE_AREA", "2103", "2567"): 4400.0,
    ("RICE_AREA", "2102", "2567"): 10.0,
    ("RICE_PROD", "2101", "2567"): 510.0,
    ("RICE_PROD", "2105", "2567"): 990.0,
    ("RICE_PROD", "2103", "2567"): 80.0,
    ("RICE_PROD", "2102", "2567"): 5.0,
}
