"""Import benchmark: N values through the validated upload path vs a raw COPY of the same rows (PostGIS).

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/poc_bench_import .venv/bin/python bench/import_values.py [--values 1000000]

Builds a throw-away province (1,000 subdistricts), a monthly dataset of 10 integer elements and a
CSV of one row per subdistrict and month, imports it with :func:`datasets.transfer.values_import`
(what the upload page and the Celery task call: every row validated, permission-checked, audited,
aggregates kept live), then imports a corrected file of the same cells (every value changed), then COPYs
exactly the stored rows into a fresh, empty table of the same shape (``LIKE … INCLUDING ALL``; not into
the table full of just-deleted rows, which flatters the ratio). Prints values/s and the ratio; removes
everything it created afterwards. ``make bench`` runs :func:`run` with the size of its BENCH_SCALE.
``--disaggregated`` breaks every element down by a 2 × 2 category combination: four columns (``BIMP-01.M_MUN`` …)
and four stored cells per element, unit and month.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import setup

PROVINCE = "97"
DISTRICTS = 20
SUBDISTRICTS_PER_DISTRICT = 50
ELEMENTS = 10


def build(months: int, *, disaggregated: bool = False):
    from datasets.models import DataElement, Dataset, Topic, ValueType
    from poc.models import Agency, OrgUnit, OrgUnitLevel, Period, Role
    from poc.periods import parse_period
    from poc.services import user_create

    province = OrgUnit.objects.create(code=PROVINCE, name_th="จังหวัดทดสอบนำเข้า", level=OrgUnitLevel.PROVINCE)
    districts = [
        OrgUnit(code=f"{PROVINCE}{d:02d}", name_th=f"อำเภอ {d}", level=OrgUnitLevel.DISTRICT, parent=province)
        for d in range(1, DISTRICTS + 1)
    ]
    for unit in districts:
        unit.path = unit.build_path()
    OrgUnit.objects.bulk_create(districts)
    subs = []
    for district in OrgUnit.objects.filter(parent=province):
        for s in range(1, SUBDISTRICTS_PER_DISTRICT + 1):
            unit = OrgUnit(code=f"{district.code}{s:02d}", name_th=f"ตำบล {s}", level=OrgUnitLevel.SUBDISTRICT, parent=district)
            unit.path = unit.build_path()
            subs.append(unit)
    OrgUnit.objects.bulk_create(subs)
    agency = Agency.objects.create(code="BENCH-IMPORT", name_th="หน่วยงานทดสอบนำเข้า", orgunit=province)
    user, _password = user_create(username="bench_import", agency=agency, roles=[Role.DATA_ENTRY], must_change_password=False)
    topic = Topic.objects.create(code="BENCH-IMP", name_th="ทดสอบนำเข้า")
    dataset = Dataset.objects.create(
        code="BENCH-IMPORT", topic=topic, name_th="ทดสอบนำเข้า", agency=agency, collection_level=OrgUnitLevel.SUBDISTRICT, period_type="M"
    )
    combo = two_by_two() if disaggregated else None
    for number in range(1, ELEMENTS + 1):
        DataElement.objects.create(
            code=f"BIMP-{number:02d}",
            dataset=dataset,
            name_th=f"รายการ {number}",
            value_type=ValueType.INTEGER,
            min_value=0,
            order=number,
            category_combo=combo,
        )
    spec = parse_period("2560-01")
    periods = []
    for _month in range(months):
        periods.append(Period.objects.for_spec(spec))
        spec = spec.next()
    return province, dataset, user, periods


def two_by_two():
    """SEX (M, F) × AREA (MUN, NONMUN) under bench codes: four option combinations."""
    from datasets.categories import categorycombo_sync
    from datasets.models import Category, CategoryCombo, CategoryComboMember, CategoryOption

    combo = CategoryCombo.objects.create(code="BENCH-2X2", name_th="เพศ × เขต (ทดสอบ)")
    for order, (code, options) in enumerate({"BENCH-SEX": ["M", "F"], "BENCH-AREA": ["MUN", "NONMUN"]}.items(), start=1):
        category = Category.objects.create(code=code, name_th=code, order=order)
        for option_order, option in enumerate(options, start=1):
            CategoryOption.objects.create(category=category, code=option, name_th=option, order=option_order)
        CategoryComboMember.objects.create(combo=combo, category=category, order=order)
    categorycombo_sync(combo=combo)
    return combo


def csv_content(dataset, periods, shift: int = 0) -> bytes:
    """One row per subdistrict and month; ``shift`` changes every value (the corrected file of the same cells)."""
    from datasets.columns import column_targets
    from poc.models import OrgUnit, OrgUnitLevel

    codes = [t.code for t in column_targets(dataset.elements.all())]
    units = list(OrgUnit.objects.filter(path__startswith=f"{PROVINCE}/", level=OrgUnitLevel.SUBDISTRICT).values_list("code", "name_th"))
    out = io.StringIO()
    out.write(",".join(["period", "orgunit_code", "orgunit_name", *codes]) + "\n")
    for p_index, period in enumerate(periods):
        for u_index, (code, name) in enumerate(units):
            values = ",".join(str((u_index * 7 + p_index * 13 + e * 3 + shift) % 997) for e in range(len(codes)))
            out.write(f"{period.code},{code},{name},{values}\n")
    return out.getvalue().encode("utf-8")


def cleanup() -> None:
    from datasets.models import AggregateOptionValue, AggregateValue, Category, CategoryCombo, Dataset, DataValue, DataValueAudit, Topic
    from poc.models import Agency, OrgUnit, User

    dataset = Dataset.objects.filter(code="BENCH-IMPORT").first()
    if dataset:
        elements = list(dataset.elements.values_list("pk", flat=True))
        for model in (DataValue, DataValueAudit, AggregateValue, AggregateOptionValue):
            model.objects.filter(element_id__in=elements).delete()
        dataset.delete()
    Topic.objects.filter(code="BENCH-IMP").delete()
    CategoryCombo.objects.filter(code="BENCH-2X2").delete()
    Category.objects.filter(code__in=["BENCH-SEX", "BENCH-AREA"]).delete()
    User.objects.filter(username="bench_import").delete()
    Agency.objects.filter(code="BENCH-IMPORT").delete()
    for level in (3, 2, 1):
        OrgUnit.objects.filter(path__startswith=f"{PROVINCE}/", level=level).delete()


def copy_into_fresh_table(dataset) -> float:
    """Seconds to COPY the dataset's stored rows into a new, empty table of the same shape (columns, defaults,
    constraints, indexes: ``LIKE … INCLUDING ALL``), as a plain bulk load would; the table is dropped after."""
    from django.db import connection

    from datasets.models import DataValue

    columns = [
        "element_id",
        "orgunit_id",
        "period_id",
        "option_combo_id",
        "value_num",
        "value_text",
        "not_available",
        "comment",
        "source",
        "created_at",
        "created_by_id",
        "updated_at",
        "updated_by_id",
    ]
    rows = io.StringIO()
    for row in DataValue.objects.filter(element__dataset=dataset).values_list(*columns).iterator(20000):
        rows.write("\t".join("\\N" if v is None else (v.isoformat() if hasattr(v, "isoformat") else str(v)) for v in row) + "\n")
    rows.seek(0)
    table = DataValue._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS bench_copy_target; CREATE TABLE bench_copy_target (LIKE {table} INCLUDING ALL)")
        try:
            started = time.perf_counter()
            cursor.copy_expert(f"COPY bench_copy_target ({', '.join(columns)}) FROM STDIN", rows)
            return time.perf_counter() - started
        finally:
            cursor.execute("DROP TABLE bench_copy_target")


def run(values: int, *, disaggregated: bool = False) -> list:
    """New values, then a corrected file of the same cells, then COPY into a fresh table: one Result each."""
    from django.db import connection
    from results import Result, verdict

    from datasets.transfer import values_import

    if connection.vendor != "postgresql":
        return [Result("import", "≥ 20,000 values/s", "PostGIS only (compared with COPY)", "SKIPPED")]
    cleanup()
    cells = ELEMENTS * (4 if disaggregated else 1)  # per unit and month
    months = max(1, values // (DISTRICTS * SUBDISTRICTS_PER_DISTRICT * cells))
    expected = months * DISTRICTS * SUBDISTRICTS_PER_DISTRICT * cells
    kind = " (2 × 2 disaggregated)" if disaggregated else ""
    try:
        _province, dataset, user, periods = build(months, disaggregated=disaggregated)
        shape = {
            "values": expected,
            "months": months,
            "subdistricts": DISTRICTS * SUBDISTRICTS_PER_DISTRICT,
            "elements": ELEMENTS,
            "option_combos": 4 if disaggregated else 0,
        }
        content = csv_content(dataset, periods)
        started = time.perf_counter()
        result = values_import(dataset=dataset, user=user, content=content, filename="bench.csv")
        new_seconds = time.perf_counter() - started
        assert result.ok and result.created == expected, (result.created, result.errors[:3])
        corrected = csv_content(dataset, periods, shift=1)
        started = time.perf_counter()
        result = values_import(dataset=dataset, user=user, content=corrected, filename="bench-corrected.csv")
        corrected_seconds = time.perf_counter() - started
        assert result.ok and result.updated == expected, (result.updated, result.errors[:3])
        copy_seconds = copy_into_fresh_table(dataset)
    finally:
        cleanup()
    new_rate, corrected_rate, copy_rate = expected / new_seconds, expected / corrected_seconds, expected / copy_seconds
    how = "values_import → datavalues_save in-process: validated, permission-checked, audited, aggregates kept live"
    return [
        Result(
            f"import of {expected:,} new values{kind} (validated)",
            "≥ 20,000 values/s",
            f"{new_rate:,.0f} values/s ({new_seconds:.1f} s)",
            verdict(new_rate, above=20_000),
            new_rate,
            "values/s",
            1,
            {**shape, "seconds": new_seconds, "how": how},
        ),
        Result(
            f"re-import of a corrected file{kind} ({expected:,} existing cells, new values)",
            "≥ 20,000 values/s",
            f"{corrected_rate:,.0f} values/s ({corrected_seconds:.1f} s)",
            verdict(corrected_rate, above=20_000),
            corrected_rate,
            "values/s",
            1,
            {**shape, "seconds": corrected_seconds, "how": how},
        ),
        Result(
            f"validated import / COPY into a fresh table of the same shape{kind}",
            "printed (aim: 100,000 values/s)",
            f"{new_seconds / copy_seconds:.1f}× (COPY {copy_rate:,.0f} values/s)",
            "printed",
            new_seconds / copy_seconds,
            "ratio",
            1,
            {**shape, "copy_seconds": copy_seconds, "corrected_ratio": corrected_seconds / copy_seconds},
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--values", type=int, default=1_000_000)
    parser.add_argument("--disaggregated", action="store_true", help="every element broken down by a 2 × 2 category combination")
    args = parser.parse_args()
    setup("postgis://postgres@127.0.0.1:5432/poc_bench_import")
    from results import print_table

    print_table(run(args.values, disaggregated=args.disaggregated))


if __name__ == "__main__":
    main()
