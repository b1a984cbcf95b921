"""Pickers used in templates where a view has no form: the fiscal year as a choice in words, never a typed number."""

from __future__ import annotations

from django import template
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import SafeString

from poc.periods import fiscal_year_of, period_for_fiscal_year

register = template.Library()
YEARS_BACK = 5


@register.simple_tag
def fiscal_year_options(selected: int | None = None) -> SafeString:
    """``<option>`` elements for next year down to five years back ("ปีงบประมาณ 2569"), ``selected`` chosen."""
    current = fiscal_year_of(timezone.localdate())
    years = list(range(current + 1, current - YEARS_BACK - 1, -1))
    if selected and selected not in years:
        years = sorted({*years, selected}, reverse=True)
    rows = ((y, " selected" if y == selected else "", period_for_fiscal_year(y).label()) for y in years)
    return format_html_join("", '<option value="{}"{}>{}</option>', rows)
