import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from poc.models import OrgUnit, OrgUnitLevel
from poc.orgunit_import import OrgUnitFileError, orgunits_import

REFERENCE = Path(settings.POC_REFERENCE_DIR)
SQUARE = [[[100.0, 12.0], [100.1, 12.0], [100.1, 12.1], [100.0, 12.1], [100.0, 12.0]]]
BOWTIE = [[[100.0, 12.0], [100.1, 12.1], [100.1, 12.0], [100.0, 12.1], [100.0, 12.0]]]


def feature(code, parent="", level="", coords=SQUARE, name="หน่วย"):
    props = {"code": code, "name_th": f"{name} {code}", "name_en": f"Unit {code}", "parent_code": parent, "level": level}
    return {"type": "Feature", "properties": props, "geometry": {"type": "Polygon", "coordinates": coords}}


def write_geojson(path: Path, features: list) -> Path:
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_geojson_import_builds_paths_and_levels(tmp_path):
    file = write_geojson(tmp_path / "p.geojson", [feature("88", level="province"), feature("8801", "88"), feature("880101", "8801")])
    report = orgunits_import(file)
    assert report.ok and report.created == 3
    sub = OrgUnit.objects.get(code="880101")
    assert sub.level == OrgUnitLevel.SUBDISTRICT
    assert sub.path == "88/8801/880101/"
    assert [u.code for u in sub.ancestors()] == ["88", "8801"]
    assert sub.geom.geom_type == "MultiPolygon" and sub.point is not None
    assert set(OrgUnit.objects.get(code="88").descendants().values_list("code", flat=True)) == {"8801", "880101"}


@pytest.mark.django_db
def test_reimport_is_idempotent_and_updates_by_code(tmp_path):
    features = [feature("88", level="province"), feature("8801", "88")]
    orgunits_import(write_geojson(tmp_path / "a.geojson", features))
    again = orgunits_import(write_geojson(tmp_path / "a.geojson", features))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    features[1]["properties"]["name_th"] = "ชื่อใหม่"
    changed = orgunits_import(write_geojson(tmp_path / "b.geojson", features))
    assert (changed.created, changed.updated) == (0, 1)
    assert OrgUnit.objects.get(code="8801").name_th == "ชื่อใหม่"


@pytest.mark.django_db
def test_moving_a_unit_reroots_its_descendants(tmp_path):
    orgunits_import(
        write_geojson(
            tmp_path / "a.geojson",
            [
                feature("88", level="province"),
                feature("8801", "88"),
                feature("8802", "88"),
                feature("880101", "8801"),
                feature("88010101", "880101"),
            ],
        )
    )
    moved = feature("880101", "8802")
    report = orgunits_import(write_geojson(tmp_path / "b.geojson", [moved]))
    assert report.ok and report.updated == 1
    assert OrgUnit.objects.get(code="88010101").path == "88/8802/880101/88010101/"


@pytest.mark.django_db
def test_any_rejected_feature_means_nothing_changes_and_every_reason_is_listed(tmp_path, en):
    file = write_geojson(
        tmp_path / "bad.geojson",
        [
            feature("88", level="province"),
            feature("8801", "77"),
            feature("", "88"),
            feature("8803", "88", coords=BOWTIE),
            feature("8804", "88"),
        ],
    )
    report = orgunits_import(file)
    assert not report.ok
    assert OrgUnit.objects.count() == 0
    reasons = " ".join(reason for _ref, reason in report.rejected)
    assert "unknown parent code 77" in reasons
    assert "missing code" in reasons
    assert "invalid geometry" in reasons
    assert len(report.rejected) == 3


@pytest.mark.django_db
def test_fix_invalid_repairs_and_reports(tmp_path):
    file = write_geojson(tmp_path / "bowtie.geojson", [feature("88", level="province", coords=BOWTIE)])
    report = orgunits_import(file, fix_invalid=True)
    assert report.ok and report.repaired == ["#1 (88)"]
    assert OrgUnit.objects.get(code="88").geom.valid


@pytest.mark.django_db
def test_unreadable_and_unsafe_files_are_refused(tmp_path, en):
    junk = tmp_path / "junk.geojson"
    junk.write_text("this is not json", encoding="utf-8")
    with pytest.raises(OrgUnitFileError):
        orgunits_import(junk)
    with pytest.raises(OrgUnitFileError):
        orgunits_import("/vsicurl/http://example.com/x.geojson")
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as archive:
        archive.writestr("../../escape.shp", b"x")
    with pytest.raises(OrgUnitFileError, match="unsafe path"):
        orgunits_import(evil)
    assert OrgUnit.objects.count() == 0


@pytest.mark.django_db
def test_zipped_shapefile_import(tmp_path):
    source = write_geojson(tmp_path / "src.geojson", [feature("88", level="province"), feature("8801", "88")])
    shp_dir = tmp_path / "shp"
    shp_dir.mkdir()
    subprocess.run(["ogr2ogr", "-f", "ESRI Shapefile", str(shp_dir / "units.shp"), str(source)], check=True)
    archive_path = tmp_path / "units.zip"
    with zipfile.ZipFile(archive_path, "w") as archive:
        for part in shp_dir.iterdir():
            archive.write(part, part.name)
    report = orgunits_import(archive_path)
    assert report.ok and report.created == 2
    assert OrgUnit.objects.get(code="8801").geom.area == pytest.approx(0.01)


@pytest.mark.django_db
def test_csv_import_without_geometry(tmp_path):
    file = tmp_path / "units.csv"
    file.write_text(
        "code,name_th,name_en,parent_code,level\n77,จังหวัดซีเอสวี,CSV,,province\n7701,อำเภอ,Amphoe,77,district\n", encoding="utf-8"
    )
    report = orgunits_import(file)
    assert report.ok and report.created == 2
    assert OrgUnit.objects.get(code="7701").parent.code == "77"


@pytest.mark.django_db
def test_command_fails_loudly_on_rejection(tmp_path):
    file = write_geojson(tmp_path / "bad.geojson", [feature("8801", "77")])
    with pytest.raises(CommandError, match="rejected"):
        call_command("import_orgunits", str(file))


@pytest.mark.django_db
@pytest.mark.skipif(not (REFERENCE / "rayong_boundaries").is_dir(), reason="Rayong reference boundaries not present")
def test_rayong_real_boundaries_import():
    for level in ("province", "district", "subdistrict"):
        report = orgunits_import(REFERENCE / "rayong_boundaries" / f"rayong_{level}_simplified.geojson")
        assert report.ok, report.lines()
    assert OrgUnit.objects.filter(level=OrgUnitLevel.DISTRICT).count() == 8
    assert OrgUnit.objects.filter(level=OrgUnitLevel.SUBDISTRICT).count() == 58
    province = OrgUnit.objects.get(code="21")
    assert province.name_th == "ระยอง"
    assert province.descendants().count() == 66
    assert OrgUnit.objects.get(code="210101").path == "21/2101/210101/"
