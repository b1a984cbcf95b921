import pytest
from django.core.exceptions import ValidationError

from verification.expressions import ExpressionError, parse_expression
from verification.models import ValidationRule

CODES = {"POP_MALE", "POP_FEMALE", "POP_TOTAL"}


def test_arithmetic_follows_precedence_and_parentheses():
    expression = parse_expression("POP_MALE + POP_FEMALE * 2 - (POP_TOTAL - 10) / 5", CODES)
    assert expression.codes == CODES
    assert expression.evaluate({"POP_MALE": 100, "POP_FEMALE": 50, "POP_TOTAL": 60}) == 100 + 100 - 10
    assert parse_expression("-POP_MALE + +3").evaluate({"POP_MALE": 4}) == -1


def test_missing_value_or_division_by_zero_gives_no_result():
    expression = parse_expression("POP_MALE / POP_FEMALE")
    assert expression.evaluate({"POP_MALE": 1, "POP_FEMALE": None}) is None
    assert expression.evaluate({"POP_MALE": 1, "POP_FEMALE": 0}) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os')", "function calls are not allowed"),
        ("__import__('os').system('rm -rf /')", "function calls are not allowed"),
        ("POP_MALE.__class__", "Character “.” at position 9 is not allowed"),
        ("open('/etc/passwd')", "function calls are not allowed"),
        ("POP_MALE +", "ends too early"),
        ("POP_MALE ** 2", "Unexpected “*” at position 11"),
        ("(POP_MALE + 1", "Missing “)”"),
        ("POP_MALE POP_FEMALE", "Unexpected “POP_FEMALE”"),
        ("", "empty"),
        ("POP_MALE; import os", "Character “;”"),
        ("lambda: 1", "Character “:”"),
        ("(" * 60 + "1" + ")" * 60, "nested too deeply"),
        ("-" * 60 + "1", "nested too deeply"),
        ("1+" * 300 + "1", "longer than 500"),
    ],
)
def test_malformed_or_malicious_expressions_are_rejected_with_a_clear_message(text, message, en):
    with pytest.raises(ExpressionError) as error:
        parse_expression(text, CODES)
    assert message in str(error.value)


def test_unknown_codes_are_named(en):
    with pytest.raises(ExpressionError, match="Unknown data element code\\(s\\): POP_CHILD, X"):
        parse_expression("POP_CHILD + X + POP_MALE", CODES)


def test_rule_clean_reports_each_bad_side(population, en):
    rule = ValidationRule(dataset=population, name="bad", left="POP_MALE +", operator="==", right="NOPE")
    with pytest.raises(ValidationError) as error:
        rule.full_clean()
    assert "ends too early" in error.value.message_dict["left"][0]
    assert "NOPE" in error.value.message_dict["right"][0]


def test_explanation_names_elements_and_values():
    expression = parse_expression("POP_MALE + POP_FEMALE")
    assert expression.explain({"POP_MALE": 1200, "POP_FEMALE": None}) == "POP_MALE (1,200) + POP_FEMALE (–)"
