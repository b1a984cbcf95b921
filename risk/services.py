"""Writes of the risk app: survey campaigns and answers, mitigation actions, questions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from poc import permissions
from poc.audit import audit
from poc.models import Agency, User
from poc.permissions import Gate
from risk.models import (
    MitigationAction,
    ResponseStatus,
    RiskAnswer,
    RiskCampaign,
    RiskQuestion,
    RiskResponse,
)


class RiskErrorCode(StrEnum):
    CLOSED = "campaign_closed"
    SUBMITTED = "already_submitted"
    INCOMPLETE = "incomplete"
    OUT_OF_RANGE = "out_of_range"
    NO_AGENCIES = "no_agencies"
    NO_QUESTIONS = "no_questions"


# Answer as entered: (likelihood, impact, note); likelihood/impact None when left blank in a draft.
Answer = tuple[int | None, int | None, str]


def can_answer(user: User, response: RiskResponse) -> bool:
    return permissions.can(user, "change", response)


@transaction.atomic
def campaign_create(
    *,
    user: User,
    title: str,
    fiscal_year: int,
    deadline: dt.date,
    agencies: Iterable[Agency],
    questions: Iterable[RiskQuestion] | None = None,
) -> RiskCampaign:
    """Send the survey to ``agencies``: one draft response per agency, the current active questions."""
    agencies = list(agencies)
    questions = list(questions if questions is not None else RiskQuestion.objects.filter(is_active=True))
    if not agencies:
        raise ValidationError(_("Choose at least one agency."), code=RiskErrorCode.NO_AGENCIES)
    if not questions:
        raise ValidationError(_("There are no active risk questions to send."), code=RiskErrorCode.NO_QUESTIONS)
    campaign = RiskCampaign(title=title, fiscal_year=fiscal_year, deadline=deadline, created_by=user)
    campaign.full_clean()
    campaign.save()
    campaign.agencies.set(agencies)
    campaign.questions.set(questions)
    RiskResponse.objects.bulk_create([RiskResponse(campaign=campaign, agency=agency) for agency in agencies])
    audit(user, campaign, "add", f"campaign sent to {len(agencies)} agencies, {len(questions)} questions, deadline {deadline}")
    return campaign


@transaction.atomic
def response_save(*, response: RiskResponse, user: User, answers: Mapping[int, Answer], submit: bool) -> RiskResponse:
    """Save an agency's answers as a draft, or submit them (every question answered). All or nothing."""
    response = RiskResponse.objects.select_for_update().select_related("campaign").get(pk=response.pk)
    permissions.require(user, "change", response)
    if response.campaign.is_closed:
        raise ValidationError(_("This survey is closed; answers can no longer be changed."), code=RiskErrorCode.CLOSED)
    if response.status == ResponseStatus.SUBMITTED:
        raise ValidationError(_("Your agency has already submitted this survey."), code=RiskErrorCode.SUBMITTED)
    questions = {q.pk: q for q in response.campaign.questions.all()}
    errors: list[ValidationError] = []
    rows: list[RiskAnswer] = []
    for question_id, question in questions.items():
        likelihood, impact, note = answers.get(question_id, (None, None, ""))
        if likelihood is None and impact is None:
            if submit:
                errors.append(ValidationError(_("Question “%(q)s” is not answered.") % {"q": question.text}, code=RiskErrorCode.INCOMPLETE))
            continue
        if likelihood not in range(1, 6) or impact not in range(1, 6):
            errors.append(
                ValidationError(
                    _("Question “%(q)s”: give both likelihood and impact from 1 to 5.") % {"q": question.text},
                    code=RiskErrorCode.OUT_OF_RANGE,
                )
            )
            continue
        rows.append(RiskAnswer(response=response, question=question, likelihood=likelihood, impact=impact, note=(note or "")[:500]))
    if errors:
        raise ValidationError(errors)
    response.answers.all().delete()
    RiskAnswer.objects.bulk_create(rows)
    response.updated_by = user
    if submit:
        response.status = ResponseStatus.SUBMITTED
        response.submitted_at = timezone.now()
    response.save()
    audit(user, response, "change", f"{'submitted' if submit else 'draft saved'}: {len(rows)} of {len(questions)} answered")
    return response


@transaction.atomic
def response_reopen(*, response: RiskResponse, user: User) -> RiskResponse:
    """An IT administrator sends a submitted response back to the agency for correction."""
    permissions.require_gate(user, Gate.IT_ADMIN)
    response.status = ResponseStatus.DRAFT
    response.submitted_at = None
    response.save(update_fields=["status", "submitted_at", "updated_at"])
    audit(user, response, "change", "reopened for correction")
    return response


@transaction.atomic
def campaign_set_closed(*, campaign: RiskCampaign, user: User, closed: bool) -> RiskCampaign:
    permissions.require_gate(user, Gate.IT_ADMIN)
    campaign.is_closed = closed
    campaign.save(update_fields=["is_closed"])
    audit(user, campaign, "change", "closed" if closed else "reopened")
    return campaign


@transaction.atomic
def action_create(*, user: User, campaign: RiskCampaign, **fields) -> MitigationAction:
    permissions.require_gate(user, Gate.IT_ADMIN)
    action = MitigationAction(campaign=campaign, **fields)
    action.full_clean()
    action.save()
    audit(user, action, "add", f"owner {action.owner}, due {action.due_date}")
    return action


@transaction.atomic
def action_set_status(*, user: User, action: MitigationAction, status: str) -> MitigationAction:
    permissions.require_gate(user, Gate.IT_ADMIN)
    action.status = status
    action.full_clean()
    action.save(update_fields=["status"])
    audit(user, action, "change", f"status {status}")
    return action


@transaction.atomic
def question_save(*, user: User, question: RiskQuestion) -> RiskQuestion:
    permissions.require_gate(user, Gate.IT_ADMIN)
    adding = question.pk is None
    question.full_clean()
    question.save()
    audit(user, question, "add" if adding else "change", question.text[:120])
    return question


@transaction.atomic
def questions_load_standard(*, user: User | None) -> int:
    """Add the standard questionnaire (skipping questions already present); returns how many were added."""
    from risk.questions import STANDARD_QUESTIONS

    if user is not None:  # None: the command, run by the operator
        permissions.require_gate(user, Gate.IT_ADMIN)
    existing = set(RiskQuestion.objects.values_list("text", flat=True))
    added = 0
    for order, (area, text) in enumerate(STANDARD_QUESTIONS, start=1):
        if text in existing:
            continue
        question = RiskQuestion.objects.create(area=area, text=text, order=order)
        if user is not None:
            audit(user, question, "add", "standard question")
        added += 1
    return added
