"""Exports of the responsibility matrix and the bimonthly tracking report (Excel, PDF) and follow-up letters.

PDFs are HTML templates (``verification/pdf/``) typeset by WeasyPrint (see ``poc.pdf``)."""

from __future__ import annotations

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from poc.exports import append_table, workbook_bytes
from poc.models import Agency
from poc.pdf import render_pdf
from poc.periods import PeriodType, format_date_be, period_containing
from verification.timeliness import MatrixRow
from verification.tracking import AgencyTracking, TrackingLine, TrackingReport


def current_window_code() -> str:
    """The last completed two-month window (the one the province reviews now)."""
    return period_containing(PeriodType.BIMONTHLY, timezone.localdate()).previous().code


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f}"


# --- Excel ---------------------------------------------------------------------------------------
def responsibility_xlsx(rows: list[MatrixRow]) -> bytes:
    workbook = Workbook()
    header = [
        _("Dataset code"),
        _("Dataset"),
        _("Responsible agency"),
        _("Contact"),
        _("Contact e-mail"),
        _("Contact phone"),
        _("Frequency"),
        _("Awaited period"),
        _("Due date"),
        _("Last update"),
        _("Reported units"),
        _("Status"),
    ]
    data = [
        [
            r.dataset.code,
            r.dataset.name,
            r.dataset.agency.name,
            r.dataset.contact_name,
            r.dataset.contact_email,
            r.dataset.contact_phone,
            r.dataset.get_period_type_display(),
            r.awaited.label(),
            format_date_be(r.due),
            format_date_be(timezone.localtime(r.last_update)) if r.last_update else "",
            f"{r.reported_units}/{r.expected_units}",
            r.status_label,
        ]
        for r in rows
    ]
    append_table(workbook, title=_("Responsibility matrix"), header=header, rows=data)
    return workbook_bytes(workbook)


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
    append_table(
        workbook,
        title=_("Agencies"),
        header=header,
        rows=[[a.agency.name, a.expected, a.on_time, a.late, a.missing, _round(a.completeness), _round(a.change)] for a in report.agencies],
    )
    header = [
        _("Agency"),
        _("Dataset code"),
        _("Dataset"),
        _("Periods due"),
        _("Expected reports"),
        _("On time"),
        _("Late"),
        _("Missing"),
        _("Completeness"),
        _("Change since previous report"),
    ]
    append_table(
        workbook,
        title=_("Datasets"),
        header=header,
        rows=[
            [
                a.agency.name,
                line.dataset.code,
                line.dataset.name,
                ", ".join(p.code for p in line.periods),
                line.expected,
                line.on_time,
                line.late,
                line.missing,
                _round(line.completeness),
                _round(line.change),
            ]
            for a in report.agencies
            for line in a.lines
        ],
    )
    return workbook_bytes(workbook)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


# --- PDF ----------------------------------------------------------------------------------------
def tracking_pdf(report: TrackingReport) -> bytes:
    agencies = [[a.agency.name, a.expected, a.on_time, a.late, a.missing, _pct(a.completeness), _signed(a.change)] for a in report.agencies]
    lines = [
        [
            a.agency.name,
            f"{line.dataset.code} {line.dataset.name}",
            ", ".join(p.label() for p in line.periods),
            line.on_time,
            line.late,
            line.missing,
            _pct(line.completeness),
        ]
        for a in report.agencies
        for line in a.lines
    ]
    context = {
        "title": _("Data update tracking report, %(p)s") % {"p": report.window.label()},
        "as_of": _("Judged as of %(d)s") % {"d": format_date_be(timezone.localtime(report.as_of))},
        "agencies": agencies,
        "lines": lines,
    }
    return render_pdf("verification/pdf/tracking.html", context)


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
    return render_pdf("verification/pdf/letter.html", {"letter": letter, "paragraphs": letter.body.split("\n\n")})
