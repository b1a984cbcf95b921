import datetime as dt

import pytest

from risk import services
from risk.models import ResponseStatus, RiskResponse
from tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agency_user_answers_the_risk_survey_and_submits(page, login, entry_a, it_admin, agency_a):
    services.questions_load_standard(user=it_admin)
    campaign = services.campaign_create(
        user=it_admin, title="แบบประเมินความเสี่ยงด้านไอที ปีงบประมาณ 2568", fiscal_year=2568, deadline=dt.date(2025, 8, 31), agencies=[agency_a]
    )
    questions = list(campaign.questions.order_by("area", "order", "pk"))
    login("entry_a")
    page.goto("/risk/survey/")
    page.click(f"a[href='/risk/survey/{campaign.pk}/answer/']")

    first = questions[0]
    page.select_option(f"select[name=l_{first.pk}]", "4")
    page.select_option(f"select[name=i_{first.pk}]", "5")
    assert page.locator(f"tr[data-question='{first.pk}'] [data-score]").inner_text() == "20"
    page.click("button[value=draft]")
    page.wait_for_load_state("networkidle")
    assert RiskResponse.objects.get(campaign=campaign).answers.count() == 1

    for index, question in enumerate(questions[1:], start=1):
        page.select_option(f"select[name=l_{question.pk}]", str(index % 5 + 1))
        page.select_option(f"select[name=i_{question.pk}]", str((index * 2) % 5 + 1))
    page.fill(f"input[name=n_{first.pk}]", "ยังใช้บัญชีร่วมกันในบางงาน")
    page.click("button[value=submit]")
    page.wait_for_load_state("networkidle")

    assert page.locator("#response-status").inner_text() == "ส่งแล้ว"
    response = RiskResponse.objects.get(campaign=campaign)
    assert response.status == ResponseStatus.SUBMITTED and response.answers.count() == len(questions)
    screenshot(page, "risk-survey-submitted")
