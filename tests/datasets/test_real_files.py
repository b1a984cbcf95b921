"""Real agency files in: every format and encoding, published layouts, names instead of codes, all-or-nothing."""

from __future__ import annotations

import contextlib

import pytest
from django.test import override_settings
from django.utils import translation

from datasets.imports import values_import_file
from datasets.layout import detect_layout, normalize_name, period_from_label
from datasets.models import DataValue, DataValueAudit
from datasets.readers import ReadError, decode_text, read_sheets, to_number
from poc.models import OrgUnit, OrgUnitLevel
from tests.datasets import files
from tests.datasets.files import AREA_2566, CROP_2566, EXPECTED, stored, two_years


# --- Reading ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("encoding", ["cp874", "tis-620", "utf-16", "utf-16-le", "utf-16-be", "utf-8", "utf-8-sig"])
def test_csv_in_thai_encodings_is_read(encoding):
    rows = [["อำเภอ", "จำนวน"], ["อ.เมืองระยอง", "1,234"], ["ต.เนินพระ", "๕๖"]]
    sheet = read_sheets(files.csv_bytes(rows, encoding), "table.csv")[0]
    assert sheet.rows == [["อำเภอ", "จำนวน"], ["อ.เมืองระยอง", "1,234"], ["ต.เนินพระ", "๕๖"]]


def test_a_short_cp874_file_is_still_recognised():
    assert decode_text("อำเภอ,n\r\nอ.แกลง,1\r\n".encode("cp874")) == ("อำเภอ,n\r\nอ.แกลง,1\r\n", "cp874")


def test_undecodable_text_names_the_encodings_tried():
    with pytest.raises(ReadError) as error:
        decode_text(bytes(range(0x80, 0x100)) * 50 + b"\x00\x81\x8d\x8f\x90\x9d" * 100)
    assert "Windows-874/TIS-620" in str(error.value) or "UTF-16" in str(error.value)


def test_thai_digits_and_thousands_separators_are_numbers():
    assert [to_number(v) for v in ["1,234", "๑,๒๓๔.๕", " 12 345 ", "(1,000)", "-", "n.a.", "12,34", 7]] == [
        1234.0,
        1234.5,
        12345.0,
        -1000.0,
        None,
        None,
        None,
        7.0,
    ]


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_every_workbook_format_is_read_with_its_sheets(kind):
    content = getattr(files, kind)(two_years())
    sheets = read_sheets(content, f"rice.{kind}")
    assert [s.name for s in sheets] == ["ปี 2566", "ปี 2567"]
    assert sheets[0].rows[4][:3] == ["ภาคตะวันออก", "๙๙,๙๙๙", "88,888"]
    assert sheets[1].rows[6][:3] == ["อ.เมืองระยอง", 1300, 510]


@override_settings(POC_IMPORT_MAX_ROWS=10)
def test_row_limit_is_enforced_while_reading_with_a_thai_message():
    content = files.csv_bytes([["อำเภอ", "n"]] + [["x", i] for i in range(50)], "utf-8")
    with pytest.raises(ReadError) as error, translation.override("th"):
        read_sheets(content, "big.csv")
    assert "10" in str(error.value) and "แบ่ง" in str(error.value)


@override_settings(POC_IMPORT_MAX_CELLS=20)
def test_cell_limit_is_enforced_before_a_sheet_becomes_rows():
    with pytest.raises(ReadError, match="20"):
        read_sheets(files.xlsx(two_years()), "rice.xlsx")


@override_settings(POC_IMPORT_MAX_UNCOMPRESSED_BYTES=1024)
def test_zip_bomb_is_refused_from_the_zip_directory():
    with pytest.raises(ReadError, match="MB"):
        read_sheets(files.xlsx(two_years()), "rice.xlsx")


# --- Layout -------------------------------------------------------------------------------------------------
def test_prefixes_are_stripped_and_name_the_level():
    assert normalize_name("อ.เมืองระยอง") == ("เมืองระยอง", OrgUnitLevel.DISTRICT)
    assert normalize_name("ต. เนินพระ") == ("เนินพระ", OrgUnitLevel.SUBDISTRICT)
    assert normalize_name("จังหวัดระยอง") == ("ระยอง", OrgUnitLevel.PROVINCE)
    assert normalize_name("เทศบาลตำบลบ้านค่าย")[0] == "บ้านค่าย"


@pytest.mark.parametrize(
    "label, kind, expected",
    [
        ("ปี 2545", "Y", "2545"),
        ("45", "Y", None),
        ("2568", "FY", "FY2568"),
        ("ม.ค. 68", "M", "2568-01"),
        ("มกราคม 2567", "M", "2567-01"),
        ("ปีงบประมาณ ๒๕๖๗", "Y", "FY2567"),
        ("พ.ศ. 2559", "Y", "2559"),
        ("ผลผลิต", "Y", None),
    ],
)
def test_period_words_in_headers(label, kind, expected):
    assert period_from_label(label, kind) == expected


def test_short_years_are_read_in_sheet_names():
    assert period_from_label("45", "Y", short_years=True) == "2545"


def test_layout_finds_headers_columns_periods_and_skipped_rows(agri):
    layout = detect_layout(read_sheets(files.xls(two_years()), "rice.xls"), agri)
    sheet = layout.sheets[0]
    assert (sheet.name, sheet.period, sheet.header_rows, sheet.orgunit_column) == ("ปี 2566", "2566", [3, 4], 0)
    assert [(c.role, c.element, c.element_match) for c in sheet.columns] == [
        ("orgunit", None, ""),
        ("value", "RICE_AREA", "name"),
        ("value", "RICE_PROD", "name"),
    ]
    assert [(r.label, r.unit) for r in sheet.rows] == [
        ("อ.เมืองระยอง", "2101"),
        ("อ.บ้านค่าย", "2105"),
        ("อำเภอแกลง", "2103"),
        ("บ้านฉาง", "2102"),
    ]
    assert [(s.row, s.reason) for s in sheet.skipped] == [
        (1, "title"),
        (2, "title"),
        (5, "subtotal"),
        (6, "subtotal"),
        (11, "subtotal"),
        (12, "blank"),
        (13, "footnote"),
        (14, "footnote"),
        (15, "footnote"),
    ]


# --- Import -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_published_workbook_imports_exact_values_and_never_subtotals(kind, agri, entry_a):
    result = values_import_file(dataset=agri, user=entry_a, content=getattr(files, kind)(two_years()), filename=f"rice.{kind}")
    assert result.ok, result.errors
    assert stored(agri) == EXPECTED
    assert result.not_available == 2 and result.created == 14
    assert not DataValue.objects.filter(orgunit__level__lt=2).exists()  # no province or region row became a value
    assert DataValueAudit.objects.filter(source="import").count() == 14


def test_cp874_csv_with_years_as_columns(agri, entry_a):
    rows = [
        ["ตาราง เนื้อที่เพาะปลูกข้าว (ไร่)", None, None],
        ["อำเภอ", "ปี 2566", "ปี 2567"],
        ["รวมทั้งประเทศ", "1,000,000", "1,100,000"],
        ["อ.เมืองระยอง", "1,234", "1,300"],
        ["อ.แกลง", "๔,๓๒๑", "4,400"],
        ["หมายเหตุ: ข้อมูลเบื้องต้น", None, None],
    ]
    mapping = {"elements": {"": "RICE_AREA"}}
    result = values_import_file(dataset=agri, user=entry_a, content=files.csv_bytes(rows, "cp874"), filename="rice.csv", mapping=mapping)
    assert result.ok, result.errors
    assert stored(agri) == {
        ("RICE_AREA", "2101", "2566"): 1234.0,
        ("RICE_AREA", "2101", "2567"): 1300.0,
        ("RICE_AREA", "2103", "2566"): 4321.0,
        ("RICE_AREA", "2103", "2567"): 4400.0,
    }


def test_ambiguous_name_is_a_question_not_a_guess(agri, entry_a):
    agri.collection_level = 3
    agri.save()
    OrgUnit.objects.create(code="210199", name_th="บ้านนา", level=3, parent=OrgUnit.objects.get(code="2101"))
    rows = [["ตำบล", "เนื้อที่เพาะปลูก"], ["ต.บ้านนา", "10"], ["ต.ชากบก", "20"]]
    content = files.csv_bytes(rows, "utf-8")
    mapping = {"period": "2567"}
    result = values_import_file(dataset=agri, user=entry_a, content=content, filename="t.csv", mapping=mapping)
    assert not result.ok and not DataValue.objects.exists()
    assert result.errors[0].row == 2 and "210308" in result.errors[0].message and "210199" in result.errors[0].message
    mapping["units"] = {"ต.บ้านนา": "210308"}  # the user's answer
    result = values_import_file(dataset=agri, user=entry_a, content=content, filename="t.csv", mapping=mapping)
    assert result.ok, result.errors
    assert stored(agri) == {("RICE_AREA", "210308", "2567"): 10.0, ("RICE_AREA", "210507", "2567"): 20.0}


def test_district_and_subdistrict_of_the_same_name_follow_the_district_rows(agri, entry_a):
    """แกลง is a district (2103) and a subdistrict of Mueang (210106): the block it sits in decides, as a reader would."""
    agri.collection_level = 3
    agri.save()
    rows = [["พื้นที่", "เนื้อที่เพาะปลูก"], ["อ.เมืองระยอง", "30"], ["แกลง", "10"], ["เนินพระ", "20"], ["อ.แกลง", "40"], ["ทางเกวียน", "40"]]
    result = values_import_file(
        dataset=agri, user=entry_a, content=files.csv_bytes(rows, "utf-8"), filename="t.csv", mapping={"period": "2567"}
    )
    assert result.ok, result.errors
    assert stored(agri) == {
        ("RICE_AREA", "210106", "2567"): 10.0,
        ("RICE_AREA", "210109", "2567"): 20.0,
        ("RICE_AREA", "210301", "2567"): 40.0,
    }
    assert [(s.row, s.reason, s.text) for s in result.layout.sheets[0].skipped] == [
        (2, "subtotal", "อ.เมืองระยอง"),
        (5, "subtotal", "อ.แกลง"),
    ]


def test_close_name_is_proposed_and_nothing_saved(agri, entry_a):
    rows = [["อำเภอ", "เนื้อที่เพาะปลูก"], ["อ.เมืองระยอ", "10"], ["อ.แกลง", "20"]]
    result = values_import_file(
        dataset=agri, user=entry_a, content=files.csv_bytes(rows, "utf-8"), filename="t.csv", mapping={"period": "2567"}
    )
    assert not DataValue.objects.exists()
    assert [e.row for e in result.errors] == [2] and "เมืองระยอง (ระยอง) [2101]" in result.errors[0].message


def test_a_bad_cell_saves_nothing_and_names_sheet_row_and_column(agri, entry_a):
    sheets = two_years()
    sheets["ปี 2567"][0][7][1] = "ไม่ทราบ"  # อ.บ้านค่าย's area in 2567
    result = values_import_file(dataset=agri, user=entry_a, content=files.xlsx(sheets), filename="rice.xlsx")
    assert not DataValue.objects.exists()
    assert [(e.row, e.column) for e in result.errors] == [(8, "ปี 2567!B")] and "ไม่ทราบ" in result.errors[0].message


def test_other_agency_cannot_import_a_published_file(agri, entry_b):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        values_import_file(dataset=agri, user=entry_b, content=files.xlsx(two_years()), filename="rice.xlsx")
    assert not DataValue.objects.exists()


def test_month_columns_take_their_year_from_the_sheet_fiscal_months_before_january_included(agri, entry_a):
    agri.period_type = "M"
    agri.save()
    rows = [["อำเภอ", "ต.ค.", "พ.ย.", "ธ.ค.", "ม.ค."], ["อ.เมืองระยอง", "1", "2", "3", "4"]]
    sheets = {"ปีงบประมาณ 2567": (rows, []), "ปี 2568": ([["อำเภอ", "มกราคม"], ["อ.แกลง", "๙"]], [])}
    result = values_import_file(
        dataset=agri, user=entry_a, content=files.xlsx(sheets), filename="m.xlsx", mapping={"elements": {"": "RICE_AREA"}}
    )
    assert result.ok, result.errors
    assert stored(agri) == {
        ("RICE_AREA", "2101", "2566-10"): 1.0,
        ("RICE_AREA", "2101", "2566-11"): 2.0,
        ("RICE_AREA", "2101", "2566-12"): 3.0,
        ("RICE_AREA", "2101", "2567-01"): 4.0,
        ("RICE_AREA", "2103", "2568-01"): 9.0,
    }


def test_a_single_year_in_the_title_dates_a_plain_sheet(agri, entry_a):
    rows = [["ตารางที่ 3 เนื้อที่เพาะปลูก ปีเพาะปลูก 2566", None], ["อำเภอ", "เนื้อที่เพาะปลูก"], ["อ.บ้านค่าย", "12"]]
    result = values_import_file(dataset=agri, user=entry_a, content=files.xlsx({"Sheet1": (rows, [])}), filename="t.xlsx")
    assert result.ok, result.errors
    assert stored(agri) == {("RICE_AREA", "2105", "2566"): 12.0}


def test_a_million_row_sheet_is_refused_from_its_dimension_before_it_is_parsed(monkeypatch):
    """The hostile-input case: a small .xlsx whose sheet spans 1,000,000 rows must not hold a worker."""
    import io
    import time

    import openpyxl

    import datasets.readers

    book = openpyxl.Workbook()
    book.active["A1"] = "อำเภอ"
    book.active.cell(row=1_000_000, column=10, value=1)
    buffer = io.BytesIO()
    book.save(buffer)
    monkeypatch.setattr(datasets.readers, "_open_workbook", lambda content: pytest.fail("the sheet was parsed"))
    started = time.monotonic()
    for read in (datasets.readers.survey, datasets.readers.read_sheets):
        with pytest.raises(ReadError, match="300,000"):
            read(buffer.getvalue(), "huge.xlsx")
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("name", ["f.csv", "f.tsv", "f.xlsx", "f.xls", "f.ods"])
def test_any_bytes_are_read_or_refused_with_a_message(name):
    """Hostile input: whatever the bytes, the readers answer rows or a ReadError, never another exception."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    prefixes = {"f.xlsx": b"PK\x03\x04", "f.ods": b"PK\x03\x04", "f.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"}

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.binary(max_size=2000))
    def check(data: bytes) -> None:
        with contextlib.suppress(ReadError):
            read_sheets(prefixes.get(name, b"") + data, name)

    check()


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_damaged_real_workbooks_are_read_or_refused_with_a_message(kind):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    original = getattr(files, kind)({"ปี 2567": files.agri_sheet(2567, AREA_2566, CROP_2566)})

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.tuples(st.integers(0, len(original) - 1), st.integers(0, 255)), min_size=1, max_size=30))
    def check(flips: list[tuple[int, int]]) -> None:
        damaged = bytearray(original)
        for position, value in flips:
            damaged[position] = value
        with contextlib.suppress(ReadError):
            read_sheets(bytes(damaged), f"f.{kind}")

    check()


def test_long_dopa_table_with_every_level_imports_only_the_datasets_level_by_code(agri, entry_a):
    """The DOPA registration shape: one row per unit and year, all levels mixed; แกลง is a district and a subdistrict."""
    header = ["year", "reference_date", "level", "code", "name_th", "total", "male", "female", "households"]
    rows = [header]
    for year in (2000, 2001):
        rows += [
            [year, f"{year}-12-31", "province", "21", "ระยอง", 1000 + year, 1, 1, 1],
            [year, f"{year}-12-31", "district", "2101", "เมืองระยอง", 300 + year, 1, 1, 1],
            [year, f"{year}-12-31", "subdistrict", "210106", "แกลง", 5, 1, 1, 1],
            [year, f"{year}-12-31", "district", "2103", "แกลง", 200 + year, 1, 1, 1],
        ]
    mapping = {"elements": {"total": "RICE_AREA", "male": "", "female": "", "households": ""}}
    result = values_import_file(dataset=agri, user=entry_a, content=files.csv_bytes(rows, "utf-8"), filename="pop.csv", mapping=mapping)
    assert result.ok, result.errors
    assert stored(agri) == {
        ("RICE_AREA", "2101", "2543"): 2300.0,
        ("RICE_AREA", "2103", "2543"): 2200.0,
        ("RICE_AREA", "2101", "2544"): 2301.0,
        ("RICE_AREA", "2103", "2544"): 2201.0,
    }
    sheet = result.layout.sheets[0]
    assert [(c.header, c.role) for c in sheet.columns][:5] == [
        ("year", "period"),
        ("reference_date", "ignore"),
        ("level", "ignore"),
        ("code", "orgunit"),
        ("name_th", "ignore"),
    ]
    assert [(s.row, s.reason) for s in sheet.skipped] == [(2, "subtotal"), (4, "below"), (6, "subtotal"), (8, "below")]


def _abort() -> None:
    import os

    os.abort()  # what calamine does on some damaged workbooks


def _sleep_forever() -> None:
    import time

    time.sleep(3600)


def test_a_parser_crash_or_hang_is_a_message_and_the_worker_lives_on(settings):
    from datasets.readers import isolated

    with pytest.raises(ReadError, match="damaged"):
        isolated(_abort)
    settings.POC_IMPORT_PARSE_SECONDS = 1
    with pytest.raises(ReadError, match="1 seconds"):
        isolated(_sleep_forever)
    assert isolated(sum, [1, 2, 3]) == 6  # and this process still parses the next file
