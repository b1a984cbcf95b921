"""Seasonal robust outliers versus DHIS2-style mean ± 2 SD on series with a strong season."""

import statistics

from poc.periods import parse_period
from verification.outliers import assess, modified_z, robust_bounds

# Monthly rainfall in mm (Rayong-like): dry Dec–Feb, wet May–Oct; four years of history 2564–2567.
RAINFALL = {
    2564: [18, 30, 62, 95, 210, 240, 225, 260, 335, 255, 70, 12],
    2565: [22, 26, 58, 88, 195, 230, 215, 250, 320, 240, 62, 15],
    2566: [15, 33, 66, 99, 220, 235, 230, 270, 350, 262, 58, 9],
    2567: [20, 28, 60, 92, 205, 228, 222, 255, 330, 248, 66, 11],
}
# Dengue cases per month: an epidemic season peaking in June–August.
DENGUE = {
    2564: [12, 10, 14, 30, 85, 160, 190, 170, 90, 40, 20, 14],
    2565: [10, 9, 12, 26, 78, 150, 180, 175, 85, 38, 18, 12],
    2566: [14, 12, 15, 33, 92, 170, 205, 180, 95, 45, 22, 15],
    2567: [11, 10, 13, 28, 80, 155, 185, 168, 88, 41, 19, 13],
}


def history_of(series):
    return {parse_period(f"{year}-{month:02d}"): value for year, values in series.items() for month, value in enumerate(values, start=1)}


def mean_2sd_flags(value, series):
    values = [v for vs in series.values() for v in vs]
    mean, sd = statistics.mean(values), statistics.stdev(values)
    return abs(value - mean) > 2 * sd


def test_robust_bounds_match_the_modified_z_score_definition():
    history = [10, 12, 11, 13, 12]
    low, high = robust_bounds(history)
    assert abs(modified_z(high, history)) == 3.5
    assert (low, high) == (12 - 3.5 * 1 / 0.6745, 12 + 3.5 * 1 / 0.6745)
    assert robust_bounds([5, 5, 5, 5]) is None  # no spread: nothing to judge against


def test_wet_september_is_not_flagged_seasonally_although_mean_2sd_flags_it():
    history = history_of(RAINFALL)
    september = parse_period("2568-09")
    assert mean_2sd_flags(370, RAINFALL)
    assert assess(370, september, history) is None


def test_dengue_peak_is_normal_in_july_but_the_same_count_in_january_is_caught():
    history = history_of(DENGUE)
    assert mean_2sd_flags(210, DENGUE)
    assert assess(210, parse_period("2568-07"), history) is None
    assert not mean_2sd_flags(120, DENGUE)  # mean ± 2 SD misses a real January outbreak
    flag = assess(120, parse_period("2568-01"), history)
    assert flag is not None and flag.kind == "history"


def test_rainfall_outlier_in_dry_january_is_caught_with_an_explained_range(en):
    flag = assess(150, parse_period("2568-01"), history_of(RAINFALL))
    assert flag is not None
    # January 2564–2567 = 18, 22, 15, 20: median 19, MAD 2 → 19 ± 10.4
    assert round(flag.low, 1) == 8.6 and round(flag.high, 1) == 29.4
    assert flag.explanation == "expected 8.6–29.4, from Jan 2564–2567"


def test_thai_explanation():
    flag = assess(150, parse_period("2568-01"), history_of(RAINFALL))
    assert flag.explanation == "คาดว่า 8.6–29.4 จาก ม.ค. 2564–2567"


def test_short_history_falls_back_to_all_previous_periods_then_to_nothing():
    two_years = {p: v for p, v in history_of(RAINFALL).items() if p.start.year >= 2566 - 543}
    flag = assess(5000, parse_period("2568-01"), two_years)
    assert flag is not None and flag.explanation.endswith("จาก ม.ค. 2566 – ธ.ค. 2567")
    assert assess(5000, parse_period("2568-01"), {parse_period("2567-12"): 10, parse_period("2567-11"): 12}) is None


def test_element_range_is_checked_first(en):
    flag = assess(120, parse_period("2568-01"), {}, min_value=0, max_value=100)
    assert flag.kind == "range" and flag.explanation == "outside the allowed range 0–100"
