"""Issue 13: the responsibility matrix and the tracking report show restricted datasets only to those
who may read them; a submission is never verified or returned by the user who sent it."""

import io

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from datasets.models import Dataset, Sensitivity, VerificationBy
from tests.verification.test_workflow import balanced, submission  # noqa: F401
from verification import services
from verification.models import Status
from verification.tracking import tracking_report

pytestmark = pytest.mark.django_db

CONTACT = "Police Colonel Secret"


@pytest.fixture
def drugs(topic, agency_b):
    return Dataset.objects.create(
        code="DS-DRUGS",
        topic=topic,
        name_th="คดียาเสพติด",
        agency=agency_b,
        collection_level=3,
        period_type="M",
        sensitivity=Sensitivity.RESTRICTED,
        contact_name=CONTACT,
    )


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


def matrix_codes(client) -> tuple[set[str], str, list[str]]:
    page = client.get(reverse("verification:responsibility"))
    export = client.get(reverse("verification:responsibility"), {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    cells = [str(c.value) for row in sheet.iter_rows() for c in row]
    return {r.dataset.code for r in page.context["rows"]}, page.content.decode(), cells


def test_responsibility_matrix_hides_other_agencies_restricted_datasets(login, population, drugs, entry_a, entry_b, it_admin):
    codes, html, cells = matrix_codes(login(entry_a))
    assert codes == {"DS-POP"}
    assert "DS-DRUGS" not in html and CONTACT not in html
    assert "DS-DRUGS" not in cells and CONTACT not in cells
    assert matrix_codes(login(entry_b))[0] == {"DS-POP", "DS-DRUGS"}  # the owner agency
    assert matrix_codes(login(it_admin))[0] == {"DS-POP", "DS-DRUGS"}  # the provincial IT group


def test_tracking_report_lists_only_datasets_the_user_may_read(population, drugs, entry_a, it_admin):
    def codes(user):
        report = tracking_report("2568-B1", user=user)
        return {line.dataset.code for agency in report.agencies for line in agency.lines}

    assert codes(it_admin) == codes(None) == {"DS-POP", "DS-DRUGS"}
    assert codes(entry_a) == {"DS-POP"}


@pytest.fixture
def both(make_user, agency_a, population):
    """A one-person office: data entry and the agency's own verifier."""
    population.verification_by = VerificationBy.AGENCY
    population.save()
    return make_user("both_a", ["data_entry", "verifier"], agency_a)


def test_submitter_cannot_verify_or_return_their_own_submission(submission, both, verifier_a, login):  # noqa: F811
    services.submission_submit(submission=submission, user=both)
    with pytest.raises(PermissionDenied, match="ผู้ตรวจสอบคนอื่น"):  # Thai first
        services.submission_verify(submission=submission, user=both)
    with translation.override("en"), pytest.raises(PermissionDenied, match="another verifier"):
        services.submission_return(submission=submission, user=both, comment="no")
    page = login(both).get(reverse("verification:submission", args=[submission.pk]))
    assert page.context["can_review"] is False
    response = login(both).post(reverse("verification:submission_action", args=[submission.pk, "verify"]))
    submission.refresh_from_db()
    assert response.status_code == 302 and submission.status == Status.SUBMITTED
    assert services.submission_verify(submission=submission, user=verifier_a).status == Status.VERIFIED


def test_bulk_verification_leaves_ones_own_submission_to_another_verifier(submission, both, verifier_a):  # noqa: F811
    services.submission_submit(submission=submission, user=both)
    plan = services.bulk_verify_plan(dataset=submission.dataset, until=submission.period, user=both)
    assert plan.to_verify == [] and len(plan.blocked) == 1
    assert len(services.bulk_verify_plan(dataset=submission.dataset, until=submission.period, user=verifier_a).to_verify) == 1


def test_separation_of_duties_can_be_relaxed_for_one_person_agencies(submission, both, settings):  # noqa: F811
    settings.POC_SEPARATION_OF_DUTIES = False
    services.submission_submit(submission=submission, user=both)
    assert services.submission_verify(submission=submission, user=both).status == Status.VERIFIED
