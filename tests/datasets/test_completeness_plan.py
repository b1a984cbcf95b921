"""Completeness counts a province's cells with one plan whatever the planner's statistics say (a database after a bulk
load has none, or stale ones): the cells found through the unit list's index and read page by page (a bitmap), counted
in memory, in this process (no parallel workers). The settings that fix it last only for that read, even inside a
caller's transaction. Units opening or closing within the year are expected exactly in the periods they are open."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from datasets.models import DataElement, Dataset, DataValue, ValueType
from datasets.selectors import _COUNTS_SET, completeness
from poc.models import OrgUnit, Period

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2025, 12, 1)  # every month of FY2568 is due
MONTHS = [f"2567-{m:02d}" for m in (10, 11, 12)] + [f"2568-{m:02d}" for m in range(1, 10)]
SETTINGS = ("work_mem", "enable_seqscan", "enable_indexscan", "enable_sort", "max_parallel_workers_per_gather")
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics and EXPLAIN are PostgreSQL's")


def _settings(cursor) -> tuple:
    cursor.execute("SELECT " + ", ".join(f"current_setting('{name}')" for name in SETTINGS))
    return cursor.fetchone()


@postgres_only
@pytest.mark.parametrize("statistics", ["stale", "none"])
def test_the_count_reads_the_unit_index_page_by_page_whatever_the_statistics(
    statistics, dataset, elements, subdistricts, save, entry_a, province
):
    save(entry_a, [(elements["cases"], unit, month, 1) for unit in subdistricts for month in MONTHS])
    other = Dataset.objects.create(code="DS-OTHER", topic=dataset.topic, name_th="อื่น", agency=dataset.agency, period_type="M")
    stranger = DataElement.objects.create(code="OTHER", dataset=other, name_th="อื่น", value_type=ValueType.INTEGER)
    with connection.cursor() as cursor:
        # Statistics of 48 rows, then 150,000 values of another element (one unit, one period, as option combinations):
        # stale, as after a bulk load with autovacuum off. Or none at all, as before the first ANALYZE.
        cursor.execute("ANALYZE datasets_datavalue")
        cursor.execute(
            "INSERT INTO datasets_datavalue (element_id, orgunit_id, period_id, option_combo_id, value_num, value_text, not_available, "
            "comment, source, created_at, updated_at) SELECT %s, %s, %s, n, 1, '', '', '', 'demo', now(), now() "
            "FROM generate_series(1, 150000) n",
            [stranger.pk, subdistricts[0].pk, Period.objects.for_code("2566-01").pk],
        )
        if statistics == "none":
            try:
                with transaction.atomic():
                    cursor.execute("DELETE FROM pg_statistic WHERE starelid = 'datasets_datavalue'::regclass")
            except Exception:  # not a superuser here
                pytest.skip("no right to remove the planner's statistics")
    with CaptureQueriesContext(connection) as captured:
        report = completeness(datasets=[dataset], fiscal_years=[2568], within=province, as_of=AS_OF)
    assert (report.total.expected, report.total.filled, report.total.not_available) == (4 * 4 * 12, 4 * 12, 0)
    assert report.by_element[elements["cases"].pk].as_dict()["rate"] == 100.0
    [read] = [q["sql"] for q in captured.captured_queries if "datasets_datavalue" in q["sql"]]
    assert read.startswith(_COUNTS_SET + "; ")  # the settings and the count in one round trip
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS_SET)
        cursor.execute("EXPLAIN " + read.removeprefix(_COUNTS_SET + "; "))
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Bitmap Index Scan on datavalue_orgunit_period" in plan, plan
    assert "Bitmap Heap Scan on datasets_datavalue" in plan, plan
    for absent in ("Seq Scan on datasets_datavalue", "datavalue_period_element", "datavalue_unique", "Gather", "Sort"):
        assert absent not in plan, plan


@postgres_only
def test_the_settings_of_the_count_do_not_outlast_it_in_a_callers_transaction(dataset, elements, subdistricts, save, entry_a, province):
    save(entry_a, [(elements["cases"], subdistricts[0], month, 1) for month in MONTHS])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '5MB'")
        before = _settings(cursor)
        report = completeness(datasets=[dataset], fiscal_years=[2568], within=province, as_of=AS_OF)
        assert _settings(cursor) == before and before[0] == "5MB"
    assert report.total.filled == 12


def test_units_opening_or_closing_within_the_year_are_expected_only_while_open(dataset, elements, subdistricts, save, entry_a, province):
    opened, closed = subdistricts[0], subdistricts[1]  # both in district 9901
    OrgUnit.objects.filter(pk=opened.pk).update(valid_from=dt.date(2025, 1, 1))  # from January: 9 months of FY2568
    OrgUnit.objects.filter(pk=closed.pk).update(valid_to=dt.date(2025, 3, 31))  # until March: 6 months
    months = {opened.pk: MONTHS[3:], closed.pk: MONTHS[:6]}
    units = list(OrgUnit.objects.filter(pk__in=[u.pk for u in subdistricts]).order_by("code"))
    result = save(entry_a, [(elements["cases"], unit, month, 1) for unit in units for month in months.get(unit.pk, MONTHS)])
    assert result.ok, result.errors
    # A value of the closed unit after it closed (written before the closure was recorded) is not an expected cell.
    DataValue.objects.create(element=elements["cases"], orgunit=closed, period=Period.objects.for_code("2568-05"), value_num=1)
    with CaptureQueriesContext(connection) as captured:
        report = completeness(datasets=[dataset], fiscal_years=[2568], within=province, as_of=AS_OF)
    # Three sets of expected units (October-December, January-March, April-September): one count each.
    reads = [q for q in captured.captured_queries if "datasets_datavalue" in q["sql"]]
    assert len(reads) == (3 if connection.vendor == "postgresql" else 6)
    unit_months = 9 + 6 + 12 + 12
    assert (report.total.expected, report.total.filled, report.total.missing) == (4 * unit_months, unit_months, 3 * unit_months)
    districts = {report.orgunits[pk].code: tally for pk, tally in report.by_orgunit.items()}
    assert {code: (t.expected, t.filled) for code, t in districts.items()} == {"9901": (4 * 15, 15), "9902": (4 * 24, 24)}
    assert (report.by_element[elements["cases"].pk].expected, report.by_element[elements["cases"].pk].filled) == (39, 39)
    assert (report.by_element[elements["beds"].pk].expected, report.by_element[elements["beds"].pk].filled) == (39, 0)
    assert report.by_fiscal_year[2568].as_dict()["rate"] == 25.0
