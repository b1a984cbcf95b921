"""The SQLite / SpatiaLite driver: the online-backup API, row counts and the integrity check."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from django.db import connection


def sqlite_backup_to(source: sqlite3.Connection, target: Path) -> None:
    """The online-backup API: a consistent copy while the portal keeps running."""
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()


def sqlite_counts(path: Path, tables: Iterable[str]) -> dict[str, int | None]:
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        existing = {row[0] for row in database.execute("select name from sqlite_master where type = 'table'")}
        counts: dict[str, int | None] = {}
        for table in tables:
            counts[table] = database.execute(f'select count(*) from "{table}"').fetchone()[0] if table in existing else None
        return counts
    finally:
        database.close()


def sqlite_integrity(path: Path) -> str:
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return database.execute("pragma integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        database.close()


def django_sqlite_connection() -> sqlite3.Connection:
    connection.ensure_connection()
    return connection.connection
