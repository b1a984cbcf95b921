"""Periods are picked in Thai words with due date and status; org units are picked from the user's scope."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time

from poc.models import Period
from tests.conftest import TEST_PASSWORD
from verification.models import Status, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_for(client):
    def login(user):
        assert client.login(username=user.username, password=TEST_PASSWORD)
        return client

    return login


def options(html: str, list_id: str) -> list[tuple[str, str]]:
    """(value, text) of each option of the datalist ``list_id``."""
    block = re.search(rf'<datalist id="{list_id}">(.*?)</datalist>', html, re.S)
    assert block, f"no datalist {list_id}"
    return re.findall(r'<option value="([^"]*)">([^<]*)</option>', block.group(1))


@freeze_time("2026-11-28 10:00")
def test_entry_period_picker_lists_the_datasets_months_in_thai_newest_first_with_due_date_and_status(
    client_for, entry_a, dataset, elements, province, verifier_a
):
    Submission.objects.create(
        dataset=dataset,
        orgunit=province,
        period=Period.objects.for_code("2569-09"),
        status=Status.VERIFIED,
        verified_by=verifier_a,
        verified_at=timezone.now(),
    )
    page = client_for(entry_a).get(reverse("datasets:entry"), {"dataset": dataset.code})
    html = page.content.decode()
    assert 'list="id_period-M"' in html and 'data-period-type="M"' in html
    listed = options(html, "id_period-M")
    assert len(listed) == 24
    # DS-HEALTH is due 15 days after the month: November is open, October overdue, September verified.
    assert listed[:3] == [
        ("พ.ย. 2569", "ครบกำหนด 15 ธ.ค. 2569 · เปิดรับ"),
        ("ต.ค. 2569", "ครบกำหนด 15 พ.ย. 2569 · เกินกำหนด"),
        ("ก.ย. 2569", "ครบกำหนด 15 ต.ค. 2569 · ตรวจสอบแล้ว"),
    ]


@pytest.mark.parametrize("typed", ["ต.ค. 2568", "ตุลาคม 2568", "10/2568", "2568-10"])
def test_the_entry_grid_opens_for_a_period_typed_in_thai_or_as_a_code(client_for, entry_a, dataset, elements, subdistricts, typed):
    page = client_for(entry_a).get(reverse("datasets:entry"), {"dataset": dataset.code, "period": typed, "orgunit": "99"})
    assert page.context["period"].code == "2568-10"
    assert "ds-grid" in page.content.decode()


def test_a_period_of_the_wrong_kind_is_refused_in_thai(client_for, entry_a, dataset, elements):
    page = client_for(entry_a).get(reverse("datasets:entry"), {"dataset": dataset.code, "period": "ไตรมาส 1/2568", "orgunit": "99"})
    html = page.content.decode()
    assert "ds-grid" not in html
    assert "ไตรมาส 1/2568 ไม่ใช่งวดแบบรายเดือน" in html


def test_upload_page_picks_the_period_in_words(client_for, entry_a, dataset, elements):
    html = client_for(entry_a).get(reverse("datasets:upload", args=[dataset.code])).content.decode()
    assert 'name="period"' in html and options(html, "id_period-M")
    download = client_for(entry_a).get(reverse("datasets:download", args=[dataset.code, "template"]), {"period": "ม.ค. 2568"})
    assert download.status_code == 200 and "DS-HEALTH_2568-01_template.csv" in download["Content-Disposition"]


def test_open_submission_picks_the_org_unit_by_name_from_the_users_scope(client_for, make_user, dataset, elements, province):
    from poc.models import Agency, OrgUnit

    district = OrgUnit.objects.get(code="9902")
    agency = Agency.objects.create(code="AG-D2", name_th="อำเภอสอง", orgunit=district)
    dataset.agency = agency
    dataset.save()
    clerk = make_user("clerk_d2", ["data_entry"], agency)
    html = client_for(clerk).get(reverse("verification:submissions")).content.decode()
    select = re.search(r'<select name="orgunit"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert "อำเภอทดสอบ 2 (9902)" in select and "ตำบลทดสอบ 2-1 (990201)" in select
    assert "9901" not in select and "จังหวัดทดสอบ" not in select  # outside the clerk's district
    response = client_for(clerk).post(
        reverse("verification:submission_open"), {"dataset": dataset.pk, "orgunit": "990101", "period": "ม.ค. 2568"}
    )
    assert not Submission.objects.exists() and response.status_code == 302
    response = client_for(clerk).post(
        reverse("verification:submission_open"), {"dataset": dataset.pk, "orgunit": "990201", "period": "ม.ค. 2568"}
    )
    assert Submission.objects.get().period.code == "2568-01"


def test_tracking_report_takes_a_two_month_period_in_words(client_for, it_admin):
    page = client_for(it_admin).get(reverse("verification:tracking_report"), {"period": "ก.ย.–ต.ค. 2569"})
    assert page.status_code == 200 and page.context["report"].window.code == "2569-B5"
    refused = client_for(it_admin).get(reverse("verification:tracking_report"), {"period": "ต.ค. 2569"})
    assert "report" not in refused.context and "ราย 2 เดือน" in refused.content.decode()


def test_audit_trail_filters_by_a_period_in_words_and_an_org_unit_picked_by_name(
    client_for, entry_a, dataset, elements, subdistricts, save
):
    save(entry_a, [(elements["cases"], subdistricts[0], "2568-01", 4), (elements["cases"], subdistricts[1], "2568-02", 5)])
    client = client_for(entry_a)
    url = reverse("datasets:audit", args=[dataset.code])
    page = client.get(url, {"period": "ก.พ. 2568"})
    rows = list(page.context["page"])
    assert [(r.orgunit.code, r.period.code) for r in rows] == [(subdistricts[1].code, "2568-02")]
    html = page.content.decode()
    assert f'<option value="{subdistricts[0].code}">— — ตำบลทดสอบ 1-1 ({subdistricts[0].code})</option>' in html
    assert 'value="ก.พ. 2568"' in html  # the filter shows the period in words
    assert [r.period.code for r in client.get(url, {"orgunit": subdistricts[0].code}).context["page"]] == ["2568-01"]
    refused = client.get(url, {"period": "2568-Q9"})
    assert list(refused.context["page"]) == [] and refused.status_code == 200
