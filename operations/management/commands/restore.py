from django.core.management.base import BaseCommand, CommandError

from operations.backups.archive import BackupError
from operations.backups.services import backup_restore


class Command(BaseCommand):
    help = "Replace the database and media with a backup (its SHA-256 is checked first)."

    def add_arguments(self, parser):
        parser.add_argument("backup", help="Archive file or name in POC_BACKUP_DIR.")
        parser.add_argument("--noinput", "--no-input", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, backup, **options):
        if not options["noinput"]:
            answer = input(f"This replaces the current database with {backup}. Type 'yes' to continue: ")
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            result = backup_restore(backup)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if not result.ok:
            raise CommandError(result.message)
        self.stdout.write(self.style.SUCCESS(result.message))
