"""Survey scoring and heat-map figures on a small hand-checked fixture; draft/submit rules; exports."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from risk import services
from risk.exports import report_pdf, report_xlsx
from risk.models import ResponseStatus, RiskAnswer, RiskArea, RiskQuestion, RiskResponse
from risk.selectors import survey_report
from tests.pdf_text import pdf_fonts, pdf_text


@pytest.fixture
def questions(db) -> list[RiskQuestion]:
    return [
        RiskQuestion.objects.create(area=RiskArea.ACCESS, text="q1 weak passwords", order=1),
        RiskQuestion.objects.create(area=RiskArea.ACCESS, text="q2 shared accounts", order=2),
        RiskQuestion.objects.create(area=RiskArea.EMERGENCY, text="q3 flood in server room", order=1),
    ]


@pytest.fixture
def campaign(questions, it_admin, agency_a, agency_b, it_agency):
    return services.campaign_create(
        user=it_admin, title="IT risk FY2568", fiscal_year=2568, deadline=dt.date(2025, 8, 31), agencies=[agency_a, agency_b, it_agency]
    )


def answer(campaign, user, agency, values, submit=True):
    response = RiskResponse.objects.get(campaign=campaign, agency=agency)
    q1, q2, q3 = campaign.questions.order_by("area", "order")
    # questions ordered by area: access (q1, q2) then emergency (q3)
    answers = {q.pk: (lk, im, "") for q, (lk, im) in zip((q1, q2, q3), values, strict=False)}
    return services.response_save(response=response, user=user, answers=answers, submit=submit)


@pytest.fixture
def answered(campaign, entry_a, entry_b, it_admin, agency_a, agency_b, it_agency):
    answer(campaign, entry_a, agency_a, [(4, 5), (2, 2), (3, 3)])  # scores 20, 4, 9
    answer(campaign, entry_b, agency_b, [(2, 4), (1, 1), (5, 5)])  # scores 8, 1, 25
    answer(campaign, it_admin, it_agency, [(5, 5)], submit=False)  # a draft: not counted
    return campaign


def test_report_figures_on_hand_checked_fixture(answered, questions):
    q1, q2, q3 = questions
    report = survey_report(answered)

    assert (report.invited, report.submitted, report.drafts) == (3, 2, 1)
    assert report.response_rate == 66.7
    access, accuracy, emergency, management = report.by_area
    assert access.total == 4 and accuracy.total == 0 and emergency.total == 2 and management.total == 0
    assert access.count(likelihood=4, impact=5) == 1
    assert access.count(likelihood=2, impact=4) == 1
    assert access.count(likelihood=1, impact=1) == 1
    assert emergency.count(likelihood=5, impact=5) == 1
    assert emergency.count(likelihood=3, impact=3) == 1
    assert access.rows[0]["impact"] == 5 and access.rows[0]["cells"][3] == {"likelihood": 4, "count": 1, "level": "extreme"}
    assert report.area_scores == {RiskArea.ACCESS: 8.25, RiskArea.EMERGENCY: 17.0}
    assert [(r.question, r.mean_score, r.mean_likelihood, r.mean_impact, r.max_score) for r in report.top_risks] == [
        (q3, 17.0, 4.0, 4.0, 25),
        (q1, 14.0, 3.0, 4.5, 20),
        (q2, 2.5, 1.5, 1.5, 4),
    ]
    assert [r.level for r in report.top_risks] == ["extreme", "high", "low"]
    assert [h.label for h in report.by_agency] == ["หน่วยงานบี", "หน่วยงานเอ"]
    assert [h.total for h in report.by_agency] == [3, 3]


def test_submit_requires_every_question_and_saves_nothing_otherwise(campaign, entry_a, agency_a, en):
    answer(campaign, entry_a, agency_a, [(3, 3)], submit=False)
    with pytest.raises(ValidationError) as error:
        answer(campaign, entry_a, agency_a, [(4, 4), (2, 2)], submit=True)

    assert "Question “q3 flood in server room” is not answered." in error.value.messages
    response = RiskResponse.objects.get(campaign=campaign, agency=agency_a)
    assert response.status == ResponseStatus.DRAFT
    assert [(a.likelihood, a.impact) for a in response.answers.all()] == [(3, 3)]


def test_out_of_range_scores_are_refused(campaign, entry_a, agency_a, en):
    with pytest.raises(ValidationError, match="from 1 to 5"):
        answer(campaign, entry_a, agency_a, [(6, 2)], submit=False)
    assert not RiskAnswer.objects.exists()


def test_agency_cannot_answer_for_another_and_cannot_change_after_submit(campaign, entry_a, entry_b, agency_a, en):
    with pytest.raises(PermissionDenied):
        answer(campaign, entry_b, agency_a, [(1, 1)], submit=False)
    answer(campaign, entry_a, agency_a, [(1, 1), (1, 1), (1, 1)])
    with pytest.raises(ValidationError, match="already submitted"):
        answer(campaign, entry_a, agency_a, [(5, 5), (5, 5), (5, 5)])


def test_answer_page_saves_draft_then_submits(client, campaign, entry_a, agency_a, questions):
    client.force_login(entry_a)
    url = reverse("risk:response_edit", args=[campaign.pk])
    q1, q2, q3 = questions
    data = {f"l_{q1.pk}": "4", f"i_{q1.pk}": "5", f"n_{q1.pk}": "ใช้รหัสผ่านร่วมกัน"}
    assert client.post(url, {**data, "action": "draft"}).status_code == 302
    response = RiskResponse.objects.get(campaign=campaign, agency=agency_a)
    assert response.status == ResponseStatus.DRAFT and response.answers.get().note == "ใช้รหัสผ่านร่วมกัน"

    page = client.post(url, {**data, "action": "submit"})
    assert page.status_code == 200 and "ยังไม่ได้ตอบ" in page.content.decode()  # q2, q3 missing
    data.update({f"l_{q2.pk}": "1", f"i_{q2.pk}": "2", f"l_{q3.pk}": "3", f"i_{q3.pk}": "3"})
    assert client.post(url, {**data, "action": "submit"}).status_code == 302
    response.refresh_from_db()
    assert response.status == ResponseStatus.SUBMITTED and response.answers.count() == 3


def test_report_is_for_it_admins_and_executives(client, answered, entry_a, executive):
    client.force_login(entry_a)
    assert client.get(reverse("risk:campaign_report", args=[answered.pk])).status_code == 403
    client.force_login(executive)
    page = client.get(reverse("risk:campaign_report", args=[answered.pk]))
    assert page.status_code == 200 and 'id="response-rate">66.7%' in page.content.decode()


def test_excel_and_pdf_exports(answered):
    from openpyxl import load_workbook

    report = survey_report(answered)
    book = load_workbook(io.BytesIO(report_xlsx(report)))
    summary = book.worksheets[0]
    assert summary["B5"].value == 66.7
    assert summary["B9"].value == "q3 flood in server room" and summary["F9"].value == 17.0
    pdf = report_pdf(report)
    text = pdf_text(pdf)
    assert "ความเสี่ยงสูงสุด" in text and "แผนภาพความเสี่ยงรายด้าน" in text  # Thai words whole, "ความ" not "ควำม"
    assert "q3 flood in server room 4.0 4.0 17.0 สูงมาก" in text
    assert {"Sarabun-Thai", "Sarabun-Latin"} <= pdf_fonts(pdf)
