"""Periodic jobs of the risk app; each also exists as a management command calling the same service."""

from celery import shared_task

from risk.backups import backup_nightly as backup_nightly_service


@shared_task(name="risk.tasks.backup_nightly")
def backup_nightly() -> str:
    record = backup_nightly_service()
    return f"{record.filename}: {record.verification_status}"


@shared_task(name="risk.tasks.backup_now")
def backup_now() -> str:
    """An IT administrator's "back up now" button: back up and verify, no pruning."""
    from risk.backups import backup_create, backup_verify

    record = backup_create()
    return backup_verify(record.filename).message


@shared_task(name="risk.tasks.backup_verify")
def backup_verify(record_id: int) -> str:
    from risk.backups import backup_verify as verify
    from risk.models import BackupRecord

    record = BackupRecord.objects.get(pk=record_id)
    return verify(record.filename).message


@shared_task(name="risk.tasks.flush_page_views")
def flush_page_views() -> int:
    """Move the Redis page-view buffer into the usage table (every minute; also `manage.py flush_page_views`)."""
    from risk.usage import flush_page_views as flush

    return flush()
