"""An indicator's terms resolved to what is read: an element's total or the sum over some of its option combinations.

``POP`` reads the element's total; ``POP.F`` the option combinations holding option F (summed over the other
categories); ``POP.F_MUN`` that one combination (:func:`datasets.categories.option_filter`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from datasets.categories import option_filter
from datasets.models import DataElement
from indicators.expressions import expression_references, split_reference


@dataclass(frozen=True)
class InputReference:
    text: str  # as written in the expression: POP, POP.F, POP.F_MUN
    element: DataElement
    option_combo_ids: tuple[int, ...] | None  # None: the element's total


def resolve_references(texts: list[str], elements: Mapping[str, DataElement]) -> tuple[list[InputReference], list[str]]:
    """The terms resolved against ``elements`` (by code), and a Thai message for each that cannot be read."""
    references, errors = [], []
    for text in sorted(texts):
        code, option = split_reference(text)
        element = elements.get(code)
        if element is None:
            errors.append(_("unknown data element %(code)s") % {"code": code})
            continue
        if not option:
            references.append(InputReference(text, element, None))
            continue
        try:
            references.append(InputReference(text, element, tuple(option_filter(element, option))))
        except ValueError as exc:
            errors.append(str(exc))
    return references, errors


def indicator_references(numerator: str, denominator: str, elements: Mapping[str, DataElement]) -> tuple[list[InputReference], list[str]]:
    """An indicator's terms (numerator and denominator) resolved; see :func:`resolve_references`."""
    return resolve_references(list(expression_references(numerator) | expression_references(denominator)), elements)
