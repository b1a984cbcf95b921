"""Weeks in the machinery built for months: outlier history (same week of earlier years) and series by week."""

from django.utils import translation

from gis.selectors import series_periods
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
