import pytest

from datasets.models import DataElement, Dataset, DataValue, Topic
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def births(agency_a):
    topic = Topic.objects.create(code="T14", name_th="การเกิดและการตาย", name_en="Births and deaths")
    dataset = Dataset.objects.create(code="DS-BIRTHS", topic=topic, name_th="การเกิดรายปี", name_en="Births per year", agency=agency_a,
                                     collection_level=2, period_type="FY", due_days=30)  # fmt: skip
    DataElement.objects.create(code="BIRTHS", dataset=dataset, name_th="การเกิด", name_en="Births", min_value=0, unit="คน")
    return dataset


def test_agency_user_enters_values_in_the_grid_and_sees_them_in_the_history(page, login, entry_a, births):
    login("entry_a")
    page.goto("/datasets/entry/")
    page.select_option("select[name=dataset]", "DS-BIRTHS")
    page.fill("input[name=period]", "FY2568")
    page.click("button.primary")
    cells = page.locator("input.ds-value")
    assert cells.count() == 2  # the two districts
    cells.nth(0).fill("-5")
    cells.nth(1).fill("340")
    page.click(".ds-grid-form button.primary")
    page.wait_for_load_state("networkidle")
    assert page.locator(".ds-cell.has-error .errorlist").count() == 1  # below the minimum: nothing saved
    assert not DataValue.objects.exists()
    page.locator("input.ds-value").nth(0).fill("1210")
    page.click(".ds-grid-form button.primary")
    page.wait_for_load_state("networkidle")
    assert page.locator(".msg-success").count() == 1
    screenshot(page, "data-entry-grid")
    page.goto("/datasets/DS-BIRTHS/history/")
    assert "1,550" in page.locator("#history-table").inner_text()
    page.wait_for_selector("#ds-chart .main-svg")
    screenshot(page, "dataset-history")
