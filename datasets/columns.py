"""What a value column of a template, an export or a mapped file stands for: an element, or one option combination of
a broken-down element.

A column's code is the element's code (``RICE_AREA``) or, for an element broken down by categories, the element's code
and the option combination's joined by a dot (``POP.M_MUN``); its Thai header is the element's name with the
combination's (``ประชากร (ชาย, ในเขตเทศบาล)``). A broken-down element's own code names its total, which is summed from
the parts and never imported (:attr:`ColumnTarget.is_total`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from datasets.models import CategoryOptionCombo, DataElement

SEPARATOR = "."


@dataclass(frozen=True)
class ColumnTarget:
    element: DataElement
    option_combo: CategoryOptionCombo | None = None

    @property
    def code(self) -> str:
        return f"{self.element.code}{SEPARATOR}{self.option_combo.code}" if self.option_combo else self.element.code

    @property
    def name_th(self) -> str:
        return f"{self.element.name_th} ({self.option_combo.name_th})" if self.option_combo else self.element.name_th

    @property
    def is_total(self) -> bool:
        """The column of a broken-down element without an option combination: derived, not importable."""
        return self.option_combo is None and self.element.category_combo_id is not None


def column_targets(elements: Iterable[DataElement], *, totals: bool = False) -> list[ColumnTarget]:
    """One target per cell of a unit and period, in element then combination order; ``totals`` adds each broken-down
    element's total (to recognise, and refuse, a total column)."""
    elements = list(elements)
    combo_ids = {e.category_combo_id for e in elements if e.category_combo_id is not None}
    by_combo: dict[int, list[CategoryOptionCombo]] = {}
    if combo_ids:
        for option_combo in (
            CategoryOptionCombo.objects.filter(combo_id__in=combo_ids).prefetch_related("options").order_by("order", "code")
        ):
            by_combo.setdefault(option_combo.combo_id, []).append(option_combo)
    targets = []
    for element in elements:
        if element.category_combo_id is None:
            targets.append(ColumnTarget(element))
            continue
        if totals:
            targets.append(ColumnTarget(element))
        targets += [ColumnTarget(element, option_combo) for option_combo in by_combo.get(element.category_combo_id, [])]
    return targets


def targets_by_code(elements: Iterable[DataElement]) -> dict[str, ColumnTarget]:
    """Every column code of ``elements``, totals of broken-down elements included (see :attr:`ColumnTarget.is_total`)."""
    return {target.code: target for target in column_targets(elements, totals=True)}


def total_refused(target: ColumnTarget) -> str:
    """Why a broken-down element's total column is not imported (its total is the sum of its parts)."""
    parts = [t.code for t in column_targets([target.element])]
    example = ", ".join(parts[:2]) + (", …" if len(parts) > 2 else "")
    message = _(
        "%(e)s is broken down by categories: its total is summed from the parts and cannot be imported; "
        "use a column per option combination (%(p)s) or ignore this column"
    )
    return message % {"e": target.element.code, "p": example}


def unknown_column(code: str, elements: dict[str, DataElement], dataset_code: str) -> str:
    """The Thai error for a column code that is neither an element of the dataset nor one of its option combinations."""
    element_code, _sep, combo_code = code.rpartition(SEPARATOR)
    element = elements.get(element_code)
    if element is not None and element.category_combo_id is None:
        return _("%(e)s is not broken down by categories: its column is %(e)s") % {"e": element.code}
    if element is not None:
        known = ", ".join(t.option_combo.code for t in column_targets([element]))
        return _("%(e)s has no option combination %(c)s (known: %(k)s)") % {"e": element.code, "c": combo_code, "k": known}
    return _("unknown data element %(c)s for dataset %(d)s") % {"c": code, "d": dataset_code}
