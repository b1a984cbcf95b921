"""Page-view recording for the usage report.

With Redis (production) a page view is one RPUSH: reading a page never writes to PostgreSQL (so GETs can be
served from a read replica and no page waits for a commit), and a beat job moves the buffer into ``PageView``
every minute (also ``manage.py flush_page_views``). The usage report flushes first; the self-assessment
reads the buffer without writing (``pending_page_views``). Without Redis (the embedded quick start) a page
view is one INSERT.
"""

from __future__ import annotations

import datetime as dt
import json
import logging

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from operations.models import PageView
from poc.models import Agency, User

logger = logging.getLogger(__name__)
BATCH = 5_000
_client = None


def _redis():
    """One client (and connection pool) per process, made after gunicorn/celery fork; None without Redis."""
    global _client
    if not settings.REDIS_URL:
        return None
    if _client is None:
        import redis

        _client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2)
    return _client


def connect_buffer() -> None:
    """Open the page-view buffer's Redis connection now (a gunicorn worker, before its first request), not on the
    first page view: a new connection costs that page ~3 ms (redis-py reads its package metadata, connects, greets)."""
    client = _redis()
    if client is not None:
        client.ping()


def _buffer_key() -> str:
    """Per database, so test runs and several portals on one Redis never mix their page views."""
    return f"poc:pageviews:{connection.settings_dict['NAME']}"


def record_page_view(*, user_id: int, agency_id: int | None, view_name: str, path: str) -> None:
    at = timezone.now()
    row = {"at": at.isoformat(), "user": user_id, "agency": agency_id, "view": view_name[:120], "path": path[:255]}
    client = _redis()
    if client is not None:
        try:
            client.rpush(_buffer_key(), json.dumps(row))
            return
        except Exception:  # Redis down: fall back to a direct insert rather than lose the view
            logger.warning("page-view buffer unavailable; writing directly", exc_info=True)
    PageView.objects.create(at=at, user_id=user_id, agency_id=agency_id, view_name=row["view"], path=row["path"])


def pending_page_views() -> list[dict]:
    """Page views still in the buffer, read without taking them out (rows as ``record_page_view`` wrote them)."""
    client = _redis()
    if client is None:
        return []
    return [json.loads(item) for item in client.lrange(_buffer_key(), 0, -1)]


def flush_page_views() -> int:
    """Move buffered page views into the database; returns how many rows were written.

    Rows of users or agencies deleted meanwhile keep the view without them (as ``on_delete=SET_NULL`` would).
    A database error puts the popped rows back, so nothing is lost.
    """
    client = _redis()
    if client is None:
        return 0
    key, written = _buffer_key(), 0
    while raw := client.lpop(key, BATCH):
        rows = [json.loads(item) for item in raw]
        users = set(User.objects.filter(pk__in={r["user"] for r in rows}).values_list("pk", flat=True))
        agencies = set(Agency.objects.filter(pk__in={r["agency"] for r in rows if r["agency"]}).values_list("pk", flat=True))
        views = [
            PageView(
                at=dt.datetime.fromisoformat(r["at"]),
                user_id=r["user"] if r["user"] in users else None,
                agency_id=r["agency"] if r["agency"] in agencies else None,
                view_name=r["view"],
                path=r["path"],
            )
            for r in rows
        ]
        try:
            with transaction.atomic():
                PageView.objects.bulk_create(views, batch_size=1_000)
        except DatabaseError:
            client.lpush(key, *reversed(raw))
            raise
        written += len(views)
    return written
