import pytest
from django.core.exceptions import PermissionDenied

from datasets.models import DataValue, VerificationBy
from poc import permissions
from poc.models import OrgUnit, Period
from verification import services
from verification.models import Notification, OutlierConfirmation, Status, Submission
from verification.outliers import expected_ranges, outlier_flags
from verification.services import WorkflowError

pytestmark = pytest.mark.django_db


@pytest.fixture
def balanced(pop_values, subdistricts, rules):
    period = pop_values(subdistricts[0], "2568-01", POP_MALE=60, POP_FEMALE=40, POP_TOTAL=100, DEATHS=1)
    return period


@pytest.fixture
def submission(balanced, population, subdistricts, entry_a):
    return services.submission_get_or_create(dataset=population, orgunit=subdistricts[0], period=balanced, user=entry_a)


def events(submission):
    return list(submission.events.values_list("from_status", "to_status", "user__username", "comment"))


def test_submit_return_resubmit_verify_records_every_transition(submission, entry_a, it_verifier):
    services.submission_submit(submission=submission, user=entry_a)
    services.submission_return(submission=submission, user=it_verifier, comment="check the total")
    services.submission_submit(submission=submission, user=entry_a, comment="rechecked")
    submission = services.submission_verify(submission=submission, user=it_verifier)
    assert submission.status == Status.VERIFIED and submission.verified_by == it_verifier
    assert events(submission) == [
        ("", "draft", "entry_a", ""),
        ("draft", "submitted", "entry_a", ""),
        ("submitted", "returned", "it_verifier", "check the total"),
        ("returned", "resubmitted", "entry_a", "rechecked"),
        ("resubmitted", "verified", "it_verifier", ""),
    ]


def test_forbidden_transitions_raise_a_clear_error(submission, entry_a, it_verifier, en):
    with pytest.raises(WorkflowError, match="A submission that is “Draft” cannot be verified"):
        services.submission_verify(submission=submission, user=it_verifier)
    with pytest.raises(WorkflowError, match="cannot be returned"):
        services.submission_return(submission=submission, user=it_verifier, comment="x")
    services.submission_submit(submission=submission, user=entry_a)
    with pytest.raises(WorkflowError, match="A submission that is “Submitted” cannot be submitted"):
        services.submission_submit(submission=submission, user=entry_a)
    with pytest.raises(WorkflowError, match="cannot be reopened"):
        services.submission_reopen(submission=submission, user=it_verifier, comment="x")
    assert Submission.objects.get(pk=submission.pk).status == Status.SUBMITTED


def test_returning_and_reopening_need_a_comment(submission, entry_a, it_verifier, en):
    services.submission_submit(submission=submission, user=entry_a)
    with pytest.raises(WorkflowError, match="A comment is required"):
        services.submission_return(submission=submission, user=it_verifier, comment="  ")
    services.submission_verify(submission=submission, user=it_verifier)
    with pytest.raises(WorkflowError, match="A comment is required"):
        services.submission_reopen(submission=submission, user=it_verifier, comment="")


def test_rule_errors_block_submission_and_name_elements_and_values(pop_values, population, subdistricts, rules, entry_a, en):
    period = pop_values(subdistricts[1], "2568-01", POP_MALE=60, POP_FEMALE=50, POP_TOTAL=100)
    submission = services.submission_get_or_create(dataset=population, orgunit=subdistricts[1], period=period, user=entry_a)
    with pytest.raises(WorkflowError) as error:
        services.submission_submit(submission=submission, user=entry_a)
    assert error.value.messages[1] == (
        "Men and women must add up to the total: POP_MALE (60) + POP_FEMALE (50) = 110 == POP_TOTAL (100) = 100"
    )
    assert Submission.objects.get(pk=submission.pk).status == Status.DRAFT


def test_warnings_need_a_comment_to_submit(pop_values, population, subdistricts, rules, entry_a, en):
    period = pop_values(subdistricts[2], "2568-01", POP_MALE=60, POP_FEMALE=40, POP_TOTAL=100, DEATHS=9)
    submission = services.submission_get_or_create(dataset=population, orgunit=subdistricts[2], period=period, user=entry_a)
    with pytest.raises(WorkflowError, match="Explain the warnings"):
        services.submission_submit(submission=submission, user=entry_a)
    submission = services.submission_submit(submission=submission, user=entry_a, comment="flood deaths, confirmed by the hospital")
    assert submission.status == Status.SUBMITTED


def test_who_verifies_follows_the_dataset_configuration(submission, population, entry_a, entry_b, verifier_a, it_verifier):
    assert permissions.can(it_verifier, "verify", population) and not permissions.can(verifier_a, "verify", population)
    assert not permissions.can(entry_a, "verify", population)
    population.verification_by = VerificationBy.AGENCY
    population.save()
    assert permissions.can(verifier_a, "verify", population) and not permissions.can(it_verifier, "verify", population)
    with pytest.raises(PermissionDenied):
        services.submission_submit(submission=submission, user=entry_b)
    services.submission_submit(submission=submission, user=entry_a)
    with pytest.raises(PermissionDenied):
        services.submission_verify(submission=submission, user=it_verifier)
    assert services.submission_verify(submission=submission, user=verifier_a).status == Status.VERIFIED


def test_verified_values_are_locked_until_reopened(submission, save, entry_a, it_verifier, pop_elements, subdistricts, en):
    services.submission_submit(submission=submission, user=entry_a)
    services.submission_verify(submission=submission, user=it_verifier)
    result = save(entry_a, [(pop_elements["DEATHS"], subdistricts[0], "2568-01", 2)])
    assert not result.ok and result.errors[0].message == "the value is verified and locked"
    assert DataValue.objects.get(element=pop_elements["DEATHS"], orgunit=subdistricts[0]).value_num == 1
    # Other units and periods stay open.
    assert save(entry_a, [(pop_elements["DEATHS"], subdistricts[1], "2568-01", 2)]).ok
    assert save(entry_a, [(pop_elements["DEATHS"], subdistricts[0], "2568-02", 2)]).ok
    services.submission_reopen(submission=submission, user=it_verifier, comment="correction requested by the agency")
    assert save(entry_a, [(pop_elements["DEATHS"], subdistricts[0], "2568-01", 2)]).ok


def test_a_verified_district_submission_locks_its_subdistricts(
    balanced, population, save, entry_a, it_verifier, pop_elements, subdistricts
):
    district = OrgUnit.objects.get(code="9901")
    submission = services.submission_get_or_create(dataset=population, orgunit=district, period=balanced, user=entry_a)
    services.submission_submit(submission=submission, user=entry_a)
    services.submission_verify(submission=submission, user=it_verifier)
    assert not save(entry_a, [(pop_elements["DEATHS"], subdistricts[1], "2568-01", 3)]).ok  # 990102 is in district 9901
    assert save(entry_a, [(pop_elements["DEATHS"], subdistricts[2], "2568-01", 3)]).ok  # 990201 is not


def test_transitions_notify_the_other_side(submission, entry_a, it_verifier):
    services.submission_submit(submission=submission, user=entry_a)
    assert Notification.objects.filter(user=it_verifier).count() == 1
    services.submission_return(submission=submission, user=it_verifier, comment="check")
    note = Notification.objects.get(user=entry_a)
    assert note.body == "check" and note.url.endswith(f"/submissions/{submission.pk}/")


def test_outlier_confirmation_is_stored_with_value_and_comment(submission, pop_elements, subdistricts, entry_a, entry_b, en):
    confirmation = services.outlier_confirm(
        element=pop_elements["DEATHS"], orgunit=subdistricts[0], period=submission.period, user=entry_a, comment="two accidents"
    )
    assert (confirmation.value, confirmation.comment, confirmation.user) == (1, "two accidents", entry_a)
    with pytest.raises(PermissionDenied):
        services.outlier_confirm(
            element=pop_elements["DEATHS"], orgunit=subdistricts[0], period=submission.period, user=entry_b, comment="x"
        )
    assert OutlierConfirmation.objects.count() == 1


def test_bulk_verification_previews_then_locks_past_periods(
    pop_values, population, subdistricts, rules, it_verifier, save, entry_a, pop_elements, en
):
    for month in ("2567-11", "2567-12"):
        pop_values(subdistricts[0], month, POP_MALE=1, POP_FEMALE=1, POP_TOTAL=2)
        pop_values(subdistricts[1], month, POP_MALE=1, POP_FEMALE=1, POP_TOTAL=3)  # breaks the balance rule
    pop_values(subdistricts[0], "2568-01", POP_MALE=1, POP_FEMALE=1, POP_TOTAL=2)
    until = Period.objects.for_code("2567-12")
    plan = services.bulk_verify_plan(dataset=population, until=until, user=it_verifier)
    assert [(u.code, p.code, n) for u, p, n in plan.to_verify] == [("990101", "2567-11", 3), ("990101", "2567-12", 3)]
    assert [(u.code, p.code) for u, p, _e in plan.blocked] == [("990102", "2567-11"), ("990102", "2567-12")]
    assert plan.values_locked == 6 and not Submission.objects.exists()
    with pytest.raises(WorkflowError):
        services.bulk_verify(dataset=population, until=until, user=it_verifier, comment="")
    services.bulk_verify(dataset=population, until=until, user=it_verifier, comment="historic data checked against the yearbook")
    assert Submission.objects.filter(status=Status.VERIFIED).count() == 2
    assert not save(entry_a, [(pop_elements["DEATHS"], subdistricts[0], "2567-12", 1)]).ok
    assert save(entry_a, [(pop_elements["DEATHS"], subdistricts[0], "2568-01", 1)]).ok
    with pytest.raises(PermissionDenied):
        services.bulk_verify_plan(dataset=population, until=until, user=entry_a)


def test_entry_form_gets_flags_and_expected_ranges_from_the_units_own_season(pop_values, pop_elements, subdistricts, en):
    unit = subdistricts[3]
    for year, deaths in zip((2564, 2565, 2566, 2567), (10, 12, 11, 13), strict=True):
        pop_values(unit, f"{year}-01", DEATHS=deaths)
        pop_values(unit, f"{year}-07", DEATHS=deaths * 10)  # a different season must not widen January's range
    period = pop_values(unit, "2568-01", DEATHS=40)
    deaths = pop_elements["DEATHS"]
    flag = outlier_flags([deaths], [unit], period)[(deaths.pk, unit.pk)]
    # January 2564–2567: 10, 12, 11, 13 → median 11.5, MAD 1 → 11.5 ± 5.19
    assert flag.explanation == "expected 6.3–16.7, from Jan 2564–2567"
    low, high, text = expected_ranges([deaths], [unit], period)[(deaths.pk, unit.pk)]
    assert (round(low, 1), round(high, 1), text) == (6.3, 16.7, flag.explanation)


def test_one_lock_query_answers_every_form_of_a_save(balanced, population, save, entry_a, it_verifier, pop_elements, subdistricts, en):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    district = OrgUnit.objects.get(code="9901")
    submission = services.submission_get_or_create(dataset=population, orgunit=district, period=balanced, user=entry_a)
    services.submission_submit(submission=submission, user=entry_a)
    services.submission_verify(submission=submission, user=it_verifier)
    rows = [(pop_elements["DEATHS"], unit, code, 4) for unit in subdistricts for code in ("2568-01", "2568-02", "2568-03")]
    with CaptureQueriesContext(connection) as queries:
        result = save(entry_a, rows)
    # Only the district's subdistricts in the verified month are locked; twelve forms, one submission query.
    assert {(e.orgunit, e.message) for e in result.errors} == {
        (u.code, "the value is verified and locked") for u in subdistricts if u.path.startswith(district.path)
    }
    assert len(result.errors) == 2
    assert sum("verification_submission" in q["sql"] for q in queries.captured_queries) == 1
