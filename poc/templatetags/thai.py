"""Template filters for Buddhist-era dates and periods, available in every template (builtins)."""

import datetime as dt

from django import template
from django.utils import timezone

from poc.periods import format_date_be, parse_period, period_label

register = template.Library()


@register.filter
def be(value: dt.date | dt.datetime | None) -> str:
    """``{{ some_date|be }}`` → ``24 พ.ย. 2569`` (local time for datetimes); empty for a missing date."""
    if not isinstance(value, dt.date):
        return ""
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return format_date_be(value)


@register.filter
def be_long(value: dt.date | None) -> str:
    if not isinstance(value, dt.date):
        return ""
    return format_date_be(value, long=True)


@register.filter
def period(value: object) -> str:
    """Label for a Period, PeriodSpec or period code."""
    if hasattr(value, "label"):
        return value.label if isinstance(value.label, str) else value.label()
    try:
        return period_label(parse_period(str(value)))
    except ValueError:
        return str(value)
