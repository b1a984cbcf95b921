"""Operations of the portal: backups and their checks, the IT contingency plan, the staff development plan
and usage (page views). The tables keep the names they had in the ``risk`` app (``risk_backuprecord`` …),
so moving the models changed no data."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from poc.models import Agency
from poc.periods import fiscal_year_of
from poc.permissions import RestrictedQuerySet


# --- Backups ------------------------------------------------------------------------------------
class BackupCheck(models.TextChoices):
    """Whether a backup was checked by restoring it (not the data verification of the ``verification`` app)."""

    UNVERIFIED = "unverified", _("Not verified")
    OK = "ok", _("Verified")
    FAILED = "failed", _("Verification failed")


class BackupRecord(models.Model):
    """A backup archive on disk (database + media) and the result of its last verification."""

    filename = models.CharField(_("file"), max_length=255, unique=True)
    created_at = models.DateTimeField(_("created"), db_index=True)
    engine = models.CharField(_("database engine"), max_length=20)
    size_bytes = models.BigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    manifest = models.JSONField(_("manifest"), default=dict)
    verification_status = models.CharField(_("verification"), max_length=12, choices=BackupCheck.choices, default=BackupCheck.UNVERIFIED)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verification_message = models.TextField(_("verification result"), blank=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        db_table = "risk_backuprecord"
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def total_rows(self) -> int:
        return sum(self.manifest.get("tables", {}).values())


# --- Contingency plan ---------------------------------------------------------------------------
class ContingencyPlanVersion(models.Model):
    """Every save of the IT contingency plan is a new row, so the history is never lost."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    title = models.CharField(_("title"), max_length=255)
    contacts = models.TextField(_("emergency contacts"))
    recovery_steps = models.TextField(_("recovery steps"))
    body = models.TextField(_("other content"), blank=True)
    change_note = models.CharField(_("what changed"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)

    class Meta:
        db_table = "risk_contingencyplanversion"
        verbose_name = _("contingency plan version")
        verbose_name_plural = _("contingency plan versions")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


# --- Staff development plan ---------------------------------------------------------------------
class Course(models.Model):
    title = models.CharField(_("course"), max_length=255)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"))
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    provider = models.CharField(_("provider"), max_length=255, blank=True)
    target_group = models.CharField(_("target group"), max_length=255, blank=True)
    planned_seats = models.PositiveIntegerField(_("planned seats"), default=0)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (BE)"), db_index=True, editable=False)

    class Meta:
        db_table = "risk_course"
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["start_date", "id"]
        constraints = [models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="course_dates_in_order")]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.fiscal_year = fiscal_year_of(self.start_date)
        super().save(*args, **kwargs)


class ParticipantStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ATTENDED = "attended", _("Attended")
    COMPLETED = "completed", _("Completed")
    ABSENT = "absent", _("Absent")


class Participant(models.Model):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="participants")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="training_participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(_("status"), max_length=12, choices=ParticipantStatus.choices, default=ParticipantStatus.REGISTERED)

    class Meta:
        db_table = "risk_participant"
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["agency__code", "name"]

    def __str__(self) -> str:
        return self.name


# --- Usage ----------------------------------------------------------------------------------------
class PageView(models.Model):
    """One row per page a signed-in user opened (written by ``operations.middleware.PageViewMiddleware``)."""

    at = models.DateTimeField(db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    agency = models.ForeignKey(Agency, null=True, on_delete=models.SET_NULL, related_name="+")
    view_name = models.CharField(max_length=120)
    path = models.CharField(max_length=255)

    class Meta:
        db_table = "risk_pageview"
        verbose_name = _("page view")
        verbose_name_plural = _("page views")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.view_name}"
