"""Values of org-unit groups (a cluster, the EEC, the coastal subdistricts, the municipalities of a type),
read from the live aggregates and materialised indicator values of the group's members.

A group's value is the sum or the mean of its members' values. Members are counted once: a member
inside another member of the same group (a district and one of its subdistricts) is left out, so a
sum never counts a subdistrict twice. A member with no value is left out of the mean and the sum;
a group none of whose members has a value has none (never 0).
"""

from __future__ import annotations

from cockpit.selectors import pivot
from datasets.models import Aggregation, DataElement
from indicators.models import Indicator
from poc.group_selectors import GroupAggregation, combine, outermost_members
from poc.models import OrgUnitGroup, OrgUnitGroupSet, Period


def default_aggregation(item: Indicator | DataElement) -> GroupAggregation:
    """Counts add up over a group; rates, means and indicators (ratios) are averaged (a part of an element as the element)."""
    item = getattr(item, "element", item)
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


def group_table(*, indicator: Indicator, period: Period) -> list[tuple[OrgUnitGroupSet | None, list[tuple[OrgUnitGroup, float | None]]]]:
    """The indicator's value for every group with members, by group set (the cockpit's "by group" table)."""
    groups = list(
        OrgUnitGroup.objects.filter(members__isnull=False).distinct().select_related("group_set").order_by("group_set__code", "code")
    )
    if not groups:
        return []
    values = group_pivot(items=[indicator], groups=groups, periods=[period])
    table: dict[int | None, tuple[OrgUnitGroupSet | None, list]] = {}
    for group in groups:
        table.setdefault(group.group_set_id, (group.group_set, []))[1].append((group, values[(0, group.pk, period.code)]))
    return list(table.values())
