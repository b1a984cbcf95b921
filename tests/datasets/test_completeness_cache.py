"""Completeness pages keep each dataset's counts in the shared cache under the dataset's values version: a write to one
dataset recounts exactly that dataset, every other one is read from the cache, and the figures always equal the
uncached computation (another day, other assignments, other due days change what is counted, so the key)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from datasets.models import DataElement, Dataset, DataValue, ValueType
from datasets.selectors import CompletenessReport, completeness
from poc.models import OrgUnit

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 12, 1)  # every month of FY2568 is due
MONTHS = [f"2567-{m:02d}" for m in (10, 11, 12)] + [f"2568-{m:02d}" for m in range(1, 10)]


@pytest.fixture
def second(topic, agency_a, subdistricts):
    dataset = Dataset.objects.create(
        code="DS-TWO", topic=topic, name_th="ชุดสอง", agency=agency_a, collection_level=3, period_type="M", due_days=10
    )
    DataElement.objects.create(code="TWO-A", dataset=dataset, name_th="ก", value_type=ValueType.INTEGER)
    return dataset


def _figures(report: CompletenessReport) -> dict:
    """Every roll-up of the report as plain numbers, to compare two reports exactly."""
    return {
        "total": report.total.as_dict(),
        **{
            name: {key: tally.as_dict() for key, tally in getattr(report, name).items()}
            for name in ("by_dataset", "by_dataset_year", "by_element", "by_topic", "by_agency", "by_orgunit", "by_fiscal_year")
        },
    }


def _run(datasets, *, as_of=AS_OF, cached=True):
    datasets = list(Dataset.objects.filter(pk__in=[d.pk for d in datasets]).order_by("pk"))
    with CaptureQueriesContext(connection) as ctx:
        report = completeness(datasets=datasets, fiscal_years=[2568], within=OrgUnit.objects.get(code="99"), as_of=as_of, cached=cached)
    reads = [q["sql"] for q in ctx.captured_queries if "datasets_datavalue" in q["sql"]]
    return report, reads


def _per_dataset() -> int:
    """Reads of one dataset's cells: one on PostgreSQL (GROUPING SETS), two grouped reads elsewhere."""
    return 1 if connection.vendor == "postgresql" else 2


def test_a_write_recounts_only_its_dataset_and_figures_equal_the_uncached_ones(
    dataset, elements, second, subdistricts, save, entry_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        save(entry_a, [(elements["cases"], unit, month, 1) for unit in subdistricts[:3] for month in MONTHS])
        save(entry_a, [(second.elements.get(), subdistricts[0], month, 2) for month in MONTHS[:5]])
    first, reads = _run([dataset, second])
    assert len(reads) == 2 * _per_dataset()
    assert _figures(first) == _figures(_run([dataset, second], cached=False)[0])
    assert (first.by_dataset[dataset.pk].filled, first.by_dataset[second.pk].filled) == (36, 5)

    again, reads = _run([dataset, second])
    assert reads == [] and _figures(again) == _figures(first)

    with django_capture_on_commit_callbacks(execute=True):
        save(entry_a, [(second.elements.get(), subdistricts[1], "2568-03", 7)])
    after, reads = _run([dataset, second])
    assert len(reads) == _per_dataset()  # DS-TWO's cells only
    assert _figures(after) == _figures(_run([dataset, second], cached=False)[0])
    assert (after.by_dataset[dataset.pk].filled, after.by_dataset[second.pk].filled) == (36, 6)
    assert after.by_dataset[dataset.pk].as_dict() == first.by_dataset[dataset.pk].as_dict()
    assert after.total.filled == first.total.filled + 1


def test_another_day_other_assignments_or_due_days_are_counted_again(dataset, elements, second, subdistricts, save, entry_a):
    save(entry_a, [(elements["cases"], unit, month, 1) for unit in subdistricts for month in MONTHS])
    _run([dataset, second])
    # On 15 January October and November are due (30 Nov + 15 days), December from the 16th (31 Dec + 15 days) on.
    # DS-TWO (10 due days) has October to December due on both days: counted once.
    for as_of, months, counted in ((dt.date(2025, 1, 15), 2, 2), (dt.date(2025, 1, 16), 3, 1)):
        report, reads = _run([dataset, second], as_of=as_of)
        assert len(reads) == counted * _per_dataset() and report.by_dataset[dataset.pk].filled == 4 * months
        assert _figures(report) == _figures(_run([dataset, second], as_of=as_of, cached=False)[0])
    _report, reads = _run([dataset, second], as_of=dt.date(2025, 1, 20))  # the same periods due: nothing to count again
    assert reads == []

    dataset.orgunits.set(subdistricts[:2])
    report, reads = _run([dataset, second])
    assert (
        len(reads) == _per_dataset()
        and report.by_dataset[dataset.pk].expected == 4 * 2 * 12
        and report.by_dataset[dataset.pk].filled == 2 * 12
    )
    assert _figures(report) == _figures(_run([dataset, second], cached=False)[0])

    # Entered on 1 November 2025: late for every month with 15 due days, on time for September with 60.
    DataValue.objects.filter(element__dataset=dataset).update(created_at=dt.datetime(2025, 11, 1, tzinfo=dt.UTC))
    Dataset.objects.filter(pk=dataset.pk).update(due_days=60)  # (no write of values: the key names the due moments)
    report, reads = _run([dataset, second])
    assert len(reads) == _per_dataset() and report.by_dataset[dataset.pk].on_time == 2
    assert _figures(report) == _figures(_run([dataset, second], cached=False)[0])


def test_the_completeness_page_reads_cached_counts(client, entry_a, dataset, elements, subdistricts, save):
    save(entry_a, [(elements["cases"], subdistricts[0], "2568-01", 3)])
    url = reverse("datasets:completeness_json") + "?fy=2568"
    client.force_login(entry_a)
    first = client.get(url).json()
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(url).json()
    assert again == first and not [q for q in ctx.captured_queries if "datasets_datavalue" in q["sql"]]
    assert first["by_dataset"]["DS-HEALTH"]["filled"] == 1


def test_a_sender_that_names_no_datasets_bumps_those_of_its_elements(dataset, elements, second):
    from datasets import values_versions

    before = values_versions.current([dataset.pk, second.pk])
    values_versions.on_values_changed(sender=None, element_ids={elements["cases"].pk})
    after = values_versions.current([dataset.pk, second.pk])
    assert after[dataset.pk] != before[dataset.pk] and after[second.pk] == before[second.pk]


def test_counted_per_unit_only_the_figures_are_the_same_but_per_element_and_kept_apart(
    dataset, elements, second, subdistricts, save, entry_a
):
    save(entry_a, [(elements["cases"], unit, month, 1) for unit in subdistricts[:3] for month in MONTHS])
    save(entry_a, [(elements["beds"], subdistricts[0], month, 4) for month in MONTHS[:5]])
    DataValue.objects.filter(element=elements["beds"], period__code="2567-10").update(value_num=None, not_available="confidential")
    within = OrgUnit.objects.get(code="99")

    def run(per_element):
        datasets = list(Dataset.objects.filter(pk__in=[dataset.pk, second.pk]).order_by("pk"))
        with CaptureQueriesContext(connection) as ctx:
            report = completeness(datasets=datasets, fiscal_years=[2568], within=within, as_of=AS_OF, cached=True, per_element=per_element)
        return report, [q["sql"] for q in ctx.captured_queries if "datasets_datavalue" in q["sql"]]

    units_only, reads = run(False)  # first: a per-element report must not find these counts and miss its elements
    assert len(reads) == 2 and not [sql for sql in reads if "GROUPING SETS" in sql]  # one grouping of each dataset's cells
    full, reads = run(True)
    assert len(reads) == 2 * _per_dataset() and report_tallies(full) == report_tallies(units_only)
    assert units_only.by_element == {} and full.by_element[elements["beds"].pk].as_dict() == {
        "expected": 48,
        "filled": 4,
        "not_available": 1,
        "missing": 43,
        "on_time": 0,
        "late": 5,
        "rate": 10.42,
        "on_time_rate": 0.0,
    }
    assert (full.total.expected, full.total.filled, full.total.not_available) == (4 * 4 * 12 + 4 * 12, 36 + 4, 1)
    again, reads = run(True)
    assert not reads and _figures(again) == _figures(full)
    assert _figures(full) == _figures(_run([dataset, second], cached=False)[0])


def report_tallies(report: CompletenessReport) -> dict:
    """Every roll-up but the one per element."""
    return {key: value for key, value in _figures(report).items() if key != "by_element"}
