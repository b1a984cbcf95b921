"""Foreign keys of a bulk COPY checked once per referenced row instead of once per copied row (PostgreSQL).

PostgreSQL checks each foreign key of each inserted row with a trigger (for the values table at commit: its keys
are deferred): for a million-value import three million index look-ups and row locks, a quarter of its time.
The same guarantee costs one statement per key instead: every row the copied rows reference is locked
``FOR KEY SHARE`` (what each per-row check does, so none can be deleted or re-keyed before commit) and must
exist; then the rows are copied with ``session_replication_role = replica``, so no per-row check is queued.

Only where that is the whole difference: the role may set the parameter (superuser, or ``GRANT SET ON PARAMETER``
on PostgreSQL 15+), the table has no trigger but its foreign keys' own, each key is one column and every key
column is among those copied. Otherwise, or when a referenced row is missing, the ordinary per-row checks run
(and raise as they always did). Nothing here changes the schema: the constraints stay as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


def _may_skip_row_checks(cursor) -> bool:
    cursor.execute("SELECT current_setting('session_replication_role'), current_setting('is_superuser')")
    role, superuser = cursor.fetchone()
    if role != "origin":
        return False
    if superuser == "on":
        return True
    if connection.pg_version < 150000:  # no SET privilege on parameters before PostgreSQL 15
        return False
    cursor.execute("SELECT has_parameter_privilege('session_replication_role', 'SET')")
    return bool(cursor.fetchone()[0])


def _foreign_keys(cursor, table: str) -> list[tuple[str, str, str]] | None:
    """(column, referenced table, referenced column) of each key of ``table``; None when a row check could do more
    than these keys' (a trigger of another kind, a key of several columns)."""
    cursor.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_trigger t LEFT JOIN pg_constraint c ON c.oid = t.tgconstraint "
        "WHERE t.tgrelid = %s::regclass AND c.contype IS DISTINCT FROM 'f')",
        [table],
    )
    if cursor.fetchone()[0]:
        return None
    cursor.execute(
        "SELECT a.attname, c.confrelid::regclass::text, r.attname, cardinality(c.conkey) FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "JOIN pg_attribute r ON r.attrelid = c.confrelid AND r.attnum = c.confkey[1] "
        "WHERE c.conrelid = %s::regclass AND c.contype = 'f'",
        [table],
    )
    keys = cursor.fetchall()
    if any(width != 1 for *_key, width in keys):
        return None
    return [(column, referenced, referenced_column) for column, referenced, referenced_column, _width in keys]


def references_locked(table: str, columns: list[str], rows: list[tuple], constants: dict[str, object]) -> bool:
    """Lock every row that ``rows`` (``columns`` each, then ``constants``) reference through ``table``'s foreign keys;
    True when all exist and the copy may skip the per-row checks (see the module's docstring)."""
    if connection.vendor != "postgresql" or not rows:
        return False
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if not _may_skip_row_checks(cursor):
            return False
        keys = _foreign_keys(cursor, table)
        if keys is None:
            return False
        for column, referenced, referenced_column in keys:
            if column in constants:
                ids = {constants[column]}
            elif column in columns:
                index = columns.index(column)
                ids = {row[index] for row in rows}
            else:
                return False  # a column left to its default: let PostgreSQL check it
            ids.discard(None)
            if not ids:
                continue
            cursor.execute(
                f"SELECT count(*) FROM (SELECT {quote(referenced_column)} FROM {referenced} "
                f"WHERE {quote(referenced_column)} = ANY(%s) ORDER BY 1 FOR KEY SHARE) AS locked",
                [sorted(ids)],
            )
            if cursor.fetchone()[0] != len(ids):
                return False
    return True


@contextmanager
def row_checks_skipped() -> Iterator[None]:
    """Within: rows written fire no trigger (call only after :func:`references_locked` said True). An error inside
    leaves the setting to the rollback of the transaction or savepoint that the error aborts."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        yield
        cursor.execute("SET LOCAL session_replication_role = origin")
