"""Demo data for the IT risk survey (deterministic): the last completed and the current fiscal year's surveys
with answers (dated from today) and mitigation actions."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from poc.periods import fiscal_year_bounds, fiscal_year_of
from risk import services
from risk.models import RiskCampaign, RiskQuestion

DEMO_CAMPAIGN = "แบบประเมินความเสี่ยงด้านเทคโนโลยีสารสนเทศ ปีงบประมาณ {fy} (ข้อมูลตัวอย่าง)"


def seed_campaign(*, fiscal_year: int, context: dict[str, Any], rng: random.Random, today: dt.date) -> RiskCampaign:
    """The fiscal year's survey. A past year's was answered by most agencies before its deadline (the
    self-assessment checks 80% by 30 September); this year's is two thirds answered, the demo users' own
    agencies left to answer in the browser."""
    agencies, users = context["agencies"], context["users"]
    admin = users["itadmin"]
    title = DEMO_CAMPAIGN.format(fy=fiscal_year)
    campaign = RiskCampaign.objects.filter(title=title).first()
    if campaign is not None:
        return campaign
    deadline = fiscal_year_bounds(fiscal_year)[1] - dt.timedelta(days=30)
    past = deadline < today
    invited = sorted(agencies.values(), key=lambda a: a.code)
    campaign = services.campaign_create(
        user=admin,
        title=title,
        fiscal_year=fiscal_year,
        deadline=deadline,
        agencies=invited,
        questions=RiskQuestion.objects.filter(is_active=True),
    )
    questions = list(campaign.questions.all())
    left_open = set() if past else {users["entry"].agency_id, users["entry_health"].agency_id}
    share = 0.9 if past else 0.67
    for response in campaign.responses.select_related("agency").order_by("agency__code"):
        if response.agency_id in left_open or rng.random() > share:
            continue
        answers = {q.pk: (rng.randint(1, 5), rng.randint(1, 5), "") for q in questions}
        services.response_save(response=response, user=admin, answers=answers, submit=True)
    if past:  # demo history: the answers came in during the weeks before that year's deadline
        for response in campaign.responses.filter(status="submitted"):
            answered = timezone.make_aware(dt.datetime.combine(deadline - dt.timedelta(days=rng.randint(1, 25)), dt.time(10)))
            type(response).objects.filter(pk=response.pk).update(submitted_at=answered, updated_at=answered)
        return campaign
    services.action_create(
        user=admin,
        campaign=campaign,
        question=questions[8],
        owner="กลุ่มงานข้อมูลสารสนเทศ สำนักงานจังหวัด",
        description="สำรองข้อมูลทุกคืนและทดสอบกู้คืนทุกสัปดาห์ บันทึกผลในหน้า สำรองข้อมูล",
        due_date=today + dt.timedelta(days=30),
        agency=agencies["PROV-OFFICE"],
    )
    services.action_create(
        user=admin,
        campaign=campaign,
        question=questions[0],
        owner="ผู้ดูแลระบบของทุกหน่วยงาน",
        description="บังคับเปลี่ยนรหัสผ่านครั้งแรกและทบทวนบัญชีผู้ใช้ทุกไตรมาส",
        due_date=today + dt.timedelta(days=60),
    )
    return campaign


@transaction.atomic
def seed(context: dict[str, Any]) -> None:
    rng = random.Random(7)
    today = timezone.localdate()
    fiscal_year = fiscal_year_of(today)
    services.questions_load_standard(user=None)
    # The last completed fiscal year (rated by the self-assessment) and the current one.
    for year in (fiscal_year - 1, fiscal_year):
        campaign = seed_campaign(fiscal_year=year, context=context, rng=rng, today=today)
    submitted = campaign.responses.filter(status="submitted").count()
    context.setdefault("log", []).append(f"risk: survey {submitted}/{campaign.responses.count()} submitted")
