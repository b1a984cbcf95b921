"""Weeks and days in the machinery built for months: pickers, outlier history, series and file headers."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from datasets.layout import period_from_label
from gis.selectors import series_periods
from poc.fields import PeriodField, PeriodPicker, period_options
from poc.periods import PeriodType, parse_period
from verification.outliers import expected_range, history_window


def test_a_week_is_compared_with_the_same_week_of_earlier_years_not_the_weeks_before():
    current = parse_period("2569-W05")
    seasonal = {parse_period(f"{year}-W05"): n for year, n in zip(range(2564, 2569), [10, 12, 14, 16, 18], strict=True)}
    recent = {parse_period("2569-W04"): 100, parse_period("2569-W03"): 120}  # a flood of cases just before: not the season
    periods, is_seasonal = history_window(current, {**seasonal, **recent})
    assert is_seasonal and [p.code for p in periods] == ["2564-W05", "2565-W05", "2566-W05", "2567-W05", "2568-W05"]
    with translation.override("th"):
        low, high, text = expected_range(current, {**seasonal, **recent})
    # median 14, MAD 2: 14 ± 3.5 × 2 / 0.6745
    assert round(low, 2) == round(14 - 3.5 * 2 / 0.6745, 2) and round(high, 2) == round(14 + 3.5 * 2 / 0.6745, 2)
    assert "สัปดาห์ที่ 5/2564 – สัปดาห์ที่ 5/2568" in text


def test_series_by_week_ends_with_the_week_holding_the_period_end():
    weeks = series_periods(parse_period("2569-02"), PeriodType.WEEKLY)
    assert len(weeks) == 12 and weeks[-1].code == "2569-W09" and weeks[0].code == "2568-W50"
    days = series_periods(parse_period("2569-W05"), PeriodType.DAILY, count=7)
    assert [d.code for d in days] == [f"2569-01-{n}" for n in range(26, 32)] + ["2569-02-01"]


def test_dates_heading_file_columns_name_the_day_week_or_month_holding_them():
    assert period_from_label(dt.date(2026, 1, 29), PeriodType.DAILY) == "2569-01-29"
    assert period_from_label(dt.datetime(2026, 1, 29), PeriodType.WEEKLY) == "2569-W05"
    assert period_from_label("29/1/2569", PeriodType.WEEKLY) == "2569-W05"
    assert period_from_label("สัปดาห์ที่ 5/2569", PeriodType.WEEKLY) == "2569-W05"
    assert period_from_label("2568-01-01", PeriodType.MONTHLY) == "2568-01"  # a BE first-of-month header, as before
    assert period_from_label(dt.date(2025, 1, 1), PeriodType.MONTHLY) == "2568-01"


def test_weekly_picker_lists_weeks_in_thai_and_accepts_typed_weeks_only():
    field = PeriodField(period_types=(PeriodType.WEEKLY,))
    assert field.clean("สัปดาห์ที่ 5/2569").code == "2569-W05" and field.clean("2569-W05").code == "2569-W05"
    refused = r"not a period of the kind asked for here \(Weekly \(ISO week\)\)"
    with translation.override("en"), pytest.raises(ValidationError, match=refused):
        field.clean("ม.ค. 2569")
    picker = PeriodPicker()
    picker.options = {PeriodType.WEEKLY: period_options(PeriodType.WEEKLY, dt.date(2026, 11, 28))}
    with translation.override("th"):
        html = picker.render("period", None, {"id": "p"})
    assert '<option value="สัปดาห์ที่ 48/2569">2569-W48</option>' in html and html.count("<option") == 53
