import pytest
from django.core.exceptions import ValidationError

from indicators.expressions import evaluate, expression_codes


def test_expression_evaluates_arithmetic_over_codes():
    assert evaluate("(A - B) / B * 100", {"A": 110, "B": 100}) == pytest.approx(10)
    assert evaluate("-A + 2", {"A": 1}) == 1
    assert expression_codes("(A - B) / C") == {"A", "B", "C"}


def test_division_by_zero_and_missing_input_give_no_value():
    assert evaluate("A / B", {"A": 1, "B": 0}) is None
    assert evaluate("A + B", {"A": 1, "B": None}) is None
    assert evaluate("A + B", {"A": 1}) is None


@pytest.mark.parametrize(
    "text",
    ["__import__('os').system('id')", "A.__class__", "A ** 2", "A if B else C", "[A]", "A // B", "'x'", "A; B", "lambda: 1", "", "A and B"],
)
def test_anything_but_plain_arithmetic_is_rejected(text):
    with pytest.raises(ValidationError):
        expression_codes(text) if text else evaluate(text, {})
