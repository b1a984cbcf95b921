"""A write re-evaluates warnings only for the units it changed and their ancestors, not every unit at the rule's level."""

import pytest

from cockpit.models import Alert, AlertStatus, RuleKind, WarningRule
from cockpit.services import changed_scope, warnings_evaluate
from poc.models import OrgUnit


@pytest.fixture
def districts(province):
    return list(OrgUnit.objects.filter(level=2).order_by("code"))


def test_the_scope_of_a_change_is_the_unit_and_its_ancestors(province, subdistricts):
    sub = subdistricts[2]  # 990201
    expected = set(OrgUnit.objects.filter(code__in=["99", "9902", "990201"]).values_list("pk", flat=True))
    assert changed_scope([sub.pk]) == expected
    assert changed_scope(None) is None


def test_a_write_re_evaluates_only_the_changed_unit_and_its_ancestors(inputs, districts, entry_a, write):
    # District 2 is already below the threshold before the rule exists: only the periodic check may open its alert.
    write(entry_a, [(inputs["storage"], districts[1], "2568-03", 5)])
    rule = WarningRule.objects.create(name_th="น้ำน้อย", element=inputs["storage"], level=2, kind=RuleKind.BELOW, low=30)
    province_rule = WarningRule.objects.create(name_th="น้ำน้อยทั้งจังหวัด", element=inputs["storage"], level=1, kind=RuleKind.BELOW, low=30)
    write(entry_a, [(inputs["storage"], districts[0], "2568-03", 20)])
    assert list(Alert.objects.filter(rule=rule).values_list("orgunit__code", "value")) == [("9901", 20)]
    # The province (an ancestor) is re-evaluated too: the average of 20 and 5.
    assert list(Alert.objects.filter(rule=province_rule).values_list("orgunit__code", "value")) == [("99", 12.5)]
    warnings_evaluate()
    assert sorted(Alert.objects.filter(rule=rule, status=AlertStatus.OPEN).values_list("orgunit__code", flat=True)) == ["9901", "9902"]


def test_a_scoped_evaluation_closes_only_the_changed_units_alerts(inputs, districts, entry_a, write):
    rule = WarningRule.objects.create(name_th="น้ำน้อย", element=inputs["storage"], level=2, kind=RuleKind.BELOW, low=30)
    write(entry_a, [(inputs["storage"], d, "2568-03", 10) for d in districts])
    assert Alert.objects.filter(rule=rule, status=AlertStatus.OPEN).count() == 2
    write(entry_a, [(inputs["storage"], districts[0], "2568-03", 80)])
    open_codes = list(Alert.objects.filter(rule=rule, status=AlertStatus.OPEN).values_list("orgunit__code", flat=True))
    assert open_codes == ["9902"]
    assert list(Alert.objects.filter(rule=rule, status=AlertStatus.CLOSED).values_list("orgunit__code", flat=True)) == ["9901"]
