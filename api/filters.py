"""Filters of the read API (django-filter): dataset, element, org unit (with descendants), period range, last updated."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as drf_filters
from rest_framework.exceptions import ValidationError

from datasets.models import DataValue
from poc.models import OrgUnit
from poc.periods import PeriodError, parse_period


class PeriodCodeFilter(django_filters.CharFilter):
    """A BE period code (2568-01, FY2568…); ``lookup`` compares period dates: exact code, from, or to."""

    def __init__(self, *args, bound: str, **kwargs) -> None:
        self.bound = bound
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value: str) -> QuerySet:
        if not value:
            return qs
        try:
            spec = parse_period(value)
        except PeriodError as exc:
            raise ValidationError({self.field_name: [str(exc)]}) from None
        if self.bound == "exact":
            return qs.filter(period__code=spec.code)
        if self.bound == "from":
            return qs.filter(period__start_date__gte=spec.start)
        return qs.filter(period__end_date__lte=spec.end)


class DataValueFilter(drf_filters.FilterSet):
    dataset = django_filters.CharFilter(field_name="element__dataset__code", help_text=_("Dataset code"))
    element = django_filters.CharFilter(field_name="element__code", help_text=_("Data element code"))
    orgunit = django_filters.CharFilter(method="filter_orgunit", help_text=_("Org unit code"))
    descendants = drf_filters.BooleanFilter(method="filter_noop", help_text=_("With orgunit: include every unit below it"))
    period = PeriodCodeFilter(bound="exact", help_text=_("Period code (2568-01, 2568-Q1, FY2568…)"))
    period_from = PeriodCodeFilter(bound="from", help_text=_("Periods starting on or after this period's start"))
    period_to = PeriodCodeFilter(bound="to", help_text=_("Periods ending on or before this period's end"))
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte", help_text=_("Changed at or after"))

    class Meta:
        model = DataValue
        fields: list[str] = []

    def filter_noop(self, queryset: QuerySet, name: str, value: object) -> QuerySet:
        return queryset  # read by filter_orgunit

    def filter_orgunit(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        unit = OrgUnit.objects.without_shapes().filter(code=value).first()
        if unit is None:
            raise ValidationError({"orgunit": [_("Unknown org unit %(c)s") % {"c": value}]})
        if self.form.cleaned_data.get("descendants"):
            return queryset.filter(orgunit__path__startswith=unit.path)
        return queryset.filter(orgunit=unit)
