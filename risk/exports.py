"""The survey report as Excel (openpyxl) and PDF (reportlab with an embedded Thai TrueType font)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from poc import pdf
from poc.exports import neutralise_workbook
from poc.periods import format_date_be
from risk.selectors import SurveyReport

LEVEL_COLOURS = {"low": "8BC34A", "medium": "FFEB3B", "high": "FF9800", "extreme": "E53935"}


def thai_font() -> str:
    """The Thai TTF registered with reportlab by the shared PDF helper (fails clearly when none is installed)."""
    return pdf.thai_font()[0]


def report_xlsx(report: SurveyReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = _("Summary")[:31]
    bold = Font(bold=True)
    sheet.append([report.campaign.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([_("Deadline"), format_date_be(report.campaign.deadline)])
    sheet.append([_("Agencies invited"), report.invited])
    sheet.append([_("Submitted"), report.submitted])
    sheet.append([_("Response rate (%)"), report.response_rate])
    sheet.append([])
    sheet.append([_("Top risks")])
    sheet.cell(sheet.max_row, 1).font = bold
    sheet.append([_("Risk area"), _("Risk"), _("Answers"), _("Likelihood"), _("Impact"), _("Mean score"), _("Level")])
    for risk in report.top_risks:
        sheet.append(
            [
                risk.question.get_area_display(),
                risk.question.text,
                risk.answers,
                risk.mean_likelihood,
                risk.mean_impact,
                risk.mean_score,
                str(risk.level.label),
            ]
        )
        sheet.cell(sheet.max_row, 7).fill = PatternFill("solid", fgColor=LEVEL_COLOURS[risk.level.value])
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 70

    heat = book.create_sheet(_("Heat maps")[:31])
    for heatmap in [*report.by_area, *report.by_agency]:
        heat.append([heatmap.label])
        heat.cell(heat.max_row, 1).font = bold
        heat.append([_("Impact \\ Likelihood"), 1, 2, 3, 4, 5])
        for row in heatmap.rows:
            heat.append([row["impact"], *[cell["count"] for cell in row["cells"]]])
            for column, cell in enumerate(row["cells"], start=2):
                target = heat.cell(heat.max_row, column)
                target.fill = PatternFill("solid", fgColor=LEVEL_COLOURS[cell["level"]])
                target.alignment = Alignment(horizontal="center")
        heat.append([])
    heat.column_dimensions["A"].width = 24

    responses = book.create_sheet(_("Responses")[:31])
    responses.append([_("Agency"), _("Status"), _("Answered"), _("Submitted")])
    for response in report.responses:
        responses.append(
            [str(response.agency), str(response.get_status_display()), response.answered, format_date_be(response.submitted_at)]
        )
    responses.column_dimensions["A"].width = 50

    actions = book.create_sheet(_("Mitigation actions")[:31])
    actions.append([_("Risk"), _("Mitigation action"), _("Owner"), _("Due date"), _("Status")])
    for action in report.actions:
        actions.append(
            [
                action.question.text if action.question else "",
                action.description,
                action.owner,
                format_date_be(action.due_date),
                str(action.get_status_display()),
            ]
        )
    buffer = io.BytesIO()
    neutralise_workbook(book)
    book.save(buffer)
    return buffer.getvalue()


def report_pdf(report: SurveyReport) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = thai_font()
    normal = ParagraphStyle("poc", fontName=font, fontSize=10, leading=14)
    heading = ParagraphStyle("poc-h", parent=normal, fontSize=15, leading=20, spaceAfter=6)
    subheading = ParagraphStyle("poc-h2", parent=normal, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4)
    grid = [("FONTNAME", (0, 0), (-1, -1), font), ("GRID", (0, 0), (-1, -1), 0.4, colors.grey), ("FONTSIZE", (0, 0), (-1, -1), 9)]

    story = [
        Paragraph(report.campaign.title, heading),
        Paragraph(
            _("Deadline %(deadline)s · %(submitted)d of %(invited)d agencies submitted (%(rate)s%%)")
            % {
                "deadline": format_date_be(report.campaign.deadline),
                "submitted": report.submitted,
                "invited": report.invited,
                "rate": report.response_rate,
            },
            normal,
        ),
        Paragraph(_("Top risks"), subheading),
    ]
    rows = [[_("Risk"), _("Likelihood"), _("Impact"), _("Mean score"), _("Level")]]
    for risk in report.top_risks:
        rows.append([Paragraph(risk.question.text, normal), risk.mean_likelihood, risk.mean_impact, risk.mean_score, str(risk.level.label)])
    table = Table(rows, colWidths=[95 * mm, 20 * mm, 20 * mm, 22 * mm, 22 * mm], repeatRows=1)
    styles = [*grid, ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f8"))]
    for index, risk in enumerate(report.top_risks, start=1):
        styles.append(("BACKGROUND", (4, index), (4, index), colors.HexColor("#" + LEVEL_COLOURS[risk.level.value])))
    table.setStyle(TableStyle(styles))
    story.append(table)

    story.append(Paragraph(_("Heat maps by risk area"), subheading))
    for heatmap in report.by_area:
        story.append(Paragraph(heatmap.label, normal))
        cells = [[_("Impact \\ Likelihood"), "1", "2", "3", "4", "5"]]
        cell_styles = list(grid)
        for row_index, row in enumerate(heatmap.rows, start=1):
            cells.append([str(row["impact"]), *[str(cell["count"] or "") for cell in row["cells"]]])
            for col_index, cell in enumerate(row["cells"], start=1):
                colour = colors.HexColor("#" + LEVEL_COLOURS[cell["level"]])
                cell_styles.append(("BACKGROUND", (col_index, row_index), (col_index, row_index), colour))
        heat = Table(cells, colWidths=[35 * mm] + [14 * mm] * 5)
        heat.setStyle(TableStyle([*cell_styles, ("ALIGN", (1, 0), (-1, -1), "CENTER")]))
        story += [heat, Spacer(1, 4 * mm)]

    if report.actions:
        story.append(Paragraph(_("Mitigation actions"), subheading))
        rows = [[_("Mitigation action"), _("Owner"), _("Due date"), _("Status")]]
        for action in report.actions:
            rows.append(
                [
                    Paragraph(action.description, normal),
                    Paragraph(action.owner, normal),
                    format_date_be(action.due_date),
                    str(action.get_status_display()),
                ]
            )
        actions = Table(rows, colWidths=[85 * mm, 45 * mm, 25 * mm, 25 * mm], repeatRows=1)
        actions.setStyle(TableStyle(grid))
        story.append(actions)

    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, title=report.campaign.title, leftMargin=15 * mm, rightMargin=15 * mm).build(story)
    return buffer.getvalue()
