import pytest

from api.dhis2_periods import from_dhis2, to_adx, to_dhis2
from poc.periods import PeriodError, parse_period


@pytest.mark.parametrize(
    ("dhis2", "ours", "adx"),
    [
        ("202501", "2568-01", "2025-01-01/P1M"),
        ("202412", "2567-12", "2024-12-01/P1M"),
        ("202501B", "2568-B1", "2025-01-01/P2M"),
        ("2025Q1", "2568-Q2", "2025-01-01/P3M"),  # calendar Jan–Mar is our fiscal Q2
        ("2024Q4", "2568-Q1", "2024-10-01/P3M"),
        ("2024AprilS2", "2568-H1", "2024-10-01/P6M"),
        ("2025AprilS1", "2568-H2", "2025-04-01/P6M"),
        ("2024Oct", "FY2568", "2024-10-01/P1Y"),
        ("2025", "2568", "2025-01-01/P1Y"),
        ("2025W5", "2568-W05", "2025-01-27/P7D"),
        ("2026W1", "2569-W01", "2025-12-29/P7D"),  # ISO week-year 2026 starts on Monday 29 December 2025
        ("20250115", "2568-01-15", "2025-01-15/P1D"),
    ],
)
def test_periods_convert_both_ways(dhis2, ours, adx):
    assert from_dhis2(dhis2).code == ours
    assert from_dhis2(adx).code == ours
    assert to_dhis2(parse_period(ours)) == dhis2
    assert to_adx(parse_period(ours)) == adx


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025WedW05", "only ISO weeks"),
        ("2025W54", "has no such week"),
        ("20250230", "no such date"),
        ("2025-01-07/P7D", "weeks start on a Monday"),
        ("2025-01-06/P2D", "weeks start on a Monday"),
        ("2025S1", "has no equivalent"),  # calendar Jan–Jun: our halves are fiscal
        ("2024July", "has no equivalent"),
        ("2025-02-01/P3M", "has no equivalent"),
        ("256801", "Gregorian years"),
        ("2025Q5", "is not a DHIS2 period"),
        ("2025-02-30/P1M", "no such date"),
    ],
)
def test_periods_without_an_equivalent_are_refused_clearly(text, message, en):
    with pytest.raises(PeriodError, match=message):
        from_dhis2(text)


def test_dhis2_w05_with_leading_zero_and_adx_p1w_read_as_the_same_week():
    assert from_dhis2("2025W05").code == "2568-W05"
    assert from_dhis2("2025-01-27/P1W").code == "2568-W05"
