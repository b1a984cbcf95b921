"""The bimonthly report on a hand-checked fixture: DS-HEALTH (monthly, due 15 days after), 4 subdistricts."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from freezegun import freeze_time
from openpyxl import load_workbook

from datasets.models import DataElement, Dataset
from tests.pdf_text import pdf_fonts, pdf_text
from verification import reports
from verification.tracking import tracking_report

pytestmark = pytest.mark.django_db


def enter(save, user, element, units, period_code, when):
    with freeze_time(when):
        assert save(user, [(element, unit, period_code, 5) for unit in units]).ok


@pytest.fixture
def history(save, entry_a, elements, subdistricts, agency_b, topic):
    cases = elements["cases"]
    # Window 2567-B6 (Nov–Dec 2024): Oct due 15 Nov, Nov due 15 Dec.
    enter(save, entry_a, cases, subdistricts, "2567-10", "2024-11-10 03:00")  # 4 on time; November never: 4 missing
    # Window 2568-B1 (Jan–Feb 2025): Dec due 15 Jan, Jan due 15 Feb.
    enter(save, entry_a, cases, subdistricts[:2], "2567-12", "2025-01-10 03:00")  # 2 on time
    enter(save, entry_a, cases, subdistricts[2:3], "2567-12", "2025-01-20 03:00")  # 1 late
    enter(save, entry_a, cases, subdistricts[:3], "2568-01", "2025-02-14 03:00")  # 3 on time
    enter(save, entry_a, cases, subdistricts[3:], "2568-01", "2025-03-05 03:00")  # after the window: missing
    other = Dataset.objects.create(code="DS-B", topic=topic, name_th="ข้อมูลบี", agency=agency_b, collection_level=2, period_type="M")
    DataElement.objects.create(code="B1", dataset=other, name_th="บี")
    return other


def test_report_figures_match_the_hand_count(history):
    with freeze_time("2025-03-10 03:00"):
        report = tracking_report("2568-B1", user=None)
    assert report.as_of == dt.datetime(2025, 3, 1, tzinfo=timezone.get_current_timezone())
    a, b = report.agencies
    line = a.lines[0]
    assert [p.code for p in line.periods] == ["2567-12", "2568-01"]
    assert (line.expected, line.on_time, line.late, line.missing) == (8, 5, 1, 2)
    assert line.completeness == 75.0 and line.previous_completeness == 50.0 and line.change == 25.0
    assert [p.code for p in line.overdue_periods] == ["2567-12", "2568-01"]
    # DS-B is due 30 days after the month: only December (due 30 Jan) falls in the window; 2 districts.
    assert (b.agency.code, b.expected, b.missing, b.completeness) == ("AG-B", 2, 2, 0.0)
    assert [x.agency.code for x in report.lagging] == ["AG-A", "AG-B"]


def test_exports_letters_and_command(history, client, it_admin, executive):
    with freeze_time("2025-03-10 03:00"):
        report = tracking_report("2568-B1", user=None)
        workbook = load_workbook(io.BytesIO(reports.tracking_xlsx(report)))
        rows = list(workbook.worksheets[1].iter_rows(min_row=2, values_only=True))
        assert rows[0][1:] == ("DS-HEALTH", "ข้อมูลสุขภาพ", "2567-12, 2568-01", 8, 5, 1, 2, 75.0, 25.0)
        pdf = reports.tracking_pdf(report)
        text = pdf_text(pdf)
        # WeasyPrint breaks Thai lines at word boundaries (libthai): words come out whole, never "รายงานที่ต้|องส่ง".
        assert "รายงานติดตามการปรับปรุงข้อมูล ม.ค.–ก.พ. 2568" in text
        assert "รายงานที่ต้องส่ง" in text and "หน่วยงานเอ 8 5 1 2 75.0% +25.0" in text
        assert "DS-HEALTH ข้อมูลสุขภาพ ธ.ค. 2567, ม.ค. 2568 5 1 2 75.0%" in text
        assert {"Sarabun-Thai", "Sarabun-Thai-Bold"} <= pdf_fonts(pdf)  # the vendored font, embedded
        letter = reports.follow_up_letter(report, report.agencies[0].agency)
        assert letter.number == "ทส 0001/2568B1-01"
        assert letter.date_text == "10 มีนาคม 2568"
        assert "ข้อมูลสุขภาพ (DS-HEALTH) งวด ธ.ค. 2567, ม.ค. 2568 ยังขาด 2 รายงาน" in letter.body
        letter_text = pdf_text(reports.letter_pdf(letter))
        assert "ที่ ทส 0001/2568B1-01" in letter_text and "10 มีนาคม 2568" in letter_text
        client.force_login(it_admin)
        page = client.get(reverse("verification:tracking_report"), {"period": "2568-B1"})
        assert page.status_code == 200 and len(page.context["report"].agencies) == 2
        assert (
            client.get(reverse("verification:tracking_report"), {"period": "2568-B1", "format": "pdf"})["Content-Type"] == "application/pdf"
        )
        html = client.get(reverse("verification:tracking_letter", args=["AG-A"]), {"period": "2568-B1"})
        assert "ทส 0001/2568B1-01" in html.content.decode()
        client.force_login(executive)
        assert client.get(reverse("verification:tracking_letter", args=["AG-A"]), {"period": "2568-B1"}).status_code == 403
        out = io.StringIO()
        call_command("tracking_report", "--period", "2568-B1", stdout=out)
    assert "AG-A: on time 5, late 1, missing 2, 75.0%" in out.getvalue()


def test_only_two_month_periods_are_accepted(db):
    with pytest.raises(ValueError):
        tracking_report("2568-01", user=None)
