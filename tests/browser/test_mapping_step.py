"""A clerk imports a ministry's legacy .xls in the browser: mapping step, preview, import, profile for next year."""

from __future__ import annotations

from pathlib import Path

import pytest

from datasets.models import ImportProfile
from tests.datasets import files
from tests.datasets.files import AREA_2567, CROP_2567, EXPECTED, stored, two_years

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Published-file fixtures (part of Rayong with a rice dataset) for this module.
rayong, agri = files.rayong, files.agri

# Under var/ (not tracked): `make test` leaves the tree clean; README's copy in docs/screenshots/ is refreshed by hand.
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def test_clerk_maps_a_legacy_xls_once_and_imports_next_edition_in_one_step(page, login, entry_a, agri, tmp_path):
    login("entry_a")
    workbook = tmp_path / "ข้าวนาปี_รายอำเภอ.xls"
    sheets = two_years()
    sheets["ปี 2567"][0][6][0] = "อ.เมือง"  # the ministry shortened a name: a question, never a guess
    workbook.write_bytes(files.xls(sheets))
    page.goto(f"/datasets/{agri.code}/upload/")
    page.set_input_files("input[type=file]", str(workbook))
    page.click("button[type=submit].primary")
    page.wait_for_selector("#map-form")
    assert "จะบันทึก 12 ค่า" in page.inner_text("#map-preview h2")
    assert "“อ.เมือง” ไม่ใช่หน่วยพื้นที่ในระดับนี้" in page.inner_text("#map-problems")
    assert page.input_value("#map-columns select >> nth=0") == "RICE_AREA"
    assert page.input_value("#map-columns select >> nth=1") == "RICE_PROD"
    page.select_option("#map-questions select", "2101")
    page.fill("input[name=profile_name]", "สศก. ข้าวนาปี รายอำเภอ")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "import-mapping-step.png"), full_page=True)
    assert stored(agri) == {}  # nothing written before Import
    page.click("#map-import")
    page.wait_for_load_state("networkidle")
    assert "นำเข้าแล้ว" in page.inner_text("body") or "Imported" in page.inner_text("body")
    assert stored(agri) == EXPECTED

    # Next year's edition: pick the saved profile, one step.
    profile = ImportProfile.objects.get(name="สศก. ข้าวนาปี รายอำเภอ")
    edition = tmp_path / "ข้าวนาปี_2568.xls"
    sheets["ปี 2568"] = files.agri_sheet(2568, AREA_2567, CROP_2567)
    sheets["ปี 2568"][0][6][0] = "อ.เมือง"  # answered once, remembered by the profile
    edition.write_bytes(files.xls(sheets))
    page.set_input_files("input[type=file]", str(edition))
    page.select_option("select[name=profile]", str(profile.pk))
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    assert stored(agri)[("RICE_PROD", "2103", "2568")] == 80.0 and stored(agri)[("RICE_AREA", "2101", "2568")] == 1300.0
    assert len(stored(agri)) == 22
