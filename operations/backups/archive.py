"""The backup archive: its format, checksum, manifest and members.

An archive ``poc-backup-<time>.tar.gz`` holds ``manifest.json`` (engine, per-table row counts, media
totals), the database (``database.dump`` from ``pg_dump -Fc`` on PostGIS, ``database.sqlite3`` from
the SQLite online-backup API on SpatiaLite, see ``postgres`` and ``sqlite``) and ``media/``. Next to it,
``<archive>.sha256`` in ``sha256sum`` format. Nothing is restored or verified before that checksum matches.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tarfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from operations.models import BackupRecord

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
