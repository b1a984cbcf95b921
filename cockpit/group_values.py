"""Values of org-unit groups (a cluster, the EEC, the coastal subdistricts, the municipalities of a type),
read from the live aggregates and materialised indicator values of the group's members.

A group's value is the sum or the mean of its members' values. Members are counted once: a member
inside another member of the same group (a district and one of its subdistricts) is left out, so a
sum never counts a subdistrict twice. A member with no value is left out of the mean and the sum;
a group none of whose members has a value has none (never 0).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from cockpit.selectors import pivot
from datasets.models import Aggregation, DataElement
from indicators.models import Indicator
from poc.models import OrgUnit, OrgUnitGroup, Period


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


def default_aggregation(item: Indicator | DataElement) -> GroupAggregation:
    """Counts add up over a group; rates, means and indicators (ratios) are averaged."""
    if isinstance(item, DataElement) and item.aggregation == Aggregation.SUM:
        return GroupAggregation.SUM
    return GroupAggregation.MEAN


def group_pivot(
    *, items: list[Indicator | DataElement], groups: list[OrgUnitGroup], periods: list[Period], how: str | None = None
) -> dict[tuple[int, int, str], float | None]:
    """Values keyed (item index, group id, period code), like :func:`cockpit.selectors.pivot` for org units.

    ``how`` (sum or mean) applies to every item; None: each item's :func:`default_aggregation`.
    """
    members = outermost_members(groups)
    units = list({unit.pk: unit for kept in members.values() for unit in kept}.values())
    raw = pivot(items=items, orgunits=units, periods=periods)
    result: dict[tuple[int, int, str], float | None] = {}
    for i, item in enumerate(items):
        rule = how or default_aggregation(item)
        for group in groups:
            for period in periods:
                result[(i, group.pk, period.code)] = combine((raw.get((i, unit.pk, period.code)) for unit in members[group.pk]), rule)
    return result
