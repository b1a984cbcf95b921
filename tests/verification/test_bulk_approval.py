"""Bulk verification goes through the single approval's write path: row locks, the verify rule, notifications."""

import threading
import time

import pytest
from django.db import connection
from django.urls import reverse

from poc.models import Period
from verification import services
from verification.models import Notification, Status, Submission, SubmissionEvent

pytestmark = pytest.mark.django_db


def verified_notices(user):
    return list(Notification.objects.filter(user=user, title__endswith="was verified").order_by("id").values_list("title", "url"))


def test_a_bulk_verified_submission_notifies_like_a_single_one(population, rules, pop_values, subdistricts, entry_a, it_verifier, en):
    period = None
    for unit in subdistricts[:2]:
        period = pop_values(unit, "2568-01", POP_MALE=60, POP_FEMALE=40, POP_TOTAL=100, DEATHS=1)
    single = services.submission_get_or_create(dataset=population, orgunit=subdistricts[0], period=period, user=entry_a)
    services.submission_submit(submission=single, user=entry_a)
    services.submission_verify(submission=single, user=it_verifier)
    plan = services.bulk_verify(dataset=population, until=period, user=it_verifier, comment="checked against the register")
    assert [u.code for u, _p, _n in plan.to_verify] == ["990102"]
    bulk = Submission.objects.get(orgunit=subdistricts[1])
    assert (bulk.status, bulk.approval_level, bulk.verified_by) == (Status.VERIFIED, 1, it_verifier)
    assert verified_notices(entry_a) == [
        (f"Population · Subdistrict 1-1 · {period.label} was verified", reverse("verification:submission", args=[single.pk])),
        (f"Population · Subdistrict 1-2 · {period.label} was verified", reverse("verification:submission", args=[bulk.pk])),
    ]


def test_bulk_approval_tells_the_next_level_once_the_unit_below_is_complete(
    two_levels, pop_values, subdistricts, district_office, it_verifier, en
):
    for unit in subdistricts[:3]:  # 990201 is in the other district: its unit below stays incomplete
        period = pop_values(unit, "2568-01", POP_MALE=60, POP_FEMALE=40, POP_TOTAL=100, DEATHS=1)
    services.bulk_verify(dataset=two_levels, until=period, user=district_office, comment="ตรวจกับทะเบียนแล้ว")
    # The district office approved its two subdistricts one after the other: the second completed the district.
    assert list(Notification.objects.filter(user=it_verifier).values_list("title", flat=True)) == [
        f"Population · Subdistrict 1-2 · {period.label} waits for approval at level 2"
    ]
    assert set(Submission.objects.values_list("orgunit__code", "status", "approval_level")) == {
        ("990101", Status.APPROVED, 1),
        ("990102", Status.APPROVED, 1),
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and pg_stat_activity: PostgreSQL only")
def test_two_bulk_approvals_at_once_move_each_submission_up_once(submitted, district_office, it_verifier):
    """Both runs read the same preview (level 1) while a third transaction holds the rows; the one that gets the
    rows second finds them already approved and stops without saving anything."""
    period = Period.objects.get(code="2568-01")
    heard = Notification.objects.filter(user=it_verifier).count()  # each submission's "waits for verification"
    holding, release = threading.Event(), threading.Event()
    outcomes: list[object] = []

    def hold_rows() -> None:
        from django.db import transaction

        try:
            with transaction.atomic():
                list(Submission.objects.select_for_update().filter(dataset=submitted[0].dataset))
                holding.set()
                release.wait(30)
        finally:
            connection.close()

    def bulk() -> None:
        try:
            services.bulk_verify(dataset=submitted[0].dataset, until=period, user=district_office, comment="ตรวจแล้ว")
            outcomes.append("done")
        except Exception as exc:  # each run's outcome is what the test compares
            outcomes.append(getattr(exc, "code", type(exc).__name__))
        finally:
            connection.close()

    holder = threading.Thread(target=hold_rows)
    holder.start()
    assert holding.wait(10)
    runs = [threading.Thread(target=bulk) for _ in range(2)]
    for run in runs:
        run.start()
    deadline = time.monotonic() + 20
    with connection.cursor() as cursor:  # both runs have read their preview and wait for the first row
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
            if cursor.fetchone()[0] == 2:
                break
            time.sleep(0.05)
    release.set()
    for thread in (holder, *runs):
        thread.join(30)
    assert sorted(outcomes) == ["changed_meanwhile", "done"]
    assert sorted(Submission.objects.values_list("orgunit__code", "status", "approval_level")) == [
        ("990101", Status.APPROVED, 1),
        ("990102", Status.APPROVED, 1),
    ]
    assert SubmissionEvent.objects.filter(level__gt=0).count() == 2
    # The province hears once that the district is complete (the threads speak Thai: the title is matched by its link).
    news = Notification.objects.filter(user=it_verifier).order_by("id")[heard:]
    assert [n.url for n in news] == [reverse("verification:submission", args=[submitted[1].pk])]
