"""One write path: the command, the "back up now" button's task and the nightly job all call ``backup_run``."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from operations import tasks
from operations.backups.archive import checksum_path
from operations.models import BackupCheck, BackupRecord
from tests.operations.test_backups import backup_settings  # noqa: F401


def _old_archive(directory, days: int) -> BackupRecord:
    """An archive from ``days`` ago, as an earlier nightly run left it (file, checksum and record)."""
    name = f"poc-backup-{timezone.localtime() - dt.timedelta(days=days):%Y%m%d-%H%M%S}-0a0a.tar.gz"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(b"old")
    checksum_path(directory / name).write_text(f"{'0' * 64}  {name}\n", encoding="ascii")
    return BackupRecord.objects.create(
        filename=name,
        created_at=timezone.now() - dt.timedelta(days=days),
        engine="postgis",
        sha256="0" * 64,
        verification_status=BackupCheck.OK,
    )


@pytest.mark.django_db(transaction=True)
def test_button_backs_up_and_checks_without_pruning_while_command_and_nightly_job_prune(backup_settings, province):  # noqa: F811
    backup_settings.POC_BACKUP_KEEP_DAILY, backup_settings.POC_BACKUP_KEEP_WEEKLY, backup_settings.POC_BACKUP_KEEP_MONTHLY = 1, 0, 0
    directory = backup_settings.POC_BACKUP_DIR
    old = _old_archive(directory, days=40)

    message = tasks.backup_now()

    now_record = BackupRecord.objects.exclude(pk=old.pk).get()
    assert now_record.verification_status == BackupCheck.OK and message == now_record.verification_message
    assert "ตรงกับรายการสรุป" in message  # "… rows match the manifest"
    assert BackupRecord.objects.filter(pk=old.pk).exists() and (directory / old.filename).is_file()  # the button never prunes

    out = io.StringIO()
    call_command("backup", "--verify", stdout=out)

    command_record = BackupRecord.objects.exclude(pk__in=[old.pk, now_record.pk]).get()
    printed = out.getvalue()
    assert command_record.verification_status == BackupCheck.OK and command_record.verification_message in printed
    assert f"removed {old.filename}" in printed and f"removed {now_record.filename}" in printed  # only the newest is kept
    assert not (directory / old.filename).exists() and not checksum_path(directory / old.filename).exists()

    summary = tasks.backup_nightly()

    nightly = BackupRecord.objects.get()
    assert nightly.pk not in (old.pk, now_record.pk, command_record.pk)
    assert summary == f"{nightly.filename}: ok"
    assert sorted(p.name for p in directory.glob("poc-backup-*.tar.gz")) == [nightly.filename]
