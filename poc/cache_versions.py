"""One helper for cache versions: a counter per name that readers put in their cache keys and
writers bump when the data behind them change, so no cached page outlives its data.

    key = f"cockpit:{cache_versions.current('indicators')}:tiles:..."   # readers
    transaction.on_commit(lambda: cache_versions.bump("indicators"))   # writers

``stamp_key``/``forget`` serve versions that are not counters but looked up and remembered
(the map's per-measure Last-Modified): the writer forgets them and the next reader looks again.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache

PREFIX = "version"


def _key(name: str) -> str:
    return f"{PREFIX}:{name}"


def current(name: str) -> int:
    return cache.get_or_set(_key(name), 1, None)


def bump(name: str) -> None:
    try:
        cache.incr(_key(name))
    except ValueError:  # evicted or never read: any value above the initial 1 makes old keys unreachable
        cache.set(_key(name), 2, None)


def stamp_key(name: str, pk: object) -> str:
    return f"{PREFIX}:{name}:{pk}"


def forget(name: str, pks: Iterable[object]) -> None:
    cache.delete_many([stamp_key(name, pk) for pk in pks])
