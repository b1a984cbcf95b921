from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from indicators.services import CATALOGUE, indicator_values_refresh, indicators_load


class Command(BaseCommand):
    help = "Load the indicator catalogue (YAML; all or nothing) and compute its values."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(CATALOGUE))
        parser.add_argument("--no-refresh", action="store_true", help="do not recompute values")

    def handle(self, *args, **options):
        result = indicators_load(path=Path(options["path"]))
        if result.errors:
            raise CommandError("\n".join(result.errors))
        self.stdout.write(self.style.SUCCESS(f"{result.created} created, {result.updated} updated, {result.targets} targets"))
        if not options["no_refresh"]:
            self.stdout.write(f"{indicator_values_refresh()} indicator values written")
