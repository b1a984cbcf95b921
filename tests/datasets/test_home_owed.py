"""The clerk's home page lists what they owe and by when, not counts of org units."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from poc.models import Period
from tests.conftest import TEST_PASSWORD
from verification.models import Status, Submission

pytestmark = pytest.mark.django_db


@freeze_time("2026-11-28 09:00")
def test_clerk_home_lists_owed_forms_with_due_dates_most_overdue_first(client, entry_a, dataset, elements, province, verifier_a):
    for code, status in (("2569-09", Status.SUBMITTED), ("2569-08", Status.VERIFIED)):
        Submission.objects.create(
            dataset=dataset, orgunit=province, period=Period.objects.for_code(code), status=status, submitted_at=timezone.now()
        )
    assert client.login(username=entry_a.username, password=TEST_PASSWORD)
    html = client.get(reverse("home")).content.decode()
    assert "สิ่งที่ต้องส่ง" in html
    owed = html[html.index('id="owed"') : html.index("</section>", html.index('id="owed"'))]
    periods = re.findall(r"<td>([^<]*)</td><td>(\d+ [^<]*)</td>", owed)
    # Monthly, due 15 days after the month: Dec 2568 … Oct 2569 are owed, most overdue first; September is submitted,
    # August verified, November has not ended.
    assert [p for p, _due in periods] == [
        "ธ.ค. 2568",
        "ม.ค. 2569",
        "ก.พ. 2569",
        "มี.ค. 2569",
        "เม.ย. 2569",
        "พ.ค. 2569",
        "มิ.ย. 2569",
        "ก.ค. 2569",
        "ต.ค. 2569",
    ]
    assert periods[-1] == ("ต.ค. 2569", "15 พ.ย. 2569")
    assert "15 พ.ย. 2569" in owed and "เกินกำหนด 13 วัน" in owed
    assert f"?dataset={dataset.code}&amp;period=2569-10&amp;orgunit=99" in owed
    assert "stat-value" not in html  # no org-unit counts for the clerk


def test_other_roles_see_no_owed_list_and_it_admin_keeps_the_register_counts(client, executive, it_admin, dataset, elements):
    it_admin.is_superuser = True  # like the demo's admin: may enter anything, but owes nothing
    it_admin.save()
    client.force_login(executive)
    assert 'id="owed"' not in client.get(reverse("home")).content.decode()
    client.force_login(it_admin)
    html = client.get(reverse("home")).content.decode()
    assert 'id="owed"' not in html and "stat-value" in html
