from django.core.management.base import BaseCommand, CommandError

from datasets.models import Dataset
from poc.models import OrgUnit, Period
from poc.periods import PeriodError, parse_period
from verification.services import validation_run


class Command(BaseCommand):
    help = "Run every validation rule of a dataset (or all datasets) for a period over an org-unit subtree; store the violations."

    def add_arguments(self, parser):
        parser.add_argument("--dataset", help="dataset code (default: every dataset with rules)")
        parser.add_argument("--period", required=True, help="period code, e.g. 2568-01")
        parser.add_argument("--orgunit", help="org-unit code: only its subtree (default: everything)")

    def handle(self, *args, **options):
        try:
            spec = parse_period(options["period"])
        except PeriodError as exc:
            raise CommandError(str(exc)) from exc
        orgunit = None
        if options["orgunit"]:
            orgunit = OrgUnit.objects.filter(code=options["orgunit"]).first()
            if orgunit is None:
                raise CommandError(f"unknown org unit {options['orgunit']}")
        datasets = Dataset.objects.filter(validation_rules__isnull=False).distinct()
        if options["dataset"]:
            datasets = Dataset.objects.filter(code=options["dataset"])
            if not datasets:
                raise CommandError(f"unknown dataset {options['dataset']}")
        for dataset in datasets:
            if dataset.period_type != spec.type:
                if options["dataset"]:
                    raise CommandError(f"period {spec.code} does not fit dataset {dataset.code}")
                continue
            run = validation_run(dataset=dataset, period=Period.objects.for_spec(spec), orgunit=orgunit)
            self.stdout.write(
                f"{dataset.code} {spec.code}: {run.units} units, {run.rules} rules, {run.errors} errors, {run.warnings} warnings"
            )
