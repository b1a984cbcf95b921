"""Demo documents and letters (deterministic, marked as demo data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from documents import services
from documents.models import Category, Direction, Document, Visibility

DOCUMENTS = [
    (Category.CIRCULAR, "ว 14201", "แนวทางการบันทึกและปรับปรุงข้อมูลพื้นฐานจังหวัด", Visibility.PUBLIC),
    (Category.CIRCULAR, "ว 14388", "ขอให้ส่งแบบประเมินความเสี่ยงด้านเทคโนโลยีสารสนเทศ", Visibility.INTERNAL),
    (Category.MINUTES, "", "รายงานการประชุมคณะทำงานศูนย์ปฏิบัติการจังหวัด ครั้งที่ 1", Visibility.INTERNAL),
    (Category.MANUAL, "", "คู่มือการใช้งานระบบศูนย์ปฏิบัติการจังหวัดสำหรับหน่วยงาน", Visibility.PUBLIC),
    (Category.ARTICLE, "", "การใช้ข้อมูลแผนที่เพื่อวางแผนพัฒนาพื้นที่", Visibility.PUBLIC),
    (Category.OTHER, "", "ทะเบียนรหัสผ่านอุปกรณ์เครือข่ายของสำนักงานจังหวัด", Visibility.AGENCY),
]


# Spread over about a year before today, so the last completed fiscal year (which the self-assessment rates)
# and the current one both have published documents, whatever the date of the seed.
DAYS_BACK = [330, 250, 170, 100, 40, 10]


@transaction.atomic
def seed(context: dict[str, Any]) -> None:
    if Document.objects.exists():
        return
    agencies = context["agencies"]
    admin = context["users"]["itadmin"]
    office = agencies["PROV-OFFICE"]
    today = timezone.localdate()
    created = []
    for index, (category, number, subject, visibility) in enumerate(DOCUMENTS):
        created.append(
            services.document_create(
                user=admin,
                agency=office,
                category=category,
                visibility=visibility,
                subject=f"{subject} (ข้อมูลตัวอย่าง)",
                letter_number=f"{office.letter_prefix}/{number}" if number else "",
                date=today - dt.timedelta(days=DAYS_BACK[index]),
                summary="เอกสารตัวอย่างสำหรับสาธิตระบบ",
            )
        )
    others = [agencies[code] for code in sorted(agencies) if code != "PROV-OFFICE"][:10]
    for index, document in enumerate(created[:2]):
        services.letter_register(
            user=admin,
            agency=office,
            direction=Direction.OUTGOING,
            is_circular=True,
            date=document.date,
            subject=document.subject,
            sender=str(office),
            recipients_text="ส่วนราชการทุกแห่ง",
            to_agencies=others,
            document=document,
            to_users=[context["users"]["entry"]] if index == 0 else [],
        )
    services.letter_register(
        user=admin,
        agency=office,
        direction=Direction.INCOMING,
        date=today - dt.timedelta(days=3),
        reference="มท 0212.2/ว 5678",
        subject="การจัดทำฐานข้อมูลจังหวัด (ข้อมูลตัวอย่าง)",
        sender="กระทรวงมหาดไทย",
        to_users=[context["users"]["governor"]],
    )
    context.setdefault("log", []).append(f"documents: {Document.objects.count()} documents, 3 letters")
