"""``manage.py export_metadata [--dataset CODE ...] [--output FILE]``: the catalogue as one versioned JSON package."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from api.metadata import metadata_dumps, metadata_export


class Command(BaseCommand):
    help = "Write topics, datasets, elements, categories, indicators, validation and warning rules as one JSON package."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--dataset", action="append", metavar="CODE", help="only these datasets (repeat), with their dependencies")
        parser.add_argument("--output", "-o", metavar="FILE", help="write to FILE instead of standard output")

    def handle(self, *args, **options) -> None:
        try:
            text = metadata_dumps(metadata_export(datasets=options["dataset"]))
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        if options["output"]:
            Path(options["output"]).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
