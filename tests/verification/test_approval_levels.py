"""Approval up the levels: the district office approves its subdistricts, then the province approves the district."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from verification import services
from verification.approvals import approval_chain
from verification.models import Notification, Status, Submission
from verification.services import WorkflowError

pytestmark = pytest.mark.django_db


def state(submission):
    submission.refresh_from_db()
    return submission.status, submission.approval_level


def titles(user):
    return sorted(Notification.objects.filter(user=user).values_list("title", flat=True))


def locked(submission):
    return services.values_locked([(submission.dataset, submission.orgunit, submission.period)])


def test_one_level_stays_the_default_and_verifies_in_one_step(population, rules, pop_values, subdistricts, entry_a, it_verifier):
    assert population.approval_levels == 1
    period = pop_values(subdistricts[0], "2568-01", POP_MALE=60, POP_FEMALE=40, POP_TOTAL=100, DEATHS=1)
    submission = services.submission_get_or_create(dataset=population, orgunit=subdistricts[0], period=period, user=entry_a)
    services.submission_submit(submission=submission, user=entry_a)
    services.submission_verify(submission=submission, user=it_verifier)
    assert state(submission) == (Status.VERIFIED, 1)
    assert approval_chain(submission)[0].state == "done"


def test_two_level_approval_with_a_return_from_the_top(submitted, district_office, it_verifier, entry_a, subdistricts, en):
    first, second = submitted
    # Submitting notifies the first level's approvers: the district office (the province may act for it too).
    assert [t.split(" · ")[1] for t in titles(district_office)] == [
        subdistricts[0].name_th,
        subdistricts[1].name_th,
    ]  # sent before English was on
    # Level 1: the district office approves its subdistrict; the values lock at once.
    services.submission_verify(submission=first, user=district_office)
    assert state(first) == (Status.APPROVED, 1)
    assert locked(first) == {(first.dataset_id, first.orgunit_id, first.period_id)}
    # The district office never approves the province's level.
    with pytest.raises(PermissionDenied):
        services.submission_verify(submission=first, user=district_office)
    # The province approves only once every unit of the district is approved.
    with pytest.raises(WorkflowError) as waiting:
        services.submission_verify(submission=first, user=it_verifier)
    assert waiting.value.messages == [
        "Level 2 waits until every unit below is approved at level 1. Not yet approved:",
        subdistricts[1].name,
    ]
    assert state(first) == (Status.APPROVED, 1)
    before = Notification.objects.filter(user=it_verifier).count()
    services.submission_verify(submission=second, user=district_office)
    assert state(second) == (Status.APPROVED, 1)
    # The district is complete: the next approver hears of it.
    assert Notification.objects.filter(user=it_verifier).count() == before + 1
    assert Notification.objects.filter(user=it_verifier).latest("id").title.endswith("waits for approval at level 2")
    # Level 2 returns one subdistrict down with a comment: it unlocks, the clerk and the district office hear why.
    services.submission_return(submission=first, user=it_verifier, comment="ผลรวมไม่ตรงกับทะเบียนราษฎร์")
    assert state(first) == (Status.RETURNED, 0)
    assert state(second) == (Status.APPROVED, 1)
    assert locked(first) == set()
    for user in (entry_a, district_office):
        last = Notification.objects.filter(user=user).order_by("-id").first()
        assert (last.body, "was returned" in last.title) == ("ผลรวมไม่ตรงกับทะเบียนราษฎร์", True)
    # The chain starts again: resubmit, the district approves again, then the province approves the district.
    services.submission_submit(submission=first, user=entry_a, comment="แก้แล้ว")
    with pytest.raises(WorkflowError, match="Not yet approved"):
        services.submission_verify(submission=second, user=it_verifier)
    services.submission_verify(submission=first, user=district_office)
    services.submission_verify(submission=first, user=it_verifier)
    assert state(first) == (Status.VERIFIED, 2) and state(second) == (Status.VERIFIED, 2)
    first.refresh_from_db()
    assert list(first.events.values_list("from_status", "to_status", "user__username", "level", "comment")) == [
        ("", "draft", "entry_a", 0, ""),
        ("draft", "submitted", "entry_a", 0, ""),
        ("submitted", "approved", "district_verifier", 1, ""),
        ("approved", "returned", "it_verifier", 0, "ผลรวมไม่ตรงกับทะเบียนราษฎร์"),
        ("returned", "resubmitted", "entry_a", 0, "แก้แล้ว"),
        ("resubmitted", "approved", "district_verifier", 1, ""),
        ("approved", "verified", "it_verifier", 2, ""),
    ]
    chain = approval_chain(first)
    assert [(s.level, s.unit.code, s.state, s.by.username) for s in chain] == [
        (1, "9901", "done", "district_verifier"),
        (2, "99", "done", "it_verifier"),
    ]
    with pytest.raises(WorkflowError, match="cannot be verified"):
        services.submission_verify(submission=first, user=it_verifier)


def test_a_district_office_approves_only_its_own_subdistricts(two_levels, district_office, pop_values, subdistricts, entry_a):
    other = subdistricts[2]  # 990201, district 9902
    period = pop_values(other, "2568-01", POP_MALE=60, POP_FEMALE=40, POP_TOTAL=100, DEATHS=1)
    submission = services.submission_get_or_create(dataset=two_levels, orgunit=other, period=period, user=entry_a)
    services.submission_submit(submission=submission, user=entry_a)
    with pytest.raises(PermissionDenied):
        services.submission_verify(submission=submission, user=district_office)
    assert state(submission) == (Status.SUBMITTED, 0)
    assert Notification.objects.filter(user=district_office).count() == 0  # not told of what is not theirs


def test_who_approved_a_lower_level_cannot_approve_the_next(submitted, it_verifier, make_user, it_agency):
    first, second = submitted
    for submission in submitted:  # the province acts for a district office without a verifier
        services.submission_verify(submission=submission, user=it_verifier)
    with pytest.raises(PermissionDenied):
        services.submission_verify(submission=first, user=it_verifier)
    colleague = make_user("it_verifier_2", ["verifier"], it_agency)
    services.submission_verify(submission=first, user=colleague)
    assert state(first) == (Status.VERIFIED, 2) and state(second) == (Status.VERIFIED, 2)


def test_the_submission_page_and_queue_show_the_position_in_the_chain(submitted, district_office, it_verifier, client, en):
    first, _second = submitted
    services.submission_verify(submission=first, user=district_office)
    client.force_login(it_verifier)
    body = client.get(reverse("verification:submission", args=[first.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chain = body.split('id="approval-chain"')[1].split("</section>")[0]
    assert "Approval in 2 levels" in chain
    assert "Level 1: District 1" in chain and "approved by district_verifier" in chain
    assert "Level 2: Testland — awaiting approval" in " ".join(chain.split())
    assert "First every unit below must be approved: Subdistrict 1-2" in chain
    assert "Approved values are locked." in body
    queue = client.get(reverse("verification:submissions"), {"queue": "1"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 of 2 levels approved" in queue
    client.force_login(district_office)  # level 1 is done: nothing left in the district office's queue for this one
    queue = client.get(reverse("verification:submissions"), {"queue": "1"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert queue.count("1 of 2 levels approved") == 0 and queue.count("0 of 2 levels approved") == 1


def test_bulk_approval_of_past_periods_previews_one_level_at_a_time(
    two_levels, pop_values, subdistricts, district_office, it_verifier, make_user, it_agency
):
    for unit in subdistricts[:2]:
        period = pop_values(unit, "2568-01", POP_MALE=60, POP_FEMALE=40, POP_TOTAL=100, DEATHS=1)
    plan = services.bulk_verify_plan(dataset=two_levels, until=period, user=district_office)
    assert [(u.code, level, n) for u, _p, n, level in plan.rows] == [("990101", 1, 4), ("990102", 1, 4)]
    services.bulk_verify(dataset=two_levels, until=period, user=district_office, comment="ตรวจกับทะเบียนแล้ว")
    assert sorted(Submission.objects.values_list("orgunit__code", "status", "approval_level")) == [
        ("990101", Status.APPROVED, 1),
        ("990102", Status.APPROVED, 1),
    ]
    # The district office cannot take the province's level; the province's preview shows the level it reaches.
    assert services.bulk_verify_plan(dataset=two_levels, until=period, user=district_office).to_verify == []
    plan = services.bulk_verify_plan(dataset=two_levels, until=period, user=it_verifier)
    assert [(u.code, level) for u, _p, _n, level in plan.rows] == [("990101", 2), ("990102", 2)]
    services.bulk_verify(dataset=two_levels, until=period, user=it_verifier, comment="อนุมัติระดับจังหวัด")
    assert set(Submission.objects.values_list("status", "approval_level")) == {(Status.VERIFIED, 2)}


def test_the_bulk_page_previews_the_level_and_says_what_it_approved(two_levels, pop_values, subdistricts, district_office, client, en):
    for unit in subdistricts[:2]:
        pop_values(unit, "2568-01", POP_MALE=60, POP_FEMALE=40, POP_TOTAL=100, DEATHS=1)
    client.force_login(district_office)
    url = reverse("verification:bulk_verify")
    preview = client.get(url, {"dataset": two_levels.pk, "period": "2568-01"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This dataset is approved in 2 levels" in preview and preview.count("<td>1 of 2</td>") == 2
    assert Submission.objects.count() == 0  # the preview writes nothing
    done = client.post(url, {"dataset": two_levels.pk, "period": "2568-01", "comment": "ตรวจแล้ว"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "2 submissions approved one level up, 8 values locked." in done.content.decode()
    assert set(Submission.objects.values_list("status", "approval_level")) == {(Status.APPROVED, 1)}
