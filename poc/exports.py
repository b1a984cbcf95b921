"""Spreadsheet and CSV exports that cannot carry formulas (CSV/formula injection, OWASP).

A cell whose text starts with ``= + - @`` (or a tab or carriage return) is run as a formula by
Excel and LibreOffice: a mitigation owner typed as ``=HYPERLINK(...)`` became a live link in the
survey report. Every export passes its cells through :func:`neutralise`, which prefixes such text
with an apostrophe, as OWASP advises. Plain numbers written as text (``-5``, ``+3.25``) are left
as they are so that downloaded templates import again unchanged.

Every CSV or Excel download leaves through one of the response helpers at the end: :func:`table_response` for a plain
table (header and rows), :func:`workbook_response` for a workbook built with several sheets (:func:`append_table`
writes each in the house style), :func:`tablib_response` for a tablib table and :func:`streaming_csv_response` for
a table too large to hold in memory. CSV is UTF-8 with a byte-order mark, so Excel reads the Thai text.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

import tablib
from django.http import HttpResponse, StreamingHttpResponse

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FILL_COLOUR = "EEF2F8"
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


# --- Responses ----------------------------------------------------------------------------------
def attachment(content: bytes, *, filename: str, content_type: str) -> HttpResponse:
    """``content`` as a download named ``filename``."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def append_table(workbook, *, title: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> None:  # type: ignore[no-untyped-def]
    """A sheet named ``title`` (the workbook's first, blank one if still unused): a bold shaded header row kept in view,
    then ``rows``, each column as wide as its text (10 to 60 characters)."""
    from openpyxl.styles import Font, PatternFill

    unused = workbook.active.max_row == 1 and workbook.active.title == "Sheet"  # a new workbook's sheet (reading A1 would add a row)
    sheet = workbook.active if unused else workbook.create_sheet()
    sheet.title = title[:31]
    sheet.append(list(header))
    fill = PatternFill("solid", fgColor=HEADER_FILL_COLOUR)
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), fill
    for row in rows:
        sheet.append(list(row))
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))
    sheet.freeze_panes = "A2"


def workbook_bytes(workbook) -> bytes:  # type: ignore[no-untyped-def]
    """The workbook saved as .xlsx, every text cell neutralised first."""
    neutralise_workbook(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def workbook_response(content: bytes, *, filename: str) -> HttpResponse:
    """An .xlsx download of ``content`` (from :func:`workbook_bytes`)."""
    return attachment(content, filename=filename, content_type=XLSX_CONTENT_TYPE)


def table_response(
    *, filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]], fmt: Literal["csv", "xlsx"], sheet_title: str = "Sheet"
) -> HttpResponse:
    """``header`` and ``rows`` as ``filename`` + ``.csv`` (UTF-8 with a byte-order mark) or ``.xlsx`` (one sheet in the
    house style), every cell neutralised."""
    if fmt == "csv":
        return attachment(csv_text(header, rows).encode("utf-8-sig"), filename=f"{filename}.csv", content_type=CSV_CONTENT_TYPE)
    from openpyxl import Workbook

    workbook = Workbook()
    append_table(workbook, title=sheet_title, header=header, rows=rows)
    return workbook_response(workbook_bytes(workbook), filename=f"{filename}.xlsx")


def tablib_response(table: tablib.Dataset, *, filename: str, fmt: Literal["csv", "xlsx"]) -> HttpResponse:
    """A tablib table as ``filename`` + ``.csv`` (with a byte-order mark) or ``.xlsx``, every cell neutralised."""
    table = neutralise_table(table)
    if fmt == "xlsx":
        return workbook_response(table.export("xlsx"), filename=f"{filename}.xlsx")
    return attachment(("\ufeff" + table.export("csv")).encode("utf-8"), filename=f"{filename}.csv", content_type=CSV_CONTENT_TYPE)


class _Echo:
    """A file whose ``write`` hands the line back, for a csv writer feeding a stream."""

    def write(self, value: str) -> str:
        return value


def streaming_csv_response(*, filename: str, rows: Iterable[Sequence[Any]]) -> StreamingHttpResponse:
    """``rows`` (the first being the header) streamed as ``filename`` + ``.csv`` with a byte-order mark, every cell
    neutralised: for tables too large to build in memory."""
    writer = csv.writer(_Echo())
    lines: Iterator[str] = (writer.writerow(neutralise_row(row)) for row in rows)
    response = StreamingHttpResponse(itertools.chain(["\ufeff"], lines), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
