from django.core.management.base import BaseCommand, CommandError

from poc.orgunit_import import OrgUnitFileError, orgunits_import


class Command(BaseCommand):
    help = "Import or update org units (GeoJSON, zipped Shapefile, KML or CSV: code, name_th, name_en, parent_code, level). All-or-nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--fix-invalid", action="store_true", help="Repair invalid geometries (make-valid) instead of rejecting them")

    def handle(self, *args, **options):
        try:
            report = orgunits_import(options["file"], fix_invalid=options["fix_invalid"])
        except OrgUnitFileError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
        if not report.ok:
            raise CommandError(f"{len(report.rejected)} feature(s) rejected; nothing was imported.")
