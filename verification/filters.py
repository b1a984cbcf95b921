"""The filters of the verification lists (django-filter): submissions and violations, drawn by their forms in ``forms.py``."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet

from poc.filters import FormFilterSet
from poc.models import OrgUnit, Period
from verification.forms import SubmissionFilterForm, ViolationFilterForm


def _in_period(queryset: QuerySet, name: str, value: Period) -> QuerySet:
    return queryset.filter(period__code=value.code)


class SubmissionFilter(FormFilterSet):
    """Agency, dataset, status, period."""

    form_class = SubmissionFilterForm
    agency = django_filters.Filter(field_name="dataset__agency")
    dataset = django_filters.Filter(field_name="dataset")
    status = django_filters.Filter(field_name="status")
    period = django_filters.Filter(method=_in_period)


class ViolationFilter(FormFilterSet):
    """Dataset, period, org unit (and every unit below it), severity."""

    form_class = ViolationFilterForm
    dataset = django_filters.Filter(field_name="dataset")
    period = django_filters.Filter(method=_in_period)
    orgunit = django_filters.Filter(method="filter_orgunit")
    severity = django_filters.Filter(field_name="severity")

    def filter_orgunit(self, queryset: QuerySet, name: str, value: OrgUnit) -> QuerySet:
        return queryset.filter(orgunit__path__startswith=value.path)
