"""Verification and timeliness: validation rules and their violations, outlier confirmations,
the submission workflow with its event log, reminders sent and in-app notifications."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from datasets.models import CategoryOptionCombo, DataElement, Dataset
from poc.models import OrgUnit, Period
from poc.permissions import RestrictedQuerySet
from verification.cells import option_terms
from verification.expressions import ExpressionError, parse_expression


class Operator(models.TextChoices):
    EQ = "==", _("equals")
    NE = "!=", _("differs from")
    LT = "<", _("is less than")
    LE = "<=", _("is at most")
    GT = ">", _("is greater than")
    GE = ">=", _("is at least")


class RuleSeverity(models.TextChoices):
    """How a failed validation rule weighs: an error blocks submission, a warning needs a comment."""

    ERROR = "error", _("Error (blocks submission)")
    WARNING = "warning", _("Warning (needs a comment)")


class ValidationRule(models.Model):
    """``left operator right`` over the dataset's element codes, e.g. ``POP_MALE + POP_FEMALE == POP_TOTAL``; a broken-down
    element's code is its total, ``POP.F`` its cells holding option F summed, ``POP.F_MUN`` one option combination."""

    dataset = models.ForeignKey(Dataset, verbose_name=_("dataset"), on_delete=models.CASCADE, related_name="validation_rules")
    name = models.CharField(_("name"), max_length=200)
    left = models.CharField(_("left side"), max_length=500)
    operator = models.CharField(_("operator"), max_length=2, choices=Operator.choices)
    right = models.CharField(_("right side"), max_length=500)
    severity = models.CharField(_("severity"), max_length=10, choices=RuleSeverity.choices, default=RuleSeverity.ERROR)
    message_th = models.CharField(_("message (Thai)"), max_length=300, blank=True)
    message_en = models.CharField(_("message (English)"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")
        ordering = ["dataset", "id"]

    def __str__(self) -> str:
        return f"{self.left} {self.operator} {self.right}"

    @property
    def message(self) -> str:
        if self.message_en and not (get_language() or "th").startswith("th"):
            return self.message_en
        return self.message_th or self.message_en or self.name

    def clean(self) -> None:
        known = None
        if self.dataset_id:  # element codes, and CODE.OPTION / CODE.OPTION_COMBINATION of broken-down elements
            elements = list(DataElement.objects.filter(dataset_id=self.dataset_id))
            known = {e.code for e in elements} | set(option_terms(elements))
        errors = {}
        for side in ("left", "right"):
            try:
                parse_expression(getattr(self, side), known)
            except ExpressionError as exc:
                errors[side] = str(exc)
        if errors:
            raise ValidationError(errors, code="bad_expression")


class Violation(models.Model):
    """A rule that failed for one org unit and period at the last validation run (kept for analysis)."""

    rule = models.ForeignKey(ValidationRule, on_delete=models.CASCADE, related_name="violations")
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+")
    orgunit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    severity = models.CharField(max_length=10, choices=RuleSeverity.choices)
    left_value = models.FloatField(null=True)
    right_value = models.FloatField(null=True)
    detail = models.CharField(max_length=1000)
    found_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rule violation")
        verbose_name_plural = _("rule violations")
        ordering = ["period__start_date", "orgunit__path", "rule_id"]
        constraints = [models.UniqueConstraint(fields=["rule", "orgunit", "period"], name="violation_unique")]
        indexes = [models.Index(fields=["dataset", "period"], name="violation_dataset_period")]

    def __str__(self) -> str:
        return f"{self.rule} @ {self.orgunit_id}/{self.period_id}"


class OutlierConfirmation(models.Model):
    """A user confirming that a flagged value is right, with the reason (append-only: the audit trail).
    ``option_combo``: the confirmed cell of a broken-down element (null: its total, or an element without categories)."""

    element = models.ForeignKey(DataElement, on_delete=models.CASCADE, related_name="+")
    option_combo = models.ForeignKey(
        CategoryOptionCombo,
        verbose_name=_("category option combination"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    orgunit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    value = models.FloatField(_("confirmed value"))
    comment = models.CharField(_("comment"), max_length=500)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("outlier confirmation")
        verbose_name_plural = _("outlier confirmations")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["element", "orgunit", "period"], name="outlier_confirm_cell")]

    def __str__(self) -> str:
        return f"{self.element_id}/{self.orgunit_id}/{self.period_id} = {self.value}: {self.comment}"


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    APPROVED = "approved", _("Approved, awaiting the next level")
    VERIFIED = "verified", _("Verified")


# Statuses whose values are locked: an approval at any level locks, the final one included.
LOCKED_STATUSES = (Status.APPROVED, Status.VERIFIED)


class Submission(models.Model):
    """The values of one dataset for one org unit (and its subtree) and period, moving through review."""

    dataset = models.ForeignKey(Dataset, verbose_name=_("dataset"), on_delete=models.CASCADE, related_name="submissions")
    orgunit = models.ForeignKey(OrgUnit, verbose_name=_("org unit"), on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(Period, verbose_name=_("period"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, db_index=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # Levels approved in the current round (0 until the first approval; ``dataset.approval_levels`` when verified).
    approval_level = models.PositiveSmallIntegerField(_("approval level reached"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-period__start_date", "dataset", "orgunit__path"]
        constraints = [models.UniqueConstraint(fields=["dataset", "orgunit", "period"], name="submission_unique")]
        indexes = [models.Index(fields=["dataset", "period", "status"], name="submission_dataset_period")]

    def __str__(self) -> str:
        return f"{self.dataset.code} {self.orgunit.code} {self.period.code} ({self.get_status_display()})"


class SubmissionEvent(models.Model):
    """One transition of a submission: who, when, from → to, and why."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Status.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(blank=True)
    level = models.PositiveSmallIntegerField(default=0)  # the approval level this event approved (0: not an approval)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status or '-'} → {self.to_status}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class Reminder(models.Model):
    """A reminder e-mail sent; the unique key is what makes reminders never go out twice."""

    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dataset", "period", "kind", "user"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.kind} {self.dataset_id}/{self.period_id} → {self.user_id}"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title
