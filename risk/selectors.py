"""Reads of the risk app: campaigns a user sees, the survey report (heat maps, top risks)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from poc.models import User
from poc.permissions import Gate
from risk.models import (
    MitigationAction,
    ResponseStatus,
    RiskAnswer,
    RiskArea,
    RiskCampaign,
    RiskLevel,
    RiskQuestion,
    RiskResponse,
    risk_level,
)

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
