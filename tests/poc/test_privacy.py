"""PDPA: privacy notice, retention of page views and notifications, a person's data export, anonymising a departed user."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from operations.models import PageView
from poc.models import User
from tests.conftest import TEST_PASSWORD
from verification.models import Notification


@pytest.mark.django_db
def test_privacy_notice_is_public_and_linked_from_login_and_footer(client, entry_a):
    notice = client.get(reverse("privacy"))
    assert notice.status_code == 200
    assert "พ.ร.บ.คุ้มครองข้อมูลส่วนบุคคล" in notice.content.decode()
    assert f'href="{reverse("privacy")}"' in client.get(reverse("login")).content.decode()
    client.force_login(entry_a)
    assert f'href="{reverse("privacy")}"' in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_retention_deletes_old_page_views_and_notifications_only(entry_a, settings):
    settings.POC_PAGEVIEW_RETENTION_DAYS, settings.POC_NOTIFICATION_RETENTION_DAYS = 30, 10
    now = timezone.now()
    for days in (31, 29):
        PageView.objects.create(at=now - dt.timedelta(days=days), user=entry_a, view_name="home", path=f"/{days}")
    old = Notification.objects.create(user=entry_a, title="old")
    Notification.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(days=11))
    Notification.objects.create(user=entry_a, title="new")
    call_command("apply_retention", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert list(PageView.objects.values_list("path", flat=True)) == ["/29"]
    assert list(Notification.objects.values_list("title", flat=True)) == ["new"]
    assert settings.CELERY_BEAT_SCHEDULE["poc-apply-retention"]["task"] == "poc.tasks.apply_retention"


@pytest.mark.django_db
def test_it_admin_exports_everything_held_about_a_person(client, it_admin, entry_a, entry_b):
    User.objects.filter(pk=entry_a.pk).update(email="somchai@example.go.th", phone="081-234-5678")
    Notification.objects.create(user=entry_a, title="ครบกำหนดส่งข้อมูล")
    Notification.objects.create(user=entry_b, title="someone else's")
    PageView.objects.create(at=timezone.now(), user=entry_a, view_name="datasets:entry", path="/datasets/entry/")
    client.force_login(it_admin)
    assert client.get(reverse("person_export", args=[entry_a.pk])).status_code == 405
    response = client.post(reverse("person_export", args=[entry_a.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["account"]["email"] == "somchai@example.go.th" and data["account"]["phone"] == "081-234-5678"
    assert "password" not in data["account"] and "correct-horse" not in response.content.decode()
    assert [n["title"] for n in data["related"]["verification.Notification"]] == ["ครบกำหนดส่งข้อมูล"]
    assert data["related"]["operations.PageView"][0]["path"] == "/datasets/entry/"
    assert data["roles"] == ["data_entry"]
    assert LogEntry.objects.filter(user=it_admin, object_id=str(entry_a.pk), change_message__contains="exported").exists()


@pytest.mark.django_db
def test_only_it_admins_export_or_anonymise(client, entry_a, entry_b):
    client.force_login(entry_a)
    assert client.post(reverse("person_export", args=[entry_b.pk])).status_code == 403
    assert client.post(reverse("person_anonymise", args=[entry_b.pk]), {"confirm": "entry_b"}).status_code == 403
    assert client.get(reverse("people")).status_code == 403
    assert User.objects.get(pk=entry_b.pk).username == "entry_b"


@pytest.mark.django_db
def test_anonymising_clears_personal_data_and_keeps_the_audit_trail(client, it_admin, entry_a, agency_a):
    User.objects.filter(pk=entry_a.pk).update(first_name="สมชาย", last_name="ใจดี", email="s@example.go.th", phone="0812345678")
    LogEntry.objects.create(user=entry_a, content_type_id=1, object_id="1", object_repr="x", action_flag=2, change_message="edited")
    Notification.objects.create(user=entry_a, title="private")
    client.force_login(it_admin)
    wrong = client.post(reverse("person_anonymise", args=[entry_a.pk]), {"confirm": "someone"})
    assert wrong.status_code == 302 and User.objects.get(pk=entry_a.pk).email == "s@example.go.th"
    assert client.post(reverse("person_anonymise", args=[entry_a.pk]), {"confirm": "entry_a"}).status_code == 302
    person = User.objects.get(pk=entry_a.pk)  # same id: audit rows still point at it
    assert person.username == f"former-user-{entry_a.pk}"
    assert (person.first_name, person.last_name, person.email, person.phone) == ("", "", "", "")
    assert not person.is_active and not person.has_usable_password() and not person.groups.exists()
    assert LogEntry.objects.filter(user_id=entry_a.pk, change_message="edited").count() == 1
    assert not Notification.objects.filter(user_id=entry_a.pk).exists()
    assert LogEntry.objects.filter(user=it_admin, object_id=str(entry_a.pk), change_message__contains="anonymised").exists()
    assert not client.login(username="entry_a", password=TEST_PASSWORD)
    page = client.get(reverse("people")).content.decode()
    assert "s@example.go.th" not in page and "สมชาย" not in page
    assert settings.POC_PAGEVIEW_RETENTION_DAYS > 0
