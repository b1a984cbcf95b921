"""Backups: round trip on the running engine (PostGIS in CI) and on SpatiaLite, corruption, retention, IT page."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from operations.backups.archive import BackupError
from operations.backups.retention import backups_to_keep
from operations.backups.services import backup_create, backup_restore, backup_verify
from operations.models import BackupCheck, BackupRecord
from poc.models import Agency, OrgUnit

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def backup_settings(settings, tmp_path):
    settings.POC_BACKUP_DIR = tmp_path / "backups"
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "documents").mkdir(parents=True)
    (settings.MEDIA_ROOT / "documents" / "circular.txt").write_text("หนังสือเวียน", encoding="utf-8")
    return settings


@pytest.mark.django_db(transaction=True)
def test_backup_restore_round_trip_gives_equal_row_counts(backup_settings, province, agency_a, agency_b, entry_a):
    record = backup_create()
    assert record.manifest["tables"]["poc_orgunit"] == 11
    assert record.manifest["tables"]["poc_agency"] == 2
    assert record.manifest["media_files"] == 1
    assert (backup_settings.POC_BACKUP_DIR / f"{record.filename}.sha256").read_text().startswith(record.sha256)

    # Damage the live data and media after the backup.
    OrgUnit.objects.filter(level=4).delete()
    Agency.objects.create(code="AG-NEW", name_th="ใหม่", orgunit=province)
    (backup_settings.MEDIA_ROOT / "documents" / "circular.txt").unlink()

    result = backup_restore(record.filename)

    assert result.ok, result.message
    assert result.mismatches == {}
    assert OrgUnit.objects.count() == 11
    assert OrgUnit.objects.filter(level=4).first().point is not None
    assert not Agency.objects.filter(code="AG-NEW").exists()
    assert (backup_settings.MEDIA_ROOT / "documents" / "circular.txt").read_text(encoding="utf-8") == "หนังสือเวียน"
    # The restored BackupRecord table predates the backup: the archive is registered again.
    assert BackupRecord.objects.filter(filename=record.filename).exists()


@pytest.mark.django_db(transaction=True)
def test_verify_restores_into_scratch_database_and_records_result(backup_settings, province, agency_a):
    record = backup_create()

    result = backup_verify(record.filename)

    assert result.ok, result.message
    assert result.found["poc_orgunit"] == 11
    record.refresh_from_db()
    assert record.verification_status == BackupCheck.OK
    assert record.verified_at is not None


@pytest.mark.django_db(transaction=True)
def test_corrupted_backup_is_refused_with_a_clear_message(backup_settings, province, en):
    record = backup_create()
    archive = backup_settings.POC_BACKUP_DIR / record.filename
    data = bytearray(archive.read_bytes())
    data[len(data) // 2] ^= 0xFF
    archive.write_bytes(bytes(data))

    result = backup_verify(record.filename)

    assert not result.ok
    assert f"Backup {record.filename} is corrupted: its SHA-256 checksum does not match" in result.message
    record.refresh_from_db()
    assert record.verification_status == BackupCheck.FAILED
    with pytest.raises(BackupError, match="is corrupted"):
        backup_restore(record.filename)
    with pytest.raises(CommandError, match="is corrupted"):
        call_command("verify_backup", record.filename)
    assert OrgUnit.objects.count() == 11  # nothing was touched


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_spatialite_backup_restore_round_trip_through_manage_py(tmp_path):
    """The embedded SpatiaLite deployment, whatever database this suite runs on."""
    dropped = {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(POC_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="poc.settings")
    _manage(env, "migrate", "--noinput", "-v0")
    create = (
        "from poc.models import OrgUnit; from django.contrib.gis.geos import Point;"
        "p=OrgUnit.objects.create(code='98', name_th='ทดสอบ', level=1, point=Point(101.2, 12.7, srid=4326));"
        "[OrgUnit.objects.create(code=f'98{i:02d}', name_th=f'อำเภอ {i}', level=2, parent=p) for i in range(1, 6)]"
    )
    _manage(env, "shell", "-c", create)
    output = _manage(env, "backup", "--verify")
    assert "ตรงกับรายการสรุป" in output  # "match the manifest" (commands speak Thai)
    archive = next((tmp_path / "backups").glob("poc-backup-*.tar.gz"))
    _manage(env, "shell", "-c", "from poc.models import OrgUnit; OrgUnit.objects.filter(level=2).delete()")

    output = _manage(env, "restore", "--noinput", str(archive))

    assert "ตรงตามรายการสรุป" in output
    check = "from poc.models import OrgUnit; print(OrgUnit.objects.count(), OrgUnit.objects.get(code='98').point.x)"
    counts = _manage(env, "shell", "-c", check)
    assert counts.strip().splitlines()[-1].split() == ["6", "101.2"]


def test_retention_keeps_7_daily_4_weekly_12_monthly():
    bangkok = ZoneInfo("Asia/Bangkok")
    first = dt.datetime(2024, 1, 1, 1, 30, tzinfo=bangkok)
    stamps = [first + dt.timedelta(days=n) for n in range((dt.date(2025, 6, 30) - dt.date(2024, 1, 1)).days + 1)]

    keep = {s.date() for s in backups_to_keep(stamps, daily=7, weekly=4, monthly=12)}

    daily = {dt.date(2025, 6, d) for d in range(24, 31)}
    weekly = {dt.date(2025, 6, 22), dt.date(2025, 6, 15)}  # ISO weeks end on Sunday; 30 June 2025 is a Monday
    monthly = {dt.date(2025, 5, 31), dt.date(2025, 4, 30), dt.date(2025, 3, 31), dt.date(2025, 2, 28), dt.date(2025, 1, 31)}
    monthly |= {dt.date(2024, 12, 31), dt.date(2024, 11, 30), dt.date(2024, 10, 31), dt.date(2024, 9, 30), dt.date(2024, 8, 31)}
    monthly |= {dt.date(2024, 7, 31)}
    assert keep == daily | weekly | monthly
    assert len(keep) == 20


def _record(name: str, age: dt.timedelta, status: str) -> BackupRecord:
    return BackupRecord.objects.create(
        filename=name, created_at=timezone.now() - age, engine="postgis", sha256="0" * 64, verification_status=status
    )


@pytest.mark.django_db
def test_backup_page_warns_when_last_verified_backup_is_older_than_two_days(client, it_admin):
    _record("poc-backup-20250101-013000-aaaa.tar.gz", dt.timedelta(days=3), BackupCheck.OK)
    _record("poc-backup-20250103-013000-bbbb.tar.gz", dt.timedelta(hours=5), BackupCheck.FAILED)
    client.force_login(it_admin)

    page = client.get(reverse("operations:backup_list")).content.decode()

    assert 'id="backup-warning"' in page
    assert "เกิน 2 วันแล้ว" in page
    _record("poc-backup-20250103-023000-cccc.tar.gz", dt.timedelta(hours=4), BackupCheck.OK)
    assert 'id="backup-warning"' not in client.get(reverse("operations:backup_list")).content.decode()


@pytest.mark.django_db
def test_backup_page_is_for_it_administrators_only(client, entry_a, executive):
    for user in (entry_a, executive):
        client.force_login(user)
        assert client.get(reverse("operations:backup_list")).status_code == 403
        assert client.post(reverse("operations:backup_start")).status_code == 403
