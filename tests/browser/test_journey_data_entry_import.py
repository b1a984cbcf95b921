import openpyxl
import pytest

from datasets.models import DataValue
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_data_entry_user_fills_the_excel_template_and_imports_it(page, login, entry_a, elements, subdistricts, tmp_path):
    login("entry_a")
    page.goto("/datasets/DS-HEALTH/upload/")
    page.fill("#download-form input[name=period]", "2568-01")
    with page.expect_download() as download_info:
        page.click("#download-form button:not([formaction])")
    template = tmp_path / "template.xlsx"
    download_info.value.save_as(template)

    book = openpyxl.load_workbook(template)
    sheet = book.active
    assert [cell.value for cell in sheet[1]][3] == "ผู้ป่วย"  # Thai names and units above the codes
    headers = [cell.value for cell in sheet[3]]
    assert headers[:3] == ["period", "orgunit_code", "orgunit_name"] and "CASES" in headers
    codes = [row[1].value for row in sheet.iter_rows(min_row=4)]
    assert codes == [s.code for s in subdistricts]  # pre-filled with the org units
    for number, row in enumerate(sheet.iter_rows(min_row=4), start=1):
        row[headers.index("CASES")].value = number * 10
        row[headers.index("RATE")].value = 50
        row[headers.index("BEDS")].value = 5
    book.save(template)

    page.set_input_files("input[type=file]", str(template))
    page.click("button[type=submit].primary")
    page.wait_for_load_state("networkidle")
    screenshot(page, "journey-data-entry-import")
    assert DataValue.objects.filter(element=elements["cases"]).count() == 4
    assert sorted(DataValue.objects.filter(element=elements["cases"]).values_list("value_num", flat=True)) == [10, 20, 30, 40]
    assert DataValue.objects.filter(source="import").count() == 12
