"""A part of a broken-down element named by code, as maps, series and the analysis page read it.

``F`` is one option (every option combination holding it, summed over the other categories); ``F_MUN`` one option
combination (:func:`datasets.categories.option_filter`). The part keeps the option (or combination) row so its name
follows the page's language: Thai first, English where the page is in English.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from datasets.categories import option_filter
from datasets.models import CategoryOption, CategoryOptionCombo, DataElement


@dataclass(frozen=True)
class OptionPart:
    code: str
    ids: tuple[int, ...]
    named: CategoryOption | CategoryOptionCombo

    @property
    def name(self) -> str:
        return self.named.name


def option_part(element: DataElement, code: str) -> OptionPart:
    """The part of ``element`` named ``code``; ``ValueError`` with a Thai message when there is none."""
    ids = tuple(option_filter(element, code))
    named = CategoryOptionCombo.objects.filter(combo_id=element.category_combo_id, code=code).first()
    if named is None:
        named = CategoryOption.objects.filter(category__combos=element.category_combo_id, code=code).first()
    return OptionPart(code, ids, named)


def ratio_parts(element: DataElement, text: str) -> tuple[OptionPart, OptionPart]:
    """``M:F`` → the two parts of a ratio; ``ValueError`` with a Thai message for anything else."""
    first, sep, second = text.partition(":")
    if not sep or not first.strip() or not second.strip():
        raise ValueError(_("A ratio is written as two option codes separated by a colon, e.g. M:F."))
    return option_part(element, first.strip()), option_part(element, second.strip())
