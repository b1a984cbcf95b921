"""Contingency plan versions, staff development progress, and usage recording/report."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from operations import services
from operations.models import ContingencyPlanVersion, Course, PageView, ParticipantStatus
from operations.selectors import training_by_agency, training_progress, usage_report
from operations.usage import flush_page_views, record_page_view


def test_every_save_of_the_contingency_plan_is_a_new_version(client, it_admin, entry_a):
    client.force_login(it_admin)
    for steps in ("1. restore", "1. restore\n2. verify"):
        data = {"title": "แผนสำรองฉุกเฉิน", "contacts": "โทร 1111", "recovery_steps": steps, "change_note": steps[-6:]}
        assert client.post(reverse("operations:contingency_plan_edit"), data).status_code == 302
    assert list(ContingencyPlanVersion.objects.values_list("version", "recovery_steps")) == [
        (2, "1. restore\n2. verify"),
        (1, "1. restore"),
    ]
    old = client.get(reverse("operations:contingency_plan_version", args=[1])).content.decode()
    assert "1. restore" in old and "2. verify" not in old

    client.force_login(entry_a)
    assert client.get(reverse("operations:contingency_plan")).status_code == 200
    assert client.get(reverse("operations:contingency_plan_edit")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.contingency_plan_save(user=entry_a, title="x", contacts="x", recovery_steps="x")


def test_training_progress_per_fiscal_year(it_admin, agency_a, agency_b, entry_a):
    held = services.course_save(
        user=it_admin, course=Course(title="GIS", start_date=dt.date(2024, 11, 5), end_date=dt.date(2024, 11, 6), planned_seats=4)
    )
    services.course_save(
        user=it_admin, course=Course(title="Cyber", start_date=dt.date(2025, 9, 1), end_date=dt.date(2025, 9, 1), planned_seats=6)
    )
    services.course_save(
        user=it_admin, course=Course(title="FY2569", start_date=dt.date(2025, 10, 1), end_date=dt.date(2025, 10, 1), planned_seats=9)
    )
    people = [services.participant_add(user=it_admin, course=held, agency=agency_a, name=f"A{n}") for n in range(3)]
    people.append(services.participant_add(user=entry_a, course=held, agency=agency_a, name="A by entry"))
    with pytest.raises(PermissionDenied):
        services.participant_add(user=entry_a, course=held, agency=agency_b, name="B by A")
    for person, status in zip(people, [ParticipantStatus.COMPLETED, ParticipantStatus.COMPLETED, ParticipantStatus.ABSENT], strict=False):
        services.participant_set_status(user=it_admin, participant=person, status=status)

    progress = training_progress(2568)

    assert (progress.courses, progress.courses_held, progress.planned_seats, progress.participants, progress.completed) == (2, 1, 10, 4, 2)
    assert progress.percent == 20.0 and progress.courses_percent == 50.0
    assert training_by_agency(2568) == [{"code": "AG-A", "name_th": "หน่วยงานเอ", "n": 4, "completed": 2}]
    assert training_progress(2569).courses == 1


def test_page_views_are_recorded_once_per_page_and_reported_by_month(client, entry_a, entry_b, it_admin, agency_a):
    client.force_login(entry_a)
    client.get(reverse("home"))
    client.get(reverse("operations:training_plan"))
    client.get("/static/css/poc.css")
    client.get(reverse("operations:backup_list"))  # 403: not recorded
    client.force_login(entry_b)
    client.get(reverse("home"))

    flush_page_views()  # with Redis, views are buffered until the minute job (or a report) flushes them
    assert PageView.objects.count() == 3
    assert set(PageView.objects.values_list("user__username", "view_name")) == {
        ("entry_a", "home"),
        ("entry_a", "operations:training_plan"),
        ("entry_b", "home"),
    }
    report = usage_report(timezone.localdate())
    assert (report.views, report.active_users, report.active_agencies) == (3, 2, 2)
    assert report.top_pages[0] == {"view_name": "home", "n": 2, "users": 2, "title": "หน้าหลัก"}

    client.force_login(it_admin)
    response = client.get(reverse("operations:usage_report"))
    page = response.content.decode()
    assert 'id="active-users">2<' in page and 'id="usage-figure"' in page
    # Pages by their titles, not route names; the users axis counts whole people.
    assert '<td data-view="operations:training_plan">แผนพัฒนาบุคลากร</td>' in page and ">operations:training_plan<" not in page
    layout = response.context["figure"]["layout"]
    assert layout["yaxis2"]["dtick"] == 1 and layout["yaxis2"]["tickformat"] == ",d"
    client.force_login(entry_a)
    assert client.get(reverse("operations:usage_report")).status_code == 403


@pytest.mark.skipif(not settings.REDIS_URL, reason="the page-view buffer lives in Redis")
def test_with_redis_a_page_view_is_buffered_not_written_until_flushed(client, entry_a):
    client.force_login(entry_a)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    assert not any("risk_pageview" in q["sql"] for q in queries.captured_queries)  # reading a page writes nothing
    assert PageView.objects.count() == 0
    record_page_view(user_id=10**9, agency_id=10**9, view_name="home", path="/")  # a user deleted meanwhile

    assert flush_page_views() == 2 and flush_page_views() == 0
    assert sorted(PageView.objects.values_list("user__username", "agency_id"), key=str) == [("entry_a", entry_a.agency_id), (None, None)]
    call_command("flush_page_views", stdout=io.StringIO())  # the command (and beat task) share the service


def test_without_redis_a_page_view_is_one_insert(client, entry_a, settings):
    settings.REDIS_URL = ""
    client.force_login(entry_a)
    client.get(reverse("home"))
    assert list(PageView.objects.values_list("user__username", "view_name")) == [("entry_a", "home")]
    assert flush_page_views() == 0
