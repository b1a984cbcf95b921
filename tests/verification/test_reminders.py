import io

import pytest
from django.core import mail
from django.core.management import call_command
from freezegun import freeze_time

from verification.models import Notification, Reminder
from verification.reminders import reminders_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def recipients(entry_a, entry_b, verifier_a):
    for user in (entry_a, entry_b, verifier_a):
        user.email = f"{user.username}@example.go.th"
        user.save()
    return entry_a


def fill(save, user, element, units, period_code):
    assert save(user, [(element, unit, period_code, 1) for unit in units]).ok


def test_due_soon_then_overdue_each_sent_once_to_data_entry_users(recipients, save, elements, subdistricts, entry_a):
    # DS-HEALTH is monthly, due 15 days after the month: January 2025 (2568-01) is due on 15 Feb 2025.
    with freeze_time("2025-02-01 03:00"):
        fill(save, entry_a, elements["cases"], subdistricts, "2567-11")
        fill(save, entry_a, elements["cases"], subdistricts, "2567-12")
        fill(save, entry_a, elements["cases"], subdistricts[:3], "2568-01")  # one subdistrict still missing
    with freeze_time("2025-02-07 01:00"):  # 8 days before: too early
        assert reminders_send().sent == 0
    with freeze_time("2025-02-08 01:00"):  # POC_REMINDER_DAYS_BEFORE = 7
        report = reminders_send()
        assert report.sent == 1 and len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["entry_a@example.go.th"]
        assert message.subject == "แจ้งเตือน: ข้อมูล ข้อมูลสุขภาพ งวด ม.ค. 2568 ครบกำหนดส่งในอีก 7 วัน"
        assert "15 กุมภาพันธ์ 2568" in message.body
        assert reminders_send().sent == 0 and len(mail.outbox) == 1  # never twice
    with freeze_time("2025-02-16 01:00"):
        assert reminders_send().sent == 1
        assert mail.outbox[-1].subject.startswith("ติดตาม: ข้อมูล ข้อมูลสุขภาพ งวด ม.ค. 2568 เลยกำหนดส่งแล้ว 1 วัน")
    with freeze_time("2025-02-20 01:00"):
        assert reminders_send().sent == 0
    assert list(Reminder.objects.values_list("kind", "period__code", "user__username")) == [
        ("due_soon", "2568-01", "entry_a"),
        ("overdue", "2568-01", "entry_a"),
    ]
    assert Notification.objects.filter(user=entry_a).count() == 2


def test_complete_periods_get_no_reminder(recipients, save, elements, subdistricts, entry_a):
    with freeze_time("2025-02-01 03:00"):
        for code in ("2567-11", "2567-12", "2568-01"):
            fill(save, entry_a, elements["cases"], subdistricts, code)
    with freeze_time("2025-02-10 01:00"):
        assert reminders_send().sent == 0
    assert not mail.outbox


def test_send_reminders_command_uses_the_same_service(recipients, elements):
    out = io.StringIO()
    with freeze_time("2025-02-10 01:00"):
        call_command("send_reminders", stdout=out)
        call_command("send_reminders", stdout=out)
    # Nothing entered at all: Nov and Dec are overdue, January is due soon — three e-mails, once.
    assert len(mail.outbox) == 3
    assert "3 reminder(s) sent" in out.getvalue() and "0 reminder(s) sent, 3 already sent before" in out.getvalue()
