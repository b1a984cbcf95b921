"""Benchmark the choropleth endpoint: all subdistricts of one province and of a national-size hierarchy.

Runs on its own PostGIS database (created and migrated here; default ``poc_bench_gis``), imports
Thailand's boundaries from ``POC_NATIONAL_REFERENCE_DIR`` through ``import_orgunits`` when present,
otherwise a generated grid of 77 provinces × 10 districts × ~9.5 subdistricts (~7,300), stores one
element's values for every subdistrict, then prints p50/p95 of the endpoint (targets: < 100 ms
province, < 500 ms national).

    .venv/bin/python bench/map_api.py [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DATABASE_URL", "postgis://postgres@127.0.0.1:5432/poc_bench_gis")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "poc.settings_test")


def ensure_database(url: str) -> None:
    import dj_database_url
    import psycopg2

    config = dj_database_url.parse(url)
    connection = psycopg2.connect(
        dbname="postgres", user=config["USER"], password=config["PASSWORD"], host=config["HOST"], port=config["PORT"]
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("select 1 from pg_database where datname = %s", [config["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'create database "{config["NAME"]}"')
    connection.close()


def generated_country(path: Path) -> None:
    """77 provinces in a 7×11 grid, each 10 districts (2×5), each 9 or 10 subdistricts (~7,300)."""
    features = []

    def box(x0: float, y0: float, w: float, h: float) -> list:
        return [[[[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h], [x0, y0]]]]

    def feature(code: str, parent: str, level: str, coords: list) -> None:
        props = {"code": code, "name_th": f"หน่วย {code}", "name_en": f"Unit {code}", "parent_code": parent, "level": level}
        features.append({"type": "Feature", "properties": props, "geometry": {"type": "MultiPolygon", "coordinates": coords}})

    for p in range(77):
        px, py = 97.5 + (p % 7) * 1.0, 6.0 + (p // 7) * 1.0
        province = f"{p + 10}"
        feature(province, "", "province", box(px, py, 1.0, 1.0))
        for d in range(10):
            dx, dy = px + (d % 2) * 0.5, py + (d // 2) * 0.2
            district = f"{province}{d + 1:02d}"
            feature(district, province, "district", box(dx, dy, 0.5, 0.2))
            count = 10 if (p + d) % 2 == 0 else 9
            for s in range(count):
                feature(f"{district}{s + 1:02d}", district, "subdistrict", box(dx + s * 0.5 / count, dy, 0.5 / count, 0.2))
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")


def load_hierarchy() -> str:
    from django.conf import settings
    from django.core.management import call_command

    from poc.models import OrgUnit

    if OrgUnit.objects.filter(level=3).count() >= 7000:
        return "existing"
    thailand = Path(settings.POC_NATIONAL_REFERENCE_DIR)
    files = [thailand / f"{level}_simplified.geojson" for level in ("province", "district", "subdistrict")]
    if all(f.is_file() for f in files):
        for file in files:
            call_command("import_orgunits", str(file), "--fix-invalid")
        return "Thailand reference boundaries"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "country.geojson"
        generated_country(path)
        call_command("import_orgunits", str(path))
    return "generated grid"


def load_values() -> str:
    from datasets.models import DataElement, Dataset, DataValue, Topic
    from datasets.services import CellInput, datavalues_save
    from poc.models import Agency, OrgUnit, Period, User

    province = OrgUnit.objects.filter(level=1).order_by("code").first()
    agency, _ = Agency.objects.get_or_create(code="BENCH", defaults={"name_th": "หน่วยงานทดสอบ", "orgunit": province})
    topic, _ = Topic.objects.get_or_create(code="BENCH", defaults={"name_th": "ทดสอบ"})
    dataset, _ = Dataset.objects.get_or_create(
        code="BENCH",
        defaults={
            "topic": topic,
            "name_th": "ทดสอบ",
            "agency": agency,
            "collection_level": 3,
            "period_type": "FY",
            "sensitivity": "public",
        },
    )
    element, _ = DataElement.objects.get_or_create(code="BENCH_POP", defaults={"dataset": dataset, "name_th": "ประชากร"})
    period = Period.objects.for_code("FY2568")
    if DataValue.objects.filter(element=element).exists():
        return element.code
    user = User.objects.filter(username="bench").first() or User.objects.create_superuser("bench", "bench@example.org", None, agency=agency)
    units = list(OrgUnit.objects.filter(level=3).order_by("code"))
    for start in range(0, len(units), 2000):
        cells = [
            CellInput(element=element, orgunit=u, period=period, raw=1000 + (i * 7919) % 20000)
            for i, u in enumerate(units[start : start + 2000], start)
        ]
        result = datavalues_save(cells=cells, user=user)
        assert not result.errors, result.errors[:3]
    return element.code


def timed(client, params: dict, runs: int) -> tuple[list[float], int, int]:
    timings = []
    size = count = 0
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get("/gis/api/choropleth/", params)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content[:300]
        size = len(response.content)
        count = response.content.count(b'"type":"Feature"')
    return timings, size, count


def report(label: str, timings: list[float], size: int, count: int) -> None:
    ordered = sorted(timings)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    print(f"{label:<44} features={count:>5}  size={size / 1024:>8.0f} KiB  p50={statistics.median(ordered):7.1f} ms  p95={p95:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    ensure_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from gis.models import OrgUnitShape
    from poc.models import OrgUnit

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    source = load_hierarchy()
    if not OrgUnitShape.objects.exists():
        call_command("simplify_boundaries")
    element = load_values()
    setup = time.perf_counter() - started
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}; hierarchy: {source}; setup {setup:.0f} s")
    province = OrgUnit.objects.filter(code="21").first() or OrgUnit.objects.filter(level=1).order_by("code").first()
    client = Client(HTTP_HOST="127.0.0.1")
    client.get("/gis/api/choropleth/", {"element": element, "period": "FY2568", "parent": province.code, "level": 3})  # warm-up
    report(
        f"province {province.code} subdistricts",
        *timed(client, {"element": element, "period": "FY2568", "parent": province.code, "level": 3}, args.runs),
    )
    report(
        "province districts (drill-down first step)",
        *timed(client, {"element": element, "period": "FY2568", "parent": province.code}, args.runs),
    )
    national = max(3, args.runs // 3)
    report("national subdistricts", *timed(client, {"element": element, "period": "FY2568", "level": 3}, national))
    report("national provinces", *timed(client, {"element": element, "period": "FY2568", "level": 1}, args.runs))
    first = client.get("/gis/api/choropleth/", {"element": element, "period": "FY2568", "level": 3})
    timings = []
    for _ in range(args.runs):
        started = time.perf_counter()
        response = client.get(
            "/gis/api/choropleth/", {"element": element, "period": "FY2568", "level": 3}, HTTP_IF_NONE_MATCH=first["ETag"]
        )
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 304
    report("national subdistricts, revalidated (304)", timings, 0, 0)


if __name__ == "__main__":
    main()
