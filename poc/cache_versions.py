"""One helper for cache versions: a counter per name that readers put in their cache keys and
writers bump when the data behind them change, so no cached page outlives its data.

    key = f"cockpit:{cache_versions.current('indicators')}:tiles:..."   # readers
    transaction.on_commit(lambda: cache_versions.bump("indicators"))   # writers

``stamp_key``/``forget`` serve versions that are not counters but looked up and remembered
(the map's per-measure Last-Modified): the writer forgets them and the next reader looks again.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from django.core.cache import cache

PREFIX = "version"


def _key(name: str) -> str:
    return f"{PREFIX}:{name}"


def _fresh() -> int:
    # A counter that was evicted restarts from the clock, never from a number that old cache keys may hold.
    return time.time_ns() // 1000


def current(name: str) -> int:
    return cache.get_or_set(_key(name), _fresh, None)


def bump(name: str) -> None:
    try:
        cache.incr(_key(name))
    except ValueError:  # evicted or never read
        cache.set(_key(name), _fresh(), None)


def current_many(names: Iterable[str]) -> dict[str, int]:
    """Several counters in one round trip (missing ones start from the clock, as :func:`current` does)."""
    names = list(names)
    found = cache.get_many([_key(name) for name in names])
    missing = {_key(name): _fresh() for name in names if _key(name) not in found}
    if missing:
        cache.set_many(missing, None)
        found.update(missing)
    return {name: found[_key(name)] for name in names}


def bump_many(names: Iterable[str]) -> None:
    for name in names:
        bump(name)


def stamp_key(name: str, pk: object) -> str:
    return f"{PREFIX}:{name}:{pk}"


def forget(name: str, pks: Iterable[object]) -> None:
    cache.delete_many([stamp_key(name, pk) for pk in pks])
