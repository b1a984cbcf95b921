"""Disaggregation: keeping a category combination's option combinations in step with its categories, and reading them.

A combination of categories (``SEX`` × ``AREA``) has one option combination per choice of one option from each
category, in the combination's category order: ``M_MUN``, ``M_NONMUN``, ``F_MUN``, ``F_NONMUN``. They are generated
here, never entered by hand, so every broken-down element has exactly the cells its categories imply.
"""

from __future__ import annotations

import itertools

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from datasets.models import Category, CategoryCombo, CategoryOption, CategoryOptionCombo, DataElement, DataValue

CODE_SEPARATOR = "_"


def combo_categories(combo: CategoryCombo) -> list[Category]:
    """The combination's categories in order."""
    return [member.category for member in combo.members.select_related("category").order_by("order", "pk")]


def categorycombo_sync(*, combo: CategoryCombo) -> list[CategoryOptionCombo]:
    """Create the option combinations the combination's categories imply and remove those no longer possible.

    Existing combinations keep their rows (values refer to them); one that is no longer possible is deleted
    only when no value uses it, otherwise a ``ValidationError`` names it and nothing changes.
    """
    with transaction.atomic():
        categories = combo_categories(combo)
        option_lists = [list(category.options.order_by("order", "code")) for category in categories]
        wanted: dict[str, tuple[CategoryOption, ...]] = {}
        for options in itertools.product(*option_lists) if categories else ():
            wanted[CODE_SEPARATOR.join(option.code for option in options)] = options
        existing = {c.code: c for c in CategoryOptionCombo.objects.select_for_update().filter(combo=combo)}
        stale = [c for code, c in existing.items() if code not in wanted]
        used = set(DataValue.objects.filter(option_combo__in=stale).values_list("option_combo_id", flat=True).distinct())
        if used:
            names = ", ".join(sorted(c.code for c in stale if c.pk in used))
            message = _("values are stored for option combinations %(c)s of %(combo)s: they cannot be removed")
            raise ValidationError(message % {"c": names, "combo": combo.code})
        CategoryOptionCombo.objects.filter(pk__in=[c.pk for c in stale]).delete()
        result = []
        for order, (code, options) in enumerate(wanted.items()):
            option_combo = existing.get(code) or CategoryOptionCombo(combo=combo, code=code)
            option_combo.name_th = ", ".join(option.name_th for option in options)
            option_combo.name_en = ", ".join(option.name_en or option.name_th for option in options)
            option_combo.order = order
            option_combo.save()
            option_combo.options.set(options)
            result.append(option_combo)
        return result


def element_option_combos(element: DataElement) -> list[CategoryOptionCombo]:
    """The cells of one org unit and period of ``element``, in order; empty for an element without categories."""
    if element.category_combo_id is None:
        return []
    return list(CategoryOptionCombo.objects.filter(combo_id=element.category_combo_id).order_by("order", "code"))


def option_filter(element: DataElement, code: str) -> list[int]:
    """Ids of the option combinations ``code`` names for ``element``: an option combination (``F_MUN``) or one
    option (``F``: every combination holding it, i.e. summed over the other categories).

    Raises ``ValueError`` with a Thai message when the element is not broken down or the code is not one of its options.
    """
    return resolve_option(element, code)[0]


def resolve_option(element: DataElement, code: str) -> tuple[list[int], bool]:
    """(ids, whether ``code`` names one option combination rather than an option), read in one query."""
    if element.category_combo_id is None:
        raise ValueError(_("%(e)s is not broken down by categories") % {"e": element.code})
    rows = CategoryOptionCombo.objects.filter(combo_id=element.category_combo_id).values_list("pk", "code", "options__code")
    exact, holding = set(), set()
    for pk, combo_code, option_code in rows:
        if combo_code == code:
            exact.add(pk)
        if option_code == code:
            holding.add(pk)
    if not exact and not holding:
        raise ValueError(_("%(e)s has no category option %(o)s") % {"e": element.code, "o": code})
    return sorted(exact or holding), bool(exact)
