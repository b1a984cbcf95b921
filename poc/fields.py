"""Form fields shared by every app: the one Buddhist-era date input.

Native ``<input type="date">`` pickers show and send Christian-era dates, and a BE year typed into them
silently became the year 3112; so dates are typed as ``dd/mm/2569`` and read by :func:`poc.periods.parse_date_be`.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from poc.periods import PeriodError, format_date_input, parse_date_be


class BEDateInput(forms.TextInput):
    """A text input showing ``28/11/2569``."""

    def __init__(self, attrs: dict | None = None) -> None:
        defaults = {"placeholder": _("dd/mm/2569"), "inputmode": "numeric", "autocomplete": "off", "class": "be-date", "size": "10"}
        super().__init__({**defaults, **(attrs or {})})

    def format_value(self, value):  # type: ignore[no-untyped-def]
        if isinstance(value, dt.date):
            return format_date_input(value)
        return super().format_value(value)


class BEDateField(forms.DateField):
    """A date typed in the Buddhist era; Christian-era and far-future years are refused with a Thai message."""

    widget = BEDateInput

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("help_text", _("day/month/Buddhist-era year, e.g. 28/11/2569"))
        super().__init__(**kwargs)

    def to_python(self, value):  # type: ignore[no-untyped-def]
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return parse_date_be(str(value), timezone.localdate())
        except PeriodError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc
