from django.core.management.base import BaseCommand

from gis.services import shapes_refresh


class Command(BaseCommand):
    help = "Recompute the simplified (map) boundaries of org units, one coverage per level."

    def add_arguments(self, parser):
        parser.add_argument("--level", type=int, action="append", help="Only this level (repeatable); default: every level")

    def handle(self, *args, **options):
        written = shapes_refresh(levels=options["level"])
        self.stdout.write(f"{written} simplified boundaries written.")
