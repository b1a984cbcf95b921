"""Demo data for operations (deterministic): courses and a year of page views over the last completed and the
current fiscal year (dated from today), and a contingency plan."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from operations import services
from operations.models import ContingencyPlanVersion, Course, PageView, ParticipantStatus
from poc.periods import fiscal_year_bounds, fiscal_year_of

PAGE_VIEW_DAYS = 400  # back into the last completed fiscal year, whatever the date
# (view name, path) each demo account opens on a working day, a few of them at random.
PAGE_VIEWS = {
    "governor": [
        ("cockpit:tiles", "/cockpit/"),
        ("cockpit:drilldown", "/cockpit/indicator/IND01/"),
        ("gis:map", "/gis/map/"),
        ("cockpit:alerts", "/cockpit/alerts/"),
        ("home", "/"),
    ],
    "deputy": [("cockpit:tiles", "/cockpit/"), ("cockpit:warroom", "/cockpit/warroom/"), ("home", "/")],
    "entry": [("datasets:entry", "/datasets/entry/"), ("datasets:catalogue", "/datasets/"), ("home", "/")],
    "entry_health": [("datasets:entry", "/datasets/entry/"), ("datasets:completeness", "/datasets/completeness/")],
    "verifier": [("verification:submissions", "/verification/"), ("verification:responsibility", "/verification/responsibility/")],
    "itadmin": [
        ("verification:tracking_report", "/verification/tracking/"),
        ("risk:campaign_list", "/risk/survey/"),
        ("assessment", "/assessment/"),
        ("documents:document_list", "/documents/"),
    ],
}
COURSES = [
    ("การใช้งานระบบศูนย์ปฏิบัติการจังหวัดสำหรับผู้บันทึกข้อมูล", "ห้องประชุมศาลากลางจังหวัด", "สำนักงานจังหวัด", "ผู้บันทึกข้อมูลทุกหน่วยงาน", 60),
    ("การตรวจสอบความถูกต้องของข้อมูลพื้นฐาน", "ห้องประชุมศาลากลางจังหวัด", "สำนักงานจังหวัด", "ผู้ตรวจสอบข้อมูล", 30),
    ("การวิเคราะห์ข้อมูลและแผนที่ GIS เพื่อการบริหาร", "ศูนย์ราชการจังหวัด", "สำนักงานสถิติจังหวัด", "นักวิเคราะห์นโยบายและแผน", 25),
    ("ความมั่นคงปลอดภัยไซเบอร์สำหรับหน่วยงานภาครัฐ", "ออนไลน์", "สำนักงานพัฒนารัฐบาลดิจิทัล", "ผู้ดูแลระบบของหน่วยงาน", 40),
]


def seed_courses(*, fiscal_year: int, context: dict[str, Any], rng: random.Random, today: dt.date) -> None:
    """The fiscal year's staff development plan; courses already held have their attendance recorded."""
    if Course.objects.filter(fiscal_year=fiscal_year).exists():
        return
    admin = context["users"]["itadmin"]
    start = fiscal_year_bounds(fiscal_year)[0]
    agency_list = sorted(context["agencies"].values(), key=lambda a: a.code)
    for index, (course_title, venue, provider, target, seats) in enumerate(COURSES):
        begin = start + dt.timedelta(days=45 + 70 * index)
        course = services.course_save(
            user=admin,
            course=Course(
                title=course_title,
                start_date=begin,
                end_date=begin + dt.timedelta(days=1),
                venue=venue,
                provider=provider,
                target_group=target,
                planned_seats=seats,
            ),
        )
        held = course.end_date < today
        for number in range(rng.randint(seats // 3, seats * 2 // 3)):
            agency = agency_list[number % len(agency_list)]
            participant = services.participant_add(user=admin, course=course, agency=agency, name=f"ผู้เข้าอบรม {index + 1}-{number + 1}")
            if held:
                status = ParticipantStatus.COMPLETED if rng.random() < 0.9 else ParticipantStatus.ABSENT
                services.participant_set_status(user=admin, participant=participant, status=status)


def seed_page_views(*, context: dict[str, Any], rng: random.Random, today: dt.date) -> int:
    """A year of portal use before the seed, as the usage report and the self-assessment (executives use the
    cockpit) read it: each demo account opens the pages of its role on most working days."""
    if PageView.objects.exists():
        return 0
    users = context["users"]
    rows = []
    for day_back in range(PAGE_VIEW_DAYS, 0, -1):
        day = today - dt.timedelta(days=day_back)
        if day.weekday() >= 5:
            continue
        for username, pages in PAGE_VIEWS.items():
            user = users.get(username)
            if user is None or rng.random() > 0.7:
                continue
            for view_name, path in rng.sample(pages, k=min(len(pages), rng.randint(1, 3))):
                at = timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(8, 16), rng.randint(0, 59))))
                rows.append(PageView(at=at, user=user, agency_id=user.agency_id, view_name=view_name, path=path))
    PageView.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


@transaction.atomic
def seed(context: dict[str, Any]) -> None:
    rng = random.Random(11)
    today = timezone.localdate()
    fiscal_year = fiscal_year_of(today)
    # The last completed fiscal year (rated by the self-assessment) and the current one.
    for year in (fiscal_year - 1, fiscal_year):
        seed_courses(fiscal_year=year, context=context, rng=rng, today=today)
    views = seed_page_views(context=context, rng=rng, today=today)
    admin = context["users"]["itadmin"]
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
    context.setdefault("log", []).append(f"operations: {Course.objects.count()} courses over 2 fiscal years, {views} page views")
