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
