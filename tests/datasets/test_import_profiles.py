"""Import profiles and the command line: map once, import next year's edition in one step."""

from __future__ import annotations

import json

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from datasets.imports import values_import_file
from datasets.models import DataValue, ImportProfile
from datasets.services import importprofile_save
from tests.datasets import files
from tests.datasets.files import AREA_2567, CROP_2567, stored


def years_as_columns(years: list[int], values: dict[str, list]) -> list[list]:
    """The NSO shape: one element per file, the years as column headers, subtotal and footnote rows."""
    rows = [
        ["ตารางที่ 2 เนื้อที่เพาะปลูกข้าว จำแนกรายอำเภอ", *[None] * len(years)],
        ["อำเภอ", *[f"ปี {y}" for y in years]],
        ["รวมทั้งจังหวัด", *["999" for _y in years]],
    ]
    rows += [[name, *cells] for name, cells in values.items()]
    rows.append(["ที่มา: สำนักงานสถิติจังหวัดระยอง", *[None] * len(years)])
    return rows


def test_profile_is_saved_per_agency_and_audited(agri, entry_a):
    profile = importprofile_save(user=entry_a, dataset=agri, name="สศก. รายอำเภอ", mapping={"elements": {"": "RICE_AREA"}})
    assert profile.agency == entry_a.agency and profile.mapping == {"elements": {"": "RICE_AREA"}, "units": {}}
    again = importprofile_save(user=entry_a, dataset=agri, name="สศก. รายอำเภอ", mapping={"elements": {"": "RICE_PROD"}})
    assert again.pk == profile.pk and ImportProfile.objects.get().mapping["elements"] == {"": "RICE_PROD"}
    assert list(LogEntry.objects.values_list("change_message", flat=True).order_by("pk")) == [
        "import profile สศก. รายอำเภอ: 1 column(s)",
        "import profile สศก. รายอำเภอ: 1 column(s)",
    ]


def test_profile_rejects_other_datasets_elements_and_other_agencies(agri, entry_a, entry_b):
    with pytest.raises(ValidationError):
        importprofile_save(user=entry_a, dataset=agri, name="x", mapping={"elements": {"": "CASES"}})
    with pytest.raises(ValidationError):
        importprofile_save(user=entry_a, dataset=agri, name="x", mapping={"units": {"อ.ไหน": "210101"}})  # a subdistrict
    with pytest.raises(PermissionDenied):
        importprofile_save(user=entry_b, dataset=agri, name="x", mapping={})
    assert not ImportProfile.objects.exists()


def test_next_years_edition_imports_in_one_step_with_the_profile(agri, entry_a, tmp_path):
    mapping = {"elements": {"": "RICE_AREA"}, "units": {"อ.เมือง": "2101"}}
    first = files.csv_bytes(years_as_columns([2566], {"อ.เมือง": ["1,000"], "อ.แกลง": ["2,000"]}), "cp874")
    assert values_import_file(dataset=agri, user=entry_a, content=first, filename="rice.csv", mapping=mapping).ok
    importprofile_save(user=entry_a, dataset=agri, name="สถิติจังหวัด", mapping=mapping)
    path = tmp_path / "rice_2567.csv"
    path.write_bytes(files.csv_bytes(years_as_columns([2566, 2567], {"อ.เมือง": ["1,000", "1,100"], "อ.แกลง": ["2,000", "๒,๒๐๐"]}), "cp874"))
    call_command("import_values", str(path), "--dataset", "DS-RICE", "--profile", "สถิติจังหวัด", "--user", "entry_a")
    assert stored(agri) == {
        ("RICE_AREA", "2101", "2566"): 1000.0,
        ("RICE_AREA", "2103", "2566"): 2000.0,
        ("RICE_AREA", "2101", "2567"): 1100.0,
        ("RICE_AREA", "2103", "2567"): 2200.0,
    }


def test_import_values_dry_run_saves_nothing_and_prints_the_summary(agri, tmp_path, capsys):
    path = tmp_path / "rice.xls"
    path.write_bytes(files.xls({"ปี 2567": files.agri_sheet(2567, AREA_2567, CROP_2567)}))
    call_command("import_values", str(path), "--dataset", "DS-RICE", "--dry-run")
    out = capsys.readouterr().out
    assert not DataValue.objects.exists()
    assert "sheet ปี 2567: period 2567, 4 data row(s), header rows [3, 4]" in out
    assert "skipped row 5 (subtotal): ภาคตะวันออก" in out and "skipped row 13 (footnote): ที่มา: สำนักงานเศรษฐกิจการเกษตร" in out
    assert "values 8, not available (left unchanged) 0" in out and "dry run: nothing saved" in out


def test_import_values_fails_loudly_and_saves_nothing(agri, tmp_path):
    path = tmp_path / "rice.csv"
    path.write_bytes(files.csv_bytes([["อำเภอ", "เนื้อที่เพาะปลูก"], ["อ.เมืองระยอง", "abc"]], "utf-8"))
    with pytest.raises(CommandError, match="has no import profile none-such"):
        call_command("import_values", str(path), "--dataset", "DS-RICE", "--profile", "none-such")
    agri_profile = {"elements": {"เนื้อที่เพาะปลูก": "RICE_AREA"}, "period": "2567"}
    ImportProfile.objects.create(agency=agri.agency, dataset=agri, name="p", mapping=agri_profile)
    with pytest.raises(CommandError, match="nothing saved: 1 problem"):
        call_command("import_values", str(path), "--dataset", "DS-RICE", "--profile", "p")
    assert not DataValue.objects.exists()


def test_inspect_upload_prints_the_detected_layout_as_json(agri, tmp_path, capsys):
    path = tmp_path / "rice.xlsx"
    path.write_bytes(files.xlsx({"ปี 2567": files.agri_sheet(2567, AREA_2567, CROP_2567)}))
    call_command("inspect_upload", str(path), "--dataset", "DS-RICE")
    report = json.loads(capsys.readouterr().out)
    sheet = report["sheets"][0]
    assert (report["orgunit_level"], sheet["name"], sheet["period"], sheet["header_rows"]) == (2, "ปี 2567", "2567", [3, 4])
    assert [(c["header"], c["role"], c["element"]) for c in sheet["columns"]] == [
        ("อำเภอ", "orgunit", None),
        ("เนื้อที่เพาะปลูก / (ไร่)", "value", "RICE_AREA"),
        ("ผลผลิต / (ตัน)", "value", "RICE_PROD"),
    ]
    assert [(r["label"], r["unit"]) for r in sheet["rows"]] == [
        ("อ.เมืองระยอง", "2101"),
        ("อ.บ้านค่าย", "2105"),
        ("อำเภอแกลง", "2103"),
        ("บ้านฉาง", "2102"),
    ]
    assert {(s["row"], s["reason"]) for s in sheet["skipped"]} >= {(5, "subtotal"), (6, "subtotal"), (11, "subtotal"), (13, "footnote")}
    assert not DataValue.objects.exists()


def test_inspect_upload_without_a_dataset_finds_the_level(rayong, tmp_path, capsys):
    path = tmp_path / "t.csv"
    path.write_bytes(files.csv_bytes([["ตำบล", "จำนวน"], ["ต.เนินพระ", "5"], ["ต.ชากบก", "6"]], "cp874"))
    call_command("inspect_upload", str(path))
    report = json.loads(capsys.readouterr().out)
    assert report["orgunit_level"] == 3 and [r["unit"] for r in report["sheets"][0]["rows"]] == ["210109", "210507"]


def test_clean_uploads_deletes_only_stale_files(settings, tmp_path, capsys):
    import os
    import time

    settings.MEDIA_ROOT = tmp_path
    folder = tmp_path / "imports"
    folder.mkdir()
    old, new = folder / "a.xls", folder / "b.csv"
    old.write_bytes(b"x")
    new.write_bytes(b"y")
    os.utime(old, (time.time() - 25 * 3600, time.time() - 25 * 3600))
    call_command("clean_uploads")
    assert "deleted 1 stale upload(s)" in capsys.readouterr().out
    assert not old.exists() and new.exists()


def test_a_changed_header_under_a_saved_profile_waits_for_the_clerk(agri, entry_a):
    """A ministry renamed a column (its unit changed from rai to ngan): the profile does not silently take it."""
    mapping = {"elements": {"เนื้อที่เพาะปลูก / (ไร่)": "RICE_AREA", "ผลผลิต / (ตัน)": "RICE_PROD"}, "units": {}, "complete": True}
    profile = importprofile_save(user=entry_a, dataset=agri, name="p", mapping=mapping)
    assert profile.mapping["complete"] is True
    sheet_rows, merged = files.agri_sheet(2567, AREA_2567, CROP_2567)
    sheet_rows[3][1] = "(งาน)"
    result = values_import_file(
        dataset=agri, user=entry_a, content=files.xlsx({"ปี 2567": (sheet_rows, merged)}), filename="r.xlsx", mapping=profile.mapping
    )
    assert not DataValue.objects.exists()
    assert [(e.row, e.column) for e in result.errors] == [(4, "B")] and "เนื้อที่เพาะปลูก / (งาน)" in result.errors[0].message
