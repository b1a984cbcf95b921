"""The mapping step in the browser (server side): detected layout, confirm, preview, import, profile, one step next time."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from datasets.models import DataValue, ImportProfile
from poc.models import OrgUnit
from tests.conftest import TEST_PASSWORD
from tests.datasets import files
from tests.datasets.files import AREA_2567, CROP_2567, EXPECTED, stored, two_years

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(client, entry_a):
    assert client.login(username=entry_a.username, password=TEST_PASSWORD)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def upload(client, dataset, content: bytes, name: str, profile: str = ""):
    return client.post(reverse("datasets:upload", args=[dataset.code]), {"file": SimpleUploadedFile(name, content), "profile": profile})


def form_fields(html: str) -> dict[str, str]:
    """What the browser would post back: every hidden input and the selected option of every select."""
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', html))
    for name, body in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        data[name] = chosen.group(1) if chosen else ""
    return data


def test_published_workbook_is_mapped_previewed_imported_and_saved_as_profile(clerk, agri):
    response = upload(clerk, agri, files.xls(two_years()), "rice.xls")
    assert response.status_code == 302 and "/map/" in response.url
    page = clerk.get(response.url)
    assert not DataValue.objects.exists()  # showing the mapping writes nothing
    html = page.text
    assert "Preview: 14 values will be written" in html and "2 cells are marked not available" in html
    assert ">ภาคตะวันออก<" in html and "subtotal or higher-level row" in html and "ที่มา: สำนักงานเศรษฐกิจการเกษตร" in html
    assert re.search(r"<td>ปี 2566</td><td>2566</td><td>3, 4</td><td>อำเภอ</td>", html)
    data = form_fields(html) | {"action": "import", "profile_name": "สศก. ข้าวนาปี", "period": ""}
    assert data["col-0"] == "RICE_AREA" and data["col-1"] == "RICE_PROD"
    done = clerk.post(page.request["PATH_INFO"], data)
    assert done.status_code == 302 and done.url == reverse("datasets:upload", args=[agri.code])
    assert stored(agri) == EXPECTED
    profile = ImportProfile.objects.get()
    assert (profile.name, profile.agency, profile.mapping["elements"]) == (
        "สศก. ข้าวนาปี",
        agri.agency,
        {"เนื้อที่เพาะปลูก / (ไร่)": "RICE_AREA", "ผลผลิต / (ตัน)": "RICE_PROD"},
    )
    # Next year's edition, a new sheet added: one step with the profile.
    sheets = two_years() | {"ปี 2568": files.agri_sheet(2568, AREA_2567, CROP_2567)}
    again = upload(clerk, agri, files.xlsx(sheets), "rice_2568.xlsx", profile=str(profile.pk))
    assert again.status_code == 302 and again.url == reverse("datasets:upload", args=[agri.code])
    assert stored(agri)[("RICE_AREA", "2102", "2568")] == 10.0 and len(stored(agri)) == 22


def test_changing_a_column_changes_the_preview_and_nothing_is_saved(clerk, agri):
    page = clerk.get(upload(clerk, agri, files.xlsx(two_years()), "rice.xlsx").url)
    data = form_fields(page.text) | {"action": "preview", "col-1": ""}  # ignore the production column
    preview = clerk.post(page.request["PATH_INFO"], data)
    assert "Preview: 7 values will be written" in preview.text and "Ignored columns (no data element): ผลผลิต / (ตัน)" in preview.text
    assert not DataValue.objects.exists()


def test_ambiguous_name_is_asked_and_import_refused_until_answered(clerk, agri):
    agri.collection_level = 3
    agri.save()
    OrgUnit.objects.create(code="210199", name_th="บ้านนา", level=3, parent=OrgUnit.objects.get(code="2101"))
    csv = files.csv_bytes([["ตำบล", "ปี 2567"], ["ต.บ้านนา", "10"], ["ต.ชากบก", "20"]], "cp874")
    page = clerk.get(upload(clerk, agri, csv, "t.csv").url)
    assert re.search(r'<option value="210308">บ้านนา \(แกลง\) \[210308\]</option>', page.text)
    assert re.search(r'<option value="210199">บ้านนา \(เมืองระยอง\) \[210199\]</option>', page.text)
    data = form_fields(page.text) | {"action": "import", "col-0": "RICE_AREA"}  # a year-only column: which element
    refused = clerk.post(page.request["PATH_INFO"], data)
    assert refused.status_code == 302 and not DataValue.objects.exists()
    assert "matches several org units" in clerk.get(refused.url).text
    data |= {"unit-0": "210308"}
    assert clerk.post(page.request["PATH_INFO"], data).status_code == 302
    assert stored(agri) == {("RICE_AREA", "210308", "2567"): 10.0, ("RICE_AREA", "210507", "2567"): 20.0}


def test_another_user_cannot_open_someone_elses_upload(clerk, client, agri, entry_b, make_user, agency_a):
    url = upload(clerk, agri, files.xlsx(two_years()), "rice.xlsx").url
    colleague = make_user("entry_a2", ["data_entry"], agency_a)
    client.logout()
    assert client.login(username=colleague.username, password=TEST_PASSWORD)
    assert client.get(url).status_code == 404
    assert client.login(username=entry_b.username, password=TEST_PASSWORD)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("name, content", [("t.xlsx", b"PK\x03\x04 not a zip"), ("t.xls", b"\xd0\xcf\x11\xe0 broken"), ("t.ods", b"")])
def test_damaged_files_get_a_clear_message_not_a_500(clerk, agri, name, content):
    response = upload(clerk, agri, content, name)
    if response.status_code == 302:
        response = clerk.get(response.url)
    assert response.status_code == 200 and not DataValue.objects.exists()
    assert "cannot be read" in response.text or "damaged" in response.text or "empty" in response.text.lower()


@pytest.mark.parametrize("kind", ["xlsx", "xls", "ods"])
def test_a_file_over_the_cell_limit_is_refused_at_upload(clerk, agri, settings, kind):
    settings.POC_IMPORT_MAX_CELLS = 30
    response = upload(clerk, agri, getattr(files, kind)(two_years()), f"rice.{kind}")
    assert response.status_code == 200 and "more than 30 cells" in response.text and not DataValue.objects.exists()


def test_a_csv_over_the_row_limit_is_refused_at_upload(clerk, agri, settings):
    settings.POC_IMPORT_MAX_ROWS = 5
    response = upload(clerk, agri, files.csv_bytes([["อำเภอ", "n"]] + [["อ.แกลง", 1]] * 10, "cp874"), "rice.csv")
    assert response.status_code == 200 and "more than 5 rows" in response.text


def test_large_mapped_file_previews_a_sample_and_runs_on_celery(clerk, agri, monkeypatch):
    import datasets.import_views

    monkeypatch.setattr(datasets.import_views, "ASYNC_THRESHOLD", 10)
    monkeypatch.setattr(datasets.import_views, "SAMPLE_ROWS", 8)  # up to the second district of each sheet
    page = clerk.get(upload(clerk, agri, files.xlsx(two_years()), "rice.xlsx").url)
    assert "the preview covers the first 8 rows of each sheet" in page.text
    assert page.text.count('<td>ปี 2567</td><td class="num">8</td>') == 2 and '<td class="num">9</td>' not in page.text
    done = clerk.post(page.request["PATH_INFO"], form_fields(page.text) | {"action": "import"})
    assert "?job=" in done.url  # Celery runs eagerly in tests: the job has finished
    job = clerk.get(reverse("datasets:job_status", args=[done.url.split("job=")[1]])).json()
    assert job["state"] == "done" and job["result"]["created"] == 14 and stored(agri) == EXPECTED
