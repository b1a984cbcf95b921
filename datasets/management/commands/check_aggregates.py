from django.core.management.base import BaseCommand, CommandError

from datasets.aggregates import aggregates_recompute


class Command(BaseCommand):
    help = "Recompute every aggregate (totals and per option combination) from raw values and report differences (--fix rewrites)."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true")

    def handle(self, *args, **options):
        report = aggregates_recompute(fix=options["fix"])
        found = len(report.differences) + len(report.option_differences)
        self.stdout.write(f"checked {report.checked} aggregate rows, {found} difference(s)")
        for element_id, orgunit_id, period_id, have, want in report.differences[:50]:
            self.stdout.write(f"  element {element_id} orgunit {orgunit_id} period {period_id}: stored {have} expected {want}")
        for element_id, combo_id, orgunit_id, period_id, have, want in report.option_differences[:50]:
            where = f"element {element_id} option combination {combo_id} orgunit {orgunit_id} period {period_id}"
            self.stdout.write(f"  {where}: stored {have} expected {want}")
        if found and not options["fix"]:
            raise CommandError("aggregates differ from raw values (run with --fix to rebuild)")
