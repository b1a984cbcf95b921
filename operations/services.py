"""Writes of the operations app: the IT contingency plan and the staff development plan (backups: ``backups.services``)."""

from __future__ import annotations

from django.db import transaction

from operations.models import ContingencyPlanVersion, Course, Participant
from poc import permissions
from poc.audit import audit
from poc.models import Agency, User
from poc.permissions import Gate


# --- Contingency plan ---------------------------------------------------------------------------
@transaction.atomic
def contingency_plan_save(
    *, user: User, title: str, contacts: str, recovery_steps: str, body: str = "", change_note: str = ""
) -> ContingencyPlanVersion:
    """Every save is a new version; earlier versions are never changed."""
    permissions.require_gate(user, Gate.IT_ADMIN)
    # Lock the table's newest row so two simultaneous saves cannot take the same number.
    latest = ContingencyPlanVersion.objects.select_for_update().order_by("-version").first()
    number = (latest.version if latest else 0) + 1
    version = ContingencyPlanVersion(
        version=number, title=title, contacts=contacts, recovery_steps=recovery_steps, body=body, change_note=change_note, created_by=user
    )
    version.full_clean()
    version.save()
    audit(user, version, "add", change_note or f"version {number}")
    return version


# --- Staff development plan -------------------------------------------------------------------------
def can_manage_training(user: User) -> bool:
    return Gate.IT_ADMIN(user)


@transaction.atomic
def course_save(*, user: User, course: Course) -> Course:
    permissions.require_gate(user, Gate.IT_ADMIN)
    adding = course.pk is None
    course.full_clean(exclude=["fiscal_year"])
    course.save()
    audit(user, course, "add" if adding else "change", course.title)
    return course


@transaction.atomic
def participant_add(*, user: User, course: Course, agency: Agency, name: str, participant_user: User | None = None) -> Participant:
    """IT administrators enrol anyone; other users enrol people of their own agency."""
    permissions.require(user, "change", agency)  # acts for the agency: IT administrators any, others their own
    participant = Participant(course=course, agency=agency, name=name, user=participant_user)
    participant.full_clean()
    participant.save()
    audit(user, participant, "add", f"{name} ({agency.code}) → {course.title}")
    return participant


@transaction.atomic
def participant_set_status(*, user: User, participant: Participant, status: str) -> Participant:
    permissions.require_gate(user, Gate.IT_ADMIN)
    participant.status = status
    participant.full_clean()
    participant.save(update_fields=["status"])
    audit(user, participant, "change", f"status {status}")
    return participant
