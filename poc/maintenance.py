"""Table maintenance after bulk writes (PostgreSQL), for databases run without autovacuum, as many managed set-ups are
after a bulk load and as this project's CI and benchmark servers are.

A bulk write leaves a table's pages unmarked in its visibility map until a VACUUM: until then every index scan also
reads the table's rows to check them, even where the index alone answers (an org unit's first child: one index page,
then one of the 74,250 villages' rows per subdistrict of a national map, ~1,500 pages read from disk when the cache is
cold). So the services that write thousands of rows at once vacuum what they wrote, after their commit (VACUUM cannot
run inside a transaction), and record fresh statistics with it.
"""

from __future__ import annotations

from django.db import connection, models, transaction

BULK_ROWS = 1_000  # rows written by one service call above which its tables are vacuumed after the commit


def vacuum_after_commit(model: type[models.Model], *, full: bool = False) -> None:
    """``VACUUM (ANALYZE)`` ``model``'s table once the current transaction commits (at once outside one); ``full``
    rewrites it without the space of replaced rows (a short exclusive lock: small tables only). Nothing on SQLite."""
    if connection.vendor != "postgresql":
        return
    table = connection.ops.quote_name(model._meta.db_table)
    options = "FULL, ANALYZE" if full else "ANALYZE"

    def vacuum() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ({options}) {table}")

    transaction.on_commit(vacuum, robust=True)
