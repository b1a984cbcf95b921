"""Live analytics: time from one value write to the province total reflecting it, and a full recompute.

Run (PostGIS; the database is created and migrated if missing, national data generated once):

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/poc_bench_national .venv/bin/python bench/live_analytics.py [--values 10000000]

Targets: write → province total < 2 s; full recompute over 10M values: printed. With --values
below 10M the 10M figure is printed as a linear extrapolation, labelled as such.
"""

from __future__ import annotations

import argparse
import statistics
import time

from _common import ensure_national, setup

TARGET_VALUES = 10_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--values", type=int, default=TARGET_VALUES, help="values to generate when the database has none")
    parser.add_argument("--writes", type=int, default=20)
    parser.add_argument("--skip-rebuild", action="store_true", help="time the recompute-and-compare only, not the rewrite")
    args = parser.parse_args()
    setup("postgis://postgres@127.0.0.1:5432/poc_bench_national")

    from django.db import connection

    from benchdata.values import BENCH_DATASET
    from datasets.aggregates import aggregates_rebuild, aggregates_recompute
    from datasets.models import AggregateValue, DataValue, ValueSource
    from datasets.selectors import element_value
    from datasets.services import CellInput, datavalues_save
    from poc.models import OrgUnit, Period

    count = ensure_national(args.values)
    print(f"database: {connection.vendor}, {count:,} benchmark values, {AggregateValue.objects.count():,} aggregate rows")

    value = DataValue.objects.filter(element__dataset__code=BENCH_DATASET).select_related("element__dataset", "orgunit", "period").first()
    province = OrgUnit.objects.get(code=value.orgunit.path.split("/")[0])
    month = Period.objects.get(pk=value.period_id)
    latencies = []
    for number in range(1, args.writes + 1):
        before = element_value(value.element, province, month)
        new = (value.value_num or 0) + number
        delta = new - DataValue.objects.get(pk=value.pk).value_num
        started = time.perf_counter()
        cell = CellInput(element=value.element, orgunit=value.orgunit, period=month, raw=new)
        result = datavalues_save(cells=[cell], user=None, source=ValueSource.ADMIN, check_permissions=False)
        assert result.ok, result.errors
        while element_value(value.element, province, month) != before + delta:
            if time.perf_counter() - started > 30:
                raise RuntimeError("the province total did not reflect the write within 30 s")
        latencies.append(time.perf_counter() - started)
    print(
        f"write → province total (village {value.orgunit.code} → province {province.code}): "
        f"median {statistics.median(latencies) * 1000:.1f} ms, max {max(latencies) * 1000:.1f} ms over {len(latencies)} writes "
        f"(target < 2000 ms)"
    )

    started = time.perf_counter()
    report = aggregates_recompute()
    check_seconds = time.perf_counter() - started
    print(
        f"check_aggregates (full recompute + compare, set-based={connection.vendor == 'postgresql'}): {check_seconds:.1f} s, "
        f"{report.checked:,} rows, {len(report.differences)} difference(s)"
    )
    rebuild_seconds = None
    if not args.skip_rebuild:
        started = time.perf_counter()
        rows = aggregates_rebuild()
        rebuild_seconds = time.perf_counter() - started
        print(f"full aggregate rebuild (recompute + rewrite): {rebuild_seconds:.1f} s, {rows:,} rows")
    total = DataValue.objects.count()
    if total < TARGET_VALUES:
        factor = TARGET_VALUES / total
        rebuild = f", rebuild ≈ {rebuild_seconds * factor:.0f} s" if rebuild_seconds is not None else ""
        print(f"EXTRAPOLATED (linear, not measured) to {TARGET_VALUES:,} values: check ≈ {check_seconds * factor:.0f} s{rebuild}")


if __name__ == "__main__":
    main()
