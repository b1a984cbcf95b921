"""An indicator is readable only when every input element's dataset is: a rate times a public
denominator gives back the restricted count (issue 13: IND25 over the police's DS-DRUGS)."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cockpit.models import Alert, AlertStatus, DashboardPin, RuleKind, WarningRule
from cockpit.services import rule_recipients
from datasets.models import Sensitivity
from poc.models import OrgUnit, Period
from tests.cockpit.test_views import filled  # noqa: F401

SECRET = "12.5"  # the province's rate in FY2568, built on agency A's restricted counts


@pytest.fixture
def restricted(filled, fy_dataset):  # noqa: F811
    fy_dataset.sensitivity = Sensitivity.RESTRICTED
    fy_dataset.save()
    return filled


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def alert(restricted, province):
    rule = WarningRule.objects.create(
        name_th="อัตราสูง", indicator=restricted, kind=RuleKind.ABOVE, high=10, level=1, recipient_roles=["data_entry", "executive"]
    )
    return Alert.objects.create(rule=rule, orgunit=province, period=Period.objects.for_code("FY2568"), value=12.5, severity="warning")


def tile_codes(response) -> set[str]:
    return {tile["code"] for group in response.context["groups"] for tile in group["tiles"]}


def test_other_agency_sees_no_tile_of_an_indicator_on_restricted_inputs(login, restricted, entry_b, entry_a):
    # The owner renders the wall first: the cached fragment must not be served to the other agency.
    assert "RATE1" in login(entry_a).get(reverse("cockpit:tiles"), {"fy": 2568}).content.decode()
    response = login(entry_b).get(reverse("cockpit:tiles"), {"fy": 2568})
    assert response.status_code == 200
    assert tile_codes(response) == set()
    assert "RATE1" not in response.content.decode() and SECRET not in response.content.decode()
    own = login(entry_a).get(reverse("cockpit:tiles"), {"fy": 2568})  # same org unit and year: the cached wall is not shared
    assert tile_codes(own) == {"RATE1"} and SECRET in own.content.decode()


def test_executive_without_the_restricted_right_sees_no_such_tile_in_the_war_room(login, restricted, executive):
    response = login(executive).get(reverse("cockpit:warroom"), {"fy": 2568})
    assert response.status_code == 200 and tile_codes(response) == set()
    assert SECRET not in response.content.decode()


def test_drilldown_of_an_unreadable_indicator_is_not_found(login, restricted, entry_b, entry_a):
    url = reverse("cockpit:drilldown", args=["RATE1"])
    response = login(entry_b).get(url, {"fy": 2568})
    assert response.status_code == 404 and SECRET not in response.content.decode()
    assert login(entry_a).get(url, {"fy": 2568}).status_code == 200


def test_pivot_and_its_exports_refuse_an_unreadable_indicator(login, restricted, entry_b, entry_a):
    query = {"item": f"i:{restricted.pk}", "from": 2567, "to": 2568}
    client = login(entry_b)
    page = client.get(reverse("cockpit:pivot"), query)
    assert page.status_code == 404 and SECRET not in page.content.decode()
    for export in ("csv", "xlsx"):
        response = client.get(reverse("cockpit:pivot"), {**query, "export": export})
        assert response.status_code == 404 and SECRET.encode() not in response.content
    listed = client.get(reverse("cockpit:pivot"))
    assert "RATE1" not in listed.content.decode()  # not even offered
    own = login(entry_a).get(reverse("cockpit:pivot"), {**query, "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(own.content)).active
    assert sheet.cell(2, 3).value == 12.5


def test_pins_of_an_unreadable_indicator_are_neither_added_nor_shown(login, restricted, entry_b):
    client = login(entry_b)
    response = client.post(reverse("cockpit:my_dashboard"), {"subject": f"i:{restricted.pk}", "display": "bar"})
    assert response.status_code == 200 and not DashboardPin.objects.exists()  # not a valid choice
    # A pin made while the dataset was still internal is hidden once it turns restricted.
    DashboardPin.objects.create(user=entry_b, indicator=restricted, orgunit=OrgUnit.objects.get(code="99"), display="table")
    page = client.get(reverse("cockpit:my_dashboard"))
    assert page.context["pins"] == [] and SECRET not in page.content.decode() and "RATE1" not in page.content.decode()


def test_alerts_and_rules_on_an_unreadable_indicator_stay_hidden(login, alert, entry_b, entry_a, executive):
    client = login(entry_b)
    assert list(client.get(reverse("cockpit:alerts")).context["alerts"]) == []
    assert client.get(reverse("cockpit:alert", args=[alert.pk])).status_code == 404
    assert WarningRule.objects.restrict(entry_b, "view").count() == 0
    assert Alert.objects.restrict(executive, "view").count() == 0  # executives see every alert they may read
    assert list(login(entry_a).get(reverse("cockpit:alerts")).context["alerts"]) == [alert]
    # E-mail goes only to recipients who may read it.
    assert {u.username for u in rule_recipients(alert.rule)} == {"entry_a"}
    assert alert.status == AlertStatus.OPEN


def test_map_series_refuses_the_indicator_too(login, restricted, entry_b):
    response = login(entry_b).get(reverse("gis:series"), {"indicator": "RATE1", "parent": "99", "period": "FY2568"})
    assert response.status_code == 404 and SECRET not in response.content.decode()
