"""Metadata packages: export, then import into a portal without the catalogue, all-or-nothing."""

import json

import pytest
from django.core.management import CommandError, call_command

from api.metadata import metadata_export, metadata_import, metadata_read
from cockpit.models import WarningRule
from datasets.models import DataElement, Dataset, Topic
from indicators.models import Indicator, IndicatorTarget
from poc.models import Agency
from verification.models import ValidationRule


@pytest.fixture
def catalogue(elements, dataset, topic):
    ValidationRule.objects.create(dataset=dataset, name="อัตรา/ผู้ป่วย", left="RATE", operator="<=", right="100")
    indicator = Indicator.objects.create(
        code="IND-CASES", name_th="ผู้ป่วยต่อพัน", numerator="CASES", denominator="", factor=1000, perspective_th="ประสิทธิผล", period_type="M"
    )
    indicator.inputs.set([elements["cases"]])
    IndicatorTarget.objects.create(indicator=indicator, fiscal_year=2568, target=5, green_at=4, red_at=8)
    WarningRule.objects.create(name_th="ผู้ป่วยเกิน", element=elements["cases"], kind="above", high=100, level=3)
    other_topic = Topic.objects.create(code="T50", name_th="อื่น")
    Dataset.objects.create(code="DS-OTHER", topic=other_topic, name_th="อื่น", agency=dataset.agency, period_type="Y")


def _wipe():
    WarningRule.objects.all().delete()
    Indicator.objects.all().delete()
    Dataset.objects.all().delete()
    Topic.objects.all().delete()


def test_export_with_dataset_filter_takes_dependencies_only(catalogue, en):
    package = metadata_export(datasets=["DS-HEALTH"])
    assert package["format"] == "poc-metadata" and package["version"] == 1 and package["categories"] == []
    assert package["category_combos"] == package["category_option_combos"] == []
    assert [t["code"] for t in package["topics"]] == ["T99"]
    assert [d["code"] for d in package["datasets"]] == ["DS-HEALTH"]
    assert [e["code"] for e in package["elements"]] == ["CASES", "RATE", "NOTE"]
    assert package["elements"][0]["dataset"] == "DS-HEALTH"
    assert package["indicators"][0]["inputs"] == ["CASES"] and package["indicators"][0]["agency"] is None
    assert package["indicator_targets"] == [
        {"fiscal_year": 2568, "target": 5.0, "green_at": 4.0, "red_at": 8.0, "tolerance": 10.0, "indicator": "IND-CASES"}
    ]
    assert package["validation_rules"][0]["dataset"] == "DS-HEALTH"
    assert package["warning_rules"][0]["element"] == "CASES"
    assert [a["code"] for a in package["agencies"]] == ["AG-A"]
    with pytest.raises(Exception, match="Unknown dataset"):
        metadata_export(datasets=["NOPE"])


def test_import_into_an_empty_catalogue_dry_run_then_real_and_round_trip(catalogue, tmp_path, capsys):
    path = tmp_path / "catalogue.json"
    call_command("export_metadata", "--output", str(path))
    first = json.loads(path.read_text(encoding="utf-8"))
    _wipe()
    call_command("import_metadata", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "create  datasets: DS-HEALTH" in out and "create  validation_rules: DS-HEALTH/อัตรา/ผู้ป่วย" in out
    assert "11 would be created, 0 changed, 1 left alone" in out  # the agency exists already
    assert not Dataset.objects.exists() and not Topic.objects.exists()
    call_command("import_metadata", str(path))
    assert set(DataElement.objects.values_list("code", flat=True)) == {"CASES", "RATE", "NOTE"}
    assert list(Indicator.objects.get(code="IND-CASES").inputs.values_list("code", flat=True)) == ["CASES"]
    again = metadata_export()
    assert {k: v for k, v in again.items() if k != "exported_at"} == {k: v for k, v in first.items() if k != "exported_at"}
    report = metadata_import(package=first)
    assert report.ok and not report.created and not report.changed


def test_a_changed_record_is_reported_and_a_bad_package_changes_nothing(catalogue, en):
    package = metadata_export()
    package["datasets"][0]["name_th"] = "ชื่อใหม่"
    report = metadata_import(package=package, dry_run=True)
    assert report.changed == ["datasets: DS-HEALTH"]
    assert Dataset.objects.get(code="DS-HEALTH").name_th == "ข้อมูลสุขภาพ"
    package["elements"][0]["value_type"] = "colour"
    package["elements"].append({**package["elements"][1], "code": "NEW", "dataset": "DS-MISSING"})
    report = metadata_import(package=package)
    assert not report.ok
    assert any("elements[0] (CASES): value_type" in e for e in report.errors)
    assert any("dataset DS-MISSING is neither in the package nor in this portal" in e for e in report.errors)
    assert Dataset.objects.get(code="DS-HEALTH").name_th == "ข้อมูลสุขภาพ" and not DataElement.objects.filter(code="NEW").exists()


def test_new_agencies_are_placed_at_the_province(catalogue, province):
    package = metadata_export()
    package["agencies"].append({"code": "AG-NEW", "name_th": "ใหม่", "name_en": "", "kind": "regional"})
    package["datasets"][1]["agency"] = "AG-NEW"
    assert metadata_import(package=package).ok
    assert Agency.objects.get(code="AG-NEW").orgunit == province
    assert Dataset.objects.get(code=package["datasets"][1]["code"]).agency.code == "AG-NEW"


@pytest.mark.parametrize(
    ("text", "message"),
    [("{", "not JSON"), ('{"format": "other"}', "not a POC metadata package"), ('{"format": "poc-metadata", "version": 9}', "version 9")],
)
def test_unreadable_packages_are_refused(text, message, tmp_path, db, en):
    with pytest.raises(Exception, match=message):
        metadata_read(text)
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(CommandError, match=message):
        call_command("import_metadata", str(path))
