"""Safe arithmetic over data-element codes: ``(INFANT_DEATHS) / LIVE_BIRTHS``.

Expressions are parsed with :mod:`ast` and only numbers, names, ``+ - * /``, unary minus and
parentheses are accepted — never ``eval``. A division by zero or a missing input gives ``None``
(no value) rather than a misleading zero.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_BINARY = {ast.Add, ast.Sub, ast.Mult, ast.Div}
_UNARY = {ast.USub, ast.UAdd}
MAX_LENGTH = 500


def parse_expression(text: str) -> ast.Expression:
    """Parse and whitelist ``text``; raises ValidationError with a message a person can act on."""
    text = (text or "").strip()
    if not text:
        raise ValidationError(_("The expression is empty."), code="empty")
    if len(text) > MAX_LENGTH:
        raise ValidationError(_("The expression is longer than %(n)d characters.") % {"n": MAX_LENGTH}, code="too_long")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError:
        raise ValidationError(_("“%(e)s” is not a valid expression.") % {"e": text}, code="syntax") from None
    for node in ast.walk(tree):
        allowed = (
            isinstance(node, (ast.Expression, ast.Load))
            or (isinstance(node, ast.BinOp) and type(node.op) in _BINARY)
            or (isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY)
            or isinstance(node, ast.Name)
            or (isinstance(node, ast.Constant) and type(node.value) in (int, float))
            or type(node) in _BINARY | _UNARY
        )
        if not allowed:
            raise ValidationError(
                _("“%(e)s”: only numbers, data-element codes, + - * / and parentheses are allowed.") % {"e": text}, code="forbidden"
            )
    return tree


def expression_codes(text: str) -> set[str]:
    """Data-element codes used by an expression (empty for a blank one)."""
    if not (text or "").strip():
        return set()
    return {node.id for node in ast.walk(parse_expression(text)) if isinstance(node, ast.Name)}


def evaluate(text: str, values: Mapping[str, float | None]) -> float | None:
    """Value of the expression with ``values`` for the codes; None when an input is missing or /0."""
    return _eval(parse_expression(text).body, values)


def _eval(node: ast.AST, values: Mapping[str, float | None]) -> float | None:
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return values.get(node.id)
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, values)
        return None if operand is None else (-operand if isinstance(node.op, ast.USub) else operand)
    left, right = _eval(node.left, values), _eval(node.right, values)  # type: ignore[attr-defined]
    if left is None or right is None:
        return None
    op = node.op  # type: ignore[attr-defined]
    if isinstance(op, ast.Add):
        return left + right
    if isinstance(op, ast.Sub):
        return left - right
    if isinstance(op, ast.Mult):
        return left * right
    return None if right == 0 else left / right
