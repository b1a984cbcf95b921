import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from cockpit.models import Alert, AlertStatus, RuleKind, WarningRule
from cockpit.services import alert_acknowledge, rule_evaluate
from poc.models import OrgUnit, Period


@pytest.fixture
def districts(province):
    return list(OrgUnit.objects.filter(level=2).order_by("code"))


@pytest.fixture
def low_water(inputs, executive):
    rule = WarningRule.objects.create(
        name_th="น้ำน้อย",
        name_en="Water shortage",
        element=inputs["storage"],
        level=2,
        kind=RuleKind.BELOW,
        low=30,
        severity="critical",
        recipient_roles=["executive"],
    )
    executive.email = "governor@example.org"
    executive.save()
    return rule


def test_rule_fires_once_and_closes_when_the_condition_clears(low_water, inputs, districts, entry_a, write):
    write(entry_a, [(inputs["storage"], districts[0], "2568-03", 20), (inputs["storage"], districts[1], "2568-03", 60)])
    alerts = Alert.objects.filter(rule=low_water)
    assert [(a.orgunit_id, a.value, a.status) for a in alerts] == [(districts[0].pk, 20, AlertStatus.OPEN)]
    assert mail.outbox and mail.outbox[0].to == ["governor@example.org"]
    write(entry_a, [(inputs["storage"], districts[0], "2568-03", 25)])  # still low: no second alert
    call_command("evaluate_warnings")
    assert alerts.count() == 1 and len(mail.outbox) == 1
    write(entry_a, [(inputs["storage"], districts[0], "2568-03", 45)])
    alert = alerts.get()
    assert alert.status == AlertStatus.CLOSED and alert.closed_at is not None
    assert list(alert.events.values_list("action", flat=True)) == ["opened", "closed"]
    write(entry_a, [(inputs["storage"], districts[0], "2568-03", 10)])  # fires again after closing: a new alert
    assert Alert.objects.filter(rule=low_water, status=AlertStatus.OPEN).count() == 1
    assert Alert.objects.filter(rule=low_water).count() == 2


def test_rate_of_change_rule_compares_with_the_previous_period(inputs, districts, entry_a, write):
    rule = WarningRule.objects.create(name_th="ลดฮวบ", element=inputs["storage"], level=2, kind=RuleKind.CHANGE, change_pct=-30)
    write(entry_a, [(inputs["storage"], districts[0], "2568-02", 80), (inputs["storage"], districts[1], "2568-02", 80)])
    write(entry_a, [(inputs["storage"], districts[0], "2568-03", 50), (inputs["storage"], districts[1], "2568-03", 70)])
    assert list(Alert.objects.filter(rule=rule).values_list("orgunit_id", "period__code")) == [(districts[0].pk, "2568-03")]


def test_missing_data_rule_fires_after_the_grace_days(inputs, districts, entry_a, write):
    period = Period.objects.for_code("2568-03")  # ends 31 Mar 2025, due 15 days later, grace 5 more
    write(entry_a, [(inputs["storage"], districts[0], "2568-03", 50)])
    rule = WarningRule.objects.create(name_th="ไม่ส่ง", element=inputs["storage"], level=2, kind=RuleKind.MISSING, missing_days=5)
    assert rule_evaluate(rule=rule, periods=[period], today=dt.date(2025, 4, 20)).opened == 0
    assert rule_evaluate(rule=rule, periods=[period], today=dt.date(2025, 4, 21)).opened == 1
    assert Alert.objects.get(rule=rule).orgunit == districts[1]


def test_indicator_rule_fires_on_materialised_values(rate, inputs, subdistricts, entry_a, write):
    rule = WarningRule.objects.create(name_th="ป่วยมาก", indicator=rate, level=1, kind=RuleKind.ABOVE, high=12)
    write(entry_a, [(inputs["cases"], s, "FY2568", 20) for s in subdistricts] + [(inputs["pop"], s, "FY2568", 1000) for s in subdistricts])
    alert = Alert.objects.get(rule=rule)
    assert alert.orgunit.code == "99" and alert.value == pytest.approx(20)


def test_only_recipients_and_it_admins_acknowledge(low_water, inputs, districts, entry_a, entry_b, executive, it_admin, write, en):
    write(entry_a, [(inputs["storage"], districts[0], "2568-03", 20)])
    alert = Alert.objects.get()
    with pytest.raises(PermissionDenied):
        alert_acknowledge(alert=alert, user=entry_b, comment="not mine")
    with pytest.raises(ValidationError):
        alert_acknowledge(alert=alert, user=executive, comment="  ")
    alert_acknowledge(alert=alert, user=executive, comment="Water trucks sent")
    alert.refresh_from_db()
    assert alert.acknowledged_by == executive and alert.comment == "Water trucks sent"
    alert_acknowledge(alert=alert, user=it_admin, comment="Checked")
    assert list(alert.events.values_list("action", "user__username")) == [
        ("opened", None),
        ("acknowledged", "governor"),
        ("acknowledged", "itadmin"),
    ]


def test_rule_validation_requires_the_condition_values(inputs, rate):
    with pytest.raises(ValidationError):
        WarningRule(name_th="x", element=inputs["storage"], kind=RuleKind.BETWEEN, low=5).full_clean()
    with pytest.raises(ValidationError):
        WarningRule(name_th="x", indicator=rate, kind=RuleKind.MISSING, missing_days=3).full_clean()
    with pytest.raises(ValidationError):
        WarningRule(name_th="x", indicator=rate, element=inputs["storage"], kind=RuleKind.ABOVE, high=1).full_clean()


def test_one_evaluation_opens_and_closes_alerts_for_many_units_with_their_events(low_water, inputs, districts, entry_a, write):
    write(entry_a, [(inputs["storage"], d, "2568-03", 10 + i) for i, d in enumerate(districts)])
    opened = Alert.objects.filter(rule=low_water, status=AlertStatus.OPEN)
    assert sorted(opened.values_list("orgunit_id", flat=True)) == sorted(d.pk for d in districts)
    assert all(list(a.events.values_list("action", "value")) == [("opened", a.value)] for a in opened)
    write(entry_a, [(inputs["storage"], d, "2568-03", 80) for d in districts])
    assert not Alert.objects.filter(rule=low_water, status=AlertStatus.OPEN).exists()
    closed = Alert.objects.filter(rule=low_water, status=AlertStatus.CLOSED, closed_at__isnull=False)
    assert closed.count() == len(districts)
    assert all(list(a.events.values_list("action", flat=True)) == ["opened", "closed"] for a in closed)
