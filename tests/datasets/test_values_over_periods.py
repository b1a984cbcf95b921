"""element_values over several stored periods (a fiscal year of months): summed per element and unit, exactly, with and
without option combinations; and the rebuilt roll-ups stored in key order (a unit's periods side by side)."""

import pytest
from django.conf import settings
from django.db import connection

from datasets.aggregates import aggregates_rebuild, aggregates_recompute
from datasets.models import AggregateOptionValue, AggregateValue, DataElement, DataValue, ValueType
from datasets.selectors import element_values
from poc.models import OrgUnit, OrgUnitLevel, Period
from poc.periods import parse_period

MONTHS = ("2568-01", "2568-02", "2568-03")  # January-March 2025, all in FY 2568


@pytest.fixture
def monthly_values(elements, sex_area, dataset, province):
    """Each village has cases and a rate in three months and population by SEX × AREA in January; subdistrict 990202's
    village has nothing (its subdistrict reads no value)."""
    population = DataElement.objects.create(
        code="POP", dataset=dataset, name_th="ประชากร", value_type=ValueType.INTEGER, category_combo=sex_area, order=5
    )
    combos = list(sex_area.option_combos.order_by("order"))
    rows = []
    for number, village in enumerate(OrgUnit.objects.filter(level=OrgUnitLevel.VILLAGE).order_by("code"), start=1):
        if village.code.startswith("990202"):
            continue
        for month, code in enumerate(MONTHS, start=1):
            period = Period.objects.for_code(code)
            rows.append(DataValue(element=elements["cases"], orgunit=village, period=period, value_num=number * 100 + month))
            rows.append(DataValue(element=elements["rate"], orgunit=village, period=period, value_num=number + month * 0.5))
        for position, combo in enumerate(combos):
            rows.append(
                DataValue(
                    element=population,
                    option_combo=combo,
                    orgunit=village,
                    period=Period.objects.for_code(MONTHS[0]),
                    value_num=number * 10 + position,
                )
            )
    DataValue.objects.bulk_create(rows)
    if settings.IS_POSTGIS:
        aggregates_rebuild()
    else:
        aggregates_recompute(set_based=False, fix=True)
    return population, combos


def test_fiscal_year_values_are_summed_per_unit_exactly(monthly_values, elements):
    population, combos = monthly_values
    subdistricts = list(OrgUnit.objects.filter(level=OrgUnitLevel.SUBDISTRICT).order_by("code"))
    ids = [unit.pk for unit in subdistricts]
    year = parse_period("FY2568")
    values = element_values([elements["cases"], elements["rate"]], ids, year)
    # Villages numbered 1-3 in code order under 990101, 990102, 990201; months add 1, 2, 3.
    cases = {unit.code: values[(elements["cases"].pk, unit.pk)] for unit in subdistricts}
    assert cases == {"990101": 306.0, "990102": 606.0, "990201": 906.0, "990202": None}
    rates = {unit.code: values[(elements["rate"].pk, unit.pk)] for unit in subdistricts}
    assert rates == {"990101": 2.0, "990102": 3.0, "990201": 4.0, "990202": None}  # the mean of n + 0.5, n + 1, n + 1.5
    first_two = element_values([population], ids, year, option_combo_ids=[combos[0].pk, combos[1].pk])
    assert {unit.code: first_two[(population.pk, unit.pk)] for unit in subdistricts} == {
        "990101": 21.0,
        "990102": 41.0,
        "990201": 61.0,
        "990202": None,
    }
    province = OrgUnit.objects.get(code="99")
    assert element_values([elements["cases"]], [province.pk], year) == {(elements["cases"].pk, province.pk): 306.0 + 606.0 + 906.0}
    assert element_values([elements["cases"]], [], year) == {}


@pytest.mark.skipif(not settings.IS_POSTGIS, reason="heap order: PostgreSQL only")
def test_rebuilt_roll_ups_are_stored_in_key_order(monthly_values):
    """Rows of units with units below them follow their key in the heap: a unit's months share a page."""
    with_children = list(OrgUnit.objects.filter(children__isnull=False).distinct().values_list("pk", flat=True))
    for model, keys in (
        (AggregateValue, "element_id, orgunit_id, period_id"),
        (AggregateOptionValue, "element_id, option_combo_id, orgunit_id, period_id"),
    ):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {keys} FROM {model._meta.db_table} WHERE orgunit_id = ANY(%s) ORDER BY ctid", [with_children])
            stored = cursor.fetchall()
        assert len(stored) > 10
        assert stored == sorted(stored)


def test_a_period_made_between_a_year_s_months_is_not_read_with_them(elements, province):
    """A year's months read as the range of their ids, checked one by one when another period's id lies between them
    (periods are made when first written: January 2026 may be made between January and February 2025)."""
    village = OrgUnit.objects.filter(level=OrgUnitLevel.VILLAGE).order_by("code").first()
    months = [Period.objects.for_code(code) for code in ("2568-01", "2569-01", "2568-02")]  # made in this order
    assert months[0].pk < months[1].pk < months[2].pk
    for period, value in zip(months, (1, 1000, 2), strict=True):
        DataValue.objects.create(element=elements["cases"], orgunit=village, period=period, value_num=value)
    if settings.IS_POSTGIS:
        aggregates_rebuild()
    else:
        aggregates_recompute(set_based=False, fix=True)
    subdistrict = village.parent
    assert element_values([elements["cases"]], [subdistrict.pk], parse_period("FY2568")) == {(elements["cases"].pk, subdistrict.pk): 3.0}
    assert element_values([elements["cases"]], [subdistrict.pk], parse_period("FY2569")) == {(elements["cases"].pk, subdistrict.pk): 1000.0}
