"""Import benchmark: N values through the validated upload path vs a raw COPY of the same rows (PostGIS).

    DATABASE_URL=postgis://postgres@127.0.0.1:5432/poc_bench_import .venv/bin/python bench/import_values.py [--values 1000000]

Builds a throw-away province (1,000 subdistricts), a monthly dataset of 10 integer elements and a
CSV of one row per subdistrict and month, imports it with :func:`datasets.transfer.values_import`
(what the upload page and the Celery task call: every row validated, permission-checked, audited,
aggregates kept live), then deletes the values and COPYs exactly the same rows into the same table.
Prints values/s and the ratio. Removes everything it created afterwards.
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


def build(months: int):
    from datasets.models import DataElement, Dataset, Topic, ValueType
    from poc.models import Agency, OrgUnit, OrgUnitLevel, Period, Role
    from poc.periods import parse_period
    from poc.services import user_create

    province = OrgUnit.objects.create(code=PROVINCE, name_th="จังหวัดทดสอบนำเข้า", level=OrgUnitLevel.PROVINCE)
    districts = [OrgUnit(code=f"{PROVINCE}{d:02d}", name_th=f"อำเภอ {d}", level=OrgUnitLevel.DISTRICT, parent=province)
                 for d in range(1, DISTRICTS + 1)]  # fmt: skip
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
    dataset = Dataset.objects.create(code="BENCH-IMPORT", topic=topic, name_th="ทดสอบนำเข้า", agency=agency,
                                     collection_level=OrgUnitLevel.SUBDISTRICT, period_type="M")  # fmt: skip
    for number in range(1, ELEMENTS + 1):
        DataElement.objects.create(code=f"BIMP-{number:02d}", dataset=dataset, name_th=f"รายการ {number}", value_type=ValueType.INTEGER,
                                   min_value=0, order=number)  # fmt: skip
    spec = parse_period("2560-01")
    periods = []
    for _month in range(months):
        periods.append(Period.objects.for_spec(spec))
        spec = spec.next()
    return province, dataset, user, periods


def csv_content(dataset, periods) -> bytes:
    from poc.models import OrgUnit, OrgUnitLevel

    codes = [e.code for e in dataset.elements.all()]
    units = list(OrgUnit.objects.filter(path__startswith=f"{PROVINCE}/", level=OrgUnitLevel.SUBDISTRICT).values_list("code", "name_th"))
    out = io.StringIO()
    out.write(",".join(["period", "orgunit_code", "orgunit_name", *codes]) + "\n")
    for p_index, period in enumerate(periods):
        for u_index, (code, name) in enumerate(units):
            values = ",".join(str((u_index * 7 + p_index * 13 + e * 3) % 997) for e in range(len(codes)))
            out.write(f"{period.code},{code},{name},{values}\n")
    return out.getvalue().encode("utf-8")


def cleanup() -> None:
    from datasets.models import AggregateValue, Dataset, DataValue, DataValueAudit, Topic
    from poc.models import Agency, OrgUnit, User

    dataset = Dataset.objects.filter(code="BENCH-IMPORT").first()
    if dataset:
        elements = list(dataset.elements.values_list("pk", flat=True))
        for model in (DataValue, DataValueAudit, AggregateValue):
            model.objects.filter(element_id__in=elements).delete()
        dataset.delete()
    Topic.objects.filter(code="BENCH-IMP").delete()
    User.objects.filter(username="bench_import").delete()
    Agency.objects.filter(code="BENCH-IMPORT").delete()
    for level in (3, 2, 1):
        OrgUnit.objects.filter(path__startswith=f"{PROVINCE}/", level=level).delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--values", type=int, default=1_000_000)
    args = parser.parse_args()
    setup("postgis://postgres@127.0.0.1:5432/poc_bench_import")
    from django.db import connection

    from datasets.models import DataValue
    from datasets.transfer import values_import

    if connection.vendor != "postgresql":
        sys.exit("run on PostGIS (DATABASE_URL=postgis://...): the comparison is with COPY")
    cleanup()
    months = max(1, args.values // (DISTRICTS * SUBDISTRICTS_PER_DISTRICT * ELEMENTS))
    _province, dataset, user, periods = build(months)
    content = csv_content(dataset, periods)
    expected = months * DISTRICTS * SUBDISTRICTS_PER_DISTRICT * ELEMENTS
    print(f"{expected:,} values in a {len(content) / 2**20:.1f} MB CSV ({months} months × 1,000 subdistricts × {ELEMENTS} elements)")
    try:
        started = time.perf_counter()
        result = values_import(dataset=dataset, user=user, content=content, filename="bench.csv")
        validated = time.perf_counter() - started
        assert result.ok and result.created == expected, (result.created, result.errors[:3])
        print(f"validated import (values_import → datavalues_save): {validated:.1f} s = {expected / validated:,.0f} values/s "
              f"(with audit rows and live aggregates)")  # fmt: skip
        columns = ["element_id", "orgunit_id", "period_id", "value_num", "value_text", "not_available", "comment", "source",
                   "created_at", "created_by_id", "updated_at", "updated_by_id"]  # fmt: skip
        rows = io.StringIO()
        for row in DataValue.objects.filter(element__dataset=dataset).values_list(*columns).iterator(20000):
            rows.write("\t".join("\\N" if v is None else (v.isoformat() if hasattr(v, "isoformat") else str(v)) for v in row) + "\n")
        DataValue.objects.filter(element__dataset=dataset).delete()
        rows.seek(0)
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.copy_expert(f"COPY {DataValue._meta.db_table} ({', '.join(columns)}) FROM STDIN", rows)
            copied = time.perf_counter() - started
        print(f"raw COPY of the same {expected:,} rows into {DataValue._meta.db_table}: {copied:.1f} s = {expected / copied:,.0f} values/s")
        print(f"ratio validated / COPY: {validated / copied:.1f}× slower")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
