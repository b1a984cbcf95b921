"""Reads of the operations app: training progress per fiscal year and the monthly usage report."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

from operations.models import Course, PageView, ParticipantStatus
from operations.page_titles import page_title
from operations.usage import flush_page_views
from poc.models import Agency


# --- Staff development plan ---------------------------------------------------------------------------
@dataclass
class TrainingProgress:
    fiscal_year: int
    courses: int
    courses_held: int
    planned_seats: int
    participants: int
    completed: int

    @property
    def percent(self) -> float:
        """Plan progress: people who completed a course over the seats planned for the year."""
        return round(100 * self.completed / self.planned_seats, 1) if self.planned_seats else 0.0

    @property
    def courses_percent(self) -> float:
        return round(100 * self.courses_held / self.courses, 1) if self.courses else 0.0


def training_progress(fiscal_year: int) -> TrainingProgress:
    courses = Course.objects.filter(fiscal_year=fiscal_year).annotate(
        n=Count("participants"),
        done=Count("participants", filter=Q(participants__status=ParticipantStatus.COMPLETED)),
        present=Count("participants", filter=Q(participants__status__in=[ParticipantStatus.ATTENDED, ParticipantStatus.COMPLETED])),
    )
    rows = list(courses)
    return TrainingProgress(
        fiscal_year=fiscal_year,
        courses=len(rows),
        courses_held=sum(1 for c in rows if c.present),
        planned_seats=sum(c.planned_seats for c in rows),
        participants=sum(c.n for c in rows),
        completed=sum(c.done for c in rows),
    )


def training_by_agency(fiscal_year: int) -> list[dict]:
    return list(
        Agency.objects.filter(training_participants__course__fiscal_year=fiscal_year)
        .annotate(
            n=Count("training_participants"),
            completed=Count("training_participants", filter=Q(training_participants__status=ParticipantStatus.COMPLETED)),
        )
        .order_by("code")
        .values("code", "name_th", "n", "completed")
    )


# --- Usage ------------------------------------------------------------------------------------------------
@dataclass
class UsageReport:
    month: dt.date
    views: int
    active_users: int
    active_agencies: int
    total_agencies: int
    top_pages: list[dict]
    top_agencies: list[dict]
    daily: list[dict]


def usage_report(month: dt.date) -> UsageReport:
    """Page views of one calendar month (local time): who used the portal and which pages."""
    from django.db.models.functions import TruncDate

    flush_page_views()
    start = timezone.make_aware(dt.datetime(month.year, month.month, 1))
    end = timezone.make_aware(dt.datetime(month.year + (month.month == 12), month.month % 12 + 1, 1))
    views = PageView.objects.filter(at__gte=start, at__lt=end)
    counts = {"n": Count("id"), "users": Count("user", distinct=True)}
    agencies = views.exclude(agency=None).values("agency__code", "agency__name_th")
    return UsageReport(
        month=month.replace(day=1),
        views=views.count(),
        active_users=views.values("user").distinct().count(),
        active_agencies=views.exclude(agency=None).values("agency").distinct().count(),
        total_agencies=Agency.objects.count(),
        top_pages=[
            {**row, "title": page_title(row["view_name"])}
            for row in views.values("view_name").annotate(**counts).order_by("-n", "view_name")[:15]
        ],
        top_agencies=list(agencies.annotate(**counts).order_by("-n", "agency__code")[:15]),
        daily=list(views.annotate(day=TruncDate("at")).values("day").annotate(**counts).order_by("day")),
    )
