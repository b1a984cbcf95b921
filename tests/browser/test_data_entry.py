import pytest

from datasets.models import DataElement, Dataset, DataValue, Topic
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def births(agency_a):
    topic = Topic.objects.create(code="T14", name_th="การเกิดและการตาย", name_en="Births and deaths")
    dataset = Dataset.objects.create(
        code="DS-BIRTHS",
        topic=topic,
        name_th="การเกิดรายปี",
        name_en="Births per year",
        agency=agency_a,
        collection_level=2,
        period_type="FY",
        due_days=30,
    )
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


def test_a_broken_down_element_totals_live_as_the_clerk_types_and_saving_stores_the_four_parts(
    page, login, entry_a, dataset, subdistricts, sex_area
):
    population = DataElement.objects.create(
        code="POP", dataset=dataset, name_th="ประชากร", category_combo=sex_area, required=False, min_value=0, unit="คน"
    )
    unit = subdistricts[0]
    combos = {c.code: c.pk for c in sex_area.option_combos.all()}

    def part(code):
        return page.locator(f'input[name="v-{population.pk}-{unit.pk}-{combos[code]}"]')

    total = page.locator(f'td[data-total="{population.pk}-{unit.pk}"] .ds-sum')
    column_total = page.locator(f'[data-col-total="{population.pk}-total"]')
    login("entry_a")
    page.goto(f"/datasets/entry/?dataset={dataset.code}&period=2568-01&orgunit=99")
    assert page.locator("thead tr").nth(1).inner_text().split() == ["ชาย", "หญิง", "รวม"]
    assert total.inner_text() == ""
    part("M_MUN").press_sequentially("1200")
    assert total.inner_text() == "1,200" and column_total.inner_text() == "1,200"
    part("M_NONMUN").press_sequentially("300")
    part("F_MUN").press_sequentially("๑๒๕๐")  # Thai digits count too
    assert total.inner_text() == "2,750"
    part("F_NONMUN").press_sequentially("31")
    assert total.inner_text() == "2,781"
    part("F_NONMUN").press("Backspace")
    assert total.inner_text() == "2,753"  # corrected as the clerk deletes
    part("F_NONMUN").press_sequentially("10")
    assert total.inner_text() == "3,060" and column_total.inner_text() == "3,060"
    screenshot(page, "data-entry-grid-disaggregated")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the grid scrolls inside its box, not the page
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert part("F_MUN").evaluate("box => box.validity.valid")  # Thai digits are not flagged as wrong
    screenshot(page, "data-entry-grid-disaggregated-phone")
    page.click(".ds-grid-form button.primary")
    page.wait_for_load_state("networkidle")
    assert page.locator(".msg-success").count() == 1
    stored = DataValue.objects.filter(element=population, orgunit=unit).values_list("option_combo__code", "value_num")
    assert sorted(stored) == [("F_MUN", 1250), ("F_NONMUN", 310), ("M_MUN", 1200), ("M_NONMUN", 300)]
    assert DataValue.objects.count() == 4
    assert total.inner_text() == "3,060"  # the saved parts, summed again after the reload
