"""The set-based (PostgreSQL) aggregate recompute agrees with the Python one, and the national generator."""

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, transaction

from benchdata.values import BENCH_DATASET, datavalues_bulk_generate
from datasets.aggregates import aggregates_rebuild, aggregates_recompute
from datasets.models import AggregateOptionValue, AggregateValue, DataElement, Dataset, DataValue, ValueType
from datasets.selectors import element_value
from poc.models import OrgUnit, OrgUnitLevel, Period
from poc.periods import parse_period

postgres_only = pytest.mark.skipif(not settings.IS_POSTGIS, reason="the set-based path runs on PostgreSQL only")


def _differences(set_based: bool, **kwargs) -> list:
    return sorted(aggregates_recompute(set_based=set_based, **kwargs).differences)


@postgres_only
def test_set_based_recompute_finds_the_same_differences_as_python(save, entry_a, elements, subdistricts, province):
    save(entry_a, [(elements["cases"], s, "2568-01", 10 + i) for i, s in enumerate(subdistricts)])
    save(entry_a, [(elements["rate"], s, "2568-02", 50) for s in subdistricts])
    save(entry_a, [(elements["note"], subdistricts[0], "2568-01", "text values have no aggregate")])
    assert _differences(True) == _differences(False) == []
    district = subdistricts[0].parent
    AggregateValue.objects.filter(orgunit=province, element=elements["cases"]).update(total=999)  # wrong total
    AggregateValue.objects.filter(orgunit=district, element=elements["rate"]).update(count=7)  # wrong count
    AggregateValue.objects.filter(orgunit=subdistricts[1], element=elements["cases"]).delete()  # missing row
    AggregateValue.objects.create(
        element=elements["beds"], orgunit=province, period=AggregateValue.objects.first().period, total=5, count=1
    )

    python, database = _differences(False), _differences(True)
    assert database == python
    assert len(database) == 4
    assert aggregates_recompute(set_based=True).checked == aggregates_recompute(set_based=False).checked
    assert _differences(True, element_ids=[elements["rate"].pk]) == _differences(False, element_ids=[elements["rate"].pk])

    aggregates_recompute(set_based=True, fix=True)
    assert _differences(False) == []
    assert element_value(elements["cases"], province, parse_period("2568-01")) == 10 + 11 + 12 + 13


@postgres_only
def test_set_based_fix_of_some_elements_leaves_the_others_alone(save, entry_a, elements, subdistricts, province):
    save(
        entry_a, [(elements["cases"], s, "2568-01", 4) for s in subdistricts] + [(elements["rate"], s, "2568-01", 40) for s in subdistricts]
    )
    AggregateValue.objects.filter(orgunit=province).update(total=0)
    aggregates_recompute(set_based=True, fix=True, element_ids=[elements["cases"].pk])
    remaining = _differences(False)
    assert [d[0] for d in remaining] == [elements["rate"].pk]


@pytest.mark.skipif(
    not settings.IS_POSTGIS,
    reason="on SpatiaLite the gis app's shapely coverage_simplify crashes the process after a national import (reported)",
)
def test_generate_national_builds_a_country_with_values_and_exact_aggregates(db):
    call_command("generate_national", "--generated", "--villages-per-subdistrict", "1", "--values", "3000", "--seed", "7")
    assert OrgUnit.objects.filter(level=OrgUnitLevel.PROVINCE).count() == 77
    assert OrgUnit.objects.filter(level=OrgUnitLevel.DISTRICT).count() == 924
    villages = OrgUnit.objects.filter(level=OrgUnitLevel.VILLAGE)
    assert villages.count() == 7392
    village = villages.order_by("code").first()
    assert village.parent.geom.contains(village.point)
    values = DataValue.objects.filter(element__dataset__code=BENCH_DATASET)
    assert values.count() == 3000
    assert aggregates_recompute().differences == []
    first = dict(values.order_by("pk").values_list("orgunit__code", "value_num")[:20])
    provinces = AggregateValue.objects.filter(orgunit__level=OrgUnitLevel.PROVINCE).order_by("orgunit__code", "period__start_date")
    province_totals = list(provinces.values_list("total", flat=True))
    # Reproducible: the same seed on a fresh load gives the same cells.
    values.delete()
    AggregateValue.objects.all().delete()
    datavalues_bulk_generate(dataset=Dataset.objects.get(code=BENCH_DATASET), total=3000, seed=7)
    assert dict(values.order_by("pk").values_list("orgunit__code", "value_num")[:20]) == first
    assert list(provinces.values_list("total", flat=True)) == province_totals


def _stored(model) -> dict[tuple, tuple[float, int]]:
    keys = (
        ("element_id", "option_combo_id", "orgunit_id", "period_id")
        if model is AggregateOptionValue
        else ("element_id", "orgunit_id", "period_id")
    )
    return {tuple(row[:-2]): (row[-2], row[-1]) for row in model.objects.values_list(*keys, "total", "count")}


@pytest.fixture
def values_at_every_level(elements, sex_area, dataset, province):
    """Raw values at villages, subdistricts, districts and the province (units with units below them hold values too),
    of a plain element, an average, a text element and a broken-down element (SEX × AREA)."""
    population = DataElement.objects.create(
        code="POP", dataset=dataset, name_th="ประชากร", value_type=ValueType.INTEGER, category_combo=sex_area, order=5
    )
    combos = list(sex_area.option_combos.order_by("order"))
    january, february = Period.objects.for_code("2568-01"), Period.objects.for_code("2568-02")
    rows = []
    for number, unit in enumerate(OrgUnit.objects.order_by("code"), start=1):
        rows.append(DataValue(element=elements["cases"], orgunit=unit, period=january, value_num=number))
        rows.append(DataValue(element=elements["rate"], orgunit=unit, period=february, value_num=number * 1.5))
        rows.append(DataValue(element=elements["note"], orgunit=unit, period=january, value_text="text: no aggregate"))
        for position, combo in enumerate(combos[: 1 + number % 4]):
            rows.append(DataValue(element=population, option_combo=combo, orgunit=unit, period=january, value_num=number * 10 + position))
    DataValue.objects.bulk_create(rows)
    return population


@postgres_only
def test_set_based_rebuild_equals_the_python_recompute_on_both_tables(values_at_every_level, elements, province):
    population, january = values_at_every_level, Period.objects.for_code("2568-01")
    aggregates_rebuild()
    set_based = (_stored(AggregateValue), _stored(AggregateOptionValue))
    assert aggregates_recompute(set_based=False).ok
    assert aggregates_recompute(set_based=True).ok
    AggregateValue.objects.all().delete()
    AggregateOptionValue.objects.all().delete()
    aggregates_recompute(set_based=False, fix=True)
    assert (_stored(AggregateValue), _stored(AggregateOptionValue)) == set_based
    # 13 units: province 99 (value 1), districts, subdistricts and villages numbered in code order.
    units = OrgUnit.objects.count()
    assert AggregateValue.objects.get(element=elements["cases"], orgunit=province, period=january).total == sum(range(1, units + 1))
    assert AggregateValue.objects.get(element=elements["cases"], orgunit=province, period=january).count == units
    district = OrgUnit.objects.get(code="9901")  # itself (2), 990101 (3), its village (4), 990102 (5), its village (6)
    assert _stored(AggregateValue)[(elements["cases"].pk, district.pk, january.pk)] == (2 + 3 + 4 + 5 + 6, 5)
    first_combo = population.category_combo.option_combos.order_by("order").first()
    assert _stored(AggregateOptionValue)[(population.pk, first_combo.pk, district.pk, january.pk)] == (10 * (2 + 3 + 4 + 5 + 6), 5)
    assert not AggregateValue.objects.filter(element=elements["note"]).exists()


@postgres_only
def test_set_based_check_finds_and_fixes_differences_in_the_option_table(values_at_every_level, province):
    aggregates_rebuild()
    wrong = AggregateOptionValue.objects.filter(orgunit=province).order_by("pk").first()
    AggregateOptionValue.objects.filter(pk=wrong.pk).update(total=wrong.total + 1)
    report = aggregates_recompute(set_based=True)
    assert report.differences == []
    key = (wrong.element_id, wrong.option_combo_id, wrong.orgunit_id, wrong.period_id)
    assert report.option_differences == [(*key, (wrong.total + 1, wrong.count), (wrong.total, wrong.count))]
    assert report.checked == AggregateValue.objects.count() + AggregateOptionValue.objects.count()
    assert sorted(aggregates_recompute(set_based=False).option_differences) == report.option_differences
    aggregates_recompute(set_based=True, fix=True)
    assert aggregates_recompute(set_based=False).ok


@postgres_only
def test_set_based_check_finds_differences_that_keep_each_group_s_row_count_and_totals(values_at_every_level, elements, province):
    """The check compares a checksum per (element, period) first: swapped totals, a row moved to another unit and
    swapped option rows keep a group's row count and sum, and are still found; last-bit noise is not a difference."""
    population, january = values_at_every_level, Period.objects.for_code("2568-01")
    aggregates_rebuild()
    cases = AggregateValue.objects.filter(element=elements["cases"], period=january)
    first, second = cases.get(orgunit__code="990101"), cases.get(orgunit__code="990102")
    AggregateValue.objects.filter(pk=first.pk).update(total=second.total)
    AggregateValue.objects.filter(pk=second.pk).update(total=first.total)
    village = cases.get(orgunit__code="99010101")
    newcomer = OrgUnit.objects.create(code="99010102", name_th="หมู่บ้านใหม่", level=OrgUnitLevel.VILLAGE, parent=village.orgunit.parent)
    AggregateValue.objects.filter(pk=village.pk).update(orgunit=newcomer)  # moved: one missing row, one extra
    rate = AggregateValue.objects.get(element=elements["rate"], orgunit=province)
    AggregateValue.objects.filter(pk=rate.pk).update(total=rate.total * (1 + 1e-12))  # within the tolerance
    options = list(AggregateOptionValue.objects.filter(element=population, orgunit=province).order_by("option_combo__order")[:2])
    AggregateOptionValue.objects.filter(pk=options[0].pk).update(total=options[1].total)
    AggregateOptionValue.objects.filter(pk=options[1].pk).update(total=options[0].total)

    report = aggregates_recompute(set_based=True)
    assert sorted(report.differences) == sorted(
        [
            (elements["cases"].pk, first.orgunit_id, january.pk, (second.total, 2), (first.total, 2)),  # itself and its village
            (elements["cases"].pk, second.orgunit_id, january.pk, (first.total, 2), (second.total, 2)),
            (elements["cases"].pk, village.orgunit_id, january.pk, (0.0, 0), (village.total, 1)),
            (elements["cases"].pk, newcomer.pk, january.pk, (village.total, 1), (0.0, 0)),
        ]
    )
    assert sorted(report.option_differences) == sorted(
        (population.pk, mine.option_combo_id, province.pk, january.pk, (other.total, mine.count), (mine.total, mine.count))
        for mine, other in (options, options[::-1])
    )
    python = aggregates_recompute(set_based=False)
    assert (sorted(python.differences), sorted(python.option_differences)) == (
        sorted(report.differences),
        sorted(report.option_differences),
    )
    assert report.checked == python.checked == AggregateValue.objects.count() + 1 + AggregateOptionValue.objects.count()
    aggregates_recompute(set_based=True, fix=True)
    assert aggregates_recompute(set_based=False).ok


def _schema(table: str) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid), con.conname, con.contype, pg_get_constraintdef(con.oid) "
            "FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid LEFT JOIN pg_constraint con ON con.conindid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass ORDER BY 1",
            [table],
        )
        indexes = cursor.fetchall()
        cursor.execute("SELECT seqcache FROM pg_sequence WHERE seqrelid = pg_get_serial_sequence(%s, 'id')::regclass", [table])
        return [*indexes, cursor.fetchone()]


@postgres_only
def test_rebuild_builds_every_index_and_constraint_again(values_at_every_level):
    """The rebuild drops both tables' indexes for its bulk insert (and caches ids): the same ones, unique keys
    enforced, are back, and the id sequences' own cache."""
    tables = (AggregateValue._meta.db_table, AggregateOptionValue._meta.db_table)
    before = {table: _schema(table) for table in tables}
    assert [row[2] for row in before[AggregateValue._meta.db_table][:-1]] == [None, "aggregate_unique_key", "datasets_aggregatevalue_pkey"]
    assert before[AggregateValue._meta.db_table][-1] == (1,)
    aggregates_rebuild()
    assert {table: _schema(table) for table in tables} == before
    row = AggregateValue.objects.order_by("pk").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        AggregateValue.objects.create(element_id=row.element_id, orgunit_id=row.orgunit_id, period_id=row.period_id)
