"""Aggregating by org-unit group: sums and means over a group's members, in the selector and the analysis page."""

import pytest
from django.urls import reverse

from cockpit.group_values import group_pivot
from datasets.selectors import expected_orgunits
from poc.group_selectors import outermost_members
from poc.models import OrgUnit, OrgUnitGroup, OrgUnitGroupSet, Period
from poc.periods import parse_period
from tests.cockpit.test_views import filled, gov  # noqa: F401


@pytest.fixture
def groups(province):
    """east: subdistrict 990101, district 9902 and (nested, counted once) its subdistrict 990201; empty: no members."""
    zone = OrgUnitGroupSet.objects.create(code="zone", name_th="เขต", name_en="Zone", exclusive=False)
    east = OrgUnitGroup.objects.create(code="east", name_th="ตะวันออก", name_en="East", group_set=zone)
    east.members.set(OrgUnit.objects.filter(code__in=["990101", "9902", "990201"]))
    empty = OrgUnitGroup.objects.create(code="empty", name_th="ว่าง", name_en="Empty", group_set=zone)
    return east, empty


def test_a_member_inside_another_member_is_counted_once(groups):
    east, empty = groups
    members = outermost_members([east, empty])
    assert [u.code for u in members[east.pk]] == ["990101", "9902"] and members[empty.pk] == []


def test_group_values_sum_counts_and_average_rates_from_the_live_aggregates(groups, filled, inputs):  # noqa: F811
    east, empty = groups
    periods = [Period.objects.get(code="FY2568"), Period.objects.get(code="FY2567")]
    items = [inputs["cases"], filled]
    values = group_pivot(items=items, groups=[east, empty], periods=periods)
    # cases FY2568: 990101 = 20, district 9902 = 5 + 5; the nested 990201 is not added again.
    assert values[(0, east.pk, "FY2568")] == 30 and values[(0, east.pk, "FY2567")] == 10 + 2 + 2
    # The rate per 1,000 is averaged over the members: (20 + 5) / 2.
    assert values[(1, east.pk, "FY2568")] == pytest.approx(12.5)
    assert values[(0, empty.pk, "FY2568")] is None and values[(1, empty.pk, "FY2568")] is None
    # Asked for explicitly, the mean of counts and the sum of rates.
    assert group_pivot(items=items, groups=[east], periods=periods[:1], how="mean")[(0, east.pk, "FY2568")] == 15
    assert group_pivot(items=items, groups=[east], periods=periods[:1], how="sum")[(1, east.pk, "FY2568")] == pytest.approx(25)


def test_analysis_page_shows_and_exports_rows_by_group(gov, groups, filled):  # noqa: F811
    url = reverse("cockpit:pivot")
    query = {"item": f"i:{filled.pk}", "from": 2568, "to": 2568, "group_set": "zone"}
    page = gov.get(url, query)
    assert page.status_code == 200
    assert page.context["table"] == [("ตะวันออก", ["12.50"]), ("ว่าง", ["–"])]
    assert '<option value="zone" selected>เขต</option>' in page.content.decode()
    text = gov.get(url, {**query, "how": "sum", "export": "csv"}).content.decode("utf-8-sig")
    assert text.splitlines()[1:] == ["ตะวันออก,25.0", "ว่าง,"]
    # An unknown group set falls back to the org-unit rows.
    rows = gov.get(url, {**query, "group_set": "nope"}).context["table"]
    assert [header for header, _cells in rows] == ["จังหวัดทดสอบ", "อำเภอทดสอบ 1", "อำเภอทดสอบ 2"]


def test_a_dataset_assigned_to_a_group_expects_the_group_members(groups, fy_dataset, subdistricts):
    east, _empty = groups
    spec = parse_period("FY2568")
    assert expected_orgunits(fy_dataset, subdistricts, spec) == subdistricts  # unassigned: every subdistrict
    fy_dataset.orgunit_groups.add(east)
    assert [u.code for u in expected_orgunits(fy_dataset, subdistricts, spec)] == ["990101", "990201"]
    prefetched = type(fy_dataset).objects.with_assigned_units().get(pk=fy_dataset.pk)
    assert [u.code for u in expected_orgunits(prefetched, subdistricts, spec)] == ["990101", "990201"]


def test_the_indicator_page_lists_each_group_with_members_and_its_mean(gov, groups, filled):  # noqa: F811
    response = gov.get(reverse("cockpit:drilldown", args=["RATE1"]), {"fy": 2568})
    by_group = response.context["by_group"]
    assert [(group_set.code, [(group.code, display) for group, display in rows]) for group_set, rows in by_group] == [
        ("zone", [("east", "12.5")])
    ]  # the empty group has no members: not listed
    assert '<tr data-group="east"><td>ตะวันออก</td><td class="num">12.5</td></tr>' in response.content.decode()
