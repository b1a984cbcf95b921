"""PostgreSQL's maintenance counters of a table, read as they are now (tests of what vacuums and analyses)."""

from django.db import connection


def maintenance_counts(table: str) -> tuple[int, int]:
    """(vacuum_count, analyze_count) of ``table``, outside the snapshot the statistics views keep per transaction."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT vacuum_count, analyze_count FROM pg_stat_user_tables WHERE relname = %s", [table])
        return cursor.fetchone()
