"""Every PDF the portal makes: an HTML template rendered by WeasyPrint.

WeasyPrint lays text out with Pango and HarfBuzz, and Pango breaks Thai lines with libthai's
dictionary: words stay whole ("รายงานที่ต้องส่ง", not "รายงานที่ต้|องส่ง") and tone marks sit on their
consonants. The font is the vendored Sarabun (static/fonts, SIL OFL), the face of Thai official
documents. Templates extend ``pdf/base.html``; only the vendored fonts may be loaded while rendering.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"


class PdfResourceRefused(ValueError):
    """A template asked for something other than a vendored font (never fetched: no network, no other files)."""


class FontsOnlyFetcher(URLFetcher):
    """Templates render user-entered text: whatever it says, nothing but the vendored fonts is read."""

    def fetch(self, url: str, headers: dict | None = None) -> Any:
        if not url.startswith("file://"):
            raise PdfResourceRefused(url)
        path = Path(url.removeprefix("file://").split("?")[0]).resolve()
        if path.parent != FONT_DIR.resolve() or path.suffix != ".woff2":
            raise PdfResourceRefused(url)
        return super().fetch(url, headers)


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render ``template_name`` (extending ``pdf/base.html``) to PDF bytes."""
    html = render_to_string(template_name, {**context, "pdf_font_dir": FONT_DIR.resolve().as_uri()})
    return HTML(string=html, base_url=FONT_DIR.resolve().as_uri() + "/", url_fetcher=FontsOnlyFetcher()).write_pdf()


def pdf_response(content: bytes, filename: str, *, attachment: bool = False) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    disposition = "attachment" if attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response
