"""Shared disaggregation fixtures' building blocks: the SEX × AREA combination and cells per option combination."""

from __future__ import annotations

from datasets.categories import categorycombo_sync
from datasets.models import Category, CategoryCombo, CategoryComboMember, CategoryOption, DataElement
from datasets.services import CellInput
from poc.models import OrgUnit, Period


def make_combo(code: str, categories: dict[str, list[tuple[str, str, str]]]) -> CategoryCombo:
    """A combination of the given categories (code → [(option code, Thai name, English name)]), options generated."""
    combo = CategoryCombo.objects.create(code=code, name_th=code, name_en=code)
    for order, (category_code, options) in enumerate(categories.items(), start=1):
        category, _created = Category.objects.get_or_create(code=category_code, defaults={"name_th": category_code, "order": order})
        for option_order, (option_code, name_th, name_en) in enumerate(options, start=1):
            CategoryOption.objects.get_or_create(
                category=category, code=option_code, defaults={"name_th": name_th, "name_en": name_en, "order": option_order}
            )
        CategoryComboMember.objects.create(combo=combo, category=category, order=order)
    categorycombo_sync(combo=combo)
    return combo


def make_sex_area() -> CategoryCombo:
    """SEX (M ชาย, F หญิง) × AREA (MUN ในเขตเทศบาล, NONMUN นอกเขตเทศบาล): M_MUN, M_NONMUN, F_MUN, F_NONMUN."""
    return make_combo(
        "SEX_AREA",
        {
            "SEX": [("M", "ชาย", "Male"), ("F", "หญิง", "Female")],
            "AREA": [("MUN", "ในเขตเทศบาล", "Municipal"), ("NONMUN", "นอกเขตเทศบาล", "Non-municipal")],
        },
    )


def option_cells(element: DataElement, unit: OrgUnit, period_code: str, values: dict[str, object]) -> list[CellInput]:
    """Cells of ``element`` for one unit and period, by option-combination code: ``{"F_MUN": 30, ...}``."""
    combos = {c.code: c for c in element.category_combo.option_combos.all()}
    period = Period.objects.for_code(period_code)
    return [CellInput(element=element, orgunit=unit, period=period, option_combo=combos[code], raw=raw) for code, raw in values.items()]
