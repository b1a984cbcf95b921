import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_group_runs_the_tracking_report_and_a_verified_backup(
    page, login, it_admin, save, entry_a, elements, subdistricts, settings, tmp_path
):
    settings.POC_BACKUP_DIR = tmp_path
    save(entry_a, [(elements["cases"], s, "2568-01", 3) for s in subdistricts[:2]])  # entered long after the due date
    login("itadmin")
    page.goto("/verification/tracking/?period=2568-B1")
    report = page.locator("main").inner_text()
    assert "หน่วยงานเอ" in report  # agency A is tracked
    assert page.locator("a:has-text('Excel')").count() == 1 and page.locator("a:has-text('PDF')").count() == 1
    screenshot(page, "journey-it-tracking")

    page.goto("/operations/backups/")
    page.click("button[type=submit].primary")  # back up now: written, then verified by a restore
    page.wait_for_load_state("networkidle")
    rows = page.locator("table.data tbody tr")
    assert rows.count() == 1
    assert "ตรวจสอบแล้ว" in rows.first.inner_text()
    assert list(tmp_path.glob("poc-backup-*.tar.gz"))
    screenshot(page, "journey-it-backup")
