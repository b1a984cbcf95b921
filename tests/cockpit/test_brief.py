"""The cockpit's one-page brief for the monthly meeting: a PDF whose text says what the tiles say, in whole Thai words."""

import io
import re

from django.urls import reverse
from pypdf import PdfReader

from cockpit.models import Alert, RuleKind, WarningRule
from poc.models import OrgUnit, Period
from tests.cockpit.test_views import filled, gov  # noqa: F401  (fixtures)
from tests.pdf_text import pdf_fonts, pdf_text


def test_brief_is_one_thai_page_with_the_tiles_and_open_alerts(gov, filled, executive):  # noqa: F811
    rule = WarningRule.objects.create(name_th="อัตราป่วยสูงผิดปกติ", indicator=filled, level=2, kind=RuleKind.ABOVE, high=15)
    Alert.objects.create(
        rule=rule, orgunit=OrgUnit.objects.get(code="9901"), period=Period.objects.for_code("FY2568"), value=20, severity=rule.severity
    )
    tiles = gov.get(reverse("cockpit:tiles"), {"fy": 2568}).content.decode()
    assert f'href="{reverse("cockpit:brief_pdf")}?fy=2568&amp;orgunit=99"' in tiles

    response = gov.get(reverse("cockpit:brief_pdf"), {"fy": 2568, "orgunit": "99"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert len(PdfReader(io.BytesIO(response.content)).pages) == 1
    text = pdf_text(response.content)
    assert "สรุปห้องบัญชาการผู้บริหาร" in text and "ปีงบประมาณ 2568" in text
    # Summary strip: RATE1 is the only indicator and it is red (12.5 per 1,000 against a target of 10); one open alert.
    # (PDF text maps the "า" glyph once, so "ต่ำ" reads back as "ตา": match around it.)
    assert re.search(r"1 ต\S*กว่าเป้าหมาย 0 เฝ้าระวัง 0 บรรลุเป้าหมาย 0 ไม่ประเมิน 1 การเตือนที่เปิดอยู่", text)
    assert "อัตราป่วย" in text and "12.5" in text and "เป้าหมาย 10.0" in text and "▲ 108.3%" in text
    assert "อัตราป่วยสูงผิดปกติ" in text and "ปีงบประมาณ 2568" in text
    assert {"Sarabun-Thai", "Sarabun-Thai-Bold"} <= pdf_fonts(response.content)


def test_brief_needs_a_login(client):
    response = client.get(reverse("cockpit:brief_pdf"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
