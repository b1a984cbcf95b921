"""The governor's cockpit: warning rules and their alerts, personal dashboards, information needs."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from datasets.models import DataElement
from indicators.models import Indicator
from poc.models import LocalizedNameMixin, OrgUnit, OrgUnitLevel, Period, Role
from poc.permissions import RestrictedQuerySet


class AlertSeverity(models.TextChoices):
    """How urgent a warning rule's alert is."""

    INFO = "info", _("Information")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


class RuleKind(models.TextChoices):
    ABOVE = "above", _("Above a threshold")
    BELOW = "below", _("Below a threshold")
    BETWEEN = "between", _("Between two values")
    CHANGE = "change", _("Change vs the previous period (%)")
    MISSING = "missing", _("Data missing past the due date")
    EPIDEMIC = "epidemic", _("Epidemic threshold: above the median of the same week in the past five years + 2 SD")


class WarningRule(LocalizedNameMixin, models.Model):
    """A condition on an indicator or a data element, checked for every org unit of one level."""

    name_th = models.CharField(_("Thai name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    element = models.ForeignKey(
        DataElement, verbose_name=_("data element"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    level = models.PositiveSmallIntegerField(_("org-unit level"), choices=OrgUnitLevel.choices, default=OrgUnitLevel.DISTRICT)
    kind = models.CharField(_("condition"), max_length=10, choices=RuleKind.choices)
    low = models.FloatField(_("threshold (low)"), null=True, blank=True, help_text=_("Below: fires under it; between: lower bound"))
    high = models.FloatField(_("threshold (high)"), null=True, blank=True, help_text=_("Above: fires over it; between: upper bound"))
    change_pct = models.FloatField(
        _("change (%)"), null=True, blank=True, help_text=_("Fires when the change reaches it: +50 for a rise of half, -30 for a fall")
    )
    missing_days = models.PositiveSmallIntegerField(_("days past due"), null=True, blank=True)
    severity = models.CharField(_("severity"), max_length=10, choices=AlertSeverity.choices, default=AlertSeverity.WARNING)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("recipients"), blank=True, related_name="+")
    recipient_roles = models.JSONField(_("recipient roles"), default=list, blank=True, help_text=_("Role names, e.g. executive"))
    is_active = models.BooleanField(_("active"), default=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("warning rule")
        verbose_name_plural = _("warning rules")
        ordering = ["name_th"]
        constraints = [
            models.CheckConstraint(
                condition=Q(indicator__isnull=True, element__isnull=False) | Q(indicator__isnull=False, element__isnull=True),
                name="warningrule_one_subject",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def subject(self) -> Indicator | DataElement:
        return self.indicator or self.element

    def clean(self) -> None:
        if bool(self.indicator_id) == bool(self.element_id):
            raise ValidationError(_("Choose either an indicator or a data element."), code="subject")
        needs = {
            RuleKind.ABOVE: ("high",),
            RuleKind.BELOW: ("low",),
            RuleKind.BETWEEN: ("low", "high"),
            RuleKind.CHANGE: ("change_pct",),
            RuleKind.MISSING: ("missing_days",),
            RuleKind.EPIDEMIC: (),
        }[self.kind]
        missing = {name: _("Required for this condition.") for name in needs if getattr(self, name) is None}
        if missing:
            raise ValidationError(missing, code="required")
        if self.kind == RuleKind.MISSING and not self.element_id:
            raise ValidationError(_("'Data missing' rules apply to data elements."), code="missing_on_indicator")
        if self.kind == RuleKind.BETWEEN and self.low > self.high:
            raise ValidationError(_("The low threshold is above the high one."), code="range")
        unknown = set(self.recipient_roles or []) - set(Role.values)
        if unknown:
            raise ValidationError({"recipient_roles": _("Unknown roles: %(r)s") % {"r": ", ".join(sorted(unknown))}})


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Alert(models.Model):
    """One firing of a rule for an org unit and period. At most one open alert per (rule, unit, period)."""

    rule = models.ForeignKey(WarningRule, on_delete=models.CASCADE, related_name="alerts")
    orgunit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    value = models.FloatField(null=True, blank=True)
    severity = models.CharField(max_length=10, choices=AlertSeverity.choices)
    status = models.CharField(max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN, db_index=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "orgunit", "period"], condition=Q(status="open"), name="alert_one_open_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.orgunit_id} · {self.period_id}"


class AlertEvent(models.Model):
    """Audit trail of an alert: opened, acknowledged (with the comment), closed."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(
        max_length=12, choices=[("opened", _("opened")), ("acknowledged", _("acknowledged")), ("closed", _("closed"))]
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.TextField(blank=True)
    value = models.FloatField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.action}"


class Display(models.TextChoices):
    TABLE = "table", _("Table")
    LINE = "line", _("Line chart")
    BAR = "bar", _("Bar chart")
    MAP = "map", _("Map")


class DashboardPin(models.Model):
    """An indicator or data element an executive keeps on their personal dashboard, in the form they want."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboard_pins")
    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    element = models.ForeignKey(DataElement, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    orgunit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    display = models.CharField(_("display"), max_length=10, choices=Display.choices, default=Display.BAR)
    order = models.PositiveIntegerField(default=0)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        ordering = ["user", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(indicator__isnull=True, element__isnull=False) | Q(indicator__isnull=False, element__isnull=True),
                name="dashboardpin_one_subject",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.indicator_id or self.element_id} ({self.display})"


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for the IT group")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class InformationRequest(models.Model):
    """An executive's need for information the catalogue lacks; the provincial IT group answers it."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="information_requests")
    title = models.CharField(_("information needed"), max_length=200)
    purpose = models.TextField(_("what it is for"))
    orgunit_level = models.PositiveSmallIntegerField(_("down to level"), choices=OrgUnitLevel.choices, default=OrgUnitLevel.DISTRICT)
    frequency = models.CharField(_("how often"), max_length=100, blank=True)
    needed_by = models.DateField(_("needed by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("information request")
        verbose_name_plural = _("information requests")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
