from django.core.management.base import BaseCommand, CommandError

from risk.backups import BackupError, backup_create, backup_verify, backups_prune


class Command(BaseCommand):
    help = "Back up the database (pg_dump or the SQLite backup API) and media to POC_BACKUP_DIR, then apply retention."

    def add_arguments(self, parser):
        parser.add_argument("--verify", action="store_true", help="Also restore into a scratch database and compare row counts.")
        parser.add_argument("--no-prune", action="store_true", help="Keep every archive (skip the retention policy).")

    def handle(self, *args, **options):
        try:
            record = backup_create()
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{record.filename} sha256={record.sha256} rows={record.total_rows} size={record.size_bytes}")
        if options["verify"]:
            result = backup_verify(record.filename)
            self.stdout.write(result.message)
            if not result.ok:
                raise CommandError(result.message)
        if not options["no_prune"]:
            for name in backups_prune():
                self.stdout.write(f"removed {name}")
