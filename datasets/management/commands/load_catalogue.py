from django.core.management.base import BaseCommand, CommandError

from datasets.catalogue import catalogue_files, catalogue_load


class Command(BaseCommand):
    help = "Load the catalogue (topics, datasets, elements) from YAML files or folders; default datasets/catalogue/. All or nothing."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="YAML files or folders (all *.yaml inside, sorted by name)")

    def handle(self, *args, **options):
        paths = options["paths"] or None
        result = catalogue_load(paths=paths)
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(result.errors)} error(s): nothing was loaded")
        files = ", ".join(f.name for f in catalogue_files(paths))
        summary = ", ".join(f"{kind} {result.created[kind]} created / {result.updated[kind]} updated" for kind in result.created)
        self.stdout.write(self.style.SUCCESS(f"{files}: {summary}"))
