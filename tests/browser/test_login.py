import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_user_logs_in_and_sees_thai_home_page(page, login, entry_a):
    login("entry_a")
    assert page.url.endswith("/")
    assert page.locator("html").get_attribute("lang") == "th"
    assert page.locator("h1").inner_text().startswith("ยินดีต้อนรับ")
    assert page.locator(".brand-text").inner_text().startswith("ศูนย์ปฏิบัติการจังหวัด")
    screenshot(page, "home")
    page.click("button[value=en]")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("Welcome")
