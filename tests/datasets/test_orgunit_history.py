import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from datasets.boundaries import element_values_current_boundaries
from datasets.selectors import element_value
from poc.boundary_changes import orgunit_split, orgunits_merge, remap_to_current
from poc.models import OrgUnit
from poc.periods import parse_period

pytestmark = pytest.mark.django_db
MERGE_DAY = dt.date(2025, 10, 1)


@pytest.fixture
def merged(province, subdistricts):
    """Subdistricts 990101 and 990102 merge into a new 990103 from 1 Oct 2025 (FY2569)."""
    district = OrgUnit.objects.get(code="9901")
    new = OrgUnit.objects.create(code="990103", name_th="ตำบลใหม่", level=3, parent=district, geom=subdistricts[0].geom)
    orgunits_merge(sources=subdistricts[:2], target=new, on=MERGE_DAY)
    return new


def test_merge_closes_old_units_and_opens_the_new_one(merged, subdistricts):
    old = OrgUnit.objects.get(code="990101")
    assert old.valid_to == dt.date(2025, 9, 30) and merged.valid_from == MERGE_DAY
    open_now = set(OrgUnit.objects.filter(level=3).open_on(dt.date(2025, 11, 1)).values_list("code", flat=True))
    open_then = set(OrgUnit.objects.filter(level=3).open_on(dt.date(2025, 9, 1)).values_list("code", flat=True))
    assert open_now == {"990103", "990201", "990202"}
    assert open_then == {"990101", "990102", "990201", "990202"}


def test_past_values_keep_the_old_hierarchy_and_remap_onto_today(save, entry_a, elements, subdistricts, merged, province):
    cases = elements["cases"]
    save(entry_a, [(cases, s, "2568-01", n) for s, n in zip(subdistricts, [10, 20, 30, 40], strict=True)])
    # the past: district 9901 still sums its two old subdistricts
    assert element_value(cases, OrgUnit.objects.get(code="9901"), parse_period("2568-01")) == 30
    today = element_values_current_boundaries(cases, 3, parse_period("2568-01"), day=dt.date(2025, 11, 1))
    by_code = {OrgUnit.objects.get(pk=pk).code: value for pk, value in today.items()}
    assert by_code == {"990103": 30, "990201": 30, "990202": 40}


def test_split_distributes_by_weight_and_chains_with_later_merges(province, subdistricts):
    district = OrgUnit.objects.get(code="9902")
    a = OrgUnit.objects.create(code="990203", name_th="ก", level=3, parent=district)
    b = OrgUnit.objects.create(code="990204", name_th="ข", level=3, parent=district)
    orgunit_split(source=subdistricts[2], targets=[(a, 0.6), (b, 0.4)], on=dt.date(2024, 10, 1))
    c = OrgUnit.objects.create(code="990205", name_th="ค", level=3, parent=district)
    orgunits_merge(sources=[b, subdistricts[3]], target=c, on=dt.date(2025, 10, 1))
    result = remap_to_current({subdistricts[2].pk: 100.0, subdistricts[3].pk: 50.0}, day=dt.date(2026, 1, 1))
    assert result == pytest.approx({a.pk: 60.0, c.pk: 90.0})
    # before the merge, b still exists on its own
    assert remap_to_current({subdistricts[2].pk: 100.0}, day=dt.date(2025, 1, 1)) == pytest.approx({a.pk: 60.0, b.pk: 40.0})


def test_split_weights_must_add_up_to_one(province, subdistricts, en):
    district = OrgUnit.objects.get(code="9902")
    a = OrgUnit.objects.create(code="990203", name_th="ก", level=3, parent=district)
    b = OrgUnit.objects.create(code="990204", name_th="ข", level=3, parent=district)
    with pytest.raises(ValidationError, match="add up to 1"):
        orgunit_split(source=subdistricts[2], targets=[(a, 0.5), (b, 0.4)], on=dt.date(2024, 10, 1))
    assert OrgUnit.objects.get(code="990201").valid_to is None
