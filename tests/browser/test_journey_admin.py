import csv
import io

import pytest

from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_issues_accounts_and_the_new_user_must_change_password(page, login, it_admin, agency_a, tmp_path):
    upload = tmp_path / "accounts.csv"
    upload.write_text(
        "agency_code,username,first_name,last_name,email,roles\nAG-A,somchai,สมชาย,ใจดี,somchai@example.go.th,data_entry\n", encoding="utf-8"
    )
    login("itadmin")
    page.goto("/accounts/issue/")
    page.set_input_files("input[type=file]", str(upload))
    screenshot(page, "journey-admin-accounts")
    with page.expect_download() as download_info:
        page.click("button[type=submit].primary")
    issued = list(csv.DictReader(io.StringIO(download_info.value.path().read_text(encoding="utf-8-sig"))))
    assert [row["username"] for row in issued] == ["somchai"]

    page.click("button.linkish")  # log out
    login("somchai", issued[0]["one_time_password"])
    assert page.url.endswith("/accounts/password/")
    page.fill("input[name=old_password]", issued[0]["one_time_password"])
    page.fill("input[name=new_password1]", "a-much-better-secret-2568")
    page.fill("input[name=new_password2]", "a-much-better-secret-2568")
    page.click("button[type=submit].primary")
    page.goto("/")
    assert page.locator("h1").inner_text().startswith("ยินดีต้อนรับ")
