"""Reading the spreadsheets agencies actually send: .xlsx, .xls (BIFF8), .ods and CSV/TSV in any common encoding.

Every reader returns plain :class:`Sheet` rows (strings, numbers or ``None``) and enforces the size limits while
reading (rows, cells, uncompressed bytes; ``POC_IMPORT_MAX_*`` settings), so a hostile or huge file is refused
with a Thai message before it can hold a worker. Parsing is delegated to calamine (Rust, fast on all three
workbook formats) and charset-normalizer (encodings); this module only adds the limits and the Thai number rules.
"""

from __future__ import annotations

import csv
import io
import itertools
import multiprocessing
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import python_calamine
from charset_normalizer import from_bytes
from django.conf import settings
from django.utils.translation import gettext as _

WORKBOOK_TYPES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_TYPES = (".csv", ".tsv", ".txt")
UPLOAD_TYPES = WORKBOOK_TYPES + TEXT_TYPES

THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
# What publishers write for "no figure": dash, n.a., ellipsis, Thai "no data".
MISSING_WORDS = {"", "-", "–", "—", "--", "n.a.", "n.a", "na", "n/a", "…", "...", "..", ".", "x", "*", "ไม่มีข้อมูล", "ไม่มี"}
_NUMBER = re.compile(r"^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")
_GROUPED = re.compile(r"^[-+]?\d{1,3}([, ]\d{3})+(\.\d+)?$")

Cell = str | float | int | bool | None


T = TypeVar("T")


class ReadError(ValueError):
    """The file cannot be read, or is over a limit; the message says why and what to do, in the user's language."""


@dataclass
class Sheet:
    name: str
    rows: list[list[Cell]]
    # Merged ranges as (first row, first column, last row, last column), 0-based and inclusive.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)


@dataclass
class Limits:
    rows: int
    cells: int
    uncompressed_bytes: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(settings.POC_IMPORT_MAX_ROWS, settings.POC_IMPORT_MAX_CELLS, settings.POC_IMPORT_MAX_UNCOMPRESSED_BYTES)


class _Budget:
    """Counts rows and cells across all sheets of a file and stops the read at the first limit passed."""

    def __init__(self, limits: Limits) -> None:
        self.limits, self.rows, self.cells = limits, 0, 0

    def take(self, rows: int, cells: int) -> None:
        self.rows += rows
        self.cells += cells
        if self.rows > self.limits.rows:
            raise ReadError(
                _(
                    "The file has more than %(n)s rows, the most one upload may hold. "
                    "Split it (e.g. one file per year or district) and upload the parts."
                )
                % {"n": f"{self.limits.rows:,}"}
            )
        if self.cells > self.limits.cells:
            raise ReadError(
                _(
                    "The file has more than %(n)s cells, the most one upload may hold. "
                    "Remove unused columns or split it by year or district."
                )
                % {"n": f"{self.limits.cells:,}"}
            )


def suffix(filename: str) -> str:
    return Path(filename).suffix.lower()


def read_sheets(content: bytes, filename: str, *, limits: Limits | None = None, max_rows: int | None = None) -> list[Sheet]:
    """All sheets of an uploaded file, within ``limits`` (the settings by default).

    ``max_rows`` reads only the first rows of each sheet (the mapping step's preview of a large file).
    """
    limits = limits or Limits.from_settings()
    kind = suffix(filename)
    if kind in TEXT_TYPES:
        text, _encoding = decode_text(content)
        return [read_text(text, delimiter="\t" if kind == ".tsv" else None, limits=limits, max_rows=max_rows)]
    if kind in WORKBOOK_TYPES:
        return isolated(read_workbook, content, limits=limits, max_rows=max_rows)
    raise ReadError(_("Files of type %(t)s cannot be read: upload .xlsx, .xls, .ods, .csv or .tsv.") % {"t": kind or "?"})


def check_uncompressed(content: bytes, limits: Limits) -> None:
    """.xlsx and .ods are zip files: refuse a zip bomb from its directory, before anything is inflated."""
    if not content.startswith(b"PK"):
        return
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            total = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise ReadError(
            _("The file is damaged (not a valid .xlsx/.ods archive). Open it in Excel or LibreOffice and save it again.")
        ) from None
    if total > limits.uncompressed_bytes:
        raise ReadError(
            _("The workbook unpacks to %(got)d MB, more than the %(max)d MB allowed. Split it (e.g. one file per year) or save it as CSV.")
            % {"got": total // 2**20, "max": limits.uncompressed_bytes // 2**20}
        )


def read_workbook(content: bytes, *, limits: Limits, max_rows: int | None = None) -> list[Sheet]:
    check_uncompressed(content, limits)
    check_dimensions(content, limits)
    book = _open_workbook(content)
    budget = _Budget(limits)
    sheets = []
    with book:
        for metadata in book.sheets_metadata:
            if metadata.typ != python_calamine.SheetTypeEnum.WorkSheet:
                continue  # chart sheets and macros carry no table
            try:
                sheet = book.get_sheet_by_name(metadata.name)
            except Exception as exc:
                raise ReadError(_("Sheet %(s)s cannot be read (%(e)s).") % {"s": metadata.name, "e": exc}) from None
            # The size is known once the sheet is loaded and before any row becomes a Python object.
            budget.take(sheet.height, sheet.height * sheet.width)
            rows = [[_cell(value) for value in row] for row in itertools.islice(sheet.iter_rows(), max_rows)]
            merged = [(a[0], a[1], b[0], b[1]) for a, b in (sheet.merged_cell_ranges or [])]
            sheets.append(Sheet(metadata.name, rows, merged))
    return sheets


def isolated(function: Callable[..., T], *args: object, **kwargs: object) -> T:
    """``function`` run in a forked child: the native workbook parser (calamine, in Rust) can abort the whole
    process on some damaged files, and a crafted file could make it run for ever. A crash or a time-out in the
    child is the file's fault, reported to the user; the web or Celery worker carries on."""
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_run_and_send, args=(sender, function, args, kwargs), daemon=True)
    child.start()
    sender.close()
    try:
        if not receiver.poll(settings.POC_IMPORT_PARSE_SECONDS):
            raise ReadError(
                _("Reading the file took longer than %(s)d seconds. Split it into smaller files (e.g. one sheet or one year each).")
                % {"s": settings.POC_IMPORT_PARSE_SECONDS}
            )
        ok, result = receiver.recv()
    except EOFError:  # the child died without answering: the parser crashed on this file
        raise ReadError(_("The file is damaged and cannot be read. Open it in Excel or LibreOffice and save it again.")) from None
    finally:
        receiver.close()
        if child.is_alive():
            child.kill()
        child.join()
    if ok:
        return result
    raise result


def _run_and_send(sender, function: Callable, args: tuple, kwargs: dict) -> None:  # type: ignore[no-untyped-def]
    try:
        sender.send((True, function(*args, **kwargs)))
    except ReadError as exc:
        sender.send((False, ReadError(str(exc))))
    except Exception as exc:  # any other failure of the parser is the file's fault too
        sender.send((False, ReadError(_("The workbook cannot be read (%(e)s).") % {"e": exc})))
    finally:
        sender.close()


def _open_workbook(content: bytes) -> python_calamine.CalamineWorkbook:
    try:
        return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise ReadError(_("The workbook cannot be read (%(e)s). Open it in Excel or LibreOffice and save it again.") % {"e": exc}) from None


def _cell(value: object) -> Cell:
    if value == "":
        return None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)  # dates and times: the layout step reads their text


def decode_text(content: bytes) -> tuple[str, str]:
    """The text of a CSV and its encoding: a BOM, UTF-16 by its high bytes, strict UTF-8, Windows-874 when its
    text is Thai, and charset-normalizer for anything else."""
    for bom, encoding in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if content.startswith(bom):
            try:
                return content.decode(encoding), encoding
            except UnicodeDecodeError:
                break
    # UTF-16 without a BOM: Thai and ASCII put 0x0E or 0x00 in every high byte (odd bytes little-endian, even big-endian).
    sample = content[:65536]
    for encoding, high in (("utf-16-le", sample[1::2]), ("utf-16-be", sample[0::2])):
        if len(sample) % 2 == 0 and high and high.count(0) + high.count(0x0E) >= 0.9 * len(high):
            try:
                return content.decode(encoding), encoding
            except UnicodeDecodeError:
                pass
    try:
        return content.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    # Thai Excel writes Windows-874 (TIS-620 is its subset): accept it when its non-ASCII text is Thai.
    try:
        text = content.decode("cp874")
    except UnicodeDecodeError:
        pass
    else:
        foreign = [ch for ch in text if ord(ch) > 127]
        if sum(1 for ch in foreign if "\u0e00" <= ch <= "\u0e7f") >= 0.9 * len(foreign):
            return text, "cp874"
    match = from_bytes(content).best()
    if match is None:
        raise ReadError(
            _(
                "The text encoding of the file could not be recognised (tried UTF-8, UTF-16, Windows-874/TIS-620). "
                "Save it from Excel as “CSV UTF-8” and upload it again."
            )
        )
    return str(match), match.encoding


def read_text(text: str, *, delimiter: str | None = None, limits: Limits, max_rows: int | None = None) -> Sheet:
    """One CSV/TSV table, read row by row so that the row and cell limits stop it early."""
    if delimiter is None:
        try:
            delimiter = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","
    budget = _Budget(limits)
    rows: list[list[Cell]] = []
    try:
        for row in itertools.islice(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), max_rows):
            budget.take(1, len(row))
            rows.append([cell if cell.strip() else None for cell in row])
    except csv.Error as exc:
        raise ReadError(_("The CSV file cannot be read (%(e)s). Open it in Excel and save it again as “CSV UTF-8”.") % {"e": exc}) from None
    return Sheet("csv", rows)


def to_number(value: Cell) -> float | None:
    """A number from a cell: Thai digits, thousands separators and stray spaces allowed; ``None`` if not a number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = str(value).translate(THAI_DIGITS).replace("\u00a0", " ").strip()
    negative = text.startswith("(") and text.endswith(")")  # accountants' negatives
    text = text.strip("()").strip()
    if _GROUPED.match(text):
        text = text.replace(",", "").replace(" ", "")
    if not _NUMBER.match(text):
        return None
    number = float(text)
    return -number if negative else number


def is_missing(value: Cell) -> bool:
    """Publishers' marks for "no figure" (``-``, ``n.a.``, ``…``, empty)."""
    return value is None or (isinstance(value, str) and value.strip().lower() in MISSING_WORDS)


def cell_text(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split())


@dataclass
class Survey:
    """What the upload page needs before deciding where a file goes: its size in cells and its first rows."""

    cells: int
    head: list[list[str]]


HEAD_ROWS = 5  # a template carries rows people read (Thai name, unit) above its row of codes


def survey(content: bytes, filename: str, *, limits: Limits | None = None) -> Survey:
    """Size and header row without turning the file into Python rows; a file over a limit raises :class:`ReadError`.

    CSV lines are counted as bytes; an .xlsx is sized from each sheet's ``<dimension>`` before calamine loads it.
    """
    limits = limits or Limits.from_settings()
    if suffix(filename) in TEXT_TYPES:
        text, _encoding = decode_text(content)
        lines = text.lstrip("\ufeff").splitlines()
        head = list(csv.reader(lines[:HEAD_ROWS], delimiter="\t" if "\t" in (lines or [""])[0] else ","))
        budget = _Budget(limits)
        budget.take(len(lines), len(lines) * max(1, len(head[0]) if head else 1))
        return Survey(budget.cells, [[cell_text(c) for c in row] for row in head])
    return isolated(_survey_workbook, content, limits)


def _survey_workbook(content: bytes, limits: Limits) -> Survey:
    check_uncompressed(content, limits)
    check_dimensions(content, limits)
    book = _open_workbook(content)
    budget = _Budget(limits)
    head: list[list[str]] | None = None
    with book:
        for metadata in book.sheets_metadata:
            if metadata.typ == python_calamine.SheetTypeEnum.WorkSheet:
                sheet = book.get_sheet_by_name(metadata.name)
                budget.take(sheet.height, sheet.height * sheet.width)
                if head is None:
                    head = [[cell_text(_cell(c)) for c in row] for row in itertools.islice(sheet.iter_rows(), HEAD_ROWS)]
    return Survey(budget.cells, head or [])


_DIMENSION = re.compile(rb'<(?:\w+:)?dimension ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')


def check_dimensions(content: bytes, limits: Limits) -> None:
    """An .xlsx states each sheet's size at the top of its XML: refuse a huge sheet before parsing a byte of it."""
    if not content.startswith(b"PK"):
        return
    heads = []
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with archive.open(name) as stream:
                        heads.append(stream.read(4096))
    except Exception:  # zipfile, zlib and struct each raise their own errors for a damaged archive
        raise ReadError(
            _("The file is damaged (not a valid .xlsx/.ods archive). Open it in Excel or LibreOffice and save it again.")
        ) from None
    budget = _Budget(limits)
    for head in heads:
        match = _DIMENSION.search(head)
        if match:
            last_column, last_row = match.group(3) or match.group(1), int(match.group(4) or match.group(2))
            columns = sum((ord(ch) - 64) * 26**i for i, ch in enumerate(reversed(last_column.decode())))
            budget.take(last_row, last_row * columns)
