"""Reads of the risk app: campaigns a user sees, the survey report (heat maps, top risks), training progress."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from poc.models import Agency, User
from poc.permissions import Gate
from risk.models import (
    Course,
    MitigationAction,
    PageView,
    ParticipantStatus,
    ResponseStatus,
    RiskAnswer,
    RiskArea,
    RiskCampaign,
    RiskLevel,
    RiskQuestion,
    RiskResponse,
    risk_level,
)
from risk.page_titles import page_title
from risk.usage import flush_page_views

SCALE = range(1, 6)


def campaigns_for(user: User) -> QuerySet[RiskCampaign]:
    """IT administrators and executives see every campaign; other users the ones sent to their agency."""
    return RiskCampaign.objects.restrict(user, "view")


def can_view_report(user: User) -> bool:
    return Gate.EXECUTIVE_OR_IT(user)


@dataclass
class HeatMap:
    """Counts of answers per (impact, likelihood) cell. ``rows`` is ready to draw: impact 5 at the top."""

    label: str
    cells: dict[tuple[int, int], int] = field(default_factory=dict)

    def add(self, likelihood: int, impact: int) -> None:
        self.cells[(impact, likelihood)] = self.cells.get((impact, likelihood), 0) + 1

    @property
    def total(self) -> int:
        return sum(self.cells.values())

    @property
    def rows(self) -> list[dict]:
        return [
            {
                "impact": impact,
                "cells": [
                    {"likelihood": lk, "count": self.cells.get((impact, lk), 0), "level": risk_level(impact * lk).value} for lk in SCALE
                ],
            }
            for impact in reversed(SCALE)
        ]

    def count(self, likelihood: int, impact: int) -> int:
        return self.cells.get((impact, likelihood), 0)


@dataclass
class TopRisk:
    question: RiskQuestion
    answers: int
    mean_likelihood: float
    mean_impact: float
    mean_score: float
    max_score: int

    @property
    def level(self) -> RiskLevel:
        return risk_level(self.mean_score)


@dataclass
class SurveyReport:
    campaign: RiskCampaign
    invited: int
    submitted: int
    drafts: int
    by_area: list[HeatMap]
    by_agency: list[HeatMap]
    top_risks: list[TopRisk]
    area_scores: dict[str, float]
    responses: list[RiskResponse]
    actions: list[MitigationAction]

    @property
    def response_rate(self) -> float:
        return round(100 * self.submitted / self.invited, 1) if self.invited else 0.0


def survey_report(campaign: RiskCampaign, top: int = 10) -> SurveyReport:
    """Figures from submitted responses only (drafts may still change)."""
    responses = list(campaign.responses.select_related("agency").annotate(answered=Count("answers")).order_by("agency__code"))
    answers = list(
        RiskAnswer.objects.filter(response__campaign=campaign, response__status=ResponseStatus.SUBMITTED).select_related(
            "question", "response__agency"
        )
    )
    by_area = {area: HeatMap(label=str(label)) for area, label in RiskArea.choices}
    by_agency: dict[int, HeatMap] = {}
    per_question: dict[int, list[RiskAnswer]] = defaultdict(list)
    for answer in answers:
        by_area[answer.question.area].add(answer.likelihood, answer.impact)
        agency = answer.response.agency
        by_agency.setdefault(agency.pk, HeatMap(label=str(agency))).add(answer.likelihood, answer.impact)
        per_question[answer.question_id].append(answer)
    top_risks = []
    for rows in per_question.values():
        n = len(rows)
        top_risks.append(
            TopRisk(
                question=rows[0].question,
                answers=n,
                mean_likelihood=round(sum(a.likelihood for a in rows) / n, 2),
                mean_impact=round(sum(a.impact for a in rows) / n, 2),
                mean_score=round(sum(a.score for a in rows) / n, 2),
                max_score=max(a.score for a in rows),
            )
        )
    top_risks.sort(key=lambda r: (-r.mean_score, -r.max_score, r.question.pk))
    area_scores = {}
    for area, heat in by_area.items():
        if heat.total:
            area_scores[area] = round(sum(n * i * lk for (i, lk), n in heat.cells.items()) / heat.total, 2)
    submitted = sum(1 for r in responses if r.status == ResponseStatus.SUBMITTED)
    return SurveyReport(
        campaign=campaign,
        invited=len(responses),
        submitted=submitted,
        drafts=len(responses) - submitted,
        by_area=list(by_area.values()),
        by_agency=[by_agency[k] for k in sorted(by_agency, key=lambda pk: by_agency[pk].label)],
        top_risks=top_risks[:top],
        area_scores=area_scores,
        responses=responses,
        actions=list(campaign.actions.select_related("question", "agency")),
    )


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
