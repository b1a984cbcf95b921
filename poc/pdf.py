"""PDF reports with an embedded Thai font (reportlab). Thai government documents use a Sarabun-like face:
TLWG Laksaman (Debian fonts-thai-tlwg) is the closest free one; Garuda is the fallback."""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

FONT_CANDIDATES = [
    Path("/usr/share/fonts/truetype/tlwg/Laksaman.ttf"),
    Path("/usr/share/fonts/truetype/tlwg/Garuda.ttf"),
    Path("/usr/share/fonts/truetype/tlwg/Loma.ttf"),
]


class ThaiFontMissing(RuntimeError):
    pass


@cache
def thai_font() -> tuple[str, str]:
    """Register and return (regular, bold) font names; raises ThaiFontMissing with the package to install."""
    for regular in FONT_CANDIDATES:
        bold = regular.with_name(regular.stem + "-Bold.ttf")
        if regular.is_file():
            pdfmetrics.registerFont(TTFont("Thai", str(regular)))
            pdfmetrics.registerFont(TTFont("Thai-Bold", str(bold if bold.is_file() else regular)))
            return "Thai", "Thai-Bold"
    raise ThaiFontMissing(_("No Thai font found for PDF output: install the Debian package fonts-thai-tlwg."))


def styles() -> dict[str, ParagraphStyle]:
    regular, bold = thai_font()
    return {
        "title": ParagraphStyle("title", fontName=bold, fontSize=18, leading=24, spaceAfter=6),
        "h2": ParagraphStyle("h2", fontName=bold, fontSize=15, leading=20, spaceBefore=8, spaceAfter=4),
        "body": ParagraphStyle("body", fontName=regular, fontSize=13, leading=18),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=11, leading=14),
    }


def table(rows: Sequence[Sequence[object]], col_widths: Sequence[float] | None = None) -> Table:
    """A table whose cells wrap (Thai has no spaces between words, so plain strings would overflow)."""
    cell = styles()["cell"]
    data = [[Paragraph(str(value), cell) for value in row] for row in rows]
    result = Table(data, colWidths=col_widths, repeatRows=1)
    result.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f8")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return result


def render(title: str, flowables: Sequence[Flowable]) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=title, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm, bottomMargin=16 * mm
    )
    document.build([Paragraph(title, styles()["title"]), Spacer(1, 4 * mm), *flowables])
    return buffer.getvalue()
