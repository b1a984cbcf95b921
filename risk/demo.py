"""Demo data for risk and operations (deterministic): a survey with answers, actions, courses, a plan."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from poc.periods import fiscal_year_bounds, fiscal_year_of
from risk import services
from risk.models import ContingencyPlanVersion, Course, ParticipantStatus, RiskCampaign, RiskQuestion

DEMO_CAMPAIGN = "แบบประเมินความเสี่ยงด้านเทคโนโลยีสารสนเทศ ปีงบประมาณ {fy} (ข้อมูลตัวอย่าง)"
COURSES = [
    ("การใช้งานระบบศูนย์ปฏิบัติการจังหวัดสำหรับผู้บันทึกข้อมูล", "ห้องประชุมศาลากลางจังหวัด", "สำนักงานจังหวัด", "ผู้บันทึกข้อมูลทุกหน่วยงาน", 60),
    ("การตรวจสอบความถูกต้องของข้อมูลพื้นฐาน", "ห้องประชุมศาลากลางจังหวัด", "สำนักงานจังหวัด", "ผู้ตรวจสอบข้อมูล", 30),
    ("การวิเคราะห์ข้อมูลและแผนที่ GIS เพื่อการบริหาร", "ศูนย์ราชการจังหวัด", "สำนักงานสถิติจังหวัด", "นักวิเคราะห์นโยบายและแผน", 25),
    ("ความมั่นคงปลอดภัยไซเบอร์สำหรับหน่วยงานภาครัฐ", "ออนไลน์", "สำนักงานพัฒนารัฐบาลดิจิทัล", "ผู้ดูแลระบบของหน่วยงาน", 40),
]


@transaction.atomic
def seed(context: dict[str, Any]) -> None:
    rng = random.Random(7)
    agencies = context["agencies"]
    users = context["users"]
    admin = users["itadmin"]
    today = timezone.localdate()
    fiscal_year = fiscal_year_of(today)
    services.questions_load_standard(user=None)

    title = DEMO_CAMPAIGN.format(fy=fiscal_year)
    campaign = RiskCampaign.objects.filter(title=title).first()
    if campaign is None:
        invited = sorted(agencies.values(), key=lambda a: a.code)
        campaign = services.campaign_create(
            user=admin, title=title, fiscal_year=fiscal_year, deadline=fiscal_year_bounds(fiscal_year)[1] - dt.timedelta(days=30),
            agencies=invited, questions=RiskQuestion.objects.filter(is_active=True),
        )  # fmt: skip
        questions = list(campaign.questions.all())
        # Two thirds of the agencies answered; the demo users' own agencies are left to answer in the browser.
        left_open = {users["entry"].agency_id, users["entry_health"].agency_id}
        for response in campaign.responses.select_related("agency").order_by("agency__code"):
            if response.agency_id in left_open or rng.random() > 0.67:
                continue
            answers = {q.pk: (rng.randint(1, 5), rng.randint(1, 5), "") for q in questions}
            services.response_save(response=response, user=admin, answers=answers, submit=True)
        services.action_create(
            user=admin, campaign=campaign, question=questions[8], owner="กลุ่มงานข้อมูลสารสนเทศ สำนักงานจังหวัด",
            description="สำรองข้อมูลทุกคืนและทดสอบกู้คืนทุกสัปดาห์ บันทึกผลในหน้า สำรองข้อมูล",
            due_date=today + dt.timedelta(days=30), agency=agencies["PROV-OFFICE"],
        )  # fmt: skip
        services.action_create(
            user=admin, campaign=campaign, question=questions[0], owner="ผู้ดูแลระบบของทุกหน่วยงาน",
            description="บังคับเปลี่ยนรหัสผ่านครั้งแรกและทบทวนบัญชีผู้ใช้ทุกไตรมาส", due_date=today + dt.timedelta(days=60),
        )  # fmt: skip

    if not Course.objects.exists():
        start = fiscal_year_bounds(fiscal_year)[0]
        agency_list = sorted(agencies.values(), key=lambda a: a.code)
        for index, (course_title, venue, provider, target, seats) in enumerate(COURSES):
            begin = start + dt.timedelta(days=45 + 70 * index)
            course = services.course_save(
                user=admin, course=Course(title=course_title, start_date=begin, end_date=begin + dt.timedelta(days=1),
                venue=venue, provider=provider, target_group=target, planned_seats=seats),
            )  # fmt: skip
            held = course.end_date < today
            for number in range(rng.randint(seats // 3, seats * 2 // 3)):
                agency = agency_list[number % len(agency_list)]
                participant = services.participant_add(user=admin, course=course, agency=agency, name=f"ผู้เข้าอบรม {index + 1}-{number + 1}")
                if held:
                    status = ParticipantStatus.COMPLETED if rng.random() < 0.85 else ParticipantStatus.ABSENT
                    services.participant_set_status(user=admin, participant=participant, status=status)

    if not ContingencyPlanVersion.objects.exists():
        services.contingency_plan_save(
            user=admin,
            title="แผนสำรองฉุกเฉินด้านเทคโนโลยีสารสนเทศ ศูนย์ปฏิบัติการจังหวัด",
            contacts="ผู้ดูแลระบบ: กลุ่มงานข้อมูลสารสนเทศ โทร 0 3801 0000\nผู้ประสานงานเครือข่าย: โทร 0 3801 0001",
            recovery_steps=(
                "1. ประเมินความเสียหายและแจ้งผู้บริหาร\n2. ตรวจสอบไฟล์สำรองข้อมูลล่าสุดที่ผ่านการตรวจสอบ (หน้า สำรองข้อมูล)\n"
                "3. กู้คืนด้วยคำสั่ง manage.py restore <ไฟล์>\n4. ตรวจสอบจำนวนแถวกับรายการสรุป และเปิดให้บริการ"
            ),
            change_note="ฉบับแรก (ข้อมูลตัวอย่าง)",
        )
    context.setdefault("log", []).append(
        f"risk: survey {campaign.responses.filter(status='submitted').count()}/{campaign.responses.count()} submitted, "
        f"{Course.objects.count()} courses"
    )
