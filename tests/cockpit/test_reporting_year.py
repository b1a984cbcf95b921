"""The one rule for which fiscal year a page opens on, and how the cockpit says so."""

import datetime as dt

import pytest
from django.urls import reverse
from freezegun import freeze_time

from assessment.services import assess
from indicators.reporting import reporting_year
from tests.conftest import TEST_PASSWORD

TODAY = dt.date(2026, 11, 28)  # 28 Nov 2569: FY2570 has just begun, FY2569 ended on 30 Sep


def _rows(inputs, units, fy, cases=10):
    return [(e, sub, f"FY{fy}", n) for sub in units for e, n in ((inputs["cases"], cases), (inputs["pop"], 1000))]


@pytest.fixture
def gov(client, executive):
    client.login(username="governor", password=TEST_PASSWORD)
    return client


def test_the_latest_year_with_nine_in_ten_reports_is_the_one_shown(rate, inputs, subdistricts, entry_a, write, province):
    write(entry_a, _rows(inputs, subdistricts, 2568) + _rows(inputs, subdistricts[:2], 2569))  # FY2569: 2 of 4 subdistricts
    rule = reporting_year(province, today=TODAY)
    assert (rule.fiscal_year, rule.percent, rule.current, rule.current_percent, rule.complete) == (2568, 100, 2570, 0, True)
    assert rule.shares[2569] == 0.5

    write(entry_a, _rows(inputs, subdistricts[2:], 2569))
    rule = reporting_year(province, today=TODAY)
    assert (rule.fiscal_year, rule.percent, rule.as_of) == (2569, 100, dt.date(2026, 9, 30))


def test_the_threshold_is_a_setting(rate, inputs, subdistricts, entry_a, write, province, settings):
    write(entry_a, _rows(inputs, subdistricts, 2568) + _rows(inputs, subdistricts[:2], 2569))
    settings.POC_COMPLETE_SHARE = 0.5
    assert reporting_year(province, today=TODAY).fiscal_year == 2569


def test_without_any_complete_year_the_best_reported_one_is_shown_and_not_called_complete(rate, inputs, subdistricts, entry_a, write):
    write(entry_a, _rows(inputs, subdistricts[:1], 2567) + _rows(inputs, subdistricts[:2], 2566))
    rule = reporting_year(today=TODAY)
    assert (rule.fiscal_year, rule.percent, rule.complete) == (2566, 50, False)


@freeze_time("2026-11-28 10:00:00+07:00")
def test_cockpit_opens_on_the_complete_year_and_links_the_year_still_filling(gov, rate, inputs, subdistricts, entry_a, write):
    write(entry_a, _rows(inputs, subdistricts, 2568) + _rows(inputs, subdistricts[:1], 2569))
    response = gov.get(reverse("cockpit:tiles"))
    html = response.content.decode()
    assert response.context["fiscal_year"] == 2568
    assert "ข้อมูล ณ 30 ก.ย. 2568, รายงานแล้ว 100%" in html
    assert 'href="?fy=2570&amp;orgunit=99"' in html and "ปีงบประมาณ 2570 ที่กำลังรายงาน (รายงานแล้ว 0%) →" in html

    html = gov.get(reverse("cockpit:tiles"), {"fy": 2569}).content.decode()
    assert "ข้อมูล ณ 30 ก.ย. 2569, รายงานแล้ว 25%" in html and "ข้อมูลยังไม่พอจะประเมินทั้งปี" in html
    assert 'href="?fy=2568&amp;orgunit=99"' in html and "กลับไปปีงบประมาณ 2568 ปีล่าสุดที่ข้อมูลครบ" in html


@freeze_time("2026-11-28 10:00:00+07:00")
def test_war_room_and_personal_dashboard_open_on_the_same_year(gov, rate, inputs, subdistricts, entry_a, write):
    write(entry_a, _rows(inputs, subdistricts, 2568) + _rows(inputs, subdistricts[:1], 2569))
    assert gov.get(reverse("cockpit:warroom")).context["fiscal_year"] == 2568
    assert gov.get(reverse("cockpit:my_dashboard")).context["fiscal_year"] == 2568


@freeze_time("2026-11-28 10:00:00+07:00")
def test_self_assessment_opens_on_the_same_year_and_says_how_complete_it_is(gov, rate, inputs, subdistricts, entry_a, write):
    write(entry_a, [*_rows(inputs, subdistricts, 2568), *_rows(inputs, subdistricts[:1], 2569)])
    assert assess().fiscal_year == 2568  # FY2569 has ended but is not reported yet
    html = gov.get(reverse("assessment")).content.decode()
    assert "ข้อมูล ณ 30 ก.ย. 2568, รายงานแล้ว 100%" in html and "ปีงบประมาณ 2570 ที่กำลังรายงาน (รายงานแล้ว 0%) →" in html


@freeze_time("2026-11-28 10:00:00+07:00")
@pytest.mark.parametrize("asked", ["abc", "99999", "-1", "2025"])
def test_a_year_that_is_not_a_buddhist_era_year_is_a_thai_error_and_no_year_opens_on_the_rule(
    gov, rate, inputs, subdistricts, entry_a, write, asked
):
    write(entry_a, _rows(inputs, subdistricts, 2568))
    for name in ("cockpit:tiles", "cockpit:warroom"):
        response = gov.get(reverse(name), {"fy": asked})
        assert response.status_code == 400 and "ปีงบประมาณต้องเป็นปีพุทธศักราช" in response.content.decode()
        assert gov.get(reverse(name)).context["fiscal_year"] == 2568
