"""Validation rules evaluated over cell values: the result of each rule for one org unit and period."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from datasets.models import Dataset, format_number
from poc.models import OrgUnit, Period
from verification.cells import term_labels, unit_values_by_code
from verification.expressions import ExpressionError, parse_expression
from verification.models import Operator, RuleSeverity, ValidationRule

COMPARE = {
    Operator.EQ: lambda a, b: abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b)),
    Operator.NE: lambda a, b: abs(a - b) > 1e-9 * max(1.0, abs(a), abs(b)),
    Operator.LT: lambda a, b: a < b,
    Operator.LE: lambda a, b: a <= b,
    Operator.GT: lambda a, b: a > b,
    Operator.GE: lambda a, b: a >= b,
}


@dataclass
class RuleResult:
    rule: ValidationRule
    left: float | None
    right: float | None
    passed: bool | None  # None: not evaluated because a value is missing
    detail: str

    @property
    def is_error(self) -> bool:
        return self.passed is False and self.rule.severity == RuleSeverity.ERROR

    @property
    def is_warning(self) -> bool:
        return self.passed is False and self.rule.severity == RuleSeverity.WARNING


def evaluate_rule(rule: ValidationRule, values: dict[str, float | None], labels: dict[str, str] | None = None) -> RuleResult:
    """Evaluate ``rule`` over element values by code; the detail names every element (and option, from ``labels``:
    :func:`verification.cells.term_labels`) and its value."""
    try:
        left, right = parse_expression(rule.left), parse_expression(rule.right)
    except ExpressionError as exc:
        return RuleResult(rule, None, None, None, str(exc))
    left_value, right_value = left.evaluate(values), right.evaluate(values)
    shown = f"{left.explain(values, labels)} = {_num(left_value)} {rule.operator} {right.explain(values, labels)} = {_num(right_value)}"
    if left_value is None or right_value is None:
        missing = sorted(c for c in left.codes | right.codes if values.get(c) is None)
        text = _("not checked: no value for %(codes)s") % {"codes": ", ".join(missing)} if missing else _("not checked: division by zero")
        return RuleResult(rule, left_value, right_value, None, text)
    passed = COMPARE[Operator(rule.operator)](left_value, right_value)
    detail = shown if passed else f"{rule.message}: {shown}"
    return RuleResult(rule, left_value, right_value, passed, detail)


def _num(value: float | None) -> str:
    return "–" if value is None else format_number(round(value, 6))


def rules_evaluate(dataset: Dataset, orgunit: OrgUnit, period: Period) -> list[RuleResult]:
    """Every active rule of ``dataset`` for one org unit (its own values, or its subtree's aggregates)."""
    values = unit_values_by_code(dataset, [orgunit], period)[orgunit.pk]
    labels = term_labels(dataset)
    return [evaluate_rule(rule, values, labels) for rule in dataset.validation_rules.filter(is_active=True)]
