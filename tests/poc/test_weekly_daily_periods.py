"""Weekly (ISO) and daily periods: codes, words, labels, steps, seasons and the Thursday rule."""

import datetime as dt

import pytest

from poc.periods import PeriodError, PeriodType, parse_period, period_containing, periods_in_fiscal_year, recent_periods


@pytest.mark.parametrize(
    ("typed", "code", "start", "end"),
    [
        ("2569-W05", "2569-W05", dt.date(2026, 1, 26), dt.date(2026, 2, 1)),
        ("2569-w5", "2569-W05", dt.date(2026, 1, 26), dt.date(2026, 2, 1)),
        ("สัปดาห์ที่ 5/2569", "2569-W05", dt.date(2026, 1, 26), dt.date(2026, 2, 1)),
        ("สัปดาห์ 5 ปี 2569", "2569-W05", dt.date(2026, 1, 26), dt.date(2026, 2, 1)),
        ("Week 5/2569", "2569-W05", dt.date(2026, 1, 26), dt.date(2026, 2, 1)),
        ("2569-W01", "2569-W01", dt.date(2025, 12, 29), dt.date(2026, 1, 4)),  # week-year 2569 starts in Dec 2568
        ("2569-01-15", "2569-01-15", dt.date(2026, 1, 15), dt.date(2026, 1, 15)),
        ("15 ม.ค. 2569", "2569-01-15", dt.date(2026, 1, 15), dt.date(2026, 1, 15)),
        ("15 มกราคม 2569", "2569-01-15", dt.date(2026, 1, 15), dt.date(2026, 1, 15)),
        ("15/1/2569", "2569-01-15", dt.date(2026, 1, 15), dt.date(2026, 1, 15)),
        ("15 Jan 2569", "2569-01-15", dt.date(2026, 1, 15), dt.date(2026, 1, 15)),
    ],
)
def test_weeks_and_days_parse_from_codes_and_words(typed, code, start, end):
    spec = parse_period(typed)
    assert (spec.code, spec.start, spec.end) == (code, start, end)


@pytest.mark.parametrize("typed", ["2569-W00", "2569-W54", "2568-W53", "2569-02-30", "สัปดาห์ที่ 60/2569", "31/2/2569"])
def test_impossible_weeks_and_days_are_refused(typed):
    with pytest.raises(PeriodError):
        parse_period(typed)


def test_week_53_exists_only_in_long_iso_years(en):
    assert parse_period("2569-W53").start == dt.date(2026, 12, 28)  # 2026 has 53 ISO weeks
    with pytest.raises(PeriodError, match="no such week"):
        parse_period("2568-W53")


def test_labels_in_thai_and_english():
    week, day = parse_period("2569-W05"), parse_period("2569-01-15")
    assert (week.label("th"), week.label("en")) == ("สัปดาห์ที่ 5/2569", "Week 5/2569")
    assert (day.label("th"), day.label("en")) == ("15 ม.ค. 2569", "15 Jan 2569")


def test_steps_cross_years_and_months():
    assert parse_period("2569-W01").previous().code == "2568-W52"
    assert parse_period("2569-W53").next().code == "2570-W01"
    assert parse_period("2569-01-01").previous().code == "2568-12-31"
    assert parse_period("2567-02-28").next().code == "2567-02-29"  # 2024 is a leap year


def test_same_season_is_the_same_iso_week_or_date():
    assert parse_period("2569-W05").same_season(1).code == "2568-W05"
    assert parse_period("2569-W53").same_season(1).code == "2568-W52"  # 2025 has no week 53
    assert parse_period("2567-02-29").same_season(1).code == "2566-02-28"


def test_a_week_spanning_two_months_belongs_to_the_month_of_its_thursday():
    # 30 Mar - 5 Apr 2026: two days in March, five in April; Thursday is 2 April.
    week = parse_period("2569-W14")
    assert (week.start, week.end, week.anchor) == (dt.date(2026, 3, 30), dt.date(2026, 4, 5), dt.date(2026, 4, 2))
    assert period_containing(PeriodType.MONTHLY, week.anchor).code == "2569-04"


def test_fiscal_year_weeks_follow_the_thursday_rule():
    # 28 Sep - 4 Oct 2026: Thursday 1 October, so fiscal year 2570, not 2569.
    fy2569 = periods_in_fiscal_year(PeriodType.WEEKLY, 2569)
    fy2570 = periods_in_fiscal_year(PeriodType.WEEKLY, 2570)
    assert fy2569[0].code == "2568-W40" and fy2569[0].start == dt.date(2025, 9, 29)  # Thursday 2 Oct 2025
    assert fy2569[-1].code == "2569-W39" and fy2569[-1].end == dt.date(2026, 9, 27)
    assert fy2570[0].code == "2569-W40" and fy2570[0].fiscal_year == 2570
    assert len(fy2569) == 52
    assert len(periods_in_fiscal_year(PeriodType.DAILY, 2569)) == 365


def test_picker_offers_a_year_of_weeks_and_ninety_days():
    today = dt.date(2026, 11, 28)
    weeks, days = recent_periods(PeriodType.WEEKLY, today), recent_periods(PeriodType.DAILY, today)
    assert (len(weeks), weeks[0].code, weeks[-1].code) == (53, "2569-W48", "2568-W48")
    assert (len(days), days[0].code, days[-1].code) == (90, "2569-11-28", "2569-08-31")
