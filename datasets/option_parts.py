"""A part of a broken-down element named by code, as maps, series and the analysis page read it.

``F`` is one option (every option combination holding it, summed over the other categories); ``F_MUN`` one option
combination (:func:`datasets.categories.option_filter`). The part keeps the option (or combination) row so its name
follows the page's language: Thai first, English where the page is in English.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from datasets.categories import resolve_option
from datasets.models import CategoryOption, CategoryOptionCombo, DataElement


@dataclass(frozen=True)
class OptionPart:
    code: str
    ids: tuple[int, ...]
    combo_id: int
    is_combination: bool  # F_MUN names an option combination, F an option

    @property
    def name(self) -> str:
        """Thai first (English on an English page); read only when a title is drawn, not for a cached map."""
        if self.is_combination:
            return CategoryOptionCombo.objects.get(pk=self.ids[0]).name
        return CategoryOption.objects.filter(category__combos=self.combo_id, code=self.code).first().name


def option_part(element: DataElement, code: str) -> OptionPart:
    """The part of ``element`` named ``code``; ``ValueError`` with a Thai message when there is none.

    Read by :func:`datasets.categories.resolve_option`, as :func:`~datasets.categories.option_filter` is.
    """
    ids, is_combination = resolve_option(element, code)
    return OptionPart(code, tuple(ids), element.category_combo_id, is_combination)


def ratio_parts(element: DataElement, text: str) -> tuple[OptionPart, OptionPart]:
    """``M:F`` → the two parts of a ratio; ``ValueError`` with a Thai message for anything else."""
    first, sep, second = text.partition(":")
    if not sep or not first.strip() or not second.strip():
        raise ValueError(_("A ratio is written as two option codes separated by a colon, e.g. M:F."))
    return option_part(element, first.strip()), option_part(element, second.strip())
