"""Backup writes: create an archive, check it by restoring it into a scratch database, restore it for real,
and ``backup_run`` — the one composition (create → verify → prune) that the ``backup`` command, the
"back up now" button and the nightly job all call."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import secrets
import sqlite3
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.backups.archive import (
    ARCHIVE_PATTERN,
    DB_FILES,
    FORMAT_VERSION,
    MANIFEST,
    BackupError,
    CheckResult,
    backup_dir,
    checksum_path,
    current_engine,
    django_tables,
    expected_checksum,
    extract_member,
    media_files,
    opened_archive,
    read_manifest,
    resolve_archive,
    restore_media,
    sha256_of,
)
from operations.backups.postgres import pg_dump_with_counts, pg_restore_into, pg_verify_counts
from operations.backups.retention import backups_prune
from operations.backups.sqlite import django_sqlite_connection, sqlite_backup_to, sqlite_counts, sqlite_integrity
from operations.models import BackupCheck, BackupRecord
from poc import permission_version


def backup_create() -> BackupRecord:
    """Dump the database and media into a checksummed archive in ``POC_BACKUP_DIR``."""
    engine = current_engine()
    now = timezone.now()
    name = f"poc-backup-{timezone.localtime(now):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}.tar.gz"
    directory = backup_dir()
    with tempfile.TemporaryDirectory(dir=directory, prefix=".tmp-") as tmp:
        database_file = Path(tmp) / DB_FILES[engine]
        if engine == "postgis":
            counts = pg_dump_with_counts(database_file)
        else:
            tables = django_tables()
            sqlite_backup_to(django_sqlite_connection(), database_file)
            counts = {t: c for t, c in sqlite_counts(database_file, tables).items() if c is not None}
        media = media_files()
        manifest = {
            "format": FORMAT_VERSION,
            "created_at": now.isoformat(),
            "engine": engine,
            "database_file": database_file.name,
            "database_sha256": sha256_of(database_file),
            "tables": counts,
            "media_files": len(media),
            "media_bytes": sum(p.stat().st_size for p in media),
        }
        partial = Path(tmp) / name
        with tarfile.open(partial, "w:gz") as tar:
            payload = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime = len(payload), int(now.timestamp())
            tar.addfile(info, io.BytesIO(payload))
            tar.add(database_file, arcname=database_file.name)
            media_root = Path(settings.MEDIA_ROOT)
            for path in media:
                tar.add(path, arcname=f"media/{path.relative_to(media_root).as_posix()}")
        archive = directory / name
        os.replace(partial, archive)
    digest = sha256_of(archive)
    checksum_path(archive).write_text(f"{digest}  {name}\n", encoding="ascii")
    return BackupRecord.objects.create(
        filename=name, created_at=now, engine=engine, size_bytes=archive.stat().st_size, sha256=digest, manifest=manifest
    )


def _record_check(archive: Path, result: CheckResult) -> None:
    BackupRecord.objects.filter(filename=archive.name).update(
        verification_status=BackupCheck.OK if result.ok else BackupCheck.FAILED,
        verified_at=timezone.now(),
        verification_message=result.message,
    )


def _compare(manifest: dict[str, Any], found: dict[str, int | None]) -> CheckResult:
    expected = {t: int(c) for t, c in manifest.get("tables", {}).items()}
    result = CheckResult(ok=False, message="", expected=expected, found=found)
    if result.mismatches:
        details = "; ".join(f"{t}: {e} → {f}" for t, (e, f) in list(result.mismatches.items())[:10])
        result.message = _("Row counts differ from the manifest in %(n)d table(s): %(details)s") % {
            "n": len(result.mismatches),
            "details": details,
        }
    else:
        result.ok = True
        result.message = _("Restored into a scratch database: %(tables)d tables and %(rows)d rows match the manifest.") % {
            "tables": len(expected),
            "rows": sum(expected.values()),
        }
    return result


def backup_verify(name_or_path: str | Path) -> CheckResult:
    """Checksum, then restore into a scratch database and compare per-table row counts; recorded."""
    archive = resolve_archive(name_or_path)
    try:
        with tempfile.TemporaryDirectory() as tmp, opened_archive(archive) as tar:
            workdir = Path(tmp)
            manifest = read_manifest(tar)
            dump = extract_member(tar, DB_FILES[manifest["engine"]], workdir / DB_FILES[manifest["engine"]])
            if sha256_of(dump) != manifest.get("database_sha256"):
                raise BackupError(_("The database file inside backup %(name)s does not match its manifest.") % {"name": archive.name})
            media_in_archive = sum(1 for m in tar.getmembers() if m.isfile() and m.name.startswith("media/"))
            if media_in_archive != manifest.get("media_files", 0):
                raise BackupError(
                    _("Backup %(name)s holds %(found)d media files; the manifest lists %(expected)d.")
                    % {"name": archive.name, "found": media_in_archive, "expected": manifest.get("media_files", 0)}
                )
            tables = list(manifest["tables"])
            if manifest["engine"] == "postgis":
                if current_engine() != "postgis":
                    raise BackupError(_("A PostGIS backup can only be verified on a PostGIS server."))
                found = pg_verify_counts(dump, tables, workdir)
            else:
                integrity = sqlite_integrity(dump)
                if integrity != "ok":
                    raise BackupError(_("The SQLite database in the backup is damaged: %(error)s") % {"error": integrity})
                found = sqlite_counts(dump, tables)
            result = _compare(manifest, found)
    except BackupError as exc:
        result = CheckResult(ok=False, message=str(exc))
    _record_check(archive, result)
    return result


def backup_restore(name_or_path: str | Path, *, user=None) -> CheckResult:
    """Replace the database and media with the backup's (checksum first); then compare row counts."""
    from poc.audit import audit

    archive = resolve_archive(name_or_path)
    with tempfile.TemporaryDirectory() as tmp, opened_archive(archive) as tar:
        workdir = Path(tmp)
        manifest = read_manifest(tar)
        engine = current_engine()
        if manifest["engine"] != engine:
            raise BackupError(
                _("Backup %(name)s was made on %(made)s; this portal runs on %(current)s.")
                % {"name": archive.name, "made": manifest["engine"], "current": engine}
            )
        dump = extract_member(tar, DB_FILES[engine], workdir / DB_FILES[engine])
        if sha256_of(dump) != manifest.get("database_sha256"):
            raise BackupError(_("The database file inside backup %(name)s does not match its manifest.") % {"name": archive.name})
        if engine == "postgis":
            connection.close()
            pg_restore_into(dump, connection.settings_dict["NAME"], workdir, clean=True)
            found = _django_counts(list(manifest["tables"]))
        else:
            source = sqlite3.connect(dump)
            try:
                source.backup(django_sqlite_connection())
            finally:
                source.close()
            found = _django_counts(list(manifest["tables"]))
        restore_media(tar)
    permission_version.bump()  # the restored accounts and grants replace those the cached answers were read from
    result = _compare(manifest, found)
    if result.ok:
        result.message = _("Restored %(name)s: %(tables)d tables and %(rows)d rows as in the manifest.") % {
            "name": archive.name,
            "tables": len(result.expected),
            "rows": sum(result.expected.values()),
        }
    records_sync()
    record = BackupRecord.objects.filter(filename=archive.name).first()
    if record:
        audit(user, record, "change", f"restored: {result.message}")
    return result


def _django_counts(tables: list[str]) -> dict[str, int | None]:
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        counts: dict[str, int | None] = {}
        for table in tables:
            if table in existing:
                cursor.execute(f"select count(*) from {connection.ops.quote_name(table)}")
                counts[table] = cursor.fetchone()[0]
            else:
                counts[table] = None
    return counts


def records_sync() -> int:
    """Register archives found in the backup directory that the database does not know
    (e.g. after a restore brought back an older ``BackupRecord`` table)."""
    known = set(BackupRecord.objects.values_list("filename", flat=True))
    added = 0
    for archive in sorted(backup_dir().glob("poc-backup-*.tar.gz")):
        if archive.name in known or not ARCHIVE_PATTERN.match(archive.name):
            continue
        try:
            with tarfile.open(archive, "r:gz") as tar:
                manifest = read_manifest(tar)
            digest = expected_checksum(archive)
        except (BackupError, tarfile.TarError, OSError, EOFError):
            continue
        BackupRecord.objects.create(
            filename=archive.name,
            created_at=dt.datetime.fromisoformat(manifest["created_at"]),
            engine=manifest["engine"],
            size_bytes=archive.stat().st_size,
            sha256=digest,
            manifest=manifest,
        )
        added += 1
    return added


@dataclass
class BackupRun:
    record: BackupRecord
    check: CheckResult | None = None
    removed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.check is None or self.check.ok


def backup_run(*, verify: bool = True, prune: bool = True) -> BackupRun:
    """Back up, then (``verify``) check what was written, then (``prune``) apply retention.

    Retention is skipped when the check fails: a broken newest archive must not push a good older one
    out of its day, week or month.
    """
    run = BackupRun(record=backup_create())
    if verify:
        run.check = backup_verify(run.record.filename)
    if prune and run.ok:
        run.removed = backups_prune()
    run.record.refresh_from_db()
    return run
