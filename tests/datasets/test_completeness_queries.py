"""Completeness is set-based: a fixed number of queries for the assignments and periods, then two queries per dataset
(on PostgreSQL one read of the values counted both ways and the memory setting it runs with; elsewhere two grouped reads),
whatever the number of units, fiscal years and due periods; the counts are the same as cell by cell."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets.models import DataElement, Dataset, ValueType
from datasets.selectors import completeness
from poc.models import OrgUnitGroup

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 12, 1)  # every month of FY2567 and FY2568 is due


@pytest.fixture
def more_datasets(topic, agency_a, subdistricts):
    """Two monthly datasets: one assigned to two subdistricts, one to a group holding a third."""
    made = []
    for n in (1, 2):
        dataset = Dataset.objects.create(
            code=f"DS-M{n}", topic=topic, name_th=f"ชุด {n}", agency=agency_a, collection_level=3, period_type="M", due_days=15
        )
        DataElement.objects.create(code=f"M{n}A", dataset=dataset, name_th="ก", value_type=ValueType.INTEGER)
        DataElement.objects.create(code=f"M{n}B", dataset=dataset, name_th="ข", value_type=ValueType.INTEGER)
        made.append(dataset)
    made[0].orgunits.set(subdistricts[:2])
    group = OrgUnitGroup.objects.create(code="G-ONE", name_th="กลุ่มหนึ่ง")
    group.members.set([subdistricts[2]])
    made[1].orgunit_groups.set([group])
    return made


def _run(datasets, years, province):
    datasets = list(Dataset.objects.filter(pk__in=[d.pk for d in datasets]).order_by("pk"))  # nothing prefetched
    with CaptureQueriesContext(connection) as ctx:
        report = completeness(datasets=datasets, fiscal_years=years, within=province, as_of=AS_OF)
    values_reads = [q["sql"] for q in ctx.captured_queries if "datasets_datavalue" in q["sql"]]
    if connection.vendor == "postgresql":  # one read of a dataset's cells serves both countings
        assert all("GROUPING SETS" in sql for sql in values_reads), values_reads
    return len(ctx.captured_queries), report


def test_queries_do_not_grow_with_years_or_periods_and_two_per_dataset(
    dataset, elements, more_datasets, subdistricts, save, entry_a, province
):
    months = [f"2567-{m:02d}" for m in (10, 11, 12)] + [f"2568-{m:02d}" for m in range(1, 10)]
    save(entry_a, [(elements["cases"], unit, month, 1) for unit in subdistricts[:3] for month in months])
    m1a = more_datasets[0].elements.get(code="M1A")
    save(entry_a, [(m1a, subdistricts[0], month, 2) for month in months[:6]])

    one_year, report = _run([dataset], [2568], province)
    two_years, _report = _run([dataset], [2567, 2568], province)
    three_datasets, combined = _run([dataset, *more_datasets], [2567, 2568], province)
    assert one_year == two_years
    # Two queries for each further dataset (and the members of the group one is assigned to), none per unit or period.
    assert three_datasets == two_years + 1 + 2 * 2 == 12

    assert (report.total.expected, report.total.filled) == (4 * 4 * 12, 3 * 12)
    assert report.by_element[elements["cases"].pk].filled == 36
    # DS-M1 expects 2 units × 2 elements × 24 months, DS-M2 one unit (through its group) × 2 × 24.
    assert combined.by_dataset[more_datasets[0].pk].expected == 2 * 2 * 24
    assert combined.by_dataset[more_datasets[0].pk].filled == 6
    assert combined.by_element[m1a.pk].as_dict()["filled"] == 6 and combined.by_element[m1a.pk].expected == 2 * 24
    assert combined.by_dataset[more_datasets[1].pk].expected == 1 * 2 * 24
    assert combined.total.filled == 36 + 6
