"""Category option combinations (DHIS2's disaggregation) ↔ ours, in one place.

A value of an element without categories is DHIS2's *default* combination (``HllvX50cXC0``, ``default`` or
empty). A broken-down element's value names one of its option combinations by code (``F_MUN``, as DHIS2 does
with ``idScheme=code``); ADX names it by one attribute per category instead (``SEX="F" AREA="MUN"``). The
attribute option combination is always the default one: values are not collected per attribute.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from datasets.categories import option_filter
from datasets.models import CategoryComboMember, CategoryOptionCombo, DataElement

DEFAULT_UID = "HllvX50cXC0"  # DHIS2's uid of the default category option combination (and attribute combination)
DEFAULT_NAMES = {"", "default", DEFAULT_UID.lower()}


class CategoryComboError(ValueError):
    pass


def is_default(value: str | None) -> bool:
    return (value or "").strip().lower() in DEFAULT_NAMES


def check_attribute_combo(value: str | None) -> None:
    """Accept the default attribute combination only."""
    if not is_default(value):
        raise CategoryComboError(
            _("Attribute option combination %(c)s does not exist here: only the default combination is collected.") % {"c": value}
        )


def export_option_combo(option_combo: CategoryOptionCombo | None = None) -> str:
    """The combination written on an exported value: its code, or DHIS2's default uid for an element without categories."""
    return option_combo.code if option_combo is not None else DEFAULT_UID


def option_ids(element: DataElement, code: str) -> list[int]:
    """``datasets.categories.option_filter`` with the API's messages: ids of the option combinations ``code`` (an option,
    F, or an option combination, F_MUN) names for ``element``; CategoryComboError when it names none."""
    try:
        return option_filter(element, code)
    except ValueError:
        if element.category_combo_id is None:
            raise CategoryComboError(_("Data element %(e)s is not broken down by categories.") % {"e": element.code}) from None
        raise CategoryComboError(
            _("Data element %(e)s has no category option or option combination %(o)s.") % {"e": element.code, "o": code}
        ) from None


class OptionComboResolver:
    """Names in an import → the element's option combination; one query per combination, however many values."""

    def __init__(self) -> None:
        self._combos: dict[int, dict[str, CategoryOptionCombo]] = {}
        self._options: dict[int, dict[frozenset[tuple[str, str]], CategoryOptionCombo]] = {}

    def _of(self, combo_id: int) -> dict[str, CategoryOptionCombo]:
        if combo_id not in self._combos:
            combos = CategoryOptionCombo.objects.filter(combo_id=combo_id).prefetch_related("options__category").order_by("order", "code")
            self._combos[combo_id] = {c.code: c for c in combos}
            self._options[combo_id] = {frozenset((o.category.code, o.code) for o in c.options.all()): c for c in combos}
        return self._combos[combo_id]

    def resolve(self, element: DataElement, value: str | None) -> CategoryOptionCombo | None:
        """The option combination ``value`` names for ``element`` (None: the default, for an element without categories)."""
        text = (value or "").strip()
        if element.category_combo_id is None:
            if is_default(text):
                return None
            raise CategoryComboError(
                _(
                    "Category option combination %(c)s does not exist for %(e)s: it is not broken down by categories, "
                    "only the default combination."
                )
                % {"c": text, "e": element.code}
            )
        combos = self._of(element.category_combo_id)
        if is_default(text):
            raise CategoryComboError(
                _("%(e)s is broken down by categories: send each option combination (%(c)s), the total is summed.")
                % {"e": element.code, "c": ", ".join(combos)}
            )
        found = combos.get(text) or next((c for code, c in combos.items() if code.lower() == text.lower()), None)
        if found is None:
            raise CategoryComboError(
                _("Category option combination %(c)s does not exist for %(e)s (it takes %(known)s).")
                % {"c": text, "e": element.code, "known": ", ".join(combos)}
            )
        return found

    def resolve_adx(self, element: DataElement, attributes: dict[str, str]) -> CategoryOptionCombo | None:
        """ADX disaggregation: one attribute per category (``SEX="F" AREA="MUN"``), or ``categoryOptionCombo="F_MUN"``."""
        attributes = dict(attributes)
        named = attributes.pop("categoryOptionCombo", None)
        if not attributes:
            return self.resolve(element, named)
        names = ", ".join(f"{k}={v}" for k, v in sorted(attributes.items()))
        if element.category_combo_id is None:
            raise CategoryComboError(
                _("Disaggregation %(c)s does not exist here: %(e)s is not broken down by categories.") % {"c": names, "e": element.code}
            )
        self._of(element.category_combo_id)
        by_options = self._options[element.category_combo_id]
        found = by_options.get(frozenset(attributes.items()))
        if found is None:
            categories = ", ".join(sorted({category for key in by_options for category, _option in key}))
            raise CategoryComboError(
                _("Disaggregation %(c)s does not exist for %(e)s: give one option of each of its categories (%(k)s).")
                % {"c": names, "e": element.code, "k": categories}
            )
        return found


def adx_attributes(option_combo_ids: set[int]) -> dict[int, dict[str, str]]:
    """Option combination id → its ADX attributes (category code → option code), in the combination's category order."""
    order = {(m.combo_id, m.category_id): m.order for m in CategoryComboMember.objects.all()}
    result: dict[int, dict[str, str]] = {}
    for combo in CategoryOptionCombo.objects.filter(pk__in=option_combo_ids).prefetch_related("options__category"):
        options = sorted(combo.options.all(), key=lambda o: order.get((combo.combo_id, o.category_id), 0))
        result[combo.pk] = {o.category.code: o.code for o in options}
    return result
