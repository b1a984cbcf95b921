"""The one audit helper: who did what to which row, kept in Django's admin log (the object's
history in /admin/). Services call ``audit(user, obj, "add"|"change"|"delete", message)`` inside
their transaction, so a rolled-back change leaves no entry.

Values keep their own append-only trail (``datasets.DataValueAudit``, millions of rows with old and
new value), and workflows their event models (``SubmissionEvent``, ``AlertEvent``), which their
pages show; everything else is audited here."""

from __future__ import annotations

import logging

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models

logger = logging.getLogger("poc.audit")

ACTIONS = {"add": ADDITION, "change": CHANGE, "delete": DELETION}


def audit(user, obj: models.Model, action: str, message: str) -> None:
    """Record who did what to ``obj``. System jobs (no user) are logged only."""
    if user is None or not getattr(user, "pk", None):
        logger.info("system %s %s #%s: %s", action, obj._meta.label, obj.pk, message)
        return
    LogEntry.objects.create(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action_flag=ACTIONS[action],
        change_message=message,
    )
