import pytest

from tests.browser.conftest import screenshot
from tests.browser.test_cockpit import road_deaths  # noqa: F401  (the cockpit's red-tile fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_governor_goes_from_a_red_tile_to_the_map_of_the_district(page, login, executive, road_deaths):  # noqa: F811
    login("governor")
    page.goto("/cockpit/?fy=2568")
    page.locator(".tile[data-light=red]").first.click()
    page.wait_for_load_state("networkidle")
    page.click("table.drill-table a:has-text('อำเภอทดสอบ 1')")
    page.wait_for_load_state("networkidle")
    page.click("a.link-card[href^='/gis/map/']")
    page.wait_for_selector("path.unit-990101")  # the map opens on the district's subdistricts
    assert "indicator=ROAD1" in page.url
    assert page.locator("#map-table tbody tr").count() == 2
    assert "40" in page.locator("#map-table tr[data-code='990101']").inner_text()  # (30 + 10) deaths per 100,000
    screenshot(page, "journey-governor-map")
