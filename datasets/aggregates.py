"""Live aggregates: sums and counts of every element per ancestor org unit and period, kept current by each write.

Two tables, one engine: :class:`~datasets.models.AggregateValue` holds each element's total over all its option
combinations, :class:`~datasets.models.AggregateOptionValue` the sums per option combination of broken-down
elements. The write service (:mod:`datasets.services`) adds deltas in the same transaction; ``check_aggregates``
recomputes both from raw values (set-based inside PostgreSQL, in Python on SpatiaLite) and ``--fix`` rewrites them.
"""

from __future__ import annotations

import io
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction

from datasets.models import NUMERIC_TYPES, AggregateOptionValue, AggregateValue, DataElement, DataValue
from poc.models import OrgUnit


@dataclass(frozen=True)
class _Table:
    """An aggregate table: its model, key columns (the org unit's among them) and which values it sums."""

    model: type
    keys: tuple[str, ...]
    value_filter: str  # SQL on the values table ``v``; "" for every numeric value

    @property
    def name(self) -> str:
        return connection.ops.quote_name(self.model._meta.db_table)

    @property
    def scratch(self) -> str:
        return f"{self.model._meta.db_table}_expected"


TOTALS = _Table(AggregateValue, ("element_id", "orgunit_id", "period_id"), "")
BY_OPTION = _Table(AggregateOptionValue, ("element_id", "option_combo_id", "orgunit_id", "period_id"), "v.option_combo_id IS NOT NULL")
TABLES = (TOTALS, BY_OPTION)

# (element, org unit, period) → [total, count]; per option: (element, option combination, org unit, period) → [total, count]
Deltas = dict[tuple[int, ...], list[float]]


def ancestor_ids(orgunits: Iterable[OrgUnit]) -> dict[int, list[int]]:
    """Ids of each org unit and all its ancestors, from the materialised paths, in one query."""
    units = {unit.pk: unit.path.rstrip("/").split("/") for unit in orgunits}
    by_code = dict(OrgUnit.objects.filter(code__in={c for codes in units.values() for c in codes}).values_list("code", "pk"))
    return {pk: [by_code[c] for c in codes if c in by_code] for pk, codes in units.items()}


def aggregates_apply_deltas(deltas: Deltas, option_deltas: Deltas | None = None) -> None:
    """Add (total, count) deltas to the totals and, for broken-down elements, the per-combination rows (upserts)."""
    aggregates_apply_prepared(aggregates_prepare(deltas, option_deltas, postgresql=connection.vendor == "postgresql"))


@dataclass(frozen=True)
class PreparedDeltas:
    """Deltas of one table ready to be written: sorted rows for a few upserts, or COPY text for a large import."""

    table: _Table
    rows: list[tuple] | None = None
    copy_text: io.StringIO | None = None


COPY_DELTAS_AFTER = 5000  # delta rows: more go through a scratch table and one set-based upsert (PostgreSQL)


def aggregates_prepare(deltas: Deltas, option_deltas: Deltas | None = None, *, postgresql: bool) -> list[PreparedDeltas]:
    """The rows (or COPY text) of :func:`aggregates_apply_prepared`: pure Python, no database access, so a large
    import makes them in a second thread while PostgreSQL writes its values."""
    prepared = []
    for table, table_deltas in ((TOTALS, deltas), (BY_OPTION, option_deltas or {})):
        if not table_deltas:
            continue
        if postgresql and len(table_deltas) >= COPY_DELTAS_AFTER:
            # Unsorted: the upsert sorts in the database.
            buffer = io.StringIO()
            buffer.writelines("\t".join(map(str, key)) + f"\t{d[0]!r}\t{int(d[1])}\n" for key, d in table_deltas.items())
            buffer.seek(0)
            prepared.append(PreparedDeltas(table, copy_text=buffer))
        else:
            # Upserts in key order: no deadlock between concurrent saves.
            prepared.append(PreparedDeltas(table, rows=[(*key, d[0], int(d[1])) for key, d in sorted(table_deltas.items())]))
    return prepared


def aggregates_apply_prepared(prepared: list[PreparedDeltas]) -> None:
    """Write deltas made by :func:`aggregates_prepare` (upserts)."""
    for part in prepared:
        _apply(part)


def _apply(part: PreparedDeltas) -> None:
    table = part.table
    name, count = table.name, connection.ops.quote_name("count")
    keys = ", ".join(table.keys)
    conflict = f"ON CONFLICT ({keys}) DO UPDATE SET total = {name}.total + excluded.total, {count} = {name}.{count} + excluded.{count}"
    with connection.cursor() as cursor:
        if part.copy_text is not None:
            # Large imports: COPY the deltas into a scratch table, then one set-based upsert in key order.
            cursor.execute("DROP TABLE IF EXISTS aggregate_delta")
            id_columns = ", ".join(f"{k} bigint" for k in table.keys)
            cursor.execute(f"CREATE TEMPORARY TABLE aggregate_delta ({id_columns}, total double precision, count integer) ON COMMIT DROP")
            cursor.cursor.copy_expert("COPY aggregate_delta FROM STDIN", part.copy_text, size=1 << 20)
            cursor.execute(
                f"INSERT INTO {name} ({keys}, total, {count}) SELECT {keys}, total, count FROM aggregate_delta ORDER BY {keys} {conflict}"
            )
        elif connection.vendor == "postgresql":
            from psycopg2.extras import execute_values

            # Keys are unique within the batch, so one statement can upsert thousands of rows.
            execute_values(cursor.cursor, f"INSERT INTO {name} ({keys}, total, {count}) VALUES %s {conflict}", part.rows, page_size=5000)
        else:
            placeholders = ", ".join(["%s"] * (len(table.keys) + 2))
            cursor.executemany(f"INSERT INTO {name} ({keys}, total, {count}) VALUES ({placeholders}) {conflict}", part.rows)


@dataclass
class AggregateCheck:
    """Rows compared and the differences: ``(*key, (stored total, count), (expected total, count))``.

    ``differences`` are the element totals keyed (element, org unit, period); ``option_differences`` the
    per-combination rows keyed (element, option combination, org unit, period).
    """

    checked: int = 0
    differences: list[tuple] = field(default_factory=list)
    option_differences: list[tuple] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences and not self.option_differences


def aggregates_recompute(*, fix: bool = False, element_ids: Iterable[int] | None = None, set_based: bool | None = None) -> AggregateCheck:
    """Recompute every aggregate from raw values and compare (``check_aggregates``); ``fix`` rewrites.

    On PostgreSQL the recompute is set-based inside the database (minutes, not hours, at 10M values);
    ``set_based=False`` forces the Python path that SpatiaLite uses.
    """
    if set_based is None:
        set_based = connection.vendor == "postgresql"
    element_ids = None if element_ids is None else sorted(set(element_ids))
    if set_based:
        return _recompute_in_database(fix=fix, element_ids=element_ids)
    return _recompute_in_python(fix=fix, element_ids=element_ids)


def aggregates_rebuild() -> int:
    """Rewrite every aggregate from raw values without comparing (after a bulk load); returns the row count."""
    if connection.vendor != "postgresql":
        _recompute_in_python(fix=True, element_ids=None)
        return AggregateValue.objects.count() + AggregateOptionValue.objects.count()
    rows = 0
    with transaction.atomic(), connection.cursor() as cursor:
        _lock_values(cursor)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # TRUNCATE refuses to run with deferred FK checks pending
        depth = _units_table(cursor)
        scope = _element_scope(cursor, None)
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
        for table in TABLES:
            _expected_table(cursor, table, scope[table], depth)
            cursor.execute(f"TRUNCATE {table.name}")
            # 11M rows into a table without indexes, then one sorted build per index: about half the time of
            # keeping three B-trees current row by row. Rows follow the values' order (no sort of 10M rows).
            recreate = _drop_indexes(cursor, table)
            sequence = _cache_ids(cursor, table)
            rows += _insert_expected(cursor, table, _leaf_rows(table, scope[table], scope[BY_OPTION]), ordered=False)
            if sequence:
                cursor.execute(f"ALTER SEQUENCE {sequence[0]} CACHE {int(sequence[1])}")
            for statement in recreate:
                cursor.execute(statement)
        _scratch_drop(cursor)
    with connection.cursor() as cursor:
        # Fresh planner statistics for the rewritten tables: with the truncated table's, a national map read
        # every aggregate row of the element (1 s at 10M values) instead of its 928 districts (37 ms). Outside a
        # transaction, VACUUM too: it marks the new rows visible to all (hint bits, visibility map) now, where
        # the first reads after a rebuild would each do it for the pages they touch (a national map's first
        # values read: 66 ms, dirtying 1,600 pages, instead of 40).
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        for table in TABLES:
            cursor.execute(f"{command} {table.name}")
    return rows


def _recompute_in_python(*, fix: bool, element_ids: list[int] | None) -> AggregateCheck:
    expected: dict[_Table, Deltas] = {table: defaultdict(lambda: [0.0, 0]) for table in TABLES}
    values = DataValue.objects.filter(value_num__isnull=False, element__value_type__in=[t.value for t in NUMERIC_TYPES])
    if element_ids is not None:
        values = values.filter(element_id__in=element_ids)
    paths = dict(OrgUnit.objects.values_list("pk", "path"))
    ids_by_code = dict(OrgUnit.objects.values_list("code", "pk"))
    ancestors: dict[int, list[int]] = {}
    rows = values.values_list("element_id", "option_combo_id", "orgunit_id", "period_id", "value_num").iterator(5000)
    for element_id, combo_id, orgunit_id, period_id, num in rows:
        chain = ancestors.get(orgunit_id)
        if chain is None:
            chain = ancestors[orgunit_id] = [ids_by_code[c] for c in paths[orgunit_id].rstrip("/").split("/") if c in ids_by_code]
        for ancestor_id in chain:
            bucket = expected[TOTALS][(element_id, ancestor_id, period_id)]
            bucket[0] += num
            bucket[1] += 1
            if combo_id is not None:
                bucket = expected[BY_OPTION][(element_id, combo_id, ancestor_id, period_id)]
                bucket[0] += num
                bucket[1] += 1
    report = AggregateCheck()
    for table in TABLES:
        stored_rows = table.model.objects.all()
        if element_ids is not None:
            stored_rows = stored_rows.filter(element_id__in=element_ids)
        stored = {tuple(row[:-2]): (row[-2], row[-1]) for row in stored_rows.values_list(*table.keys, "total", "count").iterator(5000)}
        want_rows = expected[table]
        keys = set(want_rows) | set(stored)
        report.checked += len(keys)
        differences = report.differences if table is TOTALS else report.option_differences
        for key in keys:
            want = tuple(want_rows.get(key, (0.0, 0)))
            have = stored.get(key, (0.0, 0))
            if want[1] != have[1] or not math.isclose(want[0], have[0], rel_tol=1e-9, abs_tol=1e-6):
                differences.append((*key, (have[0], have[1]), (want[0], int(want[1]))))
        if fix and differences:
            with transaction.atomic():
                stored_rows.delete()
                table.model.objects.bulk_create(
                    [table.model(**dict(zip(table.keys, key, strict=True)), total=t, count=int(c)) for key, (t, c) in want_rows.items()],
                    batch_size=5000,
                )
    return report


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _lock_values(cursor) -> None:
    """Writers wait while a rebuild reads, so no delta is lost between read and swap."""
    cursor.execute(f"LOCK TABLE {_table(DataValue)} IN SHARE MODE")


UNITS = "aggregate_units"  # scratch: each org unit's depth, the unit one level up its path, whether any unit sits below it
MAINTENANCE_WORK_MEM = "1GB"  # a rebuild's index builds sort ~11M keys in memory (the README's server setting)
WORK_MEM = "256MB"  # the roll-up groups ~1M (element, unit, period) keys at national scale: in memory, not in spilled batches


def _units_table(cursor) -> int:
    """Fill ``aggregate_units`` once per transaction (:func:`_scratch_drop` before it ends); returns the deepest
    path depth.

    A unit's depth is the number of codes in its materialised path (``21/2101/210101/`` is 3); ``up`` is the
    unit named by the code before its own, so sums roll up one level at a time instead of joining every value
    to each of its ancestors. Unlogged tables, like the other scratch tables, not temporary ones: PostgreSQL
    scans the 10M values joined to them in parallel (a temporary table is private to the session, its workers
    cannot read it, nor fill it). Created inside the transaction, they never outlive a failure; one recompute
    at a time holds the names.
    """
    orgunits = _table(OrgUnit)
    depth = "(length(u.path) - length(replace(u.path, '/', '')))"
    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [UNITS])
    cursor.execute(f"DROP TABLE IF EXISTS {UNITS}")
    cursor.execute(
        f"CREATE UNLOGGED TABLE {UNITS} AS "
        f"WITH units AS (SELECT u.id, {depth} AS depth, a.id AS up FROM {orgunits} u "
        f"LEFT JOIN {orgunits} a ON {depth} > 1 AND a.code = split_part(u.path, '/', greatest({depth} - 1, 1))) "
        f"SELECT units.*, EXISTS (SELECT 1 FROM units c WHERE c.up = units.id) AS has_children FROM units"
    )
    cursor.execute(f"CREATE UNIQUE INDEX ON {UNITS} (id)")
    cursor.execute(f"ANALYZE {UNITS}")
    cursor.execute(f"SELECT coalesce(max(depth), 0) FROM {UNITS}")
    return cursor.fetchone()[0]


def _scratch_drop(cursor) -> None:
    """Drop the scratch tables, before the transaction that made them ends."""
    cursor.execute(f"DROP TABLE IF EXISTS {UNITS}, {', '.join(table.scratch for table in TABLES)}")


def _element_scope(cursor, element_ids: list[int] | None) -> dict[_Table, list[int]]:
    """The elements whose values each table sums: numeric ones (in ``element_ids`` if given) for the totals, those
    among them with option cells (found through the small partial index of option cells) for the option table.

    Values are then filtered by element id, so no pass over 10M values joins the elements.
    """
    elements, values = _table(DataElement), _table(DataValue)
    where, params = f"value_type IN ({', '.join(['%s'] * len(NUMERIC_TYPES))})", sorted(t.value for t in NUMERIC_TYPES)
    if element_ids is not None:
        where += " AND id = ANY(%s)"
        params.append(element_ids)
    cursor.execute(f"SELECT id FROM {elements} WHERE {where} ORDER BY id", params)
    numeric = [row[0] for row in cursor.fetchall()]
    cursor.execute(
        f"SELECT e.id FROM {elements} e WHERE e.id = ANY(%s) "
        f"AND EXISTS (SELECT 1 FROM {values} v WHERE v.element_id = e.id AND v.option_combo_id IS NOT NULL) ORDER BY e.id",
        [numeric],
    )
    return {TOTALS: numeric, BY_OPTION: [row[0] for row in cursor.fetchall()]}


def _values_where(table: _Table, elements: list[int]) -> tuple[str, list]:
    if not elements:  # a constant false: PostgreSQL reads nothing
        return "false", []
    where = "v.value_num IS NOT NULL AND v.element_id = ANY(%s)"
    if table.value_filter:
        where += f" AND {table.value_filter}"
    return where, [elements]


def _leaf_parts(table: _Table, elements: list[int], broken_down: list[int]) -> tuple[list[int], list[int]]:
    """Elements whose leaf rows are single values, and those (totals of broken-down elements) summed per cell."""
    grouped = [e for e in elements if e in set(broken_down)] if table is TOTALS else []
    return [e for e in elements if e not in grouped], grouped


def _leaf_rows(table: _Table, elements: list[int], broken_down: list[int]) -> tuple[str, list]:
    """SQL (and parameters) of the expected rows of units with nothing below them: their own values.

    Most rows at national scale (every village's): read straight from the values, one row per cell, so they
    are never copied to a scratch table. Totals of an element with option combinations add its cells' parts.
    """
    plain, grouped = _leaf_parts(table, elements, broken_down)
    own = ", ".join(f"v.{k}" for k in table.keys)
    # The few units with units below them, hashed in memory: cheaper per value than a join to every unit.
    source = f"FROM {_table(DataValue)} v WHERE %s AND v.orgunit_id NOT IN (SELECT id FROM {UNITS} WHERE has_children)"
    parts, params = [], []
    if plain or not grouped:
        where, where_params = _values_where(table, plain)
        parts.append(f"SELECT {own}, v.value_num AS total, 1 AS count {source % where}")
        params += where_params
    if grouped:
        where, where_params = _values_where(table, grouped)
        parts.append(f"SELECT {own}, SUM(v.value_num) AS total, COUNT(*) AS count {source % where} GROUP BY {own}")
        params += where_params
    return " UNION ALL ".join(parts), params


def _own_rows_of_parents(table: _Table, elements: list[int]) -> tuple[str, list]:
    """The own values (one row each) of units with units below them, unit by unit through the (org unit, period)
    index: the OFFSET keeps the lateral subquery, so it is an index lookup per unit, not a pass over every value."""
    where, params = _values_where(table, elements)
    own = ", ".join(f"v.{k}" for k in table.keys)
    return (
        f"SELECT {own}, v.value_num AS total, 1 AS count FROM {UNITS} u "
        f"CROSS JOIN LATERAL (SELECT * FROM {_table(DataValue)} v WHERE v.orgunit_id = u.id OFFSET 0) v WHERE u.has_children AND {where}",
        params,
    )


def _expected_table(cursor, table: _Table, elements: list[int], depth: int) -> None:
    """Fill a scratch table with the expected rows of units that have units below them (the roll-ups).

    One pass over the values sums each unit's values into the unit above it; those sums then climb one
    level at a time (~1M rows at national scale, not 10M per level); each unit's own values are added last.
    Together with :func:`_leaf_rows` (disjoint keys: units without anything below) this is every expected row.
    """
    values = _table(DataValue)
    where, params = _values_where(table, elements)
    keys = ", ".join(table.keys)
    climbed = ", ".join("u.up" if k == "orgunit_id" else f"x.{k}" for k in table.keys)
    from_values = ", ".join("u.up" if k == "orgunit_id" else f"v.{k}" for k in table.keys)
    down = f"{table.scratch}_below"
    cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
    # Each worker sums its share of the values into ~1/3 of the ~1M groups: passing those up is cheap next to
    # the pass itself, though the default cost per tuple (0.1) makes the planner keep the pass serial (~1.6x slower).
    cursor.execute("SET LOCAL parallel_tuple_cost = 0.01")
    for name in (down, table.scratch):  # left by an earlier recompute in a caller's transaction
        cursor.execute(f"DROP TABLE IF EXISTS {name}")
    # Sums of everything below a unit (its own values excluded), by the unit's depth.
    cursor.execute(
        f"CREATE UNLOGGED TABLE {down} AS "
        f"SELECT {from_values.replace('u.up', 'u.up AS orgunit_id')}, u.depth - 1 AS depth, SUM(v.value_num) AS total, COUNT(*) AS count "
        f"FROM {values} v JOIN {UNITS} u ON u.id = v.orgunit_id "
        f"WHERE {where} AND u.up IS NOT NULL GROUP BY {from_values}, u.depth",
        params,
    )
    for level in range(depth - 1, 1, -1):  # deepest first: a level's rows are complete before they climb
        cursor.execute(
            f"INSERT INTO {down} ({keys}, depth, total, count) "
            f"SELECT {climbed}, {level - 1}, SUM(x.total), SUM(x.count) FROM {down} x JOIN {UNITS} u ON u.id = x.orgunit_id "
            f"WHERE x.depth = %s AND u.up IS NOT NULL GROUP BY {climbed}",
            [level],
        )
    own_sql, own_params = _own_rows_of_parents(table, elements)
    cursor.execute(
        f"CREATE UNLOGGED TABLE {table.scratch} AS "
        f"SELECT {keys}, SUM(total) AS total, SUM(count) AS count FROM (SELECT {keys}, total, count FROM {down} UNION ALL {own_sql}) rows "
        f"GROUP BY {keys}",
        own_params,
    )
    cursor.execute(f"DROP TABLE {down}")
    cursor.execute(f"ANALYZE {table.scratch}")


def _drop_indexes(cursor, table: _Table) -> list[str]:
    """Drop the table's indexes (those of its primary key, unique and exclusion constraints among them); returns the
    statements that build them again, as they were. An index a foreign key relies on stays."""
    cursor.execute(
        "SELECT c.relname, con.conname, pg_get_indexdef(i.indexrelid), pg_get_constraintdef(con.oid) "
        "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x') "
        "WHERE i.indrelid = %s::regclass "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.conindid = i.indexrelid) ORDER BY c.relname",
        [table.model._meta.db_table],
    )
    recreate = []
    for index, constraint, index_sql, constraint_sql in cursor.fetchall():
        if constraint:
            cursor.execute(f"ALTER TABLE {table.name} DROP CONSTRAINT {connection.ops.quote_name(constraint)}")
            recreate.append(f"ALTER TABLE {table.name} ADD CONSTRAINT {connection.ops.quote_name(constraint)} {constraint_sql}")
        else:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(index)}")
            recreate.append(index_sql)
    return recreate


def _cache_ids(cursor, table: _Table) -> tuple[str, int] | None:
    """Let the table's id sequence hand this session ids from a cache of 10,000 for the bulk insert (11M nextval
    calls otherwise each lock and update the sequence's page: ~6 s of a national rebuild); returns the sequence
    and its own cache size, to be set back."""
    cursor.execute(
        "SELECT s.seqrelid::regclass::text, s.seqcache FROM pg_sequence s WHERE s.seqrelid = pg_get_serial_sequence(%s, 'id')::regclass",
        [table.name],
    )
    sequence = cursor.fetchone()
    if sequence:
        cursor.execute(f"ALTER SEQUENCE {sequence[0]} CACHE 10000")
    return sequence


def _insert_expected(cursor, table: _Table, leaves: tuple[str, list], *, ordered: bool = True) -> int:
    count, keys = connection.ops.quote_name("count"), ", ".join(table.keys)
    sql, params = leaves
    # In key order (``ordered``): the unique index grows at its right edge instead of taking 10M random insertions.
    order = f" ORDER BY {keys}" if ordered else ""
    cursor.execute(f"INSERT INTO {table.name} ({keys}, total, {count}) SELECT * FROM ({sql}) leaves{order}", params)
    rows = cursor.rowcount
    # The roll-ups (~1M rows at national scale) always in key order: a unit's periods then share a heap page, so a
    # map of a fiscal year reads ~800 pages for 7,425 subdistricts × 12 months, not one page per row (89,100).
    cursor.execute(f"INSERT INTO {table.name} ({keys}, total, {count}) SELECT {keys}, total, count FROM {table.scratch} ORDER BY {keys}")
    return rows + cursor.rowcount


def _recompute_in_database(*, fix: bool, element_ids: list[int] | None) -> AggregateCheck:
    """Set-based recompute: expected rows (leaves read from the values, roll-ups in a temporary table), FULL OUTER
    JOIN against the stored ones."""
    report = AggregateCheck()
    with transaction.atomic(), connection.cursor() as cursor:
        if fix:
            _lock_values(cursor)
        depth = _units_table(cursor)
        scope = _element_scope(cursor, element_ids)
        for table in TABLES:
            _expected_table(cursor, table, scope[table], depth)
            leaves = _leaf_rows(table, scope[table], scope[BY_OPTION])
            expected = _expected_checksums(cursor, table, scope[table], scope[BY_OPTION])
            differences = _compare(cursor, table, element_ids, leaves, expected, report)
            (report.differences if table is TOTALS else report.option_differences).extend(differences)
            if fix and differences:
                stored_where, params = ("WHERE element_id = ANY(%s)", [element_ids]) if element_ids is not None else ("", [])
                cursor.execute(f"DELETE FROM {table.name} {stored_where}", params)
                _insert_expected(cursor, table, leaves)
        _scratch_drop(cursor)
    return report


GROUP_KEYS = ("element_id", "period_id")  # a check's checksum groups: ~140 at national scale (10 elements × 14 months)
DIFFERING = "aggregate_differing"  # scratch: the (element, period) groups whose checksums disagree


def _row_hash(table: _Table) -> str:
    """A 64-bit hash of an aggregate row's other key columns, count and exact total (``x`` on either side)."""
    chain = "hashint8extended(x.count::bigint, 0)"
    for key in table.keys:
        if key not in GROUP_KEYS:
            chain = f"hashint8extended(x.{key}, {chain})"
    return f"hashfloat8extended(x.total, {chain})"


def _checksums(cursor, table: _Table, rows: str, params: list) -> dict[tuple[int, int], tuple[int, int]]:
    """(element, period) → (rows, XOR of their hashes) of a row source."""
    group = ", ".join(f"x.{k}" for k in GROUP_KEYS)
    cursor.execute(f"SELECT {group}, count(*), bit_xor({_row_hash(table)}) FROM ({rows}) x GROUP BY {group}", params)
    return {(element, period): (count, checksum) for element, period, count, checksum in cursor.fetchall()}


def _expected_checksums(cursor, table: _Table, elements: list[int], broken_down: list[int]) -> dict[tuple[int, int], tuple[int, int]]:
    """Checksums of the expected rows, combined from parts so the pass over every value reads nothing else (no
    temporary table: PostgreSQL may scan it in parallel): every single-value leaf row of all units, XOR (which
    takes them out again) the rows of the few units with units below them, the summed leaves of broken-down
    elements' totals and the roll-ups."""
    plain, grouped = _leaf_parts(table, elements, broken_down)
    where, params = _values_where(table, plain)
    own = ", ".join(f"v.{k}" for k in table.keys)
    parts = [(1, f"SELECT {own}, v.value_num AS total, 1 AS count FROM {_table(DataValue)} v WHERE {where}", params)]
    parts.append((-1, *_own_rows_of_parents(table, plain)))
    if grouped:
        parts.append((1, *_leaf_rows(table, grouped, broken_down)))
    parts.append((1, f"SELECT {', '.join(table.keys)}, total, count FROM {table.scratch}", []))
    combined: dict[tuple[int, int], tuple[int, int]] = {}
    for sign, sql, sql_params in parts:
        for group, (rows, checksum) in _checksums(cursor, table, sql, sql_params).items():
            before_rows, before_checksum = combined.get(group, (0, 0))
            combined[group] = (before_rows + sign * rows, before_checksum ^ checksum)
    return {group: value for group, value in combined.items() if value[0]}


def _compare(
    cursor,
    table: _Table,
    element_ids: list[int] | None,
    leaves: tuple[str, list],
    expected: dict[tuple[int, int], tuple[int, int]],
    report: AggregateCheck,
) -> list[tuple]:
    """Differences between the expected rows and the stored ones.

    First a checksum per (element, period) on each side, without any join or sort of millions of rows: a group
    whose row count and XOR of row hashes agree holds the same keys, counts and totals bit for bit (a miss needs
    a 64-bit collision). Only the groups that disagree are joined row by row and compared within the tolerance
    (totals summed in another order may differ in the last bits, which is not a difference).
    """
    count, keys = connection.ops.quote_name("count"), ", ".join(table.keys)
    stored_where, stored_params = ("WHERE element_id = ANY(%s)", [element_ids]) if element_ids is not None else ("", [])
    leaf_sql, leaf_params = leaves
    expected_rows = f"{leaf_sql} UNION ALL SELECT {keys}, total, count FROM {table.scratch}"
    stored_rows = f"SELECT {keys}, total, {count} AS count FROM {table.name} {stored_where}"
    stored = _checksums(cursor, table, stored_rows, stored_params)
    differing = sorted(group for group in expected.keys() | stored.keys() if expected.get(group) != stored.get(group))
    report.checked += sum(rows for group, (rows, _checksum) in expected.items() if expected[group] == stored.get(group))
    if not differing:
        return []
    cursor.execute(f"DROP TABLE IF EXISTS {DIFFERING}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {DIFFERING} ON COMMIT DROP AS "
        f"SELECT * FROM unnest(%s::bigint[], %s::bigint[]) AS g({', '.join(GROUP_KEYS)})",
        [[group[0] for group in differing], [group[1] for group in differing]],
    )
    cursor.execute(f"ANALYZE {DIFFERING}")
    in_differing = f"({', '.join(GROUP_KEYS)}) IN (SELECT {', '.join(GROUP_KEYS)} FROM {DIFFERING})"
    join = " AND ".join(f"s.{k} = x.{k}" for k in table.keys)
    compare = (
        f"FROM (SELECT * FROM ({expected_rows}) expected WHERE {in_differing}) x "
        f"FULL OUTER JOIN (SELECT * FROM ({stored_rows}) stored WHERE {in_differing}) s ON {join}"
    )
    params = [*leaf_params, *stored_params]
    differs = (
        "COALESCE(s.count, 0) <> COALESCE(x.count, 0) OR abs(COALESCE(s.total, 0) - COALESCE(x.total, 0)) > "
        "greatest(1e-9 * greatest(abs(COALESCE(s.total, 0)), abs(COALESCE(x.total, 0))), 1e-6)"
    )
    cursor.execute(f"SELECT count(*) {compare}", params)
    report.checked += cursor.fetchone()[0]
    key_columns = ", ".join(f"COALESCE(x.{k}, s.{k})" for k in table.keys)
    cursor.execute(
        f"SELECT {key_columns}, COALESCE(s.total, 0), COALESCE(s.count, 0), COALESCE(x.total, 0), COALESCE(x.count, 0) {compare} "
        f"WHERE {differs}",
        params,
    )
    width = len(table.keys)
    return [
        (*row[:width], (float(row[width]), int(row[width + 1])), (float(row[width + 2]), int(row[width + 3]))) for row in cursor.fetchall()
    ]
