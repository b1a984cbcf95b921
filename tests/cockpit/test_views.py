import pytest
from django.urls import reverse

from cockpit.models import Alert, DashboardPin, InformationRequest, RuleKind, WarningRule
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def filled(rate, inputs, subdistricts, entry_a, write):
    """Rates per 1,000: 20 in district 9901 (red), 5 in 9902 (green); FY2567 lower for a trend."""
    rows = []
    for sub, cases in zip(subdistricts, [20, 20, 5, 5], strict=True):
        rows += [(inputs["cases"], sub, "FY2568", cases), (inputs["pop"], sub, "FY2568", 1000)]
        rows += [(inputs["cases"], sub, "FY2567", cases // 2), (inputs["pop"], sub, "FY2567", 1000)]
    write(entry_a, rows)
    return rate


@pytest.fixture
def gov(client, executive):
    client.login(username="governor", password=TEST_PASSWORD)
    return client


def test_cockpit_shows_tiles_with_traffic_lights_and_change(gov, filled, en):
    response = gov.get(reverse("cockpit:tiles"), {"fy": 2568})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-light="red"' in html  # province 12.5 per 1,000 vs target 10, red beyond 12
    tile = response.context["groups"][0]["tiles"][0]
    assert tile["code"] == "RATE1" and tile["value"] == "12.5" and tile["light"] == "red"
    assert tile["change"]["percent"] == pytest.approx((12.5 - 6.0) / 6.0 * 100)
    assert (tile["change"]["direction"], tile["change"]["tone"], tile["change"]["display"]) == ("up", "bad", "108.3%")  # more cases: worse
    assert tile["spark"]


def test_drilldown_ranks_districts_then_subdistricts(gov, filled, en):
    """Districts are ranked best first (lower is better) and compared with the province, not lit against its target."""
    url = reverse("cockpit:drilldown", args=["RATE1"])
    response = gov.get(url, {"fy": 2568})
    rows = response.context["data"]["rows"]
    ranked = [(r["code"], r["rank"], r["versus"], r["has_children"]) for r in rows]
    assert ranked == [("9902", 1, "better", True), ("9901", 2, "worse", True)]
    assert "/gis/map/?indicator=RATE1&amp;period=FY2568&amp;orgunit=99" in response.content.decode()
    deeper = gov.get(url, {"fy": 2568, "orgunit": "9901"}).context["data"]["rows"]
    assert [(r["code"], r["rank"], r["versus"]) for r in deeper] == [("990101", 1, ""), ("990102", 1, "")]  # equal: shared rank


def test_pivot_exports_csv(gov, filled):
    response = gov.get(reverse("cockpit:pivot"), {"item": f"i:{filled.pk}", "from": 2567, "to": 2568, "export": "csv"})
    text = response.content.decode("utf-8-sig")
    assert response["Content-Type"].startswith("text/csv")
    assert "12.5" in text and "20.0" in text and text.count("\n") == 4  # header + province + 2 districts


def test_executive_pins_an_indicator(gov, filled, executive):
    response = gov.post(reverse("cockpit:my_dashboard"), {"subject": f"i:{filled.pk}", "display": "bar"})
    assert response.status_code == 302
    assert DashboardPin.objects.get(user=executive).indicator == filled
    page = gov.get(reverse("cockpit:my_dashboard"))
    assert page.context["pins"][0]["figure"]["data"][0]["type"] == "bar"


def test_information_request_is_answered_by_the_it_group(client, gov, executive, it_admin, entry_b):
    gov.post(reverse("cockpit:needs"), {"title": "Flood shelters", "purpose": "Plan evacuations", "orgunit_level": 3})
    need = InformationRequest.objects.get()
    client.login(username="entry_b", password=TEST_PASSWORD)
    assert client.get(reverse("cockpit:need", args=[need.pk])).status_code == 403
    client.login(username="itadmin", password=TEST_PASSWORD)
    assert "Flood shelters" in client.get(reverse("cockpit:needs")).content.decode()
    client.post(reverse("cockpit:need", args=[need.pk]), {"answer": "Added to the DDPM dataset", "status": "answered"})
    need.refresh_from_db()
    assert need.status == "answered" and need.answered_by == it_admin


def test_alert_badge_and_page_for_recipients_only(client, gov, inputs, entry_a, entry_b, write, province):
    from poc.models import OrgUnit

    rule = WarningRule.objects.create(name_th="น้ำน้อย", element=inputs["storage"], level=2, kind=RuleKind.BELOW, low=30)
    rule.recipients.add(entry_a)
    write(entry_a, [(inputs["storage"], OrgUnit.objects.get(code="9901"), "2568-03", 20)])
    alert = Alert.objects.get()
    assert '<span class="badge">1</span>' in gov.get(reverse("cockpit:tiles")).content.decode()
    client.login(username="entry_b", password=TEST_PASSWORD)
    assert client.get(reverse("cockpit:alert", args=[alert.pk])).status_code == 404
    client.login(username="entry_a", password=TEST_PASSWORD)
    response = client.post(reverse("cockpit:alert", args=[alert.pk]), {"comment": "On it"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == entry_a


def test_a_tile_built_on_part_of_the_expected_data_says_so(gov, rate, inputs, subdistricts, entry_a, write, en):
    """Two of four subdistricts reported FY2568: the value is theirs, and the tile shows 50% of expected reports."""
    write(entry_a, [(e, sub, "FY2568", n) for sub in subdistricts[:2] for e, n in ((inputs["cases"], 20), (inputs["pop"], 1000))])
    response = gov.get(reverse("cockpit:tiles"), {"fy": 2568})
    tile = response.context["groups"][0]["tiles"][0]
    assert (tile["value"], tile["coverage"]) == ("20.0", 50)
    html = response.content.decode()
    assert '<span class="tile-insufficient" data-coverage="50">ยังมีข้อมูลไม่พอ · รายงานแล้ว 50%</span>' in html  # Thai first

    write(entry_a, [(e, sub, "FY2568", n) for sub in subdistricts[2:] for e, n in ((inputs["cases"], 5), (inputs["pop"], 1000))])
    tile = gov.get(reverse("cockpit:tiles"), {"fy": 2568}).context["groups"][0]["tiles"][0]
    assert (tile["value"], tile["coverage"]) == ("12.5", None)  # complete: no remark


def test_no_change_is_shown_against_a_partly_reported_previous_year(gov, rate, inputs, subdistricts, entry_a, write, en):
    rows = [(e, sub, "FY2568", n) for sub in subdistricts for e, n in ((inputs["cases"], 10), (inputs["pop"], 1000))]
    rows += [(e, subdistricts[0], "FY2567", n) for e, n in ((inputs["cases"], 2), (inputs["pop"], 1000))]  # one unit of four
    write(entry_a, rows)
    tile = gov.get(reverse("cockpit:tiles"), {"fy": 2568}).context["groups"][0]["tiles"][0]
    assert (tile["value"], tile["coverage"], tile["change"]) == ("10.0", None, None)  # not "▲ 400%"
    write(entry_a, [(e, sub, "FY2567", n) for sub in subdistricts[1:] for e, n in ((inputs["cases"], 2), (inputs["pop"], 1000))])
    tile = gov.get(reverse("cockpit:tiles"), {"fy": 2568}).context["groups"][0]["tiles"][0]
    assert tile["change"]["percent"] == pytest.approx(400.0)  # 10 vs 2 per 1,000, both years complete
