"""Login lockout shared by every login form (portal and admin) and every worker process.

Failures are counted twice, per username and per client address, in the ``lockout`` cache: Redis
when ``REDIS_URL`` is set, otherwise the database cache table (a per-process memory cache would let
each gunicorn worker grant its own allowance). A username is locked after
``POC_LOGIN_MAX_FAILURES`` failures whatever address they come from; an address after
``POC_LOGIN_MAX_FAILURES_PER_ADDRESS`` failures whatever usernames it tries. Both for
``POC_LOGIN_LOCKOUT_SECONDS`` after the first failure counted.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest


def _store():
    return caches["lockout"]


def client_address(request: HttpRequest | None) -> str:
    """The client's address: ``REMOTE_ADDR``, or the header a trusted reverse proxy sets (``POC_CLIENT_IP_HEADER``)."""
    if request is None:
        return ""
    header = settings.POC_CLIENT_IP_HEADER
    forwarded = request.META.get(header, "") if header else ""
    return (forwarded.split(",")[-1].strip() if forwarded else request.META.get("REMOTE_ADDR", ""))[:64]


def _keys(request: HttpRequest | None, username: str) -> tuple[str, str]:
    # Hashed: usernames typed at a login form are arbitrary text, cache keys must stay short and plain.
    name = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
    address = hashlib.sha256(client_address(request).encode()).hexdigest()[:32]
    return f"lockout:user:{name}", f"lockout:addr:{address}"


def is_locked(request: HttpRequest | None, username: str) -> bool:
    user_key, address_key = _keys(request, username)
    counts = _store().get_many([user_key, address_key])
    return (
        counts.get(user_key, 0) >= settings.POC_LOGIN_MAX_FAILURES
        or counts.get(address_key, 0) >= settings.POC_LOGIN_MAX_FAILURES_PER_ADDRESS
    )


def record_failure(request: HttpRequest | None, username: str) -> None:
    store = _store()
    for key in _keys(request, username):
        store.add(key, 0, settings.POC_LOGIN_LOCKOUT_SECONDS)
        try:
            store.incr(key)
        except ValueError:  # expired between add and incr
            store.set(key, 1, settings.POC_LOGIN_LOCKOUT_SECONDS)


def record_success(request: HttpRequest | None, username: str) -> None:
    """A correct password clears the username's count, not the address's (one good account must not reset a spray)."""
    _store().delete(_keys(request, username)[0])
