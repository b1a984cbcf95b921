"""The epidemic-threshold rule: cases above the median of the same week of the past five years + 2 SD."""

import pytest
from django.core.exceptions import ValidationError

from cockpit.epidemic import epidemic_threshold
from cockpit.models import Alert, AlertStatus, RuleKind, WarningRule
from cockpit.services import rule_evaluate
from datasets.models import DataElement, Dataset, ValueType
from poc.models import OrgUnit, Period

pytestmark = pytest.mark.django_db


def test_threshold_is_median_plus_two_sample_standard_deviations():
    assert epidemic_threshold([2, 4, 3, 5, 6]) == pytest.approx(4 + 2 * 2.5**0.5)
    assert epidemic_threshold([10, 10, 10]) == 10
    assert epidemic_threshold([1, 9]) is None  # two years say nothing about a season


@pytest.fixture
def dengue(topic, agency_a):
    dataset = Dataset.objects.create(
        code="DS-DENGUE-W", topic=topic, name_th="ไข้เลือดออกรายสัปดาห์", agency=agency_a, collection_level=2, period_type="W", due_days=3
    )
    return DataElement.objects.create(code="DHF_CASES", dataset=dataset, name_th="ผู้ป่วย", value_type=ValueType.INTEGER, min_value=0)


def test_rule_fires_above_the_seasonal_threshold_and_closes_below_it(dengue, province, entry_a, write):
    first, second = OrgUnit.objects.filter(level=2).order_by("code")[:2]
    history = [(dengue, first, f"{year}-W05", n) for year, n in zip(range(2564, 2569), [2, 4, 3, 5, 6], strict=True)]
    history += [(dengue, second, f"{year}-W05", 1) for year in (2567, 2568)]  # two years only: no threshold
    write(entry_a, history)
    rule = WarningRule.objects.create(name_th="ไข้เลือดออกเกินเกณฑ์", element=dengue, level=2, kind=RuleKind.EPIDEMIC)
    rule.full_clean()  # the rule needs no threshold of its own
    write(entry_a, [(dengue, first, "2569-W05", 8), (dengue, second, "2569-W05", 50)])  # 8 > 4 + 2 × 1.58 = 7.16
    alerts = Alert.objects.filter(rule=rule)
    assert [(a.orgunit_id, a.period.code, a.value, a.status) for a in alerts] == [(first.pk, "2569-W05", 8, AlertStatus.OPEN)]
    write(entry_a, [(dengue, first, "2569-W05", 7)])  # 7 is within the season's spread
    assert [(a.orgunit_id, a.status) for a in alerts.all()] == [(first.pk, AlertStatus.CLOSED)]
    week = Period.objects.for_code("2569-W04")
    assert rule_evaluate(rule=rule, periods=[week]).opened == 0  # another week has no history: quiet


def test_other_kinds_still_demand_their_thresholds(dengue):
    rule = WarningRule(name_th="เกิน", element=dengue, level=2, kind=RuleKind.ABOVE)
    with pytest.raises(ValidationError):
        rule.full_clean()
