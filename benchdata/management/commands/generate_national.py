import time

from django.core.management.base import BaseCommand, CommandError

from benchdata.national import national_hierarchy_import, national_reference_dir, national_villages_generate
from benchdata.values import benchmark_dataset_create, datavalues_bulk_generate
from datasets.aggregates import aggregates_rebuild


class Command(BaseCommand):
    help = (
        "Country-size data for scale benchmarks: the national hierarchy (real boundaries from POC_NATIONAL_REFERENCE_DIR "
        "when present, generated otherwise), generated villages and N generated values of a benchmark dataset. Reproducible."
    )

    def add_arguments(self, parser):
        parser.add_argument("--villages-per-subdistrict", type=int, default=10)
        parser.add_argument("--values", type=int, default=10_000_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--generated", action="store_true", help="generate the hierarchy even when the reference is present")

    def handle(self, *args, **options):
        started = time.perf_counter()

        def step(message: str) -> None:
            self.stdout.write(f"[{time.perf_counter() - started:7.1f} s] {message}")

        reference = None if options["generated"] else national_reference_dir()
        try:
            source = national_hierarchy_import(reference=reference)
            step(f"hierarchy imported from {source}")
            villages = national_villages_generate(per_subdistrict=options["villages_per_subdistrict"], seed=options["seed"])
            step(f"{villages} villages generated")
            dataset = benchmark_dataset_create()
            if options["values"]:
                written = datavalues_bulk_generate(dataset=dataset, total=options["values"], seed=options["seed"], rebuild=False)
                step(f"{written} values of {dataset.code} written")
                rows = aggregates_rebuild()
                step(f"{rows} aggregate rows rebuilt from all values")
        except (RuntimeError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"done in {time.perf_counter() - started:.1f} s"))
