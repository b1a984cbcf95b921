"""Form fields shared by every app: the one Buddhist-era date input and the one period picker.

Native ``<input type="date">`` pickers show and send Christian-era dates, and a BE year typed into them
silently became the year 3112; so dates are typed as ``dd/mm/2569`` and read by :func:`poc.periods.parse_date_be`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from poc.periods import PeriodError, PeriodSpec, PeriodType, format_date_input, parse_date_be, parse_period, recent_periods


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


@dataclass(frozen=True)
class PeriodOption:
    """One entry of a period picker: the period in words (what is filled in) and a note (due date, status)."""

    period: PeriodSpec
    note: str = ""


def period_options(kind: str, today: dt.date | None = None) -> list[PeriodOption]:
    """The recent periods of ``kind``, newest first, without notes (pickers not tied to one dataset)."""
    return [PeriodOption(p, p.code) for p in recent_periods(kind, today or timezone.localdate())]


class PeriodPicker(forms.TextInput):
    """A text box with a list of periods in Thai words to pick from; typing a code or a Thai form still works.

    ``options`` maps period types to their options, or is a function answering them, called when the picker is
    rendered (a form posted and then redirected never reads them). With ``type_source`` (the id of a ``<select>`` whose options
    carry ``data-period-type``) the list follows the dataset chosen there (static/js/period_picker.js).
    """

    def __init__(self, attrs: dict | None = None) -> None:
        defaults = {"autocomplete": "off", "class": "period-picker", "size": "18", "placeholder": _("e.g. Oct 2569")}
        super().__init__({**defaults, **(attrs or {})})
        self.options: dict[str, list[PeriodOption]] | Callable[[], dict[str, list[PeriodOption]]] = {}
        self.period_type = ""
        self.type_source = ""

    def format_value(self, value):  # type: ignore[no-untyped-def]
        if isinstance(value, PeriodSpec):
            return value.label()
        if value:
            try:
                return parse_period(str(value)).label()
            except PeriodError:
                pass
        return super().format_value(value)

    def render(self, name, value, attrs=None, renderer=None):  # type: ignore[no-untyped-def]
        attrs = dict(attrs or {})
        base = attrs.get("id") or self.attrs.get("id") or f"id_{name}"
        if callable(self.options):
            self.options = self.options()
        kinds = [self.period_type] if self.period_type in self.options else []
        kinds += [k for k in self.options if k not in kinds]
        if kinds:
            attrs["list"] = f"{base}-{kinds[0]}"
        if self.type_source:
            attrs["data-type-source"] = self.type_source
        lists = format_html_join("", '<datalist id="{}-{}">{}</datalist>', ((base, kind, _datalist(self.options[kind])) for kind in kinds))
        return format_html("{}{}", super().render(name, value, attrs, renderer), lists)


def _datalist(options: list[PeriodOption]) -> str:
    return format_html_join("", '<option value="{}">{}</option>', ((o.period.label(), o.note) for o in options))


class PeriodField(forms.Field):
    """A period picked or typed (code or Thai words); cleans to a :class:`~poc.periods.PeriodSpec`.

    ``period_types`` limits which kinds are accepted (e.g. the tracking report's two-month periods).
    """

    widget = PeriodPicker

    def __init__(self, *, period_types: tuple[str, ...] = (), **kwargs) -> None:
        kwargs.setdefault("help_text", _("pick from the list, or type e.g. ต.ค. 2569, 10/2569, ไตรมาส 1/2569, 2569-Q1"))
        super().__init__(**kwargs)
        self.period_types = period_types

    def to_python(self, value):  # type: ignore[no-untyped-def]
        if isinstance(value, PeriodSpec) or value in self.empty_values:
            return value or None
        try:
            spec = parse_period(str(value))
        except PeriodError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc
        if self.period_types and spec.type not in self.period_types:
            kinds = ", ".join(str(PeriodType(k).label) for k in self.period_types)
            raise forms.ValidationError(
                _("%(period)s is not a period of the kind asked for here (%(kinds)s).") % {"period": spec.label(), "kinds": kinds},
                code="period_type",
            )
        return spec
