"""Periodic and queued jobs of the operations app; each calls the same service as its management command."""

from celery import shared_task


@shared_task(name="operations.tasks.backup_nightly")
def backup_nightly() -> str:
    """Every night: back up, check by restoring, apply retention (also `manage.py backup --verify`)."""
    from operations.backups.services import backup_run

    run = backup_run(verify=True, prune=True)
    return f"{run.record.filename}: {run.record.verification_status}"


@shared_task(name="operations.tasks.backup_now")
def backup_now() -> str:
    """An IT administrator's "back up now" button: back up and check, no pruning."""
    from operations.backups.services import backup_run

    run = backup_run(verify=True, prune=False)
    return run.check.message if run.check else run.record.filename


@shared_task(name="operations.tasks.backup_verify")
def backup_verify(record_id: int) -> str:
    from operations.backups.services import backup_verify as verify
    from operations.models import BackupRecord

    record = BackupRecord.objects.get(pk=record_id)
    return verify(record.filename).message


@shared_task(name="operations.tasks.flush_page_views")
def flush_page_views() -> int:
    """Move the Redis page-view buffer into the usage table (every minute; also `manage.py flush_page_views`)."""
    from operations.usage import flush_page_views as flush

    return flush()
