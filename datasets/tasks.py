"""Celery tasks of the datasets app: large uploads run here, reporting progress through the cache."""

from __future__ import annotations

import time
from functools import partial
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from datasets.imports import values_import_file
from datasets.models import Dataset
from datasets.transfer import values_import
from poc.models import User

JOB_TTL = 24 * 3600


def job_key(job_id: str) -> str:
    return f"datasets:import:{job_id}"


def job_file(job_id: str, filename: str) -> Path:
    return Path(settings.MEDIA_ROOT) / "imports" / f"{job_id}{Path(filename).suffix.lower()}"


def job_update(job_id: str, **changes) -> dict:
    job = cache.get(job_key(job_id)) or {}
    job.update(changes)
    cache.set(job_key(job_id), job, JOB_TTL)
    return job


@shared_task
def values_import_task(job_id: str) -> dict:
    """Import a stored upload (queued by the import page for ≥100k values); the page polls ``job_status``."""
    job = cache.get(job_key(job_id)) or {}
    path = job_file(job_id, job["filename"])
    try:
        with translation.override(job.get("language", "th")):
            # A published file goes through its confirmed mapping (datasets.imports), our template the direct way.
            run = partial(values_import_file, mapping=job.get("mapping") or {}) if job.get("mapped") else values_import
            result = run(
                dataset=Dataset.objects.get(pk=job["dataset"]),
                user=User.objects.get(pk=job["user"]),
                content=path.read_bytes(),
                filename=job["filename"],
                progress=lambda percent, step: job_update(job_id, percent=percent, step=str(step)),
            )
    except Exception as exc:
        job_update(job_id, state="failed", step=str(exc))
        raise
    finally:
        # Not reached when the worker is killed: the file stays for the redelivered task.
        path.unlink(missing_ok=True)
    job_update(job_id, state="done", percent=100, result=result.as_dict())
    return result.as_dict()


def stale_uploads_delete(*, max_age_hours: int = 24) -> int:
    """Delete stored uploads older than the job store keeps them (a mapping step abandoned, a failed task)."""
    folder = Path(settings.MEDIA_ROOT) / "imports"
    cutoff = time.time() - max_age_hours * 3600
    deleted = 0
    for path in folder.glob("*") if folder.is_dir() else []:
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted


@shared_task
def stale_uploads_delete_task() -> int:
    return stale_uploads_delete(max_age_hours=JOB_TTL // 3600)
