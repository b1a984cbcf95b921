import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from poc.boundary_changes import orgunit_split, orgunits_merge
from poc.models import OrgUnit


class Command(BaseCommand):
    help = (
        "Record a boundary change. merge: --from A --from B --to C; split: --from A --to B:0.6 --to C:0.4. "
        "--date is the first day of the new units (YYYY-MM-DD)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["merge", "split"])
        parser.add_argument("--from", dest="sources", action="append", required=True)
        parser.add_argument("--to", dest="targets", action="append", required=True)
        parser.add_argument("--date", required=True, type=dt.date.fromisoformat)

    def handle(self, *args, **options):
        try:
            units = OrgUnit.objects.in_bulk([*options["sources"], *(t.split(":")[0] for t in options["targets"])], field_name="code")
            if options["kind"] == "merge":
                if len(options["targets"]) != 1:
                    raise CommandError("a merge has exactly one --to")
                changes = orgunits_merge(
                    sources=[units[c] for c in options["sources"]], target=units[options["targets"][0]], on=options["date"]
                )
            else:
                targets = [(units[code], float(weight)) for code, weight in (t.split(":") for t in options["targets"])]
                changes = orgunit_split(source=units[options["sources"][0]], targets=targets, on=options["date"])
        except KeyError as exc:
            raise CommandError(f"unknown org unit {exc}") from exc
        except (ValidationError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        for change in changes:
            self.stdout.write(str(change))
