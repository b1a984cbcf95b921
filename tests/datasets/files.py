"""Builders of files shaped like the ones agencies publish (OAE/NSO style), in every format we read."""

from __future__ import annotations

import io

import openpyxl
import xlwt
from odf.opendocument import OpenDocumentSpreadsheet
from odf.table import Table, TableCell, TableRow
from odf.text import P

Rows = list[list[object]]

TITLE = "ตารางที่ 5 เนื้อที่เพาะปลูกและผลผลิตข้าวนาปี รายอำเภอ จังหวัดระยอง"


def agri_sheet(year: int, area: dict[str, object], crop: dict[str, object]) -> tuple[Rows, list[tuple[int, int, int, int]]]:
    """Title row, two-row merged header, province and regional subtotals, district names, footnotes."""
    rows: Rows = [
        [TITLE, None, None],
        [f"ปีเพาะปลูก {year}", None, None],
        ["อำเภอ", "เนื้อที่เพาะปลูก", "ผลผลิต"],
        [None, "(ไร่)", "(ตัน)"],
        ["ภาคตะวันออก", "๙๙,๙๙๙", "88,888"],
        ["จังหวัดระยอง", "12,345", "6,789"],
    ]
    for name in area:
        rows.append([name, area[name], crop[name]])
    rows += [
        ["รวม", "12,345", "6,789"],
        [None, None, None],
        ["ที่มา: สำนักงานเศรษฐกิจการเกษตร", None, None],
        ["หมายเหตุ: - หมายถึง ไม่มีข้อมูล", None, None],
        ["Update : 3-04-60", None, None],
    ]
    merged = [(0, 0, 0, 2), (1, 0, 1, 2), (2, 0, 3, 0)]  # title, subtitle, "อำเภอ" over both header rows
    return rows, merged


def xlsx(sheets: dict[str, tuple[Rows, list]]) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (rows, merged) in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for top, left, bottom, right in merged:
            sheet.merge_cells(start_row=top + 1, start_column=left + 1, end_row=bottom + 1, end_column=right + 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def xls(sheets: dict[str, tuple[Rows, list]]) -> bytes:
    """Legacy BIFF8, as most Thai government statistics are still published."""
    book = xlwt.Workbook(encoding="utf-8")
    for name, (rows, merged) in sheets.items():
        sheet = book.add_sheet(name)
        covered = {(r, c) for t, lft, b, rgt in merged for r in range(t, b + 1) for c in range(lft, rgt + 1) if (r, c) != (t, lft)}
        for top, left, bottom, right in merged:
            sheet.write_merge(top, bottom, left, right, rows[top][left])
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None and (r, c) not in covered and not any((r, c) == (t, lft) for t, lft, _b, _r in merged):
                    sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def ods(sheets: dict[str, tuple[Rows, list]]) -> bytes:
    document = OpenDocumentSpreadsheet()
    for name, (rows, _merged) in sheets.items():
        table = Table(name=name)
        for row in rows:
            line = TableRow()
            for value in row:
                if isinstance(value, (int, float)):
                    cell = TableCell(valuetype="float", value=value)
                    cell.addElement(P(text=str(value)))
                else:
                    cell = TableCell(valuetype="string") if value is not None else TableCell()
                    if value is not None:
                        cell.addElement(P(text=str(value)))
                line.addElement(cell)
            table.addElement(line)
        document.spreadsheet.addElement(table)
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


def csv_bytes(rows: Rows, encoding: str, delimiter: str = ",") -> bytes:
    lines = []
    for row in rows:
        cells = ["" if v is None else str(v) for v in row]
        lines.append(delimiter.join(f'"{c}"' if "," in c else c for c in cells))
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
