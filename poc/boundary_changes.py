"""Org-unit history: merges and splits that keep old data meaningful.

Values stay on the unit they were reported for; a unit closed by a change has ``valid_to`` set and
successors recorded in :class:`OrgUnitChange`. Past periods therefore aggregate with the hierarchy
valid then, and :func:`remap_to_current` re-maps any per-unit figures onto today's units.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from poc.models import OrgUnit, OrgUnitChange, OrgUnitChangeKind, User


def _close(units: list[OrgUnit], on: dt.date) -> None:
    for unit in units:
        if unit.valid_to is not None and unit.valid_to < on:
            raise ValidationError(_("%(unit)s was already closed on %(date)s") % {"unit": unit, "date": unit.valid_to})
        unit.valid_to = on - dt.timedelta(days=1)
        unit.save(update_fields=["valid_to"])


def _open(unit: OrgUnit, on: dt.date) -> None:
    if unit.valid_from is None or unit.valid_from > on:
        unit.valid_from = on
        unit.save(update_fields=["valid_from"])


@transaction.atomic
def orgunits_merge(
    *, sources: list[OrgUnit], target: OrgUnit, on: dt.date, user: User | None = None, note: str = ""
) -> list[OrgUnitChange]:
    """``sources`` stop on the day before ``on``; from ``on`` they continue as ``target``."""
    if not sources or target in sources:
        raise ValidationError(_("A merge needs old units different from the new unit."))
    if any(s.level != target.level for s in sources):
        raise ValidationError(_("Merged units must be at the same level as the new unit."))
    _close(sources, on)
    _open(target, on)
    return [
        OrgUnitChange.objects.create(kind=OrgUnitChangeKind.MERGE, date=on, source=s, target=target, weight=1.0, created_by=user, note=note)
        for s in sources
    ]


@transaction.atomic
def orgunit_split(
    *, source: OrgUnit, targets: list[tuple[OrgUnit, float]], on: dt.date, user: User | None = None, note: str = ""
) -> list[OrgUnitChange]:
    """``source`` stops on the day before ``on``; each target carries its ``weight`` share (weights sum to 1)."""
    if len(targets) < 2 or any(t.pk == source.pk for t, _w in targets):
        raise ValidationError(_("A split needs at least two new units."))
    if any(w <= 0 for _t, w in targets) or not math.isclose(sum(w for _t, w in targets), 1.0, abs_tol=1e-6):
        raise ValidationError(_("The shares of a split must be positive and add up to 1."))
    if any(t.level != source.level for t, _w in targets):
        raise ValidationError(_("New units must be at the same level as the old unit."))
    _close([source], on)
    changes = []
    for target, weight in targets:
        _open(target, on)
        changes.append(
            OrgUnitChange.objects.create(
                kind=OrgUnitChangeKind.SPLIT, date=on, source=source, target=target, weight=weight, created_by=user, note=note
            )
        )
    return changes


def successors(day: dt.date | None = None) -> dict[int, list[tuple[int, float]]]:
    """For every unit closed by ``day``: the units open on ``day`` it continues as, with shares."""
    day = day or timezone.localdate()
    edges: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for source_id, target_id, weight in OrgUnitChange.objects.filter(date__lte=day).values_list("source_id", "target_id", "weight"):
        edges[source_id].append((target_id, weight))
    resolved: dict[int, list[tuple[int, float]]] = {}

    def resolve(unit_id: int, seen: frozenset[int]) -> list[tuple[int, float]]:
        if unit_id not in edges:
            return [(unit_id, 1.0)]
        if unit_id in resolved:
            return resolved[unit_id]
        if unit_id in seen:
            raise ValidationError(_("Org-unit changes form a cycle."))
        shares: dict[int, float] = defaultdict(float)
        for target_id, weight in edges[unit_id]:
            for final_id, final_weight in resolve(target_id, seen | {unit_id}):
                shares[final_id] += weight * final_weight
        resolved[unit_id] = sorted(shares.items())
        return resolved[unit_id]

    return {unit_id: resolve(unit_id, frozenset()) for unit_id in edges}


def remap_to_current(values: dict[int, float | None], day: dt.date | None = None) -> dict[int, float]:
    """Re-map per-unit figures (additive ones, e.g. counts) onto the units open on ``day``."""
    mapping = successors(day)
    result: dict[int, float] = defaultdict(float)
    for unit_id, value in values.items():
        if value is None:
            continue
        for target_id, weight in mapping.get(unit_id, [(unit_id, 1.0)]):
            result[target_id] += value * weight
    return dict(result)
