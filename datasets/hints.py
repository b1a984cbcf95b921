"""Hints shown beside entry-grid cells, contributed by other apps (e.g. verification's expected ranges
and outlier flags) without datasets depending on them.

A provider is ``f(elements, orgunits, period) -> {(element_id, orgunit_id): CellHint}``; register it
in the providing app's ``AppConfig.ready()`` with :func:`register`.
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


HintProvider = Callable[[Iterable[DataElement], Iterable[OrgUnit], Period], dict[tuple[int, int], CellHint]]
PROVIDERS = registry.ENTRY_HINTS
register = PROVIDERS.register


def cell_hints(elements: list[DataElement], orgunits: list[OrgUnit], period: Period) -> dict[tuple[int, int], CellHint]:
    hints: dict[tuple[int, int], CellHint] = {}
    for provider in PROVIDERS:
        for key, hint in provider(elements, orgunits, period).items():
            current = hints.get(key, CellHint())
            hints[key] = CellHint(text=hint.text or current.text, flag=hint.flag or current.flag)
    return hints
