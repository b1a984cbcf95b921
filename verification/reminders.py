"""Due-date reminders: e-mail and notify data-entry users a few days before a period is due and once it is
overdue, once per event and user (``send_reminders`` command, the daily Celery task)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from datasets.models import Dataset
from datasets.selectors import due_date
from poc.models import Period, User
from poc.notifications import forget_unread_counts
from poc.periods import format_date_be, period_containing
from verification.cells import GEOMETRY
from verification.models import Notification, Reminder, ReminderKind
from verification.selectors import data_entry_users
from verification.timeliness import first_entries, reminder_days_before, units_expected_to_report


@dataclass
class ReminderReport:
    sent: int = 0
    skipped: int = 0
    events: list[str] = field(default_factory=list)


def _reminder_events(dataset: Dataset, today: dt.date) -> list[tuple[Period, str, dt.date]]:
    """(period, kind, due date) for the dataset's recent periods that are not fully reported."""
    days_before = reminder_days_before()
    current = period_containing(dataset.period_type, today)
    events = []
    for steps in range(0, 4):
        spec = current.shifted(-steps)
        due = due_date(dataset, spec)
        if today > due:
            kind = ReminderKind.OVERDUE
        elif (due - today).days <= days_before:
            kind = ReminderKind.DUE_SOON
        else:
            continue
        expected = {u.pk for u in units_expected_to_report(dataset, spec)}
        reported = {u for (_c, u) in first_entries(dataset, [spec])}
        if expected and expected <= reported:
            continue
        events.append((Period.objects.for_spec(spec), kind, due))
    return events


def reminders_send(*, today: dt.date | None = None) -> ReminderReport:
    """E-mail and notify data-entry users N days before a due date and when overdue, once per event and user."""
    today = today or timezone.localdate()
    report = ReminderReport()
    for dataset in (
        Dataset.objects.filter(is_active=True)
        .select_related("agency__orgunit")
        .defer(*(f"agency__orgunit__{f}" for f in GEOMETRY))
        .with_assigned_units()
    ):
        events = _reminder_events(dataset, today)
        if not events:
            continue
        users = list(data_entry_users(dataset))
        for period, kind, due in events:
            for user in users:
                if _reminder_send_one(dataset=dataset, period=period, kind=kind, due=due, user=user, today=today):
                    report.sent += 1
                    report.events.append(f"{kind} {dataset.code} {period.code} → {user.username}")
                else:
                    report.skipped += 1
    return report


@transaction.atomic
def _reminder_send_one(*, dataset: Dataset, period: Period, kind: str, due: dt.date, user: User, today: dt.date) -> bool:
    _reminder, created = Reminder.objects.get_or_create(dataset=dataset, period=period, kind=kind, user=user)
    if not created:
        return False
    url = reverse("verification:responsibility")
    with translation.override("th"):
        context = {
            "user": user,
            "dataset": dataset,
            "period": period.label,
            "due": format_date_be(due, long=True),
            "days": abs((due - today).days),
            "url": url,
            "agency": dataset.agency,
        }
        text = render_to_string(f"verification/email/reminder_{kind}.txt", context).strip()
    subject, _blank, body = text.partition("\n")
    if user.email:
        send_mail(subject.strip(), body.strip(), None, [user.email])  # an error rolls back the log row: retried next run
    Notification.objects.create(user=user, title=subject.strip()[:300], body=body.strip(), url=url)
    forget_unread_counts([user.pk])
    return True
