"""Backup retention: grandfather-father-son over the recorded archives (``POC_BACKUP_KEEP_*`` settings)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone

from operations.backups.archive import backup_dir, checksum_path
from operations.models import BackupRecord


def backups_to_keep(stamps: Iterable[dt.datetime], daily: int, weekly: int, monthly: int) -> set[dt.datetime]:
    """Grandfather-father-son: the newest backup of each of the last ``daily`` days, ``weekly`` ISO
    weeks and ``monthly`` months that have backups (local time)."""
    ordered = sorted(stamps, reverse=True)
    keep: set[dt.datetime] = set()
    buckets: list[tuple[Callable[[dt.datetime], Any], int]] = [
        (lambda d: d.date(), daily),
        (lambda d: d.isocalendar()[:2], weekly),
        (lambda d: (d.year, d.month), monthly),
    ]
    for key, limit in buckets:
        seen: list[Any] = []
        for stamp in ordered:
            bucket = key(timezone.localtime(stamp) if timezone.is_aware(stamp) else stamp)
            if bucket in seen:
                continue
            if len(seen) >= limit:
                break
            seen.append(bucket)
            keep.add(stamp)
    return keep


def backups_prune() -> list[str]:
    """Delete archives outside the retention policy; returns their names."""
    records = list(BackupRecord.objects.all())
    keep = backups_to_keep(
        [r.created_at for r in records],
        daily=settings.POC_BACKUP_KEEP_DAILY,
        weekly=settings.POC_BACKUP_KEEP_WEEKLY,
        monthly=settings.POC_BACKUP_KEEP_MONTHLY,
    )
    removed = []
    directory = backup_dir()
    for record in records:
        if record.created_at in keep:
            continue
        for path in (directory / record.filename, checksum_path(directory / record.filename)):
            path.unlink(missing_ok=True)
        record.delete()
        removed.append(record.filename)
    return removed
