"""Exports of the responsibility matrix and the bimonthly tracking report (Excel, PDF) and follow-up letters."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from poc.exports import neutralise_workbook
from poc.models import Agency
from poc.pdf import thai_font
from poc.periods import PeriodType, format_date_be, period_containing
from verification.selectors import AgencyTracking, MatrixRow, TrackingLine, TrackingReport

HEADER_FILL = PatternFill("solid", fgColor="EEF2F8")


def current_window_code() -> str:
    """The last completed two-month window (the one the province reviews now)."""
    return period_containing(PeriodType.BIMONTHLY, timezone.localdate()).previous().code


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f}"


# --- Excel --------------------------------------------------------------------------------------
def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list]) -> None:
    sheet = workbook.active if workbook.active.max_row == 1 and workbook.active.title == "Sheet" else workbook.create_sheet()
    sheet.title = title[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
    for row in rows:
        sheet.append(row)
    for column in sheet.columns:
        width = max(len(str(c.value or "")) for c in column)
        sheet.column_dimensions[column[0].column_letter].width = min(60, max(10, width + 2))
    sheet.freeze_panes = "A2"


def _bytes(workbook: Workbook) -> bytes:
    neutralise_workbook(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def responsibility_xlsx(rows: list[MatrixRow]) -> bytes:
    workbook = Workbook()
    header = [_("Dataset code"), _("Dataset"), _("Responsible agency"), _("Contact"), _("Contact e-mail"), _("Contact phone"),
              _("Frequency"), _("Awaited period"), _("Due date"), _("Last update"), _("Reported units"), _("Status")]  # fmt: skip
    data = [
        [r.dataset.code, r.dataset.name, r.dataset.agency.name, r.dataset.contact_name, r.dataset.contact_email, r.dataset.contact_phone,
         r.dataset.get_period_type_display(), r.awaited.label(), format_date_be(r.due),
         format_date_be(timezone.localtime(r.last_update)) if r.last_update else "",
         f"{r.reported_units}/{r.expected_units}", r.status_label]
        for r in rows
    ]  # fmt: skip
    _sheet(workbook, _("Responsibility matrix"), header, data)
    return _bytes(workbook)


def tracking_xlsx(report: TrackingReport) -> bytes:
    workbook = Workbook()
    header = [
        _("Agency"),
        _("Expected reports"),
        _("On time"),
        _("Late"),
        _("Missing"),
        _("Completeness"),
        _("Change since previous report"),
    ]
    _sheet(workbook, _("Agencies"), header, [
        [a.agency.name, a.expected, a.on_time, a.late, a.missing, _round(a.completeness), _round(a.change)] for a in report.agencies
    ])  # fmt: skip
    header = [_("Agency"), _("Dataset code"), _("Dataset"), _("Periods due"), _("Expected reports"), _("On time"), _("Late"),
              _("Missing"), _("Completeness"), _("Change since previous report")]  # fmt: skip
    _sheet(workbook, _("Datasets"), header, [
        [a.agency.name, line.dataset.code, line.dataset.name, ", ".join(p.code for p in line.periods), line.expected, line.on_time,
         line.late, line.missing, _round(line.completeness), _round(line.change)]
        for a in report.agencies for line in a.lines
    ])  # fmt: skip
    return _bytes(workbook)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# --- PDF ----------------------------------------------------------------------------------------
def _styles():  # type: ignore[no-untyped-def]
    from reportlab.lib.styles import ParagraphStyle

    regular, bold = thai_font()
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=20, leading=26, spaceAfter=8),
        "body": ParagraphStyle("body", fontName=regular, fontSize=16, leading=22, spaceAfter=6),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=13, leading=16),
        "head": ParagraphStyle("head", fontName=bold, fontSize=13, leading=16),
    }


def _table(rows: list[list[str]], styles: dict, widths: list[float]):  # type: ignore[no-untyped-def]
    from reportlab.lib import colors
    from reportlab.platypus import Paragraph, Table, TableStyle

    data = [[Paragraph(_escape(c), styles["head"] if i == 0 else styles["cell"]) for c in row] for i, row in enumerate(rows)]
    table = Table(data, colWidths=widths, repeatRows=1)
    grid = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#dde3ec")),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f8")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    table.setStyle(TableStyle(grid))
    return table


def _escape(text: object) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _document(story: list, landscape_page: bool = False) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import cm
    from reportlab.platypus import SimpleDocTemplate

    buffer = io.BytesIO()
    size = landscape(A4) if landscape_page else A4
    SimpleDocTemplate(buffer, pagesize=size, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=1.8 * cm, bottomMargin=1.8 * cm,
                      title="POC").build(story)  # fmt: skip
    return buffer.getvalue()


def tracking_pdf(report: TrackingReport) -> bytes:
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, Spacer

    styles = _styles()
    story = [
        Paragraph(_escape(_("Data update tracking report, %(p)s") % {"p": report.window.label()}), styles["title"]),
        Paragraph(_escape(_("Judged as of %(d)s") % {"d": format_date_be(timezone.localtime(report.as_of))}), styles["body"]),
    ]
    header = [_("Agency"), _("Expected reports"), _("On time"), _("Late"), _("Missing"), _("Completeness"), _("Change")]
    rows = [header] + [
        [a.agency.name, a.expected, a.on_time, a.late, a.missing, _pct(a.completeness), _signed(a.change)] for a in report.agencies
    ]
    story.append(_table(rows, styles, [9 * cm, 2.6 * cm, 2.2 * cm, 2.2 * cm, 2.2 * cm, 2.8 * cm, 2.4 * cm]))
    story.append(Spacer(1, 0.6 * cm))
    header = [_("Agency"), _("Dataset"), _("Periods due"), _("On time"), _("Late"), _("Missing"), _("Completeness")]
    rows = [header] + [
        [a.agency.name, f"{line.dataset.code} {line.dataset.name}", ", ".join(p.label() for p in line.periods), line.on_time, line.late,
         line.missing, _pct(line.completeness)]
        for a in report.agencies for line in a.lines
    ]  # fmt: skip
    story.append(_table(rows, styles, [6 * cm, 7.5 * cm, 4.5 * cm, 2 * cm, 2 * cm, 2 * cm, 2.4 * cm]))
    return _document(story, landscape_page=True)


# --- Follow-up letters --------------------------------------------------------------------------
@dataclass
class Letter:
    agency: Agency
    number: str
    date_text: str
    window_label: str
    window_code: str
    overdue: list[TrackingLine]
    body: str


def follow_up_letter(report: TrackingReport, agency: Agency) -> Letter | None:
    """The letter to a lagging agency (text from ``verification/letter_body.txt``, which a province may override)."""
    lagging = [a for a in report.lagging if a.agency.pk == agency.pk]
    if not lagging:
        return None
    tracking: AgencyTracking = lagging[0]
    sequence = [a.agency.pk for a in report.lagging].index(agency.pk) + 1
    prefix = agency.letter_prefix or agency.code
    number = f"{prefix}/{report.window.code.replace('-', '')}-{sequence:02d}"
    today = timezone.localdate()
    context = {
        "agency": agency,
        "window": report.window.label("th"),
        "date": format_date_be(today, "th", long=True),
        "overdue": [
            (line.dataset, ", ".join(p.label("th") for p in line.overdue_periods), line.missing) for line in tracking.overdue_lines
        ],
        "late": [line for line in tracking.lines if line.late and not line.missing],
        "completeness": _pct(tracking.completeness),
    }
    body = render_to_string("verification/letter_body.txt", context).strip()
    return Letter(agency, number, context["date"], context["window"], report.window.code, tracking.overdue_lines, body)


def letter_pdf(letter: Letter) -> bytes:
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, Spacer

    styles = _styles()
    story = [
        Paragraph(_escape(f"ที่ {letter.number}"), styles["body"]),
        Paragraph(_escape(letter.date_text), styles["body"]),
        Spacer(1, 0.4 * cm),
    ]
    for paragraph in letter.body.split("\n\n"):
        story.append(Paragraph(_escape(paragraph).replace("\n", "<br/>"), styles["body"]))
    return _document(story)
