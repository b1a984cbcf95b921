"""Demo seed: warning rules for the province's most damaging risks, a few fresh readings that trip
them, the governor's personal dashboard and an information request."""

from __future__ import annotations

from typing import Any

from cockpit.models import RuleKind, WarningRule
from cockpit.services import pin_add, request_create, warnings_evaluate
from datasets.models import DataElement, ValueSource
from datasets.services import CellInput, datavalues_save
from indicators.models import Indicator
from poc.models import OrgUnit, Period

RULES = [
    # name_th, name_en, subject (element or indicator code), level, kind, thresholds, severity
    (
        "ภัยแล้ง: น้ำในอ่างเก็บน้ำต่ำกว่า 30%",
        "Water shortage: reservoir storage below 30%",
        "RES_STORAGE_PCT",
        2,
        RuleKind.BELOW,
        {"low": 30},
        "critical",
    ),
    (
        "ไฟป่า: จุดความร้อนเพิ่มขึ้นเกิน 50%",
        "Forest fires: hotspots up by more than 50%",
        "FIRE_HOTSPOTS",
        2,
        RuleKind.CHANGE,
        {"change_pct": 50},
        "warning",
    ),
    ("พื้นที่ป่าสูญเสียเกิน 100 ไร่", "Forest loss above 100 rai", "FOREST_LOSS_RAI", 2, RuleKind.ABOVE, {"high": 100}, "warning"),
    ("ไข้หวัดนกระบาดในสัตว์ปีก", "Avian influenza outbreak in poultry", "AI_OUTBREAKS", 3, RuleKind.ABOVE, {"high": 0}, "critical"),
    ("ผู้เสียชีวิตจากอุบัติเหตุทางถนนเกิน 30 ต่อแสนประชากร", "Road deaths above 30 per 100,000", "IND26", 1, RuleKind.ABOVE, {"high": 30}, "warning"),
    ("รายงานปริมาณน้ำในอ่างเก็บน้ำล่าช้า", "Reservoir report overdue", "RES_STORAGE_PCT", 2, RuleKind.MISSING, {"missing_days": 10}, "info"),
    (
        "ไข้เลือดออกเกินเกณฑ์ระบาด (มัธยฐาน 5 ปี + 2 SD)",
        "Dengue above the epidemic threshold (5-year median + 2 SD)",
        "DENGUE_WEEK_CASES",
        2,
        RuleKind.EPIDEMIC,
        {},
        "critical",
    ),
]


def seed(context: dict[str, Any]) -> None:
    users = context["users"]
    for name_th, name_en, subject, level, kind, values, severity in RULES:
        target = (
            {"indicator": Indicator.objects.get(code=subject)}
            if subject.startswith("IND")
            else {"element": DataElement.objects.get(code=subject)}
        )
        rule, _created = WarningRule.objects.update_or_create(
            name_th=name_th,
            defaults={
                "name_en": name_en,
                "level": level,
                "kind": kind,
                "severity": severity,
                "recipient_roles": ["executive", "it_admin"],
                **target,
                **values,
            },
        )
        rule.full_clean()
    # The latest month brings a dry reservoir in one district and bird flu in one subdistrict.
    latest = Period.objects.filter(period_type="M", datavalues__element__code="RES_STORAGE_PCT").order_by("-start_date").first()
    district = OrgUnit.objects.filter(level=2).order_by("code").first()
    subdistrict = OrgUnit.objects.filter(level=3).order_by("code").first()
    cells = [
        CellInput(element=DataElement.objects.get(code="RES_STORAGE_PCT"), orgunit=district, period=latest, raw=18),
        CellInput(element=DataElement.objects.get(code="AI_OUTBREAKS"), orgunit=subdistrict, period=latest, raw=2),
        CellInput(element=DataElement.objects.get(code="POULTRY_DEAD"), orgunit=subdistrict, period=latest, raw=1200),
    ]
    # ... and the latest week a dengue outbreak in Klaeng, far above its seasonal threshold.
    week = Period.objects.filter(period_type="W", datavalues__element__code="DENGUE_WEEK_CASES").order_by("-start_date").first()
    klaeng = OrgUnit.objects.filter(code="2103").first() or district
    if week is not None:
        cells.append(CellInput(element=DataElement.objects.get(code="DENGUE_WEEK_CASES"), orgunit=klaeng, period=week, raw=60))
    datavalues_save(cells=cells, user=None, source=ValueSource.DEMO, check_permissions=False)
    result = warnings_evaluate()
    governor = users["governor"]
    if not governor.dashboard_pins.exists():
        pin_add(user=governor, indicator=Indicator.objects.get(code="IND26"), display="bar")
        pin_add(user=governor, indicator=Indicator.objects.get(code="IND10"), display="line")
        pin_add(user=governor, element=DataElement.objects.get(code="RES_STORAGE_PCT"), display="table")
        request_create(
            user=governor,
            title="ข้อมูลแรงงานต่างด้าวรายอำเภอ",
            purpose="วางแผนการจัดบริการสาธารณสุขและที่พักอาศัย",
            orgunit_level=2,
            frequency="รายไตรมาส",
        )
    context.setdefault("log", []).append(f"cockpit: {len(RULES)} warning rules, {result.opened} alerts opened by the periodic check")
