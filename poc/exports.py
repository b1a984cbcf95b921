"""Spreadsheet and CSV exports that cannot carry formulas (CSV/formula injection, OWASP).

A cell whose text starts with ``= + - @`` (or a tab or carriage return) is run as a formula by
Excel and LibreOffice: a mitigation owner typed as ``=HYPERLINK(...)`` became a live link in the
survey report. Every export passes its cells through :func:`neutralise`, which prefixes such text
with an apostrophe, as OWASP advises. Plain numbers written as text (``-5``, ``+3.25``) are left
as they are so that downloaded templates import again unchanged.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import tablib

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(\.[0-9]+)?")


def neutralise(value: Any) -> Any:
    """``value``, or its text behind an apostrophe when a spreadsheet would evaluate it."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def neutralise_row(row: Iterable[Any]) -> list[Any]:
    return [neutralise(value) for value in row]


def neutralise_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    return {key: neutralise(value) for key, value in row.items()}


def csv_text(header: Sequence[Any] | None, rows: Iterable[Iterable[Any]]) -> str:
    """CSV of ``rows`` (after ``header``), every cell neutralised."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header is not None:
        writer.writerow(neutralise_row(header))
    writer.writerows(neutralise_row(row) for row in rows)
    return buffer.getvalue()


def neutralise_table(table: tablib.Dataset) -> tablib.Dataset:
    """A copy of a tablib table with every cell (and header) neutralised, for ``export("csv"|"xlsx")``."""
    safe = tablib.Dataset(*[tuple(neutralise_row(row)) for row in table], title=table.title)
    if table.headers:
        safe.headers = neutralise_row(table.headers)
    return safe


def neutralise_workbook(book) -> None:  # type: ignore[no-untyped-def]
    """Neutralise every text cell of an openpyxl workbook in place (openpyxl stores ``=…`` text as a formula)."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and (safe := neutralise(cell.value)) != cell.value:
                    cell.value = safe
                    cell.data_type = "s"
