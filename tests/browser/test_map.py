import pytest

from datasets.models import Aggregation, DataElement, Dataset, Topic
from datasets.services import CellInput, datavalues_save
from gis.services import shapes_refresh
from poc.models import OrgUnit, Period
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def map_data(province, agency_a, entry_a):
    shapes_refresh()
    topic = Topic.objects.create(code="T1", name_th="เกษตร", name_en="Agriculture")
    dataset = Dataset.objects.create(
        code="DS-RICE", topic=topic, name_th="ข้าว", name_en="Rice", agency=agency_a, collection_level=3, period_type="FY"
    )
    element = DataElement.objects.create(code="RICE", dataset=dataset, name_th="พื้นที่ปลูกข้าว", unit="ไร่", aggregation=Aggregation.SUM)
    period = Period.objects.for_code("FY2568")
    cells = [
        CellInput(element=element, orgunit=unit, period=period, raw=value)
        for unit, value in zip(OrgUnit.objects.filter(level=3).order_by("code")[:3], (1200, 800, 450), strict=True)
    ]
    datavalues_save(cells=cells, user=entry_a)
    return element


def test_user_drills_down_from_district_to_subdistricts(page, login, map_data, entry_a):
    login("entry_a")
    page.goto("/gis/map/?element=RICE&period=FY2568&orgunit=99")
    page.wait_for_selector("path.unit-9901")
    assert page.locator("#map-table tbody tr").count() == 2
    assert "2,000" in page.locator("#map-table tr[data-code='9901']").inner_text()
    page.click("path.unit-9901")
    page.wait_for_selector("path.unit-990101")
    rows = page.locator("#map-table tbody tr")
    assert rows.count() == 2
    assert "ตำบลทดสอบ 1-1" in page.locator("#map-table").inner_text()
    # Two values (1,200 and 800): one class between them, never a degenerate "1,200 – 1,200".
    legend = page.locator("#map-legend").inner_text()
    assert "800 – 1,200" in legend and "1,200 – 1,200" not in legend
    assert "อำเภอทดสอบ 1" in page.locator("#map-breadcrumb").inner_text()
    assert "orgunit=9901" in page.url
    page.wait_for_selector("#map-chart .main-svg")
    screenshot(page, "map")
    page.click("#map-breadcrumb a[data-code='99']")
    page.wait_for_selector("path.unit-9902")
    page.click("path.unit-9902")  # one subdistrict with data (450): its class is that value alone
    page.wait_for_selector("path.unit-990201")
    legend = page.locator("#map-legend").inner_text()
    assert "450" in legend and "450 – 450" not in legend
    page.click("#map-breadcrumb a[data-code='99']")
    page.wait_for_selector("path.unit-9902")
    assert page.locator("path.unit-nodata").count() == 0 or page.locator("path.unit-9902.unit-nodata").count() == 0
