import datetime as dt

import pytest
from django.utils import translation

from poc.periods import (
    PeriodError,
    PeriodType,
    fiscal_year_bounds,
    fiscal_year_of,
    format_date_be,
    parse_period,
    period_containing,
    periods_in_fiscal_year,
)


@pytest.mark.parametrize(
    ("day", "fy"),
    [
        (dt.date(2024, 9, 30), 2567),
        (dt.date(2024, 10, 1), 2568),
        (dt.date(2025, 1, 1), 2568),
        (dt.date(2025, 9, 30), 2568),
        (dt.date(2025, 10, 1), 2569),
        (dt.date(2024, 12, 31), 2568),
    ],
)
def test_fiscal_year_changes_on_first_of_october(day, fy):
    assert fiscal_year_of(day) == fy


def test_fy_2568_runs_from_1_oct_2024_to_30_sep_2025():
    assert fiscal_year_bounds(2568) == (dt.date(2024, 10, 1), dt.date(2025, 9, 30))
    spec = parse_period("FY2568")
    assert (spec.start, spec.end, spec.code) == (dt.date(2024, 10, 1), dt.date(2025, 9, 30), "FY2568")


@pytest.mark.parametrize(
    ("code", "start", "end"),
    [
        ("2568-01", dt.date(2025, 1, 1), dt.date(2025, 1, 31)),
        ("2567-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),  # leap year
        ("2568-B1", dt.date(2025, 1, 1), dt.date(2025, 2, 28)),
        ("2568-B6", dt.date(2025, 11, 1), dt.date(2025, 12, 31)),
        ("2568-Q1", dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
        ("2568-Q4", dt.date(2025, 7, 1), dt.date(2025, 9, 30)),
        ("2568-H1", dt.date(2024, 10, 1), dt.date(2025, 3, 31)),
        ("2568-H2", dt.date(2025, 4, 1), dt.date(2025, 9, 30)),
        ("2568", dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ],
)
def test_parse_round_trips_codes(code, start, end):
    spec = parse_period(code)
    assert (spec.start, spec.end) == (start, end)
    assert spec.code == code


@pytest.mark.parametrize("code", ["", "2568-13", "2568-00", "2568-B7", "2568-Q5", "2568-H3", "FY25", "2025-01", "abc", "FY1999"])
def test_bad_codes_raise_a_clear_error(code):
    with pytest.raises(PeriodError):
        parse_period(code)


def test_lower_case_and_spaces_are_accepted():
    assert parse_period(" fy2568 ").code == "FY2568"


def test_period_containing_fiscal_quarter_at_edges():
    assert period_containing(PeriodType.QUARTERLY, dt.date(2024, 10, 1)).code == "2568-Q1"
    assert period_containing(PeriodType.QUARTERLY, dt.date(2024, 9, 30)).code == "2567-Q4"
    assert period_containing(PeriodType.HALF_YEAR, dt.date(2025, 3, 31)).code == "2568-H1"
    assert period_containing(PeriodType.HALF_YEAR, dt.date(2025, 4, 1)).code == "2568-H2"
    assert period_containing(PeriodType.BIMONTHLY, dt.date(2025, 12, 31)).code == "2568-B6"


def test_previous_and_next_cross_year_boundaries():
    assert parse_period("2568-01").previous().code == "2567-12"
    assert parse_period("2568-Q1").previous().code == "2567-Q4"
    assert parse_period("2568-Q4").next().code == "2569-Q1"
    assert parse_period("FY2568").previous().code == "FY2567"
    assert parse_period("2568-B1").previous().code == "2567-B6"
    assert parse_period("2568-03").same_season(2).code == "2566-03"


def test_periods_in_fiscal_year_cover_october_to_september():
    months = periods_in_fiscal_year(PeriodType.MONTHLY, 2568)
    assert [m.code for m in months[:3]] == ["2567-10", "2567-11", "2567-12"]
    assert months[-1].code == "2568-09"
    assert len(months) == 12
    assert [q.code for q in periods_in_fiscal_year(PeriodType.QUARTERLY, 2568)] == ["2568-Q1", "2568-Q2", "2568-Q3", "2568-Q4"]
    # bimonthly periods are calendar pairs: Nov–Dec 2024 starts inside FY2568, Sep–Oct 2024 does not
    assert next(b.code for b in periods_in_fiscal_year(PeriodType.BIMONTHLY, 2568)) == "2567-B6"
    assert [y.code for y in periods_in_fiscal_year(PeriodType.CALENDAR_YEAR, 2568)] == ["2568"]


def test_buddhist_era_formatting_in_thai_and_english():
    assert format_date_be(dt.date(2026, 11, 24), "th") == "24 พ.ย. 2569"
    assert format_date_be(dt.date(2026, 11, 24), "th", long=True) == "24 พฤศจิกายน 2569"
    assert format_date_be(dt.date(2026, 1, 2), "en") == "2 Jan 2569"
    assert format_date_be(None) == ""


def test_period_labels_follow_the_active_language():
    with translation.override("th"):
        assert parse_period("2568-01").label() == "ม.ค. 2568"
        assert parse_period("FY2568").label() == "ปีงบประมาณ 2568"
        assert parse_period("2568-Q2").label() == "ไตรมาส 2/2568"
    with translation.override("en"):
        assert parse_period("2568-B1").label() == "Jan–Feb 2568"
        assert parse_period("2568-H2").label() == "H2 FY2568"


def test_be_filter_tolerates_missing_dates():
    from poc.templatetags.thai import be

    assert be("") == "" and be(None) == ""
    assert be(dt.date(2025, 10, 1)).endswith("2568")
