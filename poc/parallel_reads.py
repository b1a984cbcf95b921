"""One read run beside the request's own, on a second database connection: two queries of one page at once.

A national choropleth waits on two independent reads, the stored features (~40 ms in PostgreSQL) and the values
(~55 ms); one after the other on one connection they add up, while the second of a host's cores is idle. :func:`start`
runs a read-only function in this process's reader thread, whose own connection (Django's are per thread) lives as long
as the process, and the caller goes on with its other read. Where the second connection could answer differently it is
not used and the function runs on the caller's connection when its result is asked for:

- inside a transaction (the caller's uncommitted writes are invisible to another connection; tests run in one);
- on SQLite (one writer, and nothing to gain) or when ``POC_PARALLEL_READS`` is off;
- when the second connection fails (a restarted database): it is closed, and the read is run again in place.

The reader thread is started on first use in the process that uses it (after gunicorn forks, never in the master).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from django.conf import settings
from django.db import DatabaseError, InterfaceError, connection, connections

logger = logging.getLogger(__name__)

T = TypeVar("T")

_lock = threading.Lock()
_pool: ThreadPoolExecutor | None = None
_pool_pid = 0


def _reader() -> ThreadPoolExecutor:
    """This process's reader thread (a forked child starts its own: threads do not survive a fork)."""
    global _pool, _pool_pid
    with _lock:
        if _pool is None or _pool_pid != os.getpid():
            _pool, _pool_pid = ThreadPoolExecutor(max_workers=1, thread_name_prefix="poc-reader"), os.getpid()
        return _pool


def _in_reader(function: Callable[..., T], args: tuple, kwargs: dict) -> T:
    """Run ``function`` on the reader thread's connection, checked first as a request's is (age, errors)."""
    connection.close_if_unusable_or_obsolete()
    try:
        return function(*args, **kwargs)
    except (DatabaseError, InterfaceError):
        connection.close()  # the next read opens a new one
        raise


def usable() -> bool:
    """Whether a read on the second connection sees what one on the caller's would."""
    return settings.POC_PARALLEL_READS and connection.vendor == "postgresql" and not connection.in_atomic_block


def start(function: Callable[..., T], /, *args, **kwargs) -> Callable[[], T]:
    """Start the read-only ``function(*args, **kwargs)`` on the second connection; returns what waits for its result.

    Where the second connection is not usable (:func:`usable`), the returned callable runs ``function`` in place."""
    if not usable():
        return lambda: function(*args, **kwargs)
    future: Future = _reader().submit(_in_reader, function, args, kwargs)

    def result() -> T:
        try:
            return future.result()
        except (DatabaseError, InterfaceError):
            logger.warning("second connection failed: the read runs on the request's own", exc_info=True)
            return function(*args, **kwargs)

    return result


def shutdown() -> None:
    """Close the reader thread's connection and stop the thread (tests; a process exits without it)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None and _pool_pid == os.getpid():
        pool.submit(connections.close_all).result()
        pool.shutdown(wait=True)
