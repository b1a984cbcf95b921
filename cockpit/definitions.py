"""Indicator definitions in the reader's language, written from the formula and the input elements' names.

The catalogue's ``definition`` text is English; a Thai reader gets the same formula spelled with the
Thai names of its inputs ("จำนวนผู้เสียชีวิต ÷ ประชากร × 100,000"), so the definition cannot drift
from what is computed.
"""

from __future__ import annotations

import re

from django.utils.translation import get_language

from indicators.models import Indicator

_CODE = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_OPERATOR = re.compile(r"[-+*/]")
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])")


def _spell(expression: str, names: dict[str, str]) -> str:
    symbols = expression.strip().replace("*", "×").replace("/", "÷")  # before names, which may hold a "/"
    symbols = _NUMBER.sub(lambda m: _factor(float(m.group(0))), symbols)  # 1000000 -> 1,000,000
    return _CODE.sub(lambda m: names.get(m.group(0), m.group(0)), symbols)


def _factor(factor: float) -> str:
    return f"{factor:,.0f}" if float(factor).is_integer() else f"{factor:,}"


def indicator_definition(indicator: Indicator) -> str:
    """Thai: the formula over the inputs' Thai names; other languages: the catalogue's definition."""
    if not (get_language() or "th").startswith("th") and indicator.definition:
        return indicator.definition
    names = {e.code: e.name_th or e.code for e in indicator.inputs.all()}
    formula = _spell(indicator.numerator, names)
    if indicator.denominator:
        numerator = f"({formula})" if _OPERATOR.search(indicator.numerator) else formula
        denominator = _spell(indicator.denominator, names)
        formula = f"{numerator} ÷ ({denominator})" if _OPERATOR.search(indicator.denominator) else f"{numerator} ÷ {denominator}"
    if indicator.factor != 1:
        formula += f" × {_factor(indicator.factor)}"
    unit = f" ({indicator.unit_th})" if indicator.unit_th else ""
    return f"{indicator.name_th} = {formula}{unit}"
