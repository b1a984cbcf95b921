"""Generated benchmark values at national volume (millions of cells) for ``generate_national``.

Ordinary writes go through :func:`datasets.services.datavalues_save` (validation, audit, live
aggregates). Millions of generated benchmark cells instead take a bulk path — COPY on PostgreSQL,
``bulk_create`` elsewhere — without per-cell audit, followed by one set-based aggregate rebuild.
Only for generated data in an empty benchmark dataset; never for real values.
"""

from __future__ import annotations

import io
import math
import random
from collections.abc import Iterator

from django.db import connection, transaction
from django.utils import timezone

from datasets import values_versions
from datasets.aggregates import aggregates_rebuild
from datasets.models import DataElement, Dataset, DataValue, Topic, ValueSource, ValueType
from poc.models import Agency, OrgUnit, OrgUnitLevel, Period
from poc.periods import PeriodType, periods_in_fiscal_year

BENCH_TOPIC = "BENCH"
BENCH_DATASET = "BENCH-NATIONAL"
BENCH_ELEMENTS = 10
BENCH_FIRST_FY = 2566
COPY_CHUNK = 200_000


def benchmark_dataset_create() -> Dataset:
    """A monthly village-level dataset of ten integer elements, owned by a national statistics agency."""
    province = OrgUnit.objects.filter(level=OrgUnitLevel.PROVINCE).order_by("code").first()
    if province is None:
        raise RuntimeError("import the hierarchy first")
    agency, _created = Agency.objects.get_or_create(
        code="BENCH-STAT", defaults={"name_th": "สำนักงานสถิติ (ทดสอบ)", "name_en": "Statistics (benchmark)", "orgunit": province}
    )
    topic, _created = Topic.objects.get_or_create(
        code=BENCH_TOPIC, defaults={"name_th": "ข้อมูลทดสอบระดับประเทศ", "name_en": "National benchmark"}
    )
    dataset, _created = Dataset.objects.get_or_create(
        code=BENCH_DATASET,
        defaults={
            "topic": topic,
            "name_th": "ข้อมูลหมู่บ้านทดสอบ",
            "name_en": "Benchmark village data",
            "agency": agency,
            "collection_level": OrgUnitLevel.VILLAGE,
            "period_type": PeriodType.MONTHLY,
        },
    )
    for number in range(1, BENCH_ELEMENTS + 1):
        DataElement.objects.get_or_create(
            code=f"BENCH-{number:02d}",
            defaults={
                "dataset": dataset,
                "name_th": f"ตัวชี้วัดทดสอบ {number}",
                "name_en": f"Benchmark element {number}",
                "value_type": ValueType.INTEGER,
                "min_value": 0,
                "order": number,
            },
        )
    return dataset


def benchmark_periods(count: int) -> list[Period]:
    """``count`` consecutive months from October of fiscal year 2566."""
    specs = []
    fiscal_year = BENCH_FIRST_FY
    while len(specs) < count:
        specs += periods_in_fiscal_year(PeriodType.MONTHLY, fiscal_year)
        fiscal_year += 1
    return [Period.objects.for_spec(spec) for spec in specs[:count]]


def _cells(dataset: Dataset, total: int, seed: int) -> Iterator[tuple[int, int, int, int]]:
    """(element, village, period, value) for ``total`` cells: every village, month by month, element by element."""
    rng = random.Random(seed)
    villages = list(OrgUnit.objects.filter(level=OrgUnitLevel.VILLAGE).order_by("code").values_list("pk", flat=True))
    elements = list(dataset.elements.order_by("order").values_list("pk", flat=True))
    if not villages:
        raise RuntimeError("generate villages first")
    periods = benchmark_periods(math.ceil(total / (len(villages) * len(elements))))
    # A base size per village makes totals plausible (bigger villages report more every month).
    base = [rng.randint(5, 500) for _ in villages]
    produced = 0
    for period in periods:
        for element_id in elements:
            for index, village_id in enumerate(villages):
                if produced == total:
                    return
                yield element_id, village_id, period.pk, base[index] + rng.randint(0, 50)
                produced += 1


def datavalues_bulk_generate(*, dataset: Dataset, total: int, seed: int, rebuild: bool = True) -> int:
    """Write ``total`` generated values into the (empty) benchmark dataset, then rebuild all aggregates.

    ``rebuild=False`` leaves the aggregates stale: the caller must call ``aggregates_rebuild`` itself.
    """
    if DataValue.objects.filter(element__dataset=dataset).exists():
        raise RuntimeError(f"dataset {dataset.code} already holds values")
    with transaction.atomic():
        written = _copy(_cells(dataset, total, seed)) if connection.vendor == "postgresql" else _bulk_create(_cells(dataset, total, seed))
    values_versions.bump([dataset.pk])  # no values_changed from this path: cached counts of the dataset are recounted
    if rebuild:
        aggregates_rebuild()
    _analyze()
    return written


def _analyze() -> None:
    """Refresh planner statistics after a bulk load: with the stale ones (10 rows where there are 80,000),
    PostgreSQL chose row-by-row joins and disk sorts and national reads were several times slower.
    The aggregate table is analysed by ``aggregates_rebuild``, which rewrites it."""
    if connection.vendor != "postgresql":
        return
    tables = [OrgUnit._meta.db_table, DataValue._meta.db_table, Period._meta.db_table]
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")


def _copy(cells: Iterator[tuple[int, int, int, int]]) -> int:
    table = connection.ops.quote_name(DataValue._meta.db_table)
    columns = "element_id, orgunit_id, period_id, value_num, value_text, not_available, comment, source, created_at, updated_at"
    now = timezone.now().isoformat()
    written = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg2 cursor, for copy_expert
        while True:
            buffer = io.StringIO()
            rows = 0
            for element_id, orgunit_id, period_id, value in cells:
                buffer.write(f"{element_id}\t{orgunit_id}\t{period_id}\t{value}\t\t\t\t{ValueSource.DEMO.value}\t{now}\t{now}\n")
                rows += 1
                if rows == COPY_CHUNK:
                    break
            if not rows:
                return written
            buffer.seek(0)
            raw.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
            written += rows


def _bulk_create(cells: Iterator[tuple[int, int, int, int]]) -> int:
    batch: list[DataValue] = []
    written = 0
    for element_id, orgunit_id, period_id, value in cells:
        batch.append(DataValue(element_id=element_id, orgunit_id=orgunit_id, period_id=period_id, value_num=value, source=ValueSource.DEMO))
        if len(batch) == 5000:
            DataValue.objects.bulk_create(batch)
            written += len(batch)
            batch = []
    DataValue.objects.bulk_create(batch)
    return written + len(batch)
