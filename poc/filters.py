"""The base of the list pages' django-filter FilterSets.

A page's filter form (its fields, widgets, choices and Thai messages) stays the page's own form; the FilterSet in the
app's ``filters.py`` says what each cleaned value does to the list. A form that does not validate filters nothing: the
page shows the whole list with the form's errors, as before FilterSets.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.http import QueryDict


class FormFilterSet(django_filters.FilterSet):
    """A FilterSet drawn and validated by ``form_class`` (built with the keyword arguments the page gives)."""

    form_class: type[forms.Form]

    def __init__(self, data: QueryDict | None, *, queryset: QuerySet, **form_kwargs: Any) -> None:
        super().__init__(data or None, queryset=queryset)
        self._form = self.form_class(data or None, **form_kwargs)

    @property
    def qs(self) -> QuerySet:
        return super().qs if self.is_valid() else self.queryset.all()
