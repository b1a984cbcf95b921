"""Demo seed for verification: validation rules on the shipped catalogue (only where the element codes exist),
a few deliberate inconsistencies so the violations page has something to show, submissions in every
state, and the notifications those transitions send. Runs after the apps that seed values."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from datasets.models import DataElement, Dataset, DataValue, ValueSource, VerificationBy
from datasets.services import CellInput, datavalues_save
from poc import permissions
from poc.models import OrgUnit, Period
from verification import services
from verification.cells import GEOMETRY, units_with_values
from verification.models import Status, Submission, ValidationRule

# dataset, name, left, operator, right, severity, Thai message, English message
RULES = [
    (
        "DS-ELECT",
        "ผู้มาใช้สิทธิไม่เกินผู้มีสิทธิ",
        "ELECT_VOTED",
        "<=",
        "ELECT_ELIGIBLE",
        "error",
        "ผู้มาใช้สิทธิต้องไม่เกินผู้มีสิทธิเลือกตั้ง",
        "Voters cannot exceed eligible voters",
    ),
    ("DS-DENGUE", "ผู้เสียชีวิตไม่เกินผู้ป่วย", "DENGUE_DEATHS", "<=", "DENGUE_CASES", "error", "ผู้เสียชีวิตต้องไม่เกินผู้ป่วย", "Deaths cannot exceed cases"),
    (
        "DS-DENGUE",
        "ผู้ป่วยเด็กเล็กไม่เกินครึ่งหนึ่ง",
        "DENGUE_CASES.A0004",
        "<=",
        "DENGUE_CASES * 0.5",
        "warning",
        "ผู้ป่วยอายุ 0–4 ปีเกินครึ่งหนึ่งของผู้ป่วยทั้งหมด: ตรวจการบันทึกกลุ่มอายุ",
        "Children under five are more than half of all cases: check the age groups",
    ),
    (
        "DS-VITAL",
        "การตายไม่สูงผิดปกติ",
        "VITAL_DEATHS",
        "<=",
        "VITAL_BIRTHS * 1.5",
        "warning",
        "จำนวนตายสูงกว่าการเกิดมากผิดปกติ",
        "Deaths unusually high compared with births",
    ),
]
RECENT_PERIODS = 12  # enough for the trend chart, and keeps the seed fast
STATES = [Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.RESUBMITTED, Status.VERIFIED]


def seed_rules() -> list[ValidationRule]:
    rules = []
    for code, name, left, operator, right, severity, message_th, message_en in RULES:
        dataset = Dataset.objects.filter(code=code).first()
        if dataset is None:
            continue
        rule = ValidationRule(
            dataset=dataset,
            name=name,
            left=left,
            operator=operator,
            right=right,
            severity=severity,
            message_th=message_th,
            message_en=message_en,
        )
        try:
            rule.full_clean()
        except ValidationError:  # element codes not in this catalogue: skip the rule quietly
            continue
        defaults = {
            "left": left,
            "operator": operator,
            "right": right,
            "severity": severity,
            "message_th": message_th,
            "message_en": message_en,
        }
        rules.append(ValidationRule.objects.update_or_create(dataset=dataset, name=name, defaults=defaults)[0])
    return rules


def seed_inconsistencies() -> None:
    """Two districts reporting more voters than eligible voters in the latest year (shown on the violations page).

    (Population totals cannot disagree with their parts any more: they are derived from the sex × area cells.)
    """
    element = DataElement.objects.filter(code="ELECT_VOTED").select_related("dataset").first()
    if element is None:
        return
    latest = Period.objects.filter(datavalues__element=element).order_by("-start_date").first()
    if latest is None:
        return
    cells = []
    eligible = DataValue.objects.filter(element__code="ELECT_ELIGIBLE", period=latest, value_num__isnull=False)
    for value in eligible.select_related("orgunit").order_by("orgunit__code")[:2]:
        cells.append(CellInput(element=element, orgunit=value.orgunit, period=latest, raw=value.value_num + 12))
    if not Submission.objects.filter(dataset=element.dataset, period=latest, status=Status.VERIFIED).exists():
        datavalues_save(cells=cells, user=None, source=ValueSource.DEMO, check_permissions=False)


def run_rules(rules: list[ValidationRule]) -> int:
    found = 0
    for dataset in {rule.dataset for rule in rules}:
        periods = Period.objects.filter(period_type=dataset.period_type, datavalues__element__dataset=dataset).distinct()
        for period in periods.order_by("-start_date")[:RECENT_PERIODS]:
            found += services.validation_run(dataset=dataset, period=period).errors
    return found


def seed_submissions(users: dict) -> int:
    """Units in each workflow state in the latest period of datasets each demo data-entry user is responsible for:
    one checked by the agency's own verifier and one by the province-wide verifier, so every verifier has a queue."""
    if Submission.objects.exists():  # seeded before: keep the demo's workflow as it is
        return 0
    created = 0
    # Verifiers by role first: IT administrators may verify everything, but the demo shows the verifiers' work.
    verifiers = sorted((u for u in users.values() if u.has_role("verifier")), key=lambda u: (u.is_it_admin, u.username))
    for entry_name in ("entry", "entry_health"):
        entry = users.get(entry_name)
        if entry is None:
            continue
        for kind in (VerificationBy.AGENCY, VerificationBy.PROVINCE):
            for dataset in Dataset.objects.restrict(entry, "change").filter(verification_by=kind).order_by("code"):
                verifier = next((u for u in verifiers if permissions.can(u, "verify", dataset)), None)
                count = None if verifier is None else _seed_dataset_submissions(dataset, entry, verifier)
                if count is not None:
                    created += count
                    break
    return created


def _seed_dataset_submissions(dataset: Dataset, entry, verifier) -> int | None:  # type: ignore[no-untyped-def]
    """Submissions in every state for ``dataset``; None when it lacks the periods or units to show them."""
    periods = list(
        Period.objects.filter(period_type=dataset.period_type, datavalues__element__dataset=dataset).distinct().order_by("-start_date")[:4]
    )
    open_states = STATES[:-1]
    units = list(units_with_values(dataset, periods[0]).order_by("code")[: len(open_states)]) if len(periods) == 4 else []
    if len(units) < len(open_states):
        return None
    created = sum(_advance(dataset, unit, periods[0], state, entry, verifier) for unit, state in zip(units, open_states, strict=True))
    return created + _verified_late_form(dataset, periods[3], entry, verifier)


def _verified_late_form(dataset: Dataset, period: Period, entry, verifier) -> int:  # type: ignore[no-untyped-def]
    """A form the values seed left missing in an older period, entered late and verified.

    Verified values are locked, so the demo locks only a cell no other seed writes: re-seeding stays possible.
    """
    reported = units_with_values(dataset, period).values("pk")
    unit = OrgUnit.objects.filter(level=dataset.collection_level).open_on(period.end_date).exclude(pk__in=reported)
    unit = unit.defer(*GEOMETRY).order_by("code").first()
    previous = Period.objects.filter(code=period.spec.previous().code).first()
    if unit is None or previous is None:
        return 0
    cells = [
        CellInput(element=value.element, orgunit=unit, period=period, option_combo=value.option_combo, raw=value.value_num)
        for value in DataValue.objects.filter(
            element__dataset=dataset, orgunit=unit, period=previous, value_num__isnull=False
        ).select_related("element__dataset", "option_combo")
    ]
    if not cells or not datavalues_save(cells=cells, user=entry, source=ValueSource.DEMO).ok:
        return 0
    return _advance(dataset, unit, period, Status.VERIFIED, entry, verifier)


def _advance(dataset: Dataset, unit: OrgUnit, period: Period, state: str, entry, verifier) -> int:  # type: ignore[no-untyped-def]
    submission = services.submission_get_or_create(dataset=dataset, orgunit=unit, period=period, user=entry)
    steps = {
        Status.SUBMITTED: ["submit"],
        Status.RETURNED: ["submit", "return"],
        Status.RESUBMITTED: ["submit", "return", "resubmit"],
        Status.VERIFIED: ["submit", "verify"],
    }.get(state, [])
    try:
        with transaction.atomic():
            for step in steps:
                if step in ("submit", "resubmit"):
                    services.submission_submit(submission=submission, user=entry, comment="ตรวจทานกับเอกสารต้นฉบับแล้ว")
                elif step == "return":
                    services.submission_return(submission=submission, user=verifier, comment="กรุณาตรวจสอบตัวเลขกับงวดก่อนอีกครั้ง")
                else:
                    services.submission_verify(submission=submission, user=verifier, comment="ถูกต้อง")
    except services.WorkflowError:  # a rule error in the demo values: leave it as a draft
        return 0
    return 1


def seed(context: dict[str, Any]) -> None:
    rules = seed_rules()
    seed_inconsistencies()
    errors = run_rules(rules)
    submissions = seed_submissions(context.get("users", {}))
    context.setdefault("log", []).append(
        f"verification: {len(rules)} validation rules, {errors} planted rule violations to review, {submissions} demo submissions"
    )
