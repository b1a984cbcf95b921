"""The header's unread-notification badge: counted once per user and cached until their notifications change."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache

from poc.models import User
from verification.models import Notification

UNREAD_TIMEOUT = 300


def _unread_key(user_id: int) -> str:
    return f"verification:unread:{user_id}"


def unread_notification_count(user: User) -> int:
    """Unread notifications for the header: cached per user, forgotten whenever that user's notifications change."""
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(user=user, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_TIMEOUT)
    return count


def forget_unread_counts(user_ids: Iterable[int]) -> None:
    cache.delete_many([_unread_key(pk) for pk in set(user_ids)])
