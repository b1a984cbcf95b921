"""Periods typed in Thai or English words, the picker's list of recent periods, and Buddhist-era dates."""

import datetime as dt

import pytest

from poc.periods import (
    PeriodError,
    PeriodType,
    format_date_input,
    parse_date_be,
    parse_period,
    periods_in_fiscal_year,
    recent_periods,
)

TODAY = dt.date(2026, 11, 28)  # 28 พ.ย. 2569


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("ต.ค. 2569", "2569-10"),
        ("ตุลาคม 2569", "2569-10"),
        ("เดือนตุลาคม 2569", "2569-10"),
        ("10/2569", "2569-10"),
        ("ต.ค.69", "2569-10"),
        ("Oct 2569", "2569-10"),
        ("ม.ค.–ก.พ. 2569", "2569-B1"),
        ("ไตรมาส 1/2569", "2569-Q1"),
        ("ไตรมาสที่ 2 ปีงบประมาณ 2569", "2569-Q2"),
        ("Q1 FY2569", "2569-Q1"),
        ("ครึ่งปีหลัง ปีงบประมาณ 2569", "2569-H2"),
        ("ปีงบประมาณ 2569", "FY2569"),
        ("ปีงบ 69", "FY2569"),
        ("พ.ศ. 2569", "2569"),
        ("2569-q1", "2569-Q1"),
    ],
)
def test_period_in_words_reads_as_its_code(typed, code):
    assert parse_period(typed).code == code


@pytest.mark.parametrize("kind", list(PeriodType))
@pytest.mark.parametrize("language", ["th", "en"])
def test_every_printed_label_reads_back_as_the_same_period(kind, language):
    for period in periods_in_fiscal_year(kind, 2569):
        assert parse_period(period.label(language)) == period


@pytest.mark.parametrize("typed", ["ต.ค.–พ.ย. 2569", "13/2569", "เดือนหน้า 2569", "ไตรมาส 5/2569", "10/2026"])
def test_nonsense_periods_are_refused(typed):
    with pytest.raises(PeriodError):
        parse_period(typed)


def test_recent_periods_start_with_the_current_one_newest_first():
    assert [p.code for p in recent_periods("M", TODAY, 3)] == ["2569-11", "2569-10", "2569-09"]
    assert [p.code for p in recent_periods("Q", TODAY, 3)] == ["2570-Q1", "2569-Q4", "2569-Q3"]
    assert [p.code for p in recent_periods("FY", TODAY)] == ["FY2570", "FY2569", "FY2568", "FY2567"]
    assert len(recent_periods("M", TODAY)) == 24


@pytest.mark.parametrize("typed", ["28/11/2569", "28.11.2569", "28 พ.ย. 2569", "28 พฤศจิกายน 2569", "2569-11-28"])
def test_buddhist_era_dates_are_read(typed):
    assert parse_date_be(typed, TODAY) == dt.date(2026, 11, 28)


def test_a_christian_era_year_is_refused_with_the_buddhist_era_suggested():
    with pytest.raises(PeriodError, match="2569"):
        parse_date_be("28/11/2026", TODAY)


def test_a_year_more_than_ten_years_ahead_is_refused():
    assert parse_date_be("1/1/2579", TODAY) == dt.date(2036, 1, 1)
    with pytest.raises(PeriodError, match="2580"):
        parse_date_be("1/1/2580", TODAY)


@pytest.mark.parametrize("typed", ["31/02/2569", "28/11", "", "tomorrow"])
def test_impossible_dates_are_refused(typed):
    with pytest.raises(PeriodError):
        parse_date_be(typed, TODAY)


def test_date_inputs_show_the_buddhist_era():
    assert format_date_input(dt.date(2026, 11, 28)) == "28/11/2569"


def test_iso_dates_as_machines_send_them_are_christian_era():
    assert parse_date_be("2026-11-28", TODAY) == dt.date(2026, 11, 28)


def test_a_long_pasted_text_is_refused_at_once():
    for text in ("ต" * 100_000 + " 2569", "1 " + "ก" * 100_000 + " 2569"):
        with pytest.raises(PeriodError):
            parse_period(text)
        with pytest.raises(PeriodError):
            parse_date_be(text, TODAY)
