"""Django's Redis cache, with one redis client per connection pool instead of one per cache operation.

Django builds a new ``redis.Redis`` for every get or set (copying its ~170 response callbacks each time); a page with
ten cache round trips spent more on that than on the round trips. The client is thread-safe (each command takes a
connection from the pool, which redis-py renews after a fork), so one per pool serves every thread of the process.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient
