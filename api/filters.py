"""Filters of the read API (django-filter): dataset, element, org unit (with descendants), period range, last updated,
category option or option combination."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as drf_filters
from rest_framework.exceptions import ValidationError

from api import access
from api.categories import CategoryComboError, option_ids
from datasets.models import CategoryOption, CategoryOptionCombo, DataElement, DataValue
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
    option = django_filters.CharFilter(
        method="filter_option", help_text=_("Category option code (F): the values of every option combination holding it")
    )
    option_combo = django_filters.CharFilter(method="filter_option_combo", help_text=_("Category option combination code (F_MUN)"))

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

    def _element(self) -> DataElement | None:
        """The readable element named by ``element``, to check an option against its own categories."""
        code = self.form.cleaned_data.get("element")
        if not code:
            return None
        return DataElement.objects.filter(code=code, dataset__in=access.readable_datasets(self.request.user)).first()

    def filter_option(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        element = self._element()
        if element is not None:
            try:
                return queryset.filter(option_combo_id__in=option_ids(element, value))
            except CategoryComboError as exc:
                raise ValidationError({"option": [str(exc)]}) from None
        if not CategoryOption.objects.filter(code=value).exists():
            raise ValidationError({"option": [_("Unknown category option %(c)s.") % {"c": value}]})
        return queryset.filter(option_combo__in=CategoryOptionCombo.objects.filter(options__code=value))

    def filter_option_combo(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        element = self._element()
        combos = CategoryOptionCombo.objects.filter(code=value)
        if element is not None:
            combos = combos.filter(combo_id=element.category_combo_id)
            if not combos.exists():
                message = _("Data element %(e)s has no category option combination %(c)s.") % {"e": element.code, "c": value}
                raise ValidationError({"option_combo": [message]})
        elif not combos.exists():
            raise ValidationError({"option_combo": [_("Unknown category option combination %(c)s.") % {"c": value}]})
        return queryset.filter(option_combo__in=combos)
