"""The survey report as Excel (openpyxl) and PDF (an HTML template typeset by WeasyPrint, see ``poc.pdf``)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from poc import pdf
from poc.exports import workbook_bytes
from poc.periods import format_date_be
from risk.selectors import SurveyReport

LEVEL_COLOURS = {"low": "8BC34A", "medium": "FFEB3B", "high": "FF9800", "extreme": "E53935"}


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
    return workbook_bytes(book)


def report_pdf(report: SurveyReport) -> bytes:
    summary = _("Deadline %(deadline)s · %(submitted)d of %(invited)d agencies submitted (%(rate)s%%)") % {
        "deadline": format_date_be(report.campaign.deadline),
        "submitted": report.submitted,
        "invited": report.invited,
        "rate": report.response_rate,
    }
    colours = {level: f"#{colour}" for level, colour in LEVEL_COLOURS.items()}
    context = {"report": report, "summary": summary, "colours": colours, "heat_corner": _("Impact \\ Likelihood")}
    return pdf.render_pdf("risk/report_pdf.html", context)
