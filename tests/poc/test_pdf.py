"""PDF typesetting (poc.pdf): Thai lines break between words, and a template can read nothing but the vendored fonts."""

import re

import pytest
from django.template.loader import render_to_string

from poc.pdf import FONT_DIR, FontsOnlyFetcher, PdfResourceRefused, render_pdf
from tests.pdf_text import pdf_text
from verification.reports import Letter

WORDS = ("รายงาน", "ที่", "ต้อง", "ส่ง", "ไม่", "ผ่าน")


def test_a_long_thai_run_without_spaces_breaks_only_between_words():
    run = "".join(WORDS) * 40  # Thai writes no spaces between words: the line breaker must find them
    letter = Letter(agency=None, number="ทส 0001/1", date_text="1 มกราคม 2569", window_label="", window_code="", overdue=[], body=run)
    text = pdf_text(render_pdf("verification/pdf/letter.html", {"letter": letter, "paragraphs": [run]}))
    lines = [line.strip() for line in text.splitlines() if line.strip() and line.strip() not in ("า", "ที่ ทส 0001/1", "1 มกราคม 2569")]
    lines = [line for line in lines if not re.fullmatch(r"\d+ / \d+", line)]
    assert len(lines) > 5  # it did wrap
    word = "(?:" + "|".join(WORDS) + ")"
    assert all(re.fullmatch(f"{word}+", line) for line in lines), lines
    assert "".join(lines) == run


def test_templates_cannot_fetch_files_or_urls():
    fetcher = FontsOnlyFetcher()
    for url in (
        "file:///etc/passwd",
        "http://169.254.169.254/latest/meta-data/",
        f"{FONT_DIR.as_uri()}/../OFL-Sarabun.txt",
        f"{FONT_DIR.as_uri()}/OFL-Sarabun.txt",
    ):
        with pytest.raises(PdfResourceRefused):
            fetcher.fetch(url)
    font = fetcher.fetch(f"{FONT_DIR.as_uri()}/sarabun-thai-400-normal.woff2")
    assert font.read(4) == b"wOF2"
    font.close()


def test_user_text_is_escaped_into_the_page_not_markup():
    body = '<img src="file:///etc/passwd"> ข้อความ'
    letter = Letter(agency=None, number="1", date_text="", window_label="", window_code="", overdue=[], body=body)
    html = render_to_string("verification/pdf/letter.html", {"letter": letter, "paragraphs": [body], "pdf_font_dir": ""})
    assert "&lt;img" in html and '<img src="file' not in html
