"""``manage.py import_values FILE --dataset CODE [--profile NAME] [--dry-run] [--user NAME]``: the upload page's import."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from datasets.imports import FileImport, is_template, values_import_file
from datasets.models import Dataset, ImportProfile
from datasets.readers import ReadError, read_sheets
from datasets.transfer import values_import
from poc.models import User


class Command(BaseCommand):
    help = "Import a spreadsheet into a dataset, all-or-nothing, with a saved import profile; --dry-run only checks."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--dataset", required=True)
        parser.add_argument("--profile", help="saved import profile of the dataset (mapping confirmed in the browser)")
        parser.add_argument("--dry-run", action="store_true", help="check and print the summary, save nothing")
        parser.add_argument("--user", help="import as this user (permissions and audit); default: a system job")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        dataset = Dataset.objects.filter(code=options["dataset"]).first()
        if dataset is None:
            raise CommandError(f"unknown dataset {options['dataset']}")
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"unknown user {options['user']}")
        mapping = {}
        if options["profile"]:
            profiles = ImportProfile.objects.filter(dataset=dataset, name=options["profile"])
            if user is not None:
                profiles = profiles.filter(agency_id=user.agency_id)
            profile = profiles.order_by("-updated_at").first()
            if profile is None:
                raise CommandError(f"dataset {dataset.code} has no import profile {options['profile']}")
            mapping = profile.mapping
        content = path.read_bytes()
        try:
            template = is_template(read_sheets(content, path.name))
        except ReadError as exc:
            raise CommandError(str(exc)) from None
        if template and not options["profile"]:
            if user is None:
                raise CommandError("our own template is imported with --user (its rows are checked against that user's rights)")
            result = values_import(dataset=dataset, user=user, content=content, filename=path.name)
            self.stdout.write(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}")
            self._errors(result.errors)
            return
        result = values_import_file(
            dataset=dataset, user=user, content=content, filename=path.name, mapping=mapping, dry_run=options["dry_run"]
        )
        self._summary(result, dry_run=options["dry_run"])

    def _summary(self, result: FileImport, *, dry_run: bool) -> None:
        for sheet in result.layout.sheets if result.layout else []:
            self.stdout.write(
                f"sheet {sheet.name}: period {sheet.period or '-'}, {len(sheet.rows)} data row(s), header rows {sheet.header_rows}"
            )
            for skipped in sheet.skipped:
                self.stdout.write(f"  skipped row {skipped.row} ({skipped.reason}): {skipped.text}")
        for column in result.unmapped:
            self.stdout.write(f"ignored column (no data element): {column}")
        self.stdout.write(f"values {result.values}, not available (left unchanged) {result.not_available}")
        if not result.errors:
            if dry_run:
                self.stdout.write("dry run: nothing saved")
            else:
                self.stdout.write(f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}")
        self._errors(result.errors)

    def _errors(self, errors) -> None:
        for error in errors[:200]:
            self.stdout.write(f"row {error.row} {error.column}: {error.message}")
        if errors:
            raise CommandError(f"nothing saved: {len(errors)} problem(s)")
