"""The IT risk survey: questions, campaigns sent to agencies, their answers and the mitigation actions.

Backups, the contingency plan, training and usage live in the ``operations`` app."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from poc.models import Agency
from poc.permissions import RestrictedQuerySet

SCALE = (1, 2, 3, 4, 5)
scale_validators = [MinValueValidator(1), MaxValueValidator(5)]


# --- IT risk survey ----------------------------------------------------------------------------
class RiskArea(models.TextChoices):
    ACCESS = "access", _("Access to data and computer systems")
    ACCURACY = "accuracy", _("Accuracy and completeness of data and system operation")
    EMERGENCY = "emergency", _("Emergencies and disasters")
    MANAGEMENT = "management", _("IT management and internal control")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    EXTREME = "extreme", _("Very high")


def risk_level(score: float) -> RiskLevel:
    """The usual Thai public-sector 5×5 matrix bands: 1–4 low, 5–9 medium, 10–16 high, 17–25 very high."""
    if score >= 17:
        return RiskLevel.EXTREME
    if score >= 10:
        return RiskLevel.HIGH
    if score >= 5:
        return RiskLevel.MEDIUM
    return RiskLevel.LOW


class RiskQuestion(models.Model):
    area = models.CharField(_("risk area"), max_length=12, choices=RiskArea.choices)
    text = models.CharField(_("risk (question)"), max_length=500)
    guidance = models.TextField(_("guidance"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("risk question")
        verbose_name_plural = _("risk questions")
        ordering = ["area", "order", "id"]

    def __str__(self) -> str:
        return self.text


class RiskCampaign(models.Model):
    """One round of the survey sent to agencies with a deadline (usually once per fiscal year)."""

    title = models.CharField(_("title"), max_length=255)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (BE)"))
    deadline = models.DateField(_("deadline"))
    agencies = models.ManyToManyField(Agency, verbose_name=_("agencies"), related_name="risk_campaigns")
    questions = models.ManyToManyField(RiskQuestion, verbose_name=_("questions"), related_name="campaigns")
    is_closed = models.BooleanField(_("closed"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk survey campaign")
        verbose_name_plural = _("risk survey campaigns")
        ordering = ["-fiscal_year", "-created_at"]

    def __str__(self) -> str:
        return self.title


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class RiskResponse(models.Model):
    """An agency's answers to a campaign; one per (campaign, agency)."""

    campaign = models.ForeignKey(RiskCampaign, on_delete=models.CASCADE, related_name="responses")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.CASCADE, related_name="risk_responses")
    status = models.CharField(_("status"), max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk survey response")
        verbose_name_plural = _("risk survey responses")
        constraints = [models.UniqueConstraint(fields=["campaign", "agency"], name="risk_response_once_per_agency")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.agency}"


class RiskAnswer(models.Model):
    response = models.ForeignKey(RiskResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(RiskQuestion, on_delete=models.PROTECT, related_name="answers")
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), validators=scale_validators)
    impact = models.PositiveSmallIntegerField(_("impact"), validators=scale_validators)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("risk answer")
        verbose_name_plural = _("risk answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="risk_answer_once_per_question"),
            models.CheckConstraint(condition=Q(likelihood__gte=1, likelihood__lte=5), name="risk_answer_likelihood_1_5"),
            models.CheckConstraint(condition=Q(impact__gte=1, impact__lte=5), name="risk_answer_impact_1_5"),
        ]

    def __str__(self) -> str:
        return f"{self.question} L{self.likelihood}×I{self.impact}"

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class MitigationAction(models.Model):
    campaign = models.ForeignKey(RiskCampaign, on_delete=models.CASCADE, related_name="actions")
    question = models.ForeignKey(
        RiskQuestion, verbose_name=_("risk"), null=True, blank=True, on_delete=models.SET_NULL, related_name="actions"
    )
    description = models.TextField(_("mitigation action"))
    owner = models.CharField(_("owner"), max_length=200)
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mitigation action")
        verbose_name_plural = _("mitigation actions")
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.description[:80]
