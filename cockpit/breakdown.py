"""The analysis page's breakdown of elements by their categories: ``?by=SEX`` gives a column per sex option, ``?by=SEX&by=AREA``
one per option combination of the two, each next to the element's total.

A column is an :class:`ElementPart`: the element summed over the option combinations holding the chosen options (one
option of each chosen category), so ``by=SEX`` on SEX × AREA sums หญิง over both areas.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext as _

from datasets.categories import combo_categories
from datasets.models import Category, CategoryOption, CategoryOptionCombo, DataElement
from indicators.models import Indicator
from poc.params import MAX_TEXT, BadParameter

MAX_CATEGORIES = 3  # more than three categories across the columns is not a table anyone reads


@dataclass(frozen=True)
class ElementPart:
    """One column of a broken-down element: the sum over ``option_combo_ids``, named by its options."""

    element: DataElement
    options: tuple[CategoryOption, ...]
    option_combo_ids: tuple[int, ...]

    @property
    def code(self) -> str:
        return self.element.code

    @property
    def name(self) -> str:
        return ", ".join(option.name for option in self.options)


def breakdown_param(params: QueryDict, name: str = "by") -> list[Category]:
    """The categories named by the repeated ``by`` parameter, in the order given; unknown → Thai 400."""
    codes = [value.strip() for value in params.getlist(name) if value.strip()]
    if len(codes) > MAX_CATEGORIES or any(len(code) > MAX_TEXT or any(ord(c) < 32 for c in code) for code in codes):
        raise BadParameter(_("Break down by at most %(n)d categories, by their codes.") % {"n": MAX_CATEGORIES})
    found = {category.code: category for category in Category.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise BadParameter(_("Unknown category: %(codes)s") % {"codes": ", ".join(unknown)})
    return list(dict.fromkeys(found[code] for code in codes))


def element_parts(element: DataElement, categories: list[Category]) -> list[ElementPart]:
    """The element's columns for ``categories`` (those it is broken down by), one per choice of one option of each."""
    if element.category_combo_id is None:
        return []
    own = {category.pk for category in combo_categories(element.category_combo)}
    chosen = [category for category in categories if category.pk in own]
    if not chosen:
        return []
    combos = CategoryOptionCombo.objects.filter(combo_id=element.category_combo_id).prefetch_related("options")
    holding = {combo.pk: {option.pk for option in combo.options.all()} for combo in combos}
    parts = []
    for options in itertools.product(*(list(category.options.order_by("order", "code")) for category in chosen)):
        wanted = {option.pk for option in options}
        ids = tuple(sorted(pk for pk, held in holding.items() if wanted <= held))
        parts.append(ElementPart(element, tuple(options), ids))
    return parts


def expand_items(items: list[Indicator | DataElement], categories: list[Category]) -> list[Indicator | DataElement | ElementPart]:
    """Each chosen item, and after a broken-down element its parts by ``categories`` (the element itself is the total).

    A category none of the chosen elements is broken down by is a Thai 400: the table would silently ignore it.
    """
    expanded: list[Indicator | DataElement | ElementPart] = []
    used: set[int] = set()
    for item in items:
        expanded.append(item)
        if isinstance(item, DataElement) and categories:
            parts = element_parts(item, categories)
            used |= {option.category_id for part in parts for option in part.options}
            expanded += parts
    unused = [category.code for category in categories if category.pk not in used]
    if unused and items:
        raise BadParameter(_("No chosen data element is broken down by %(codes)s.") % {"codes": ", ".join(unused)})
    return expanded


def item_label(item: Indicator | DataElement | ElementPart) -> str:
    """Column heading of an item: its code, with the part's options (Thai first) or “total” for a broken-down element."""
    if isinstance(item, ElementPart):
        return f"{item.code} · {item.name}"
    if isinstance(item, DataElement) and item.category_combo_id is not None:
        return f"{item.code} · {_('total')}"
    return item.code
