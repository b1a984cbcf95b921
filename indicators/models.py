"""Indicators: formulas over data elements, per-fiscal-year targets and materialised values.

The cockpit, maps and warnings read :class:`IndicatorValue` only; values are recomputed from the
hierarchy aggregates (``datasets.selectors``) whenever inputs change (see ``indicators.services``).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from datasets.models import DataElement
from indicators.expressions import expression_codes
from poc.models import Agency, LocalizedNameMixin, OrgUnit, Period
from poc.periods import PeriodType
from poc.permissions import RestrictedQuerySet


class Polarity(models.TextChoices):
    HIGHER_BETTER = "higher_better", _("Higher is better")
    LOWER_BETTER = "lower_better", _("Lower is better")
    CONTEXT = "context", _("Context (no good direction)")


class Light(models.TextChoices):
    GREEN = "green", _("On target")
    AMBER = "amber", _("Watch")
    RED = "red", _("Off target")
    GREY = "grey", _("No judgement")


class Indicator(LocalizedNameMixin, models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name_th = models.CharField(_("Thai name"), max_length=255)
    name_en = models.CharField(_("English name"), max_length=255, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    source_note = models.TextField(_("source note"), blank=True, help_text=_("Where the definition comes from"))
    numerator = models.CharField(_("numerator"), max_length=500, help_text=_("Expression over data-element codes, e.g. INFANT_DEATHS"))
    denominator = models.CharField(_("denominator"), max_length=500, blank=True, help_text=_("Optional, e.g. LIVE_BIRTHS"))
    factor = models.FloatField(_("factor"), default=1, help_text=_("Multiplier, e.g. 100 for a percentage or 1000 per thousand"))
    unit_th = models.CharField(_("unit (Thai)"), max_length=100, blank=True)
    unit_en = models.CharField(_("unit (English)"), max_length=100, blank=True)
    decimals = models.PositiveSmallIntegerField(_("decimals"), default=1)
    polarity = models.CharField(_("polarity"), max_length=15, choices=Polarity.choices, default=Polarity.HIGHER_BETTER)
    period_type = models.CharField(
        _("finest period"),
        max_length=2,
        choices=PeriodType.choices,
        default=PeriodType.FISCAL_YEAR,
        help_text=_("Values are kept per fiscal year and, if finer, per period of this type"),
    )
    perspective_th = models.CharField(_("perspective (Thai)"), max_length=120)
    perspective_en = models.CharField(_("perspective (English)"), max_length=120, blank=True)
    strategy = models.CharField(_("strategy"), max_length=255, blank=True)
    agency = models.ForeignKey(Agency, verbose_name=_("owner agency"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    inputs = models.ManyToManyField(
        DataElement, verbose_name=_("input data elements"), blank=True, related_name="indicators", editable=False
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    approved_only = models.BooleanField(
        _("approved data only"),
        default=False,
        help_text=_("Cockpit and maps show a value only where every input value has passed its last approval level"),
    )

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def perspective(self) -> str:
        return self.perspective_en if self.perspective_en and not self._thai() else self.perspective_th

    @property
    def unit(self) -> str:
        return self.unit_en if self.unit_en and not self._thai() else self.unit_th

    @staticmethod
    def _thai() -> bool:
        from django.utils.translation import get_language

        return (get_language() or "th").startswith("th")

    def input_codes(self) -> set[str]:
        return expression_codes(self.numerator) | expression_codes(self.denominator)

    def clean(self) -> None:
        errors = {}
        for field in ("numerator", "denominator"):
            try:
                expression_codes(getattr(self, field))
            except ValidationError as exc:
                errors[field] = exc.messages
        if errors:
            raise ValidationError(errors)


class IndicatorTarget(models.Model):
    """Target of one fiscal year with its traffic-light cut-offs.

    ``green_at``/``red_at`` are explicit thresholds; when blank the rule is: green at the target,
    red beyond ``tolerance`` percent of it on the wrong side (see :func:`indicators.traffic_lights.traffic_light`).
    Without ``orgunit`` it is the province's target; with one, that area's own (the drill-down judges
    an area by its own target, and only ranks areas that have none).
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    orgunit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("org unit"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("Blank for the province's target; an area's own target otherwise"),
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year (BE)"))
    target = models.FloatField(_("target"))
    green_at = models.FloatField(_("green from"), null=True, blank=True)
    red_at = models.FloatField(_("red beyond"), null=True, blank=True)
    tolerance = models.FloatField(_("tolerance (%)"), default=10)

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        ordering = ["indicator", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year"], condition=Q(orgunit__isnull=True), name="indicator_target_unique_year"
            ),
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year", "orgunit"], condition=Q(orgunit__isnull=False), name="indicator_target_unique_unit_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} FY{self.fiscal_year}: {self.target}"


class IndicatorValue(models.Model):
    """Materialised value of an indicator for an org unit (its whole subtree) and period."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    orgunit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(Period, on_delete=models.CASCADE, related_name="+")
    value = models.FloatField(null=True, blank=True)
    numerator = models.FloatField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    objects = RestrictedQuerySet.as_manager()

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [models.UniqueConstraint(fields=["indicator", "orgunit", "period"], name="indicator_value_unique")]
        indexes = [models.Index(fields=["orgunit", "period"], name="indicator_value_unit_period")]

    def __str__(self) -> str:
        return f"{self.indicator_id}/{self.orgunit_id}/{self.period_id}={self.value}"
