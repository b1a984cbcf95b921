"""Benchmark the choropleth of one option of a broken-down element at a province's subdistricts (target p95 < 100 ms).

Runs on its own PostGIS database (default ``poc_bench_options``, created and migrated here): the Rayong hierarchy from
``data/rayong`` (58 subdistricts), an element broken down by SEX × AREA with four cells per subdistrict, then p50/p95 of
``option=F``, ``option=F_MUN`` and ``ratio=M:F`` built afresh (a new ETag each run, so the gzipped-body cache misses) and
served from that cache.

    .venv/bin/python bench/map_options.py [--runs 40]
"""

from __future__ import annotations

import argparse
import statistics
import time

from _common import setup


def load() -> tuple[str, str]:
    from django.core.management import call_command

    from datasets.categories import categorycombo_sync
    from datasets.models import (
        Category,
        CategoryCombo,
        CategoryComboMember,
        CategoryOption,
        DataElement,
        Dataset,
        DataValue,
        Sensitivity,
        Topic,
    )
    from datasets.services import CellInput, datavalues_save
    from gis.models import OrgUnitShape
    from poc.demo import seed_hierarchy
    from poc.models import Agency, OrgUnit, Period

    province = OrgUnit.objects.filter(code="21").first() or seed_hierarchy()
    if not OrgUnitShape.objects.exists():
        call_command("simplify_boundaries")
    combo, created = CategoryCombo.objects.get_or_create(code="BENCH_SEX_AREA", defaults={"name_th": "เพศ × เขต"})
    if created:
        for order, (code, options) in enumerate({"BSEX": ["M", "F"], "BAREA": ["MUN", "NONMUN"]}.items(), start=1):
            category = Category.objects.create(code=code, name_th=code, order=order)
            for option_order, option in enumerate(options, start=1):
                CategoryOption.objects.create(category=category, code=option, name_th=option, order=option_order)
            CategoryComboMember.objects.create(combo=combo, category=category, order=order)
        categorycombo_sync(combo=combo)
    agency, _ = Agency.objects.get_or_create(code="BENCH", defaults={"name_th": "หน่วยงานทดสอบ", "orgunit": province})
    topic, _ = Topic.objects.get_or_create(code="BENCH", defaults={"name_th": "ทดสอบ"})
    dataset, _ = Dataset.objects.get_or_create(
        code="BENCH_OPT",
        defaults={
            "topic": topic,
            "name_th": "ทดสอบ",
            "agency": agency,
            "collection_level": 3,
            "period_type": "FY",
            "sensitivity": Sensitivity.PUBLIC,
        },
    )
    element, _ = DataElement.objects.get_or_create(
        code="BENCH_POPSA", defaults={"dataset": dataset, "name_th": "ประชากร", "category_combo": combo}
    )
    if not DataValue.objects.filter(element=element).exists():
        period = Period.objects.for_code("FY2568")
        combos = list(combo.option_combos.order_by("order"))
        units = OrgUnit.objects.filter(level=3, path__startswith=province.path).order_by("code")
        cells = [
            CellInput(element=element, orgunit=unit, period=period, option_combo=c, raw=1000 + (i * 7919 + j * 131) % 9000)
            for i, unit in enumerate(units)
            for j, c in enumerate(combos)
        ]
        result = datavalues_save(cells=cells, user=None, check_permissions=False)
        assert result.ok, result.errors[:3]
    return element.code, province.code


def p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    setup("postgis://postgres@127.0.0.1:5432/poc_bench_options")
    import django

    django.setup()
    from django.test import Client

    element, province = load()
    client = Client(HTTP_HOST="127.0.0.1")
    selections = {"total": {}, "option=F": {"option": "F"}, "option=F_MUN": {"option": "F_MUN"}, "ratio=M:F": {"ratio": "M:F"}}
    for label, extra in selections.items():
        query = {"element": element, "period": "FY2568", "parent": province, "level": 3, **extra}
        first = client.get("/gis/api/choropleth/", query)
        assert first.status_code == 200, first.content[:300]
        features = first.content.count(b'"type":"Feature"')
        for kind in ("built", "cached"):
            timings = []
            for run in range(args.runs):
                params = {**query, "run": f"{time.time_ns()}-{run}"} if kind == "built" else query  # a new ETag: the body is built
                started = time.perf_counter()
                response = client.get("/gis/api/choropleth/", params)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200
            print(f"{label:<14} {kind:<7} features={features}  p50={statistics.median(timings):6.1f} ms  p95={p95(timings):6.1f} ms")


if __name__ == "__main__":
    main()
