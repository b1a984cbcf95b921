"""The world the permission matrix runs in: agency A (data entry, its verifier) and agency B whose
dataset DS-SECRET is restricted, an indicator built on it, and one object of every kind a URL
names (a submission, an alert, a layer, a document, a letter, a survey, a course, a backup ...).

B's restricted facts carry distinctive markers (:data:`SECRETS`): a response body that shows one of
them to a user without B's restricted right is a leak.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cockpit.models import Alert, DashboardPin, InformationRequest, RuleKind, WarningRule
from datasets.models import AggregateValue, DataElement, Dataset, DataValue, DataValueAudit, Sensitivity, Topic, ValueType
from datasets.services import CellInput, datavalues_save
from documents import services as documents
from documents.models import Category, Direction, Visibility
from gis.models import LayerVisibility
from gis.services import layer_create
from indicators.models import Indicator, IndicatorValue
from indicators.services import indicator_save
from operations import services as operations
from operations.models import BackupRecord, ContingencyPlanVersion, Course
from poc.models import OrgUnit, Period
from risk import services as risk
from risk.models import RiskArea, RiskQuestion, RiskResponse
from verification import services as verification
from verification.models import Notification

# B's restricted facts. Values are written so their figures are unmistakable in a page.
SECRET_CASES = 8642097
SECRETS = (
    "DS-SECRET",
    "SECRET_CASES",
    "IND_SECRET",
    "Narcotics secret rate",
    "อัตราคดีลับ",
    "Secret Contact",
    "จุดตรวจลับ",
    "บันทึกลับบี",
    "คดียาเสพติด",
    "8642097",
    "8,642,097",
    "2160524",
    "2,160,524",
)


@pytest.fixture
def province_verifier(make_user, it_agency):
    return make_user("it_verifier", ["verifier"], it_agency)


@pytest.fixture
def world(
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
    province,
    agency_a,
    agency_b,
    entry_a,
    entry_b,
    verifier_a,
    province_verifier,
    executive,
    it_admin,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    topic = Topic.objects.create(code="T01", name_th="ความมั่นคง", name_en="Security")
    shared = Dataset.objects.create(
        code="DS-OPEN",
        topic=topic,
        name_th="ประชากร",
        name_en="Population",
        agency=agency_a,
        collection_level=3,
        period_type="FY",
        sensitivity=Sensitivity.PUBLIC,
    )
    secret = Dataset.objects.create(
        code="DS-SECRET",
        topic=topic,
        name_th="คดียาเสพติด",
        name_en="Drug cases",
        agency=agency_b,
        collection_level=3,
        period_type="FY",
        sensitivity=Sensitivity.RESTRICTED,
        contact_name="Secret Contact",
    )
    population = DataElement.objects.create(code="POPULATION", dataset=shared, name_th="ประชากร", value_type=ValueType.INTEGER)
    cases = DataElement.objects.create(code="SECRET_CASES", dataset=secret, name_th="คดี", value_type=ValueType.INTEGER)
    public_rate = indicator_save(
        indicator=Indicator(
            code="IND_OPEN",
            name_th="ประชากรต่อพัน",
            name_en="Population per thousand",
            numerator="POPULATION",
            factor=0.001,
            perspective_th="สังคม",
        )
    )
    secret_rate = indicator_save(
        indicator=Indicator(
            code="IND_SECRET",
            name_th="อัตราคดีลับ",
            name_en="Narcotics secret rate",
            numerator="SECRET_CASES",
            denominator="POPULATION",
            factor=100000,
            perspective_th="ความมั่นคง",
        )
    )
    units = list(OrgUnit.objects.filter(level=3).order_by("code"))
    fy = Period.objects.for_code("FY2568")
    with django_capture_on_commit_callbacks(execute=True):
        result = datavalues_save(cells=[CellInput(element=population, orgunit=u, period=fy, raw="100000") for u in units], user=entry_a)
        assert result.ok, result.errors
        result = datavalues_save(cells=[CellInput(element=cases, orgunit=units[0], period=fy, raw=str(SECRET_CASES))], user=entry_b)
        assert result.ok, result.errors
    submission = verification.submission_get_or_create(dataset=secret, orgunit=units[0], period=fy, user=entry_b)
    verification.submission_submit(submission=submission, user=entry_b)
    verification.notify(users=[entry_b], title="บันทึกลับบี")
    rule = WarningRule.objects.create(
        name_th="คดีสูง", indicator=secret_rate, kind=RuleKind.ABOVE, high=1, level=3, recipient_roles=["data_entry", "verifier", "executive"]
    )
    alert = Alert.objects.create(rule=rule, orgunit=units[0], period=fy, value=float(SECRET_CASES), severity="warning")
    pin = DashboardPin.objects.create(user=entry_b, indicator=secret_rate, display="table")
    need = InformationRequest.objects.create(requested_by=executive, title="Shelters", purpose="Floods", orgunit_level=3)
    layer = layer_create(
        name="จุดตรวจลับ",
        agency=agency_b,
        features=[({"name": "x"}, Point(100.1, 12.1, srid=4326))],
        user=entry_b,
        visibility=LayerVisibility.AGENCY,
    )
    document = documents.document_create(
        user=entry_b,
        agency=agency_b,
        visibility=Visibility.AGENCY,
        subject="บันทึกลับบี",
        category=Category.CIRCULAR,
        date=dt.date(2025, 3, 4),
        files=[SimpleUploadedFile("b.pdf", b"%PDF-1.4 b", content_type="application/pdf")],
    )
    letter = documents.letter_register(
        user=entry_b,
        agency=agency_b,
        direction=Direction.OUTGOING,
        date=dt.date(2025, 3, 4),
        subject="บันทึกลับบี",
        sender="B",
        attachment=SimpleUploadedFile("l.pdf", b"%PDF-1.4 l", content_type="application/pdf"),
    )
    question = RiskQuestion.objects.create(area=RiskArea.ACCESS, text="weak passwords", order=1)
    campaign = risk.campaign_create(
        user=it_admin, title="IT risk", fiscal_year=2568, deadline=dt.date(2025, 8, 31), agencies=[agency_a, agency_b], questions=[question]
    )
    action = risk.action_create(user=it_admin, campaign=campaign, description="MFA", owner="IT", due_date=dt.date(2025, 9, 30))
    course = operations.course_save(
        user=it_admin, course=Course(title="GIS", start_date=dt.date(2024, 11, 5), end_date=dt.date(2024, 11, 6), planned_seats=4)
    )
    participant = operations.participant_add(user=it_admin, course=course, agency=agency_b, name="B person")
    operations.contingency_plan_save(user=it_admin, title="Plan", contacts="IT", recovery_steps="Restore")
    backup = BackupRecord.objects.create(filename="b.dump", created_at=timezone.now(), engine="postgis", sha256="0" * 64)
    return {
        "secret": secret,
        "cases": cases,
        "secret_rate": secret_rate,
        "public_rate": public_rate,
        "submission": submission,
        "rule": rule,
        "alert": alert,
        "pin": pin,
        "need": need,
        "layer": layer,
        "document": document,
        "attachment": document.attachments.get(),
        "letter": letter,
        "campaign": campaign,
        "response": RiskResponse.objects.get(campaign=campaign, agency=agency_b),
        "action": action,
        "question": question,
        "course": course,
        "participant": participant,
        "backup": backup,
        "agency_b": agency_b,
        "entry_b": entry_b,
        "value": DataValue.objects.get(element=cases),
        "audit": DataValueAudit.objects.filter(element=cases).first(),
        "aggregate": AggregateValue.objects.filter(element=cases).first(),
        "indicator_value": IndicatorValue.objects.filter(indicator=secret_rate).first(),
        "event": submission.events.last(),
        "notification": Notification.objects.filter(user=entry_b).first(),
        "feature": layer.features.get(),
        "plan": ContingencyPlanVersion.objects.get(),
    }
