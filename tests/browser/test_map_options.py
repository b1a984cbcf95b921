"""The map of one part of a broken-down element, then of a ratio of two parts, chosen on the page."""

import pytest

from datasets.models import DataElement, Dataset, Topic, ValueType
from datasets.services import datavalues_save
from gis.services import shapes_refresh
from poc.models import OrgUnit
from tests.browser.conftest import screenshot
from tests.categories import make_sex_area, option_cells

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def population(province, agency_a, entry_a):
    """9901: males 80, females 95; 9902: males 8, females 2."""
    shapes_refresh()
    topic = Topic.objects.create(code="T1", name_th="ประชากร", name_en="Population")
    dataset = Dataset.objects.create(code="DS-POPSA", topic=topic, name_th="ประชากร", agency=agency_a, collection_level=3, period_type="FY")
    element = DataElement.objects.create(
        code="POPSA", dataset=dataset, name_th="ประชากร", value_type=ValueType.INTEGER, category_combo=make_sex_area()
    )
    first, second, third = OrgUnit.objects.filter(level=3).order_by("code")[:3]
    cells = (
        option_cells(element, first, "FY2568", {"M_MUN": 10, "M_NONMUN": 20, "F_MUN": 30, "F_NONMUN": 40})
        + option_cells(element, second, "FY2568", {"M_MUN": 50, "F_MUN": 25})
        + option_cells(element, third, "FY2568", {"M_NONMUN": 8, "F_NONMUN": 2})
    )
    assert datavalues_save(cells=cells, user=entry_a).ok
    return element


def test_user_maps_women_then_the_sex_ratio(page, login, population, entry_a):
    login("entry_a")
    page.goto("/gis/map/?element=POPSA&period=FY2568&orgunit=99&option=F")
    page.wait_for_selector("path.unit-9901")
    assert page.locator("#map-measure").inner_text() == "ประชากร · หญิง"
    assert "95" in page.locator("#map-table tr[data-code='9901']").inner_text()
    assert "2" in page.locator("#map-table tr[data-code='9902']").inner_text()
    page.select_option("#id_ratio", "M:F")  # submits; the option is cleared: a ratio or a part, not both
    page.wait_for_url("**ratio=M%3AF**")
    page.wait_for_selector("path.unit-9902")
    assert "option=F" not in page.url
    assert page.locator("#map-measure").inner_text() == "ประชากร: ชาย ต่อ หญิง 100 (ต่อ 100)"
    assert "400" in page.locator("#map-table tr[data-code='9902']").inner_text()
    page.click("path.unit-9902")
    page.wait_for_selector("#map-chart .main-svg")
    screenshot(page, "map-ratio")
