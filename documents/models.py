"""Document library (circulars, minutes, manuals, articles) and the electronic correspondence register."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from poc.models import Agency
from poc.permissions import RestrictedQuerySet


class Category(models.TextChoices):
    CIRCULAR = "circular", _("Circular letter")
    MINUTES = "minutes", _("Meeting minutes")
    MANUAL = "manual", _("Manual")
    ARTICLE = "article", _("Knowledge article")
    OTHER = "other", _("Other")


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Public")
    INTERNAL = "internal", _("All signed-in users")
    AGENCY = "agency", _("Own agency only")


class Document(models.Model):
    letter_number = models.CharField(_("letter number"), max_length=100, blank=True, help_text=_("e.g. รย 0016.1/ว 14201"))
    date = models.DateField(_("date"))
    subject = models.CharField(_("subject"), max_length=500)
    summary = models.TextField(_("summary"), blank=True)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="documents")
    visibility = models.CharField(_("who may see it"), max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["category", "-date"], name="document_category_date")]

    def __str__(self) -> str:
        return f"{self.letter_number} {self.subject}".strip()


class Attachment(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/")
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("type"), max_length=100)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name


# --- Correspondence -------------------------------------------------------------------------------
class Direction(models.TextChoices):
    INCOMING = "in", _("Incoming")
    OUTGOING = "out", _("Outgoing")


class Series(models.TextChoices):
    """Running-number series: received letters, sent letters, and circulars (ว) have their own numbers."""

    RECEIVED = "received", _("Received letters")
    SENT = "sent", _("Sent letters")
    CIRCULAR = "circular", _("Circular letters")


class LetterCounter(models.Model):
    """The last number issued per agency, fiscal year and series; locked with SELECT … FOR UPDATE."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    fiscal_year = models.PositiveSmallIntegerField()
    series = models.CharField(max_length=10, choices=Series.choices)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "fiscal_year", "series"], name="letter_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.fiscal_year}/{self.series}: {self.last_number}"


class Letter(models.Model):
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="letters")
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    series = models.CharField(_("series"), max_length=10, choices=Series.choices)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (BE)"))
    number = models.PositiveIntegerField(_("running number"))
    reference = models.CharField(_("letter number"), max_length=120, db_index=True)
    date = models.DateField(_("date"))
    subject = models.CharField(_("subject"), max_length=500)
    sender = models.CharField(_("from"), max_length=255)
    recipients_text = models.CharField(_("to"), max_length=500, blank=True)
    attachment = models.FileField(_("attachment"), upload_to="letters/%Y/%m/", blank=True)
    document = models.ForeignKey(
        Document, verbose_name=_("document carried"), null=True, blank=True, on_delete=models.SET_NULL, related_name="letters"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")
        ordering = ["-fiscal_year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "fiscal_year", "series", "number"], name="letter_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"


class LetterRoute(models.Model):
    """A letter sent to an agency or a person; ``read_at`` is the read receipt."""

    letter = models.ForeignKey(Letter, on_delete=models.CASCADE, related_name="routes")
    agency = models.ForeignKey(Agency, verbose_name=_("agency"), null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    read_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("routing")
        verbose_name_plural = _("routings")
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=False, user__isnull=True) | Q(agency__isnull=True, user__isnull=False),
                name="route_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.letter_id} → {self.agency_id or self.user_id}"
