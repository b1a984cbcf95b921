"""Safe arithmetic over data-element codes: ``(INFANT_DEATHS) / LIVE_BIRTHS``.

A term is an element's total (``POP``) or, for an element broken down by categories, a part of it:
``POP.F`` (every option combination holding option F, summed) or ``POP.F_MUN`` (that one combination).
Expressions are parsed with :mod:`ast` and only numbers, such references, ``+ - * /``, unary minus and
parentheses are accepted — never ``eval``. A division by zero or a missing input gives ``None``
(no value) rather than a misleading zero.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

_BINARY = {ast.Add, ast.Sub, ast.Mult, ast.Div}
_UNARY = {ast.USub, ast.UAdd}
MAX_LENGTH = 500
# An option or option-combination code after the element's: never private (``A.__class__``).
_OPTION = re.compile(r"[A-Za-z0-9][A-Za-z0-9_]*")
SEPARATOR = "."


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
            or (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and _OPTION.fullmatch(node.attr))
            or (isinstance(node, ast.Constant) and type(node.value) in (int, float))
            or type(node) in _BINARY | _UNARY
        )
        if not allowed:
            message = _("“%(e)s”: only numbers, data-element codes (CODE, CODE.OPTION), + - * / and parentheses are allowed.")
            raise ValidationError(message % {"e": text}, code="forbidden")
    return tree


def _references(node: ast.AST) -> Iterator[str]:
    if isinstance(node, ast.Attribute):
        yield f"{node.value.id}{SEPARATOR}{node.attr}"  # type: ignore[attr-defined]
    elif isinstance(node, ast.Name):
        yield node.id
    else:
        for child in ast.iter_child_nodes(node):
            yield from _references(child)


def expression_references(text: str) -> set[str]:
    """Terms of an expression as written: ``POP``, ``POP.F``, ``POP.F_MUN`` (empty for a blank one)."""
    if not (text or "").strip():
        return set()
    return set(_references(parse_expression(text)))


def split_reference(reference: str) -> tuple[str, str]:
    """(element code, option code) of a term; the option code is empty for an element's total."""
    code, _sep, option = reference.partition(SEPARATOR)
    return code, option


def expression_codes(text: str) -> set[str]:
    """Data-element codes used by an expression (``POP.F`` uses ``POP``; empty for a blank one)."""
    return {split_reference(reference)[0] for reference in expression_references(text)}


def evaluate(text: str, values: Mapping[str, float | None]) -> float | None:
    """Value of the expression with ``values`` for the codes; None when an input is missing or /0."""
    return _eval(parse_expression(text).body, values)


def _eval(node: ast.AST, values: Mapping[str, float | None]) -> float | None:
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.Name):
        return values.get(node.id)
    if isinstance(node, ast.Attribute):
        return values.get(f"{node.value.id}{SEPARATOR}{node.attr}")  # type: ignore[attr-defined]
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
