"""Hints shown beside entry-grid cells, contributed by other apps (e.g. verification's expected ranges
and outlier flags) without datasets depending on them.

A provider is ``f(elements, orgunits, period) -> {key: CellHint}``; register it in the providing app's
``AppConfig.ready()`` with :func:`register`. A key ``(element_id, orgunit_id)`` is the cell of an element without
categories, or the total of a broken-down element (shown under its total column); ``(element_id, orgunit_id,
option_combo_id)`` is one part of a broken-down element (each part's history is its own series).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from datasets.models import DataElement
from poc import registry
from poc.models import OrgUnit, Period


@dataclass(frozen=True)
class CellHint:
    text: str = ""  # e.g. "expected 120–180, from Jan 2565–2567"
    flag: str = ""  # a warning about the stored value (outlier), empty when none


HintKey = tuple[int, int] | tuple[int, int, int]
HintProvider = Callable[[Iterable[DataElement], Iterable[OrgUnit], Period], dict[HintKey, CellHint]]
PROVIDERS = registry.ENTRY_HINTS
register = PROVIDERS.register


def cell_hints(elements: list[DataElement], orgunits: list[OrgUnit], period: Period) -> dict[HintKey, CellHint]:
    hints: dict[HintKey, CellHint] = {}
    for provider in PROVIDERS:
        for key, hint in provider(elements, orgunits, period).items():
            current = hints.get(key, CellHint())
            hints[key] = CellHint(text=hint.text or current.text, flag=hint.flag or current.flag)
    return hints
