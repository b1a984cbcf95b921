"""The shared registry and cache-version helpers (issue 13, point 4)."""

from django.core.cache import cache

from poc import cache_versions
from poc.registry import Registry


def test_registering_twice_keeps_one_entry_in_registration_order():
    registry = Registry("test", key=lambda item: item[0])
    registry.register(("b", 1))
    registry.register(("a", 2))
    registry.register(("b", 3))  # ready() ran again: ignored
    assert list(registry) == [("b", 1), ("a", 2)] and len(registry) == 2 and ("a", 2) in registry


def test_a_version_never_returns_to_a_value_used_before_even_after_eviction():
    seen = [cache_versions.current("test")]
    cache_versions.bump("test")
    seen.append(cache_versions.current("test"))
    assert seen[1] == seen[0] + 1
    cache.delete("version:test")  # evicted: the next bump or read must not reuse an old number
    cache_versions.bump("test")
    assert cache_versions.current("test") not in seen
    cache.delete("version:test")
    assert cache_versions.current("test") not in seen


def test_forgotten_stamps_are_looked_up_again():
    cache.set(cache_versions.stamp_key("map-element", 7), "2025-01-01T00:00:00")
    cache_versions.forget("map-element", [7])
    assert cache.get(cache_versions.stamp_key("map-element", 7)) is None


def test_within_a_request_a_version_is_read_once_and_its_own_bump_is_seen(cache_calls):
    from poc import request_memo

    first = cache_versions.current("test")
    with request_memo.scope():
        assert cache_versions.current("test") == first
        cache.incr("version:test")  # another process's bump during the request: shown from the next request on
        assert cache_versions.current_many(["test", "other"])["test"] == first
        cache_versions.bump("test")  # this request's own write: seen at once
        bumped = cache_versions.current("test")
        assert bumped == first + 2 and cache_versions.current_many(["test"]) == {"test": bumped}
        cache_calls.clear()
        assert cache_versions.current_many(["other", "test"])["test"] == bumped and cache_versions.current("other")
        assert cache_calls == []  # both remembered
    assert cache_versions.current("test") == bumped
    cache.incr("version:test")
    assert cache_versions.current("test") == bumped + 1  # outside a request nothing is remembered


def test_the_redis_cache_reuses_one_client_for_every_operation(settings):
    import pytest

    if not settings.REDIS_URL:
        pytest.skip("the in-memory cache has no client")
    backend = cache._cache
    assert backend.get_client("a") is backend.get_client("b", write=True)  # not one per get or set, as Django builds
    cache.set_many({"plumbing:a": 1, "plumbing:b": [2]}, 60)
    assert cache.get_many(["plumbing:a", "plumbing:b", "plumbing:c"]) == {"plumbing:a": 1, "plumbing:b": [2]}
