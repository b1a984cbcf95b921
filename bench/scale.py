"""National scale: drill-down aggregate, completeness, choropleth and warning evaluation at country size.

Run (PostGIS; the database is created and migrated if missing, national data generated once):

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/poc_bench_national .venv/bin/python bench/scale.py [--values 10000000]

Targets (2-core machine): aggregates < 1 s, warning evaluation < 60 s. Parts whose app has not
landed on this checkout are skipped and reported as skipped.
"""

from __future__ import annotations

import argparse
import time

from _common import ensure_national, session_cookie, setup, timed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=10_000_000, help="values to generate when the database has none")
    args = parser.parse_args()
    setup("postgis://postgres@127.0.0.1:5432/poc_bench_national")

    from django.apps import apps
    from django.core.management import call_command
    from django.test import Client

    from benchdata.values import BENCH_DATASET
    from datasets import selectors
    from datasets.models import AggregateValue, DataElement
    from datasets.selectors import element_values
    from poc.models import OrgUnit, OrgUnitLevel
    from poc.periods import parse_period

    count = ensure_national(args.values)
    units = {level.name.lower(): OrgUnit.objects.filter(level=level).count() for level in OrgUnitLevel}
    print(f"national data: {units}, {count:,} values, {AggregateValue.objects.count():,} aggregate rows")

    element = DataElement.objects.filter(dataset__code=BENCH_DATASET).select_related("dataset").order_by("order").first()
    fiscal_year = parse_period("FY2566")
    province = OrgUnit.objects.filter(level=OrgUnitLevel.PROVINCE).order_by("code").first()

    def drill_down():
        districts = list(province.children.all())
        return element_values([element], districts, fiscal_year)

    first, median, values = timed(drill_down)
    print(
        f"drill-down {province.code} → {len(values)} districts, {element.code}, FY2566 (12 monthly periods rolled up): "
        f"first {first * 1000:.1f} ms, median {median * 1000:.1f} ms (target < 1000 ms)"
    )

    def all_provinces():
        return element_values([element], OrgUnit.objects.filter(level=OrgUnitLevel.PROVINCE), fiscal_year)

    first, median, values = timed(all_provinces)
    print(f"all {len(values)} provinces, {element.code}, FY2566: first {first * 1000:.1f} ms, median {median * 1000:.1f} ms")

    if hasattr(selectors, "completeness"):
        dataset = element.dataset

        def province_completeness():
            return selectors.completeness(datasets=[dataset], fiscal_years=[2566], within=province)

        first, median, report = timed(province_completeness, repeat=3)
        print(
            f"completeness of {dataset.code} in province {province.code}, FY2566, by district: first {first * 1000:.1f} ms, "
            f"median {median * 1000:.1f} ms, {report.total} (target < 1000 ms)"
        )
    else:
        print("completeness: SKIPPED — no completeness selector in datasets.selectors on this checkout")

    if apps.is_installed("gis"):
        from django.urls import reverse

        from gis.models import OrgUnitShape

        if not OrgUnitShape.objects.exists():  # the hierarchy was imported before gis landed
            started = time.perf_counter()
            call_command("simplify_boundaries")
            print(f"simplify_boundaries (once): {time.perf_counter() - started:.1f} s")

        client = Client(SERVER_NAME="127.0.0.1")
        client.cookies.load(session_cookie_for_superuser(session_cookie))
        url = reverse("gis:choropleth")

        def choropleth(params):
            response = client.get(url, params)
            assert response.status_code == 200, (response.status_code, response.content[:300])
            return response

        for label, params in (
            ("provinces", {"element": element.code, "period": "FY2566"}),
            (f"districts of {province.code}", {"element": element.code, "period": "FY2566", "parent": province.code}),
            ("all districts", {"element": element.code, "period": "FY2566", "level": OrgUnitLevel.DISTRICT}),
        ):
            first, median, response = timed(lambda p=params: choropleth(p), repeat=3)
            print(f"choropleth {label}: first {first * 1000:.1f} ms, median {median * 1000:.1f} ms, {len(response.content):,} bytes")
    else:
        print("choropleth: SKIPPED — the gis app has not landed on this checkout")

    if apps.is_installed("cockpit"):
        from cockpit.models import RuleKind, WarningRule

        if not WarningRule.objects.filter(element__dataset__code=BENCH_DATASET).exists():
            benchmark_rules_create(WarningRule, RuleKind, BENCH_DATASET)
        rules = WarningRule.objects.filter(is_active=True).count()
        started = time.perf_counter()
        call_command("evaluate_warnings")
        print(f"warning evaluation (evaluate_warnings, {rules} active rules): {time.perf_counter() - started:.1f} s (target < 60 s)")
    else:
        print("warning evaluation: SKIPPED — the cockpit app has not landed on this checkout")


def benchmark_rules_create(rule_model, kinds, dataset_code: str) -> None:
    """Four rules per benchmark element over districts, subdistricts (7,436) and villages (74,250); few fire."""
    from datasets.models import DataElement
    from poc.models import OrgUnitLevel

    shapes = [
        ("district high", OrgUnitLevel.DISTRICT, {"kind": kinds.ABOVE, "high": 60000}),
        ("subdistrict high", OrgUnitLevel.SUBDISTRICT, {"kind": kinds.ABOVE, "high": 5000}),
        ("subdistrict jump", OrgUnitLevel.SUBDISTRICT, {"kind": kinds.CHANGE, "change_pct": 20}),
        ("village high", OrgUnitLevel.VILLAGE, {"kind": kinds.ABOVE, "high": 545}),
    ]
    rule_model.objects.bulk_create(
        rule_model(name_th=f"{element.code} {label}", element=element, level=level, **condition)
        for element in DataElement.objects.filter(dataset__code=dataset_code)
        for label, level, condition in shapes
    )


def session_cookie_for_superuser(make_cookie) -> str:
    """A superuser sees every dataset, so the endpoint answers for the benchmark element."""
    from poc.models import User

    user = User.objects.filter(username="bench-admin").first()
    if user is None:
        User.objects.create_superuser("bench-admin", "bench@example.go.th", None, must_change_password=False)
    return make_cookie("bench-admin")


if __name__ == "__main__":
    main()
