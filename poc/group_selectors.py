"""Reads over org-unit groups shared by the analysis page and the map: a group's members counted once,
and how members' values make the group's value (see README, Foundation)."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from poc.models import OrgUnit, OrgUnitGroup


class GroupAggregation(StrEnum):
    SUM = "sum"
    MEAN = "mean"


def outermost_members(groups: Iterable[OrgUnitGroup]) -> dict[int, list[OrgUnit]]:
    """Each group's members, without those inside another member of the same group. One query."""
    groups = list(groups)
    links = (
        OrgUnitGroup.members.through.objects.filter(orgunitgroup__in=groups)
        .select_related("orgunit")
        .defer("orgunit__geom", "orgunit__point")
        .order_by("orgunit__path")
    )
    by_group: dict[int, list[OrgUnit]] = {group.pk: [] for group in groups}
    for link in links:
        kept = by_group[link.orgunitgroup_id]
        if not any(link.orgunit.is_within(outer) for outer in kept):  # ordered by path: an ancestor comes first
            kept.append(link.orgunit)
    return by_group


def combine(values: Iterable[float | None], how: str) -> float | None:
    known = [v for v in values if v is not None]
    if not known:
        return None
    return sum(known) if how == GroupAggregation.SUM else sum(known) / len(known)
