import pytest

from datasets.models import DataElement, Dataset, Topic, ValueType
from datasets.services import CellInput, datavalues_save
from indicators.models import Indicator, IndicatorTarget
from indicators.services import indicator_save, indicator_values_refresh
from poc.models import OrgUnit, Period
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def road_deaths(province, agency_a):
    topic = Topic.objects.create(code="T21", name_th="อุบัติเหตุ", name_en="Road accidents")
    dataset = Dataset.objects.create(code="DS-ROAD", topic=topic, name_th="อุบัติเหตุ", agency=agency_a, collection_level=3, period_type="FY")
    deaths = DataElement.objects.create(code="DEATHS", dataset=dataset, name_th="ผู้เสียชีวิต", value_type=ValueType.INTEGER)
    pop = DataElement.objects.create(code="PEOPLE", dataset=dataset, name_th="ประชากร", value_type=ValueType.INTEGER)
    indicator = indicator_save(
        indicator=Indicator(
            code="ROAD1",
            name_th="อัตราผู้เสียชีวิตจากอุบัติเหตุทางถนน",
            name_en="Road deaths",
            numerator="DEATHS",
            denominator="PEOPLE",
            factor=100000,
            polarity="lower_better",
            perspective_th="ความปลอดภัย",
            unit_th="ต่อแสนคน",
        )
    )
    for year in (2566, 2567, 2568):
        IndicatorTarget.objects.create(indicator=indicator, fiscal_year=year, target=20)
    cells = []
    for year, base in ((2566, 20), (2567, 25), (2568, 30)):
        period = Period.objects.for_code(f"FY{year}")
        for i, sub in enumerate(OrgUnit.objects.filter(level=3).order_by("code")):
            cells += [
                CellInput(element=deaths, orgunit=sub, period=period, raw=base + 10 * (i < 2)),
                CellInput(element=pop, orgunit=sub, period=period, raw=100000),
            ]
    assert datavalues_save(cells=cells, user=None, check_permissions=False).ok
    indicator_values_refresh()
    return indicator


def test_governor_sees_a_red_tile_and_drills_down_to_a_district(page, login, executive, road_deaths):
    login("governor")
    page.goto("/cockpit/?fy=2568")
    tile = page.locator(".tile[data-light=red]").first
    assert "ROAD1" in tile.inner_text()
    assert page.locator(".tile svg.spark polyline").count() == 1
    screenshot(page, "cockpit")
    tile.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("#drill-value").inner_text() == "35.0"
    page.wait_for_selector(".plot .main-svg")  # plotly drew the bar chart
    page.click("table.drill-table a:has-text('อำเภอทดสอบ 1')")
    page.wait_for_load_state("networkidle")
    assert "orgunit=9901" in page.url
    assert page.locator("#drill-value").inner_text() == "40.0"
    assert page.locator("table.drill-table tbody tr").count() == 2
    screenshot(page, "cockpit_drilldown")
