"""Entry grid, import, read API and open data: permissions, atomic failure, audit."""

import io

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from datasets.models import DataValue, DataValueAudit, Sensitivity
from poc.models import Period
from tests.conftest import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client):
    def login(user):
        assert client.login(username=user.username, password=TEST_PASSWORD)
        return client

    return login


def grid_url(dataset, period="2568-01", orgunit="99"):
    return f"{reverse('datasets:entry')}?dataset={dataset.code}&period={period}&orgunit={orgunit}"


def grid_post(elements, subdistricts, values):
    """values: {(element key, subdistrict index): raw}; every other cell: not available (so 'required' holds)."""
    data = {}
    for key, element in elements.items():
        for index, unit in enumerate(subdistricts):
            raw = values.get((key, index))
            data[f"v-{element.pk}-{unit.pk}"] = "" if raw is None else raw
            data[f"na-{element.pk}-{unit.pk}"] = "" if raw is not None or not element.required else "not_collected"
    return data


def test_entry_grid_saves_every_cell_and_audits_it(client_for, entry_a, dataset, elements, subdistricts):
    client = client_for(entry_a)
    page = client.get(grid_url(dataset))
    assert page.status_code == 200 and f'name="v-{elements["cases"].pk}-{subdistricts[0].pk}"' in page.text
    response = client.post(grid_url(dataset), grid_post(elements, subdistricts, {("cases", 0): "12", ("rate", 1): "55.5"}))
    assert response.status_code == 302
    value = DataValue.objects.get(element=elements["cases"], orgunit=subdistricts[0])
    assert value.value_num == 12 and value.created_by == entry_a
    assert DataValue.objects.filter(not_available="not_collected").count() == 3 * 4 - 2
    audit = DataValueAudit.objects.get(element=elements["cases"], orgunit=subdistricts[0])
    assert (audit.new_value, audit.user, audit.source) == ("12", entry_a, "form")
    trail = client.get(reverse("datasets:audit", args=[dataset.code]) + f"?element=CASES&orgunit={subdistricts[0].code}")
    assert "entry_a" in trail.text and trail.text.count("<tr>") == 2  # header + the one change


def test_invalid_grid_saves_nothing_and_shows_every_error_next_to_its_cell(client_for, entry_a, dataset, elements, subdistricts):
    client = client_for(entry_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    data = grid_post(elements, subdistricts, {("cases", 0): "7", ("cases", 1): "-1", ("rate", 2): "150"})
    data[f"na-{elements['beds'].pk}-{subdistricts[3].pk}"] = ""  # required and empty
    response = client.post(grid_url(dataset), data)
    assert response.status_code == 200
    assert not DataValue.objects.exists() and not DataValueAudit.objects.exists()
    for message in ["-1 is below the minimum 0", "150 is above the maximum 100", "required: enter a value or mark it not available"]:
        assert message in response.text


def test_other_agency_cannot_open_or_post_the_grid(client_for, entry_b, dataset, elements, subdistricts):
    client = client_for(entry_b)
    page = client.get(grid_url(dataset))
    assert "ds-grid" not in page.text  # the dataset is not among B's choices
    client.post(grid_url(dataset), grid_post(elements, subdistricts, {("cases", 0): "1"}))
    assert not DataValue.objects.exists()


def test_history_page_shows_values_across_fiscal_years(client_for, entry_a, dataset, elements, subdistricts, save, province):
    save(entry_a, [(elements["cases"], subdistricts[0], "2568-01", 40), (elements["cases"], subdistricts[1], "2568-01", 2)])
    page = client_for(entry_a).get(reverse("datasets:history", args=[dataset.code]))
    assert page.status_code == 200 and "ds-chart-data" in page.text and ">42<" in page.text


def csv_upload(text: str, name: str = "values.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_import_checks_every_row_and_saves_nothing_on_any_error(client_for, entry_a, dataset, elements, subdistricts):
    text = (
        "period,orgunit_code,orgunit_name,CASES,RATE\n"
        "2568-01,990101,a,5,10\n"
        "2568-01,990199,?,5,10\n"  # unknown org unit
        "2568-01,990102,b,abc,10\n"  # wrong type
        "2568-01,990101,a,6,10\n"  # duplicate row
        "FY2568,990201,c,1,200\n"  # wrong period
        "2568-01,990202,d,1,101\n"  # out of range
    )
    client = client_for(entry_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("datasets:upload", args=[dataset.code]), {"file": csv_upload(text)})
    assert not DataValue.objects.exists()
    for fragment in ["unknown org unit 990199", "duplicate of row 2", "period FY2568 does not fit", "<td>3</td>"]:
        assert fragment in response.text


def test_import_reports_counts_and_is_idempotent(client_for, entry_a, dataset, elements, subdistricts, save):
    save(entry_a, [(elements["cases"], subdistricts[0], "2568-01", 5)])
    text = "period,orgunit_code,CASES,RATE\n2568-01,990101,5,n/a:confidential\n2568-01,990102,7,\n2568-01,990201,8,\n"
    client = client_for(entry_a)
    response = client.post(reverse("datasets:upload", args=[dataset.code]), {"file": csv_upload(text)})
    assert response.status_code == 200
    assert DataValue.objects.get(element=elements["rate"], orgunit=subdistricts[0]).not_available == "confidential"
    assert DataValue.objects.filter(element=elements["cases"]).count() == 3
    assert DataValueAudit.objects.filter(source="import").count() == 3


def test_xlsx_template_is_prefilled_and_imports_back(client_for, entry_a, dataset, elements, subdistricts):
    elements["cases"].unit, elements["rate"].unit = "ราย", "%"
    elements["cases"].save()
    elements["rate"].save()
    client = client_for(entry_a)
    download = client.get(reverse("datasets:download", args=[dataset.code, "template"]) + "?period=2568-02&format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(download.content))
    sheet = book.active
    rows = list(sheet.iter_rows(values_only=True))
    # People read the Thai name and unit of each element; the importer reads the codes below them.
    assert rows[0][3:5] == ("ผู้ป่วย", "อัตรา") and rows[0][:3] == ("งวด", "รหัสหน่วยพื้นที่", "ชื่อหน่วยพื้นที่")
    assert rows[1][2:5] == ("หน่วยนับ", "ราย", "%")
    assert rows[2][:4] == ("period", "orgunit_code", "orgunit_name", "CASES")
    assert [r[1] for r in rows[3:]] == [u.code for u in subdistricts]
    sheet.cell(row=4, column=4, value=9)
    buffer = io.BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("t.xlsx", buffer.getvalue())
    client.post(reverse("datasets:upload", args=[dataset.code]), {"file": upload})
    assert DataValue.objects.get(element=elements["cases"], period=Period.objects.get(code="2568-02")).value_num == 9


def test_other_agency_cannot_import_or_download_a_template(client_for, entry_b, dataset, elements):
    client = client_for(entry_b)
    response = client.post(
        reverse("datasets:upload", args=[dataset.code]), {"file": csv_upload("period,orgunit_code,CASES\n2568-01,990101,1\n")}
    )
    assert response.status_code == 404 and not DataValue.objects.exists()
    assert client.get(reverse("datasets:download", args=[dataset.code, "template"]) + "?period=2568-01").status_code == 403


def test_upload_type_is_limited(client_for, entry_a, dataset, elements):
    client = client_for(entry_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(reverse("datasets:upload", args=[dataset.code]), {"file": csv_upload("x", "values.exe")})
    assert "Upload an .xlsx, .xls, .ods, .csv or .tsv file." in response.text


def test_read_api_respects_sensitivity_and_descendants(client, client_for, entry_a, entry_b, dataset, elements, subdistricts, save):
    save(entry_a, [(elements["cases"], s, "2568-01", n) for n, s in enumerate(subdistricts, start=1)])
    url = reverse("api_datavalues") + f"?dataset={dataset.code}&period=2568-01&orgunit=9901&descendants=1"
    dataset.sensitivity = Sensitivity.RESTRICTED
    dataset.save()
    assert client.get(url).status_code == 404  # anonymous
    assert client_for(entry_b).get(url).status_code == 404  # agency B may not read A's restricted data
    data = client_for(entry_a).get(url).json()
    assert sorted(r["value"] for r in data["results"]) == ["1", "2"]
    csv_text = client.get(url + "&format=csv").content.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == "dataset,element,orgunit,period,value,not_available,updated_at,option_combo"


def test_public_datasets_form_an_open_data_catalogue(client, dataset, elements, save, entry_a, subdistricts):
    save(entry_a, [(elements["cases"], subdistricts[0], "2568-01", 3)])
    assert dataset.name_th not in client.get(reverse("open_data:catalogue")).text
    assert client.get(reverse("open_data:detail", args=[dataset.code])).status_code == 404
    dataset.sensitivity = Sensitivity.PUBLIC
    dataset.save()
    assert dataset.name_th in client.get(reverse("open_data:catalogue")).text
    assert client.get(reverse("open_data:detail", args=[dataset.code])).status_code == 200
    assert client.get(reverse("api_datavalues") + f"?dataset={dataset.code}&format=csv").status_code == 200


def test_completeness_json_filters_by_fiscal_year_and_agency(client_for, entry_a, dataset, elements, subdistricts, save):
    save(entry_a, [(elements["cases"], subdistricts[0], "2568-01", 3)])
    data = client_for(entry_a).get(reverse("datasets:completeness_json") + "?fy=2568&agency=AG-A").json()
    assert data["fiscal_years"] == [2568]
    assert data["by_dataset"]["DS-HEALTH"]["expected"] == 4 * 4 * 12 and data["by_dataset"]["DS-HEALTH"]["filled"] == 1
    assert data["total"]["rate"] <= 100
    empty = client_for(entry_a).get(reverse("datasets:completeness_json") + "?fy=2568&agency=AG-B").json()
    assert empty["by_dataset"] == {}


def test_completeness_json_names_topics_and_agencies_from_its_datasets(client_for, entry_a, dataset, elements, subdistricts, save):
    save(entry_a, [(elements["cases"], subdistricts[0], "2568-01", 3)])
    client = client_for(entry_a)
    client.get(reverse("datasets:completeness_json") + "?fy=2568")  # the user's agency scope, read once and cached
    with CaptureQueriesContext(connection) as queries:
        data = client.get(reverse("datasets:completeness_json") + "?fy=2568").json()
    # Their codes come with the datasets (one joined read), not from two more queries.
    assert not [q for q in queries.captured_queries if q["sql"].startswith(('SELECT "datasets_topic"', 'SELECT "poc_agency"'))]
    expected = {
        "expected": 192,
        "filled": 1,
        "not_available": 0,
        "missing": 191,
        "on_time": 0,
        "late": 1,
        "rate": 0.52,
        "on_time_rate": 0.0,
    }
    assert data["by_dataset"] == {"DS-HEALTH": expected}
    assert data["by_topic"] == {"T99": expected} and data["by_agency"] == {"AG-A": expected}


def test_entry_and_map_pages_never_fetch_boundaries(client_for, entry_a, dataset, elements, subdistricts):
    """Pickers need codes and names: a province's boundary is megabytes to fetch and parse on every page view."""
    client = client_for(entry_a)
    for url in (reverse("datasets:entry"), grid_url(dataset), reverse("gis:map")):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        fetched = [q["sql"] for q in queries.captured_queries if '"poc_orgunit"."geom"' in q["sql"]]
        assert not fetched, (url, fetched)


def test_csv_template_with_thai_names_imports_back_and_errors_name_the_file_row(client_for, entry_a, dataset, elements, subdistricts):
    client = client_for(entry_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    template = client.get(reverse("datasets:download", args=[dataset.code, "template"]) + "?period=2568-02&format=csv")
    lines = template.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Period,Org-unit code,Org-unit name,ผู้ป่วย,อัตรา") and lines[2].startswith("period,orgunit_code")
    lines[3] = lines[3].replace(",,,,", ",5,50,2,", 1)
    lines[4] = lines[4].replace(",,,,", ",abc,50,2,", 1)
    response = client.post(reverse("datasets:upload", args=[dataset.code]), {"file": csv_upload("\n".join(lines))})
    errors = [(e.row, e.column) for e in response.context["result"].errors]
    assert errors == [(5, "CASES")] and not DataValue.objects.exists()  # file row 5: two label rows, the codes, row 4
    lines[4] = lines[4].replace(",abc,", ",6,")
    response = client.post(reverse("datasets:upload", args=[dataset.code]), {"file": csv_upload("\n".join(lines))})
    assert response.context["result"].ok
    assert sorted(DataValue.objects.filter(element=elements["cases"]).values_list("value_num", flat=True)) == [5, 6]
