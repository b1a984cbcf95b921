"""What one request reads several times, read once: a memo that lives exactly as long as the request.

``RequestMemoMiddleware`` opens a scope around each request; inside it :func:`remember` computes a value once and
hands the same value to every later caller of that request (cache versions, the picker's units, the badge). Outside
a scope (Celery tasks, management commands, tests calling selectors directly) nothing is kept: every call computes.
Writers drop what they change with :func:`forget` (``poc.cache_versions.bump`` does for its counters), so a request
that writes and then reads sees its own write.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")
_MEMO: ContextVar[dict | None] = ContextVar("poc_request_memo", default=None)


@contextmanager
def scope() -> Iterator[dict]:
    """One request's memo (a nested scope starts empty and the outer one comes back after it)."""
    token = _MEMO.set({})
    try:
        yield _MEMO.get()
    finally:
        _MEMO.reset(token)


def active() -> dict | None:
    """The current request's memo, or None outside a request."""
    return _MEMO.get()


def remember(key: str, compute: Callable[[], T]) -> T:
    memo = _MEMO.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def forget(*keys: str) -> None:
    memo = _MEMO.get()
    if memo is not None:
        for key in keys:
            memo.pop(key, None)


class RequestMemoMiddleware:
    """Opens the memo of each request (first in the chain, so views, context processors and templates share it)."""

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request):
        with scope():
            return self.get_response(request)
