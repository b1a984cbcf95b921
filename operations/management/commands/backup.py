from django.core.management.base import BaseCommand, CommandError

from operations.backups.archive import BackupError
from operations.backups.services import backup_run


class Command(BaseCommand):
    help = "Back up the database (pg_dump or the SQLite backup API) and media to POC_BACKUP_DIR, then apply retention."

    def add_arguments(self, parser):
        parser.add_argument("--verify", action="store_true", help="Also restore into a scratch database and compare row counts.")
        parser.add_argument("--no-prune", action="store_true", help="Keep every archive (skip the retention policy).")

    def handle(self, *args, **options):
        try:
            run = backup_run(verify=options["verify"], prune=not options["no_prune"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        record = run.record
        self.stdout.write(f"{record.filename} sha256={record.sha256} rows={record.total_rows} size={record.size_bytes}")
        if run.check is not None:
            self.stdout.write(run.check.message)
        for name in run.removed:
            self.stdout.write(f"removed {name}")
        if not run.ok:
            raise CommandError(run.check.message)
