"""``manage.py import_metadata FILE [--dry-run]``: all-or-nothing, reports created / changed / unchanged records."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from api.metadata import MetadataError, metadata_import, metadata_read


class Command(BaseCommand):
    help = "Import a metadata package (export_metadata); --dry-run shows what would change and changes nothing."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options) -> None:
        try:
            package = metadata_read(Path(options["file"]).read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, MetadataError) as exc:
            raise CommandError(str(exc)) from None
        report = metadata_import(package=package, dry_run=options["dry_run"])
        if not report.ok:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(report.errors)} problem(s): nothing was imported")
        for label in report.created:
            self.stdout.write(f"create  {label}")
        for label in report.changed:
            self.stdout.write(f"change  {label}")
        verb = "would be" if options["dry_run"] else "were"
        self.stdout.write(f"{len(report.created)} {verb} created, {len(report.changed)} changed, {len(report.unchanged)} left alone")
