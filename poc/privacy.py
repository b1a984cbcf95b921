"""Personal data under Thailand's PDPA: retention, a person's data export, anonymising a departed user.

- Retention: page views older than ``POC_PAGEVIEW_RETENTION_DAYS`` and notifications older than
  ``POC_NOTIFICATION_RETENTION_DAYS`` are deleted by the nightly job (``manage.py apply_retention``).
- Export: every row of every model that points at the user (found through the user model's
  relations, so models added later are included), with the account itself, as JSON.
- Anonymise: the account keeps its id, so audit rows, value stamps and history still point at the
  same (now anonymous) user; name, e-mail, phone, position and password are cleared, the account is
  deactivated, its sessions and notifications deleted. Both actions are recorded in the admin log.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from poc import permissions
from poc.audit import audit
from poc.models import User
from poc.permissions import Gate

# Fields never exported: secrets, not personal information.
SECRET_FIELDS = {"password"}
ANONYMOUS_PREFIX = "former-user-"


def _audit(actor: User, person: User, message: str) -> None:
    audit(actor, person, "change", message)


def _require_it_admin(actor: User) -> None:
    permissions.require_gate(actor, Gate.IT_ADMIN)


# --- Retention --------------------------------------------------------------------------------
def retention_apply(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete page views and notifications older than their retention settings; returns rows deleted per kind."""
    now = now or timezone.now()
    deleted: dict[str, int] = {}
    targets = [
        ("operations.PageView", "at", settings.POC_PAGEVIEW_RETENTION_DAYS),
        ("verification.Notification", "created_at", settings.POC_NOTIFICATION_RETENTION_DAYS),
    ]
    for label, field, days in targets:
        if not apps.is_installed(label.split(".")[0]) or days <= 0:  # 0 keeps rows for ever
            continue
        model = apps.get_model(label)
        with transaction.atomic():
            deleted[label], _by_model = model.objects.filter(**{f"{field}__lt": now - dt.timedelta(days=days)}).delete()
    return deleted


# --- Export -----------------------------------------------------------------------------------
def _related_rows(person: User) -> dict[str, list[dict[str, Any]]]:
    """Rows of every model with a foreign key (or many-to-many) to the user, serialised, by model label."""
    found: dict[str, list[dict[str, Any]]] = {}
    for relation in User._meta.get_fields(include_hidden=True):
        if not (relation.is_relation and relation.auto_created and not relation.concrete):
            continue
        model = relation.related_model
        if model is None or (model._meta.auto_created and not relation.many_to_many):
            continue
        if relation.many_to_many:
            rows = model.objects.filter(**{relation.field.name: person})
        else:
            rows = model._base_manager.filter(**{relation.field.name: person})
        serialised = serializers.serialize("python", rows.order_by("pk")[:100_000])
        if serialised:
            found.setdefault(model._meta.label, []).extend(
                {"id": row["pk"], **{k: v for k, v in row["fields"].items() if k not in SECRET_FIELDS}} for row in serialised
            )
    return found


class _Encoder(DjangoJSONEncoder):
    """Dates, decimals and UUIDs as Django writes them; anything else (geometries, files) as its text."""

    def default(self, o: Any) -> Any:
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def person_export(*, actor: User, person: User) -> str:
    """Everything the portal holds about ``person`` as JSON (PDPA right of access); recorded in the admin log."""
    _require_it_admin(actor)
    account = serializers.serialize("python", [person])[0]["fields"]
    payload = {
        "exported_at": timezone.now(),
        "account": {"id": person.pk, **{k: v for k, v in account.items() if k not in SECRET_FIELDS | {"user_permissions"}}},
        "roles": sorted(person.role_names),
        "agency": person.agency.code if person.agency else None,
        "related": _related_rows(person),
    }
    _audit(actor, person, "PDPA: personal data exported")
    return json.dumps(payload, cls=_Encoder, ensure_ascii=False, indent=2)


# --- Anonymise --------------------------------------------------------------------------------
@transaction.atomic
def person_anonymise(*, actor: User, person: User) -> User:
    """Clear a departed user's personal data, keeping the account id so every audit row still points at it."""
    _require_it_admin(actor)
    if person.pk == actor.pk:
        raise ValidationError(_("You cannot anonymise your own account."), code="self")
    if person.username.startswith(ANONYMOUS_PREFIX):
        raise ValidationError(_("This account is already anonymised."), code="done")
    person.username = f"{ANONYMOUS_PREFIX}{person.pk}"
    person.first_name = person.last_name = person.email = person.phone = person.position = ""
    person.is_active = person.is_staff = person.is_superuser = False
    person.must_change_password = False
    person.set_unusable_password()
    person.save()
    person.groups.clear()
    person.user_permissions.clear()
    _clear_person_references(person)
    _audit(actor, person, "PDPA: account anonymised (name, e-mail, phone cleared; id kept for the audit trail)")
    return person


def _clear_person_references(person: User) -> None:
    """Free-text copies of the person's name and their private rows (sessions, notifications, object permissions)."""
    if apps.is_installed("operations"):
        apps.get_model("operations", "Participant").objects.filter(user=person).update(name=_("Former participant"))
    if apps.is_installed("verification"):
        apps.get_model("verification", "Notification").objects.filter(user=person).delete()
    if apps.is_installed("guardian"):
        apps.get_model("guardian", "UserObjectPermission").objects.filter(user=person).delete()
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(person.pk):
            session.delete()


def is_anonymised(person: User) -> bool:
    return person.username.startswith(ANONYMOUS_PREFIX)
