"""One helper for cache versions: a counter per name that readers put in their cache keys and
writers bump when the data behind them change, so no cached page outlives its data.

    key = f"cockpit:{cache_versions.current('indicators')}:tiles:..."   # readers
    transaction.on_commit(lambda: cache_versions.bump("indicators"))   # writers

``stamp_key``/``forget`` serve versions that are not counters but looked up and remembered
(the map's per-measure Last-Modified): the writer forgets them and the next reader looks again.

Within a request (``poc.request_memo``) each counter is read once: a page that keys several caches on the same
versions makes one round trip for them (:func:`current_many` of every name it needs, first), and a bump in this
process replaces the remembered value, so the request sees its own writes. Another process's bump during the
request shows from the next request on, as if it had come a moment later.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.core.cache import cache

from poc import request_memo

PREFIX = "version"


def _key(name: str) -> str:
    return f"{PREFIX}:{name}"


def _fresh() -> int:
    # A counter that was evicted restarts from the clock, never from a number that old cache keys may hold.
    return time.time_ns() // 1000


def current(name: str) -> int:
    key = _key(name)
    return request_memo.remember(key, lambda: cache.get_or_set(key, _fresh, None))


def bump(name: str) -> None:
    try:
        value = cache.incr(_key(name))
    except ValueError:  # evicted or never read
        value = _fresh()
        cache.set(_key(name), value, None)
    memo = request_memo.active()
    if memo is not None:
        memo[_key(name)] = value


def current_many(names: Iterable[str]) -> dict[str, int]:
    """Several counters in one round trip (missing ones start from the clock, as :func:`current` does); within a
    request, only those not read yet."""
    names = list(names)
    memo = request_memo.active()
    known = memo if memo is not None else {}
    wanted = [_key(name) for name in dict.fromkeys(names) if _key(name) not in known]
    found = cache.get_many(wanted) if wanted else {}
    missing = {key: _fresh() for key in wanted if key not in found}
    if missing:
        cache.set_many(missing, None)
        found.update(missing)
    if memo is not None:
        memo.update(found)
    return {name: known[_key(name)] if _key(name) in known else found[_key(name)] for name in names}


def bump_many(names: Iterable[str]) -> None:
    for name in names:
        bump(name)


def stamp_key(name: str, pk: object) -> str:
    return f"{PREFIX}:{name}:{pk}"


def forget(name: str, pks: Iterable[object]) -> None:
    cache.delete_many([stamp_key(name, pk) for pk in pks])
