"""What a governor reads on the cockpit: summary strip, change arrows by polarity, partial data, owners and comments."""

import pytest
from django.urls import reverse
from django.utils import translation

from cockpit.definitions import indicator_definition
from cockpit.models import Alert, RuleKind, WarningRule
from cockpit.services import alert_acknowledge
from datasets.models import DataElement
from indicators.models import Indicator, IndicatorTarget
from indicators.services import indicator_save
from tests.conftest import TEST_PASSWORD


@pytest.fixture
def gov(client, executive):
    client.login(username="governor", password=TEST_PASSWORD)
    return client


def _rows(inputs, units, fy, cases):
    return [(e, sub, f"FY{fy}", n) for sub in units for e, n in ((inputs["cases"], cases), (inputs["pop"], 1000))]


def _tile(response, code="RATE1"):
    return next(t for g in response.context["groups"] for t in g["tiles"] if t["code"] == code)


@pytest.fixture
def people(rate):
    """Population (sum of POP), higher is better, a target in the millions; and a context indicator without a target."""
    people = indicator_save(
        indicator=Indicator(
            code="PEOPLE", name_th="ประชากรรวม", numerator="POP", polarity="higher_better", decimals=0, perspective_th="สุขภาพ"
        )
    )
    IndicatorTarget.objects.create(indicator=people, fiscal_year=2568, target=1008000)
    indicator_save(indicator=Indicator(code="CTX", name_th="บริบท", numerator="CASES", polarity="context", perspective_th="บริบท"))
    return people


def test_summary_strip_counts_tiles_by_state_and_targets_show_thousands(gov, people, inputs, subdistricts, entry_a, write):
    write(entry_a, _rows(inputs, subdistricts, 2568, 20) + _rows(inputs, subdistricts, 2567, 20))
    response = gov.get(reverse("cockpit:tiles"), {"fy": 2568})
    assert response.context["summary"] == {"red": 2, "amber": 0, "green": 0, "insufficient": 0, "unjudged": 1}
    html = response.content.decode()
    assert '<li class="sum red" data-state="red"><b>2</b> ไม่ผ่านเป้าหมาย</li>' in html
    assert "<b>1</b> ไม่มีเป้าหมาย" in html and "<b>0</b> การเตือนที่เปิดอยู่" in html
    assert '<span class="tile-target">1,008,000</span>' in html and "1008000" not in html
    assert _tile(response, "PEOPLE")["value"] == "4,000"


def test_change_arrow_is_coloured_by_polarity_and_an_unchanged_value_shows_no_arrow(gov, people, inputs, subdistricts, entry_a, write):
    # RATE1 (lower is better) falls from 20 to 10 per 1,000; PEOPLE stays at 4,000.
    write(entry_a, _rows(inputs, subdistricts, 2568, 10) + _rows(inputs, subdistricts, 2567, 20))
    response = gov.get(reverse("cockpit:tiles"), {"fy": 2568})
    fall = _tile(response)["change"]
    assert (fall["direction"], fall["tone"], fall["display"]) == ("down", "good", "50.0%")
    assert _tile(response, "PEOPLE")["change"]["direction"] == "flat"
    html = response.content.decode()
    assert 'data-direction="down" data-tone="good">▼ 50.0%</span>' in html
    assert 'data-direction="flat" data-tone="neutral">คงที่</span>' in html
    assert "▲ 0.0%" not in html and "▼ 0.0%" not in html


def test_a_value_on_partial_reports_is_not_enough_data_not_red(gov, rate, inputs, subdistricts, entry_a, write):
    write(entry_a, _rows(inputs, subdistricts[:2], 2568, 20))  # 20 per 1,000 would be red, but 2 of 4 have reported
    response = gov.get(reverse("cockpit:tiles"), {"fy": 2568})
    tile = _tile(response)
    assert (tile["value"], tile["light"], tile["state"], tile["coverage"]) == ("20.0", "grey", "insufficient", 50)
    html = response.content.decode()
    assert 'data-light="red"' not in html
    assert '<span class="tile-insufficient" data-coverage="50">ยังมีข้อมูลไม่พอ · รายงานแล้ว 50%</span>' in html
    assert response.context["summary"]["insufficient"] == 1 and response.context["summary"]["red"] == 0


def test_trend_leaves_out_a_partly_reported_year(gov, rate, inputs, subdistricts, entry_a, write):
    write(entry_a, _rows(inputs, subdistricts, 2568, 10) + _rows(inputs, subdistricts, 2567, 12) + _rows(inputs, subdistricts[:1], 2566, 2))
    tile = _tile(gov.get(reverse("cockpit:tiles"), {"fy": 2568}))
    assert tile["spark"] == "75.0,2.0 100.0,26.0"  # FY2567 and FY2568 only: the quarter-reported FY2566 is no point
    data = gov.get(reverse("cockpit:drilldown", args=["RATE1"]), {"fy": 2568}).context["data"]
    assert data["trend"] == [None, None, None, 12.0, 10.0]
    assert data["partial"] == [None, None, 2.0, None, None]


def test_red_tile_names_the_agency_and_its_latest_comment(
    gov, rate, inputs, subdistricts, entry_a, it_admin, write, django_capture_on_commit_callbacks
):
    rule = WarningRule.objects.create(name_th="ป่วยสูง", indicator=rate, level=1, kind=RuleKind.ABOVE, high=11)
    write(entry_a, _rows(inputs, subdistricts, 2568, 20))
    alert = Alert.objects.get(rule=rule)
    tile = _tile(gov.get(reverse("cockpit:tiles"), {"fy": 2568}))
    assert (tile["state"], tile["agency"], tile["comment"]) == ("red", "หน่วยงานเอ", None)

    with django_capture_on_commit_callbacks(execute=True):  # the acknowledgement renews the cached tiles
        alert_acknowledge(alert=alert, user=it_admin, comment="ตรวจสอบแล้ว")
        alert_acknowledge(alert=alert, user=it_admin, comment="ส่งทีมควบคุมโรคลงพื้นที่ 3 อำเภอ")
    response = gov.get(reverse("cockpit:tiles"), {"fy": 2568})
    assert _tile(response)["comment"]["text"] == "ส่งทีมควบคุมโรคลงพื้นที่ 3 อำเภอ"
    html = response.content.decode()
    assert '<span class="tile-owner">ผู้รับผิดชอบ: หน่วยงานเอ</span>' in html and "“ส่งทีมควบคุมโรคลงพื้นที่ 3 อำเภอ”" in html


def test_definitions_are_written_in_thai_from_the_formula(gov, rate, inputs, subdistricts, entry_a, write):
    DataElement.objects.filter(code="CASES").update(name_th="จำนวนผู้ป่วย")
    DataElement.objects.filter(code="POP").update(name_th="ประชากร")
    write(entry_a, _rows(inputs, subdistricts, 2568, 10))
    expected = "อัตราป่วย = จำนวนผู้ป่วย ÷ ประชากร × 1,000"
    assert f'title="{expected}"' in gov.get(reverse("cockpit:tiles"), {"fy": 2568}).content.decode()
    html = gov.get(reverse("cockpit:drilldown", args=["RATE1"]), {"fy": 2568}).content.decode()
    assert f'<p class="help" id="drill-definition">{expected}</p>' in html
    per_head = indicator_save(
        indicator=Indicator(
            code="PERHEAD",
            name_th="ต่อหัว",
            numerator="CASES * 1000000",
            denominator="POP",
            perspective_th="สุขภาพ",
            unit_th="บาท",
            definition="Per head",
        )
    )
    assert indicator_definition(per_head) == "ต่อหัว = (จำนวนผู้ป่วย × 1,000,000) ÷ ประชากร (บาท)"
    with translation.override("en"):
        assert indicator_definition(per_head) == "Per head"  # English readers get the catalogue's text


def test_war_room_shows_every_tile_on_one_screen_beside_the_open_alerts(gov, rate, people, inputs, subdistricts, entry_a, write):
    rule = WarningRule.objects.create(name_th="ป่วยสูง", indicator=rate, level=2, kind=RuleKind.ABOVE, high=11)
    write(entry_a, _rows(inputs, subdistricts, 2568, 20))
    response = gov.get(reverse("cockpit:warroom"), {"fy": 2568})
    assert [[t["code"] for t in page] for page in response.context["pages"]] == [["CTX", "PEOPLE", "RATE1"]]  # perspective by perspective
    assert response.context["alert_count"] == Alert.objects.filter(rule=rule).count() == 2  # both districts above 11
    html = response.content.decode()
    assert html.count('<section class="warroom-page') == 1 and 'id="warroom-alerts"' in html
    assert html.count('<span class="alert-rule">ป่วยสูง</span>') == 2


def test_a_total_is_ranked_by_district_but_never_compared_with_the_province_total(gov, people, inputs, subdistricts, entry_a, write):
    write(entry_a, [(inputs["pop"], sub, "FY2568", n) for sub, n in zip(subdistricts, [1000, 1000, 3000, 1500], strict=True)])
    response = gov.get(reverse("cockpit:drilldown", args=["PEOPLE"]), {"fy": 2568})
    data = response.context["data"]
    assert data["comparable"] is False
    assert [(r["code"], r["rank"], r["versus"]) for r in data["rows"]] == [("9902", 1, ""), ("9901", 2, "")]  # 4,500 then 2,000
    html = response.content.decode()
    assert "<th>เทียบกับ" not in html and "ยอดรวมของพื้นที่ไม่นำไปเทียบกับยอดรวมของจังหวัด" in html
    assert response.context["figures"]["bar"]["layout"].get("shapes") is None  # no province line over district totals


def test_districts_with_their_own_target_are_judged_by_it_not_by_the_provinces(gov, rate, inputs, subdistricts, entry_a, write):
    """District 9901 (20 per 1,000) has its own target 25, so it is green though the province's target is 10; 9902 has none."""
    IndicatorTarget.objects.create(indicator=rate, fiscal_year=2568, orgunit=subdistricts[0].parent, target=25, red_at=30)
    write(entry_a, [*_rows(inputs, subdistricts[:2], 2568, 20), *_rows(inputs, subdistricts[2:], 2568, 5)])
    response = gov.get(reverse("cockpit:drilldown", args=["RATE1"]), {"fy": 2568})
    data = response.context["data"]
    assert data["area_targets"] is True and data["light"] == "red"  # the province, 12.5 against its own 10 (red beyond 12)
    assert [(r["code"], r["rank"], r["target"], r["light"]) for r in data["rows"]] == [("9902", 1, "", None), ("9901", 2, "25.0", "green")]
    html = response.content.decode()
    assert '<span class="dot green" data-light="green"></span>' in html and 'data-light="red"' not in html
    tile = _tile(gov.get(reverse("cockpit:tiles"), {"fy": 2568}))
    assert (tile["target"], tile["light"]) == ("10.0", "red")  # the province tile keeps the province's target
