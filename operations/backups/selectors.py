"""Reads for the IT page: the newest backup, the newest checked one, and whether that is too old."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from operations.models import BackupCheck, BackupRecord


@dataclass
class BackupStatus:
    last: BackupRecord | None
    last_verified: BackupRecord | None
    stale: bool
    max_age_days: int


def backup_status(now: dt.datetime | None = None) -> BackupStatus:
    now = now or timezone.now()
    max_age = settings.POC_BACKUP_MAX_AGE_DAYS
    last = BackupRecord.objects.order_by("-created_at").first()
    last_verified = BackupRecord.objects.filter(verification_status=BackupCheck.OK).order_by("-created_at").first()
    stale = last_verified is None or now - last_verified.created_at > dt.timedelta(days=max_age)
    return BackupStatus(last=last, last_verified=last_verified, stale=stale, max_age_days=max_age)
