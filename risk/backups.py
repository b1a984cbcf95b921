"""Backups of the database and uploaded files, their verification and restore.

An archive ``poc-backup-<time>.tar.gz`` holds ``manifest.json`` (engine, per-table row counts, media
totals), the database (``database.dump`` from ``pg_dump -Fc`` on PostGIS, ``database.sqlite3`` from
the SQLite online-backup API on SpatiaLite) and ``media/``. Next to it, ``<archive>.sha256`` in
``sha256sum`` format. Nothing is restored or verified before that checksum matches.

On PostGIS the row counts are taken in the same snapshot ``pg_dump`` reads (``pg_export_snapshot``),
so the manifest describes exactly what is in the dump even while users keep writing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from risk.models import BackupRecord, VerificationStatus

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_FILES = {"postgis": "database.dump", "spatialite": "database.sqlite3"}
ARCHIVE_PATTERN = re.compile(r"^poc-backup-\d{8}-\d{6}-[0-9a-f]{4}\.tar\.gz$")


class BackupError(Exception):
    """A backup that cannot be made, verified or restored; the message says why, for a person."""


@dataclass
class CheckResult:
    ok: bool
    message: str
    expected: dict[str, int] = field(default_factory=dict)
    found: dict[str, int | None] = field(default_factory=dict)

    @property
    def mismatches(self) -> dict[str, tuple[int | None, int | None]]:
        tables = sorted(set(self.expected) | set(self.found))
        return {t: (self.expected.get(t), self.found.get(t)) for t in tables if self.expected.get(t) != self.found.get(t)}


# --- Helpers ----------------------------------------------------------------------------------------
def backup_dir() -> Path:
    path = Path(settings.POC_BACKUP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def current_engine() -> str:
    return "postgis" if connection.vendor == "postgresql" else "spatialite"


def django_tables() -> list[str]:
    """Tables the portal owns (Django models + migration history), not SpatiaLite/PostGIS metadata."""
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor, include_views=False))
    names = set(connection.introspection.django_table_names(only_existing=True, include_views=False))
    return sorted(names | ({"django_migrations"} & existing))


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def checksum_path(archive: Path) -> Path:
    return archive.with_name(archive.name + ".sha256")


def resolve_archive(name_or_path: str | Path) -> Path:
    path = Path(name_or_path)
    if not path.is_absolute() and not path.exists():
        path = backup_dir() / path
    if not path.is_file():
        raise BackupError(_("Backup file %(path)s does not exist.") % {"path": path})
    return path


def expected_checksum(archive: Path) -> str:
    """The recorded SHA-256: the database record when there is one, else the ``.sha256`` file."""
    record = BackupRecord.objects.filter(filename=archive.name).first()
    if record:
        return record.sha256
    sidecar = checksum_path(archive)
    if sidecar.is_file():
        text = sidecar.read_text(encoding="ascii", errors="replace").split()
        if text and re.fullmatch(r"[0-9a-f]{64}", text[0]):
            return text[0]
    raise BackupError(
        _("Backup %(name)s has no checksum (no %(sidecar)s and no record), so it cannot be trusted and was not used.")
        % {"name": archive.name, "sidecar": sidecar.name}
    )


def check_checksum(archive: Path) -> None:
    expected = expected_checksum(archive)
    found = sha256_of(archive)
    if found != expected:
        raise BackupError(
            _(
                "Backup %(name)s is corrupted: its SHA-256 checksum does not match (expected %(expected)s…, found %(found)s…). "
                "It was not used; take or pick another backup."
            )
            % {"name": archive.name, "expected": expected[:12], "found": found[:12]}
        )


@contextmanager
def opened_archive(archive: Path):
    """Checksum first, then open; a damaged gzip/tar stream is reported as corruption too."""
    check_checksum(archive)
    try:
        with tarfile.open(archive, "r:gz") as tar:
            yield tar
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(_("Backup %(name)s cannot be read: %(error)s") % {"name": archive.name, "error": exc}) from exc


def read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.extractfile(MANIFEST)
        manifest = json.loads(member.read().decode("utf-8")) if member else None
    except (KeyError, ValueError) as exc:
        raise BackupError(_("The backup has no readable manifest.")) from exc
    if not manifest or manifest.get("engine") not in DB_FILES:
        raise BackupError(_("The backup has no readable manifest."))
    return manifest


def extract_member(tar: tarfile.TarFile, name: str, target: Path) -> Path:
    """Extract one known member by name (never trusting paths from the archive)."""
    source = tar.extractfile(name)
    if source is None:
        raise BackupError(_("The backup does not contain %(name)s.") % {"name": name})
    with target.open("wb") as out:
        shutil.copyfileobj(source, out, 1024 * 1024)
    return target


# --- PostgreSQL --------------------------------------------------------------------------------------
def _pg_params(dbname: str | None = None) -> dict[str, str]:
    sd = connection.settings_dict
    params = {"dbname": dbname or sd["NAME"], "user": sd.get("USER") or "", "password": sd.get("PASSWORD") or ""}
    params["host"] = sd.get("HOST") or ""
    params["port"] = str(sd.get("PORT") or "")
    return params


def _pg_cli(params: dict[str, str]) -> tuple[list[str], dict[str, str]]:
    args = []
    for flag, key in (("-h", "host"), ("-p", "port"), ("-U", "user")):
        if params[key]:
            args += [flag, params[key]]
    env = os.environ.copy()
    if params["password"]:
        env["PGPASSWORD"] = params["password"]
    return args, env


def _pg_connect(params: dict[str, str]):
    import psycopg2

    return psycopg2.connect(**{k: v for k, v in params.items() if v})


def _run(command: list[str], env: dict[str, str]) -> str:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(_("%(program)s is not installed (Debian package postgresql-client).") % {"program": command[0]}) from exc
    if done.returncode != 0:
        raise BackupError(_("%(program)s failed: %(error)s") % {"program": command[0], "error": done.stderr.strip()[-2000:]})
    return done.stdout


def _pg_counts(pg_connection, tables: Iterable[str]) -> dict[str, int | None]:
    from psycopg2 import sql

    counts: dict[str, int | None] = {}
    with pg_connection.cursor() as cursor:
        cursor.execute("select tablename from pg_tables where schemaname = current_schema()")
        existing = {row[0] for row in cursor.fetchall()}
        for table in tables:
            if table not in existing:
                counts[table] = None
                continue
            cursor.execute(sql.SQL("select count(*) from {}").format(sql.Identifier(table)))
            counts[table] = cursor.fetchone()[0]
    return counts


def pg_dump_with_counts(target: Path) -> dict[str, int]:
    """``pg_dump -Fc`` and row counts read from one exported snapshot."""
    tables = django_tables()
    params = _pg_params()
    snapshot_connection = _pg_connect(params)
    try:
        snapshot_connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with snapshot_connection.cursor() as cursor:
            cursor.execute("select pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        counts = _pg_counts(snapshot_connection, tables)
        args, env = _pg_cli(params)
        _run(["pg_dump", *args, "-Fc", "--no-owner", f"--snapshot={snapshot}", "-f", str(target), params["dbname"]], env)
    finally:
        snapshot_connection.rollback()
        snapshot_connection.close()
    return {table: count for table, count in counts.items() if count is not None}


def _restore_list(dump: Path, env: dict[str, str], workdir: Path) -> Path:
    """The dump's table of contents without extensions: PostGIS is installed in the target beforehand,
    and dropping/re-creating it would take every spatial column with it."""
    toc = _run(["pg_restore", "-l", str(dump)], env)
    lines = [line for line in toc.splitlines() if not re.search(r"\bEXTENSION\b", line) or line.startswith(";")]
    listing = workdir / "restore.list"
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return listing


def pg_restore_into(dump: Path, dbname: str, workdir: Path, clean: bool) -> None:
    params = _pg_params(dbname)
    args, env = _pg_cli(params)
    listing = _restore_list(dump, env, workdir)
    options = ["--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "-L", str(listing)]
    if clean:
        options += ["--clean", "--if-exists"]
    _run(["pg_restore", *args, *options, "-d", dbname, str(dump)], env)


def pg_verify_counts(dump: Path, tables: Iterable[str], workdir: Path) -> dict[str, int | None]:
    """Restore into a throw-away database ``poc_verify_<random>``, count rows, drop it."""
    scratch = f"poc_verify_{secrets.token_hex(4)}"
    admin = _pg_connect(_pg_params())
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'create database "{scratch}"')
        try:
            target = _pg_connect(_pg_params(scratch))
            target.autocommit = True
            try:
                with target.cursor() as cursor:
                    cursor.execute("create extension if not exists postgis")
                pg_restore_into(dump, scratch, workdir, clean=False)
                return _pg_counts(target, tables)
            finally:
                target.close()
        finally:
            with admin.cursor() as cursor:
                cursor.execute(f'drop database if exists "{scratch}" with (force)')
    finally:
        admin.close()


# --- SQLite / SpatiaLite -----------------------------------------------------------------------------
def sqlite_backup_to(source: sqlite3.Connection, target: Path) -> None:
    """The online-backup API: a consistent copy while the portal keeps running."""
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)
    finally:
        destination.close()


def sqlite_counts(path: Path, tables: Iterable[str]) -> dict[str, int | None]:
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        existing = {row[0] for row in database.execute("select name from sqlite_master where type = 'table'")}
        counts: dict[str, int | None] = {}
        for table in tables:
            counts[table] = database.execute(f'select count(*) from "{table}"').fetchone()[0] if table in existing else None
        return counts
    finally:
        database.close()


def sqlite_integrity(path: Path) -> str:
    database = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return database.execute("pragma integrity_check").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        database.close()


def _django_sqlite_connection() -> sqlite3.Connection:
    connection.ensure_connection()
    return connection.connection


# --- Media -------------------------------------------------------------------------------------------
def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []


def restore_media(tar: tarfile.TarFile) -> int:
    root = Path(settings.MEDIA_ROOT).resolve()
    restored = 0
    for member in tar.getmembers():
        if not member.isfile() or not member.name.startswith("media/"):
            continue
        target = (root / member.name[len("media/") :]).resolve()
        if not target.is_relative_to(root):
            continue  # never write outside MEDIA_ROOT, whatever the archive says
        target.parent.mkdir(parents=True, exist_ok=True)
        extract_member(tar, member.name, target)
        restored += 1
    return restored


# --- Services ----------------------------------------------------------------------------------------
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
            sqlite_backup_to(_django_sqlite_connection(), database_file)
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
        verification_status=VerificationStatus.OK if result.ok else VerificationStatus.FAILED,
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
                source.backup(_django_sqlite_connection())
            finally:
                source.close()
            found = _django_counts(list(manifest["tables"]))
        restore_media(tar)
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


# --- Retention ---------------------------------------------------------------------------------------
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


def backup_nightly() -> BackupRecord:
    """The nightly job: back up, verify what was written, apply retention."""
    record = backup_create()
    backup_verify(record.filename)
    backups_prune()
    record.refresh_from_db()
    return record


# --- Status for the IT page -----------------------------------------------------------------------------
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
    last_verified = BackupRecord.objects.filter(verification_status=VerificationStatus.OK).order_by("-created_at").first()
    stale = last_verified is None or now - last_verified.created_at > dt.timedelta(days=max_age)
    return BackupStatus(last=last, last_verified=last_verified, stale=stale, max_age_days=max_age)
