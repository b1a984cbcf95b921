from django.core.management.base import BaseCommand, CommandError

from datasets.services import aggregates_recompute


class Command(BaseCommand):
    help = "Recompute every aggregate from raw values and report differences (--fix rewrites them)."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true")

    def handle(self, *args, **options):
        report = aggregates_recompute(fix=options["fix"])
        self.stdout.write(f"checked {report.checked} aggregate rows, {len(report.differences)} difference(s)")
        for element_id, orgunit_id, period_id, have, want in report.differences[:50]:
            self.stdout.write(f"  element {element_id} orgunit {orgunit_id} period {period_id}: stored {have} expected {want}")
        if report.differences and not options["fix"]:
            raise CommandError("aggregates differ from raw values (run with --fix to rebuild)")
