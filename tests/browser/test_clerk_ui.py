"""The clerk's day in Chromium: the period picker, the entry grid (honest errors, locked rows, only changed cells
posted) and the phone menu at 390×844. Screenshots go to var/screenshots (untracked)."""

from pathlib import Path
from urllib.parse import parse_qs

import pytest
from django.utils import timezone

from datasets.models import DataValue, NotAvailableReason
from datasets.services import CellInput, datavalues_save
from poc.models import Period
from verification.models import Status, Submission

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def answered(entry_a, elements, subdistricts):
    """January 2568: every required cell marked not collected, so a save needs only the cells typed."""
    period = Period.objects.for_code("2568-01")
    cells = [
        CellInput(element=e, orgunit=u, period=period, not_available=NotAvailableReason.NOT_COLLECTED)
        for e in elements.values()
        if e.required
        for u in subdistricts
    ]
    assert datavalues_save(cells=cells, user=entry_a).ok
    return period


def test_clerk_picks_a_period_in_thai_and_the_grid_posts_only_what_changed(page, login, entry_a, dataset, elements, subdistricts, answered):
    page.set_viewport_size({"width": 1440, "height": 900})
    login("entry_a")
    page.goto("/datasets/entry/")
    page.select_option("select[name=dataset]", "DS-HEALTH")
    assert page.get_attribute("input[name=period]", "list") == "id_period-M"  # the list follows the dataset's kind
    assert page.locator("#id_period-M option").first.get_attribute("value").count(" ") == 1  # e.g. "พ.ย. 2569"
    page.fill("input[name=period]", "ม.ค. 2568")
    page.click(".ds-pick button.primary")
    page.wait_for_selector(".ds-grid")
    assert "ม.ค. 2568" in page.locator("h2").first.inner_text()
    # Nothing is red before anything is typed.
    assert page.locator("input.invalid, .has-error").count() == 0
    cases = page.locator(f"input[name='v-{elements['cases'].pk}-{subdistricts[0].pk}']")
    page.select_option(f"select[name='na-{elements['cases'].pk}-{subdistricts[0].pk}']", "")
    cases.fill("สิบสอง")
    assert "invalid" in cases.get_attribute("class")  # flagged while typing, and the text stays in the box
    shot(page, "entry-grid-not-a-number")
    cases.fill("12")
    with page.expect_request(lambda r: r.method == "POST") as request_info:
        page.click(".ds-grid-form button.primary")
    posted = parse_qs(request_info.value.post_data, keep_blank_values=True)
    values = sorted(k for k in posted if k.startswith(("v-", "na-")))
    assert values == [f"na-{elements['cases'].pk}-{subdistricts[0].pk}", f"v-{elements['cases'].pk}-{subdistricts[0].pk}"]
    page.wait_for_load_state("networkidle")
    assert page.locator(".msg-success").count() == 1
    assert DataValue.objects.get(element=elements["cases"], orgunit=subdistricts[0]).value_num == 12
    shot(page, "entry-grid-saved")


def test_verified_rows_are_read_only_and_cannot_be_submitted_again(
    page, login, entry_a, it_admin, dataset, elements, subdistricts, province, answered
):
    Submission.objects.create(
        dataset=dataset, orgunit=province, period=answered, status=Status.VERIFIED, verified_by=it_admin, verified_at=timezone.now()
    )
    page.set_viewport_size({"width": 1440, "height": 900})
    login("entry_a")
    page.goto(f"/datasets/entry/?dataset={dataset.code}&period=2568-01&orgunit=99")
    assert page.locator("input.ds-value:not([disabled])").count() == 0
    assert "ตรวจสอบโดย itadmin" in page.locator(".ds-grid tbody tr").first.inner_text()
    assert page.locator(".ds-submit").count() == 0
    shot(page, "entry-grid-verified")


def test_phone_menu_folds_and_opens_by_task(page, login, entry_a, dataset, elements):
    page.set_viewport_size({"width": 390, "height": 844})
    login("entry_a")
    page.goto("/")
    assert page.evaluate("document.getElementById('navmenu').open") is False
    heading = page.locator("main h1").bounding_box()
    assert heading["y"] < 250  # the page starts on the first screen, not below the menu
    shot(page, "phone-home")
    page.click(".navmenu-toggle")
    groups = page.locator(".navgroup > summary")
    assert groups.first.inner_text() == "ข้อมูล"
    groups.first.click()
    assert page.locator(".navgroup").first.locator("a", has_text="บันทึกข้อมูล").is_visible()
    for label in page.locator(".mainnav a:visible, .navgroup > summary").all():
        box = label.bounding_box()
        assert box["height"] < 48, label.inner_text()  # one line: no label wraps mid-word
    shot(page, "phone-menu-open")


def test_wide_screen_menu_is_one_row_of_task_groups(page, login, it_admin):
    page.set_viewport_size({"width": 1440, "height": 900})
    login("itadmin")
    shot(page, "menu-wide")
    tops = {round(box["y"]) for box in (s.bounding_box() for s in page.locator(".mainnav > a, .navgroup > summary").all())}
    assert len(tops) == 1  # one row, not four
    page.locator(".navgroup > summary").first.click()
    assert page.locator(".navgroup").first.locator("a", has_text="บัญชีผู้ใช้").is_visible()
    shot(page, "menu-wide-open")
