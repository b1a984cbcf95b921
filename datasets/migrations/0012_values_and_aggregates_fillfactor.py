"""Values and aggregates leave half of each new table page free (PostgreSQL ``fillfactor = 50``), for HOT updates.

A corrected file rewrites every cell it names and, through the deltas, every aggregate row above them. PostgreSQL
writes each new row version in place — without touching the indexes (four on the values, three on each aggregate
table) — only when it fits on the row's own page; on full pages every update also inserts one entry into each
index. Half-empty pages let a whole page of rows be rewritten in one transaction without a new index entry: a
corrected million-value file spent half its time in those two updates (issue 20). The cost is space: new pages
hold half as many rows (the existing ones stay full until rewritten). The form's saves profit as well: the
province's and districts' aggregate rows, updated by every save, stop growing their indexes.

SpatiaLite has no such setting: nothing happens there.
"""

from __future__ import annotations

from django.db import migrations

TABLES = ["datasets_datavalue", "datasets_aggregatevalue", "datasets_aggregateoptionvalue"]
FILLFACTOR = 50


def _set(fillfactor: int | None):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for table in TABLES:
            name = schema_editor.quote_name(table)
            if fillfactor is None:
                schema_editor.execute(f"ALTER TABLE {name} RESET (fillfactor)")
            else:
                schema_editor.execute(f"ALTER TABLE {name} SET (fillfactor = {fillfactor})")

    return run


class Migration(migrations.Migration):
    dependencies = [("datasets", "0011_population_dengue_visitors_by_category")]

    operations = [migrations.RunPython(_set(FILLFACTOR), _set(None))]
