"""The parts of a broken-down element the map page offers: each option, each option combination, and ratios of two
options of one category (``M:F``: males per 100 females)."""

from __future__ import annotations

import itertools

from datasets.categories import combo_categories, element_option_combos
from datasets.models import DataElement


def part_choices(element: DataElement | None) -> dict[str, list[tuple[str, str]]]:
    """``option_choices`` and ``ratio_choices`` as (code, label) lists; empty for an element without categories."""
    if element is None or element.category_combo_id is None:
        return {"option_choices": [], "ratio_choices": []}
    options, ratios = [], []
    categories = combo_categories(element.category_combo)
    for category in categories:
        members = list(category.options.order_by("order", "code"))
        options += [(option.code, f"{category.name}: {option.name}") for option in members]
        ratios += [(f"{a.code}:{b.code}", f"{a.name} : {b.name}") for a, b in itertools.permutations(members, 2)]
    if len(categories) > 1:  # with one category each combination is an option, listed already
        options += [(combo.code, combo.name) for combo in element_option_combos(element)]
    return {"option_choices": options, "ratio_choices": ratios}
