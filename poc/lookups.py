"""``column = ANY(array)``: ids already read from the database sent as one array parameter, in a shape PostgreSQL's
planner serves from an index whatever its statistics say. A join against a subquery of units (``IN (SELECT ...)``)
was planned as a scan of a whole table of aggregates before its first ANALYZE: 2.6 s for a province map, 16 ms after.

The array goes as one text literal (``'{1,2,3}'``, :func:`id_array`), not as the driver writes a list
(``ARRAY[1,2,3]``, one expression per id for the server to parse and plan): 7,425 ids cost ~15 ms that way.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection
from django.db.models import F, Lookup, Q, QuerySet
from django.db.models.sql.compiler import SQLCompiler


def id_array(ids: Iterable[int]) -> str:
    """``ids`` as a PostgreSQL array literal, for a ``bigint[]`` (or any integer array) parameter."""
    return "{" + ",".join(str(int(pk)) for pk in ids) + "}"


class AnyOf(Lookup):
    """``lhs = ANY(%s)`` with a list of ids on PostgreSQL; ``lhs IN (%s, ...)`` elsewhere."""

    lookup_name = "any_of"
    prepare_rhs = False

    def process_rhs(self, compiler: SQLCompiler, connection) -> tuple[str, list]:
        return "%s", [list(self.rhs)]

    def as_sql(self, compiler: SQLCompiler, connection) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        ids = list(self.rhs)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, id_array(ids)]
        if not ids:
            return "1 = 0", list(lhs_params)
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", [*lhs_params, *ids]


def ids_filter(field: str, ids: Iterable[int], units: QuerySet | None = None) -> AnyOf | Q:
    """``field`` among ``ids``: one array on PostgreSQL; elsewhere the ``units`` subquery when given (SQLite bounds a
    statement's parameters, and serves a province, never the country), else the list."""
    ids = list(ids)
    if connection.vendor != "postgresql" and units is not None:
        return Q(**{f"{field}__in": units.values("pk")})
    return AnyOf(F(field), ids)
