from django.core.management.base import BaseCommand, CommandError

from operations.backups.archive import BackupError
from operations.backups.services import backup_verify
from operations.models import BackupRecord


class Command(BaseCommand):
    help = "Check a backup's SHA-256, restore it into a scratch database and compare row counts with its manifest."

    def add_arguments(self, parser):
        parser.add_argument("backup", nargs="?", help="Archive file or name in POC_BACKUP_DIR (default: the newest).")

    def handle(self, *args, backup=None, **options):
        if backup is None:
            latest = BackupRecord.objects.order_by("-created_at").first()
            if latest is None:
                raise CommandError("No backup recorded yet; run `manage.py backup` first.")
            backup = latest.filename
        try:
            result = backup_verify(backup)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not result.ok:
            raise CommandError(result.message)
        self.stdout.write(self.style.SUCCESS(result.message))
