"""Safe arithmetic over data-element codes for validation rules (``POP_MALE + POP_FEMALE``, ``DENGUE.F <= POP.F``).

A tokenizer and a recursive-descent parser for numbers, codes, ``+ - * /``, unary signs and
parentheses — nothing else. Rule text is typed by administrators and stored in the database, so it
is never handed to ``eval``: anything outside this grammar is rejected with a message saying where.

    expression := term (("+" | "-") term)*
    term       := factor (("*" | "/") factor)*
    factor     := ("+" | "-") factor | NUMBER | CODE | "(" expression ")"
    CODE       := ELEMENT ["." OPTION]   (``POP`` the total, ``POP.F`` one option, ``POP.F_MUN`` one combination)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_LENGTH = 500
MAX_DEPTH = 40
_CODE = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9][A-Za-z0-9_]*)?"  # an option code never starts with "_" (no dunders)
_TOKEN = re.compile(rf"\s*(?:(?P<number>\d+(?:\.\d+)?)|(?P<code>{_CODE})|(?P<op>[-+*/()]))")


class ExpressionError(ValueError):
    """An expression that is malformed, unsafe or names unknown elements (message is translated)."""


@dataclass(frozen=True)
class Token:
    kind: str  # number | code | op | end
    text: str
    position: int


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_LENGTH:
        raise ExpressionError(_("The expression is longer than %(n)d characters.") % {"n": MAX_LENGTH})
    tokens, position = [], 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if not match:
            bad = stripped[position:].lstrip()[:1]
            column = len(stripped) - len(stripped[position:].lstrip()) + 1
            raise ExpressionError(
                _("Character “%(c)s” at position %(p)d is not allowed: use element codes, numbers, + - * / and parentheses.")
                % {"c": bad, "p": column}
            )
        kind = match.lastgroup or "op"
        tokens.append(Token(kind, match.group(kind), match.start(kind) + 1))
        position = match.end()
    tokens.append(Token("end", "", len(stripped) + 1))
    return tokens


@dataclass(frozen=True)
class Node:
    """``op`` is "num", "code", "neg" or one of + - * /; ``args`` are child nodes (or the number/code)."""

    op: str
    args: tuple


@dataclass
class Expression:
    text: str
    root: Node
    codes: frozenset[str] = field(default_factory=frozenset)

    def evaluate(self, values: Mapping[str, float | None]) -> float | None:
        """The value, or None when an element has no value or a division by zero occurs."""
        return _evaluate(self.root, values)

    def explain(self, values: Mapping[str, float | None], labels: Mapping[str, str] | None = None) -> str:
        """``POP_MALE + POP.F`` → ``POP_MALE (120) + POP.F [หญิง] (130)``: codes, option names and values for messages."""
        labels = labels or {}

        def shown(match: re.Match) -> str:
            code = match.group(0)
            label = f" [{labels[code]}]" if code in labels else ""
            return f"{code}{label} ({_fmt(values.get(code))})"

        return _TOKEN_CODE.sub(shown, self.text.strip())


_CALL = re.compile(rf"({_CODE})\s*\(")
_TOKEN_CODE = re.compile(_CODE)


def _fmt(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.4g}"


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.index = 0
        self.depth = 0
        self.codes: set[str] = set()

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def expression(self) -> Node:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(_("The expression is nested too deeply."))
        node = self.term()
        while self.current.kind == "op" and self.current.text in "+-":
            op = self.advance().text
            node = Node(op, (node, self.term()))
        self.depth -= 1
        return node

    def term(self) -> Node:
        node = self.factor()
        while self.current.kind == "op" and self.current.text in "*/":
            op = self.advance().text
            node = Node(op, (node, self.factor()))
        return node

    def factor(self) -> Node:
        token = self.advance()
        if token.kind == "op" and token.text in "+-":
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise ExpressionError(_("The expression is nested too deeply."))
            inner = self.factor()
            self.depth -= 1
            return Node("neg", (inner,)) if token.text == "-" else inner
        if token.kind == "number":
            return Node("num", (float(token.text),))
        if token.kind == "code":
            if self.current.kind == "op" and self.current.text == "(":
                raise ExpressionError(
                    _("“%(name)s(” at position %(p)d: function calls are not allowed.") % {"name": token.text, "p": token.position}
                )
            self.codes.add(token.text)
            return Node("code", (token.text,))
        if token.kind == "op" and token.text == "(":
            node = self.expression()
            closing = self.advance()
            if closing.text != ")":
                raise ExpressionError(_("Missing “)” at position %(p)d.") % {"p": closing.position})
            return node
        if token.kind == "end":
            raise ExpressionError(_("The expression ends too early: a number or element code is missing at the end."))
        raise ExpressionError(_("Unexpected “%(t)s” at position %(p)d.") % {"t": token.text, "p": token.position})


def parse_expression(text: str, known_codes: Iterable[str] | None = None) -> Expression:
    """Parse ``text``; with ``known_codes`` also reject codes that are not among them."""
    if not (text or "").strip():
        raise ExpressionError(_("The expression is empty."))
    call = _CALL.search(text)
    if call:  # said first: clearer than the quote or dot that usually follows
        raise ExpressionError(
            _("“%(name)s(” at position %(p)d: function calls are not allowed.") % {"name": call.group(1), "p": call.start() + 1}
        )
    parser = _Parser(tokenize(text))
    root = parser.expression()
    if parser.current.kind != "end":
        token = parser.current
        raise ExpressionError(_("Unexpected “%(t)s” at position %(p)d.") % {"t": token.text, "p": token.position})
    if known_codes is not None:
        known = set(known_codes)
        unknown = sorted(parser.codes - known)
        elements = sorted(c for c in unknown if c.split(".")[0] not in known)
        if elements:
            raise ExpressionError(_("Unknown data element code(s): %(codes)s.") % {"codes": ", ".join(elements)})
        if unknown:  # the element exists: the part after the dot is not one of its options
            message = _(
                "Unknown category option(s): %(codes)s. Write CODE.OPTION (e.g. POP.F) or CODE.OPTION_COMBINATION (e.g. POP.F_MUN) "
                "with an option of a broken-down element."
            )
            raise ExpressionError(message % {"codes": ", ".join(unknown)})
    return Expression(text=text, root=root, codes=frozenset(parser.codes))


def _evaluate(node: Node, values: Mapping[str, float | None]) -> float | None:
    if node.op == "num":
        return node.args[0]
    if node.op == "code":
        return values.get(node.args[0])
    if node.op == "neg":
        inner = _evaluate(node.args[0], values)
        return None if inner is None else -inner
    left, right = _evaluate(node.args[0], values), _evaluate(node.args[1], values)
    if left is None or right is None:
        return None
    if node.op == "+":
        return left + right
    if node.op == "-":
        return left - right
    if node.op == "*":
        return left * right
    return None if right == 0 else left / right
