"""Broken-down elements: cells per option combination, totals derived, aggregates per combination kept exact."""

import pytest
from django.core.exceptions import ValidationError

from datasets.aggregates import aggregates_recompute
from datasets.categories import categorycombo_sync, option_filter
from datasets.models import (
    AggregateOptionValue,
    AggregateValue,
    CategoryOption,
    DataElement,
    DataValue,
    DataValueAudit,
    ValueType,
)
from datasets.selectors import element_value
from datasets.services import CellInput, datavalues_save
from poc.models import OrgUnit, Period
from poc.periods import parse_period
from tests.categories import option_cells

pytestmark = pytest.mark.django_db


@pytest.fixture
def population(dataset, sex_area):
    return DataElement.objects.create(code="POP", dataset=dataset, name_th="ประชากร", value_type=ValueType.INTEGER, category_combo=sex_area)


def test_option_combinations_are_generated_in_category_order_with_joined_names(sex_area):
    rows = list(sex_area.option_combos.order_by("order").values_list("code", "name_th", "name_en"))
    assert rows == [
        ("M_MUN", "ชาย, ในเขตเทศบาล", "Male, Municipal"),
        ("M_NONMUN", "ชาย, นอกเขตเทศบาล", "Male, Non-municipal"),
        ("F_MUN", "หญิง, ในเขตเทศบาล", "Female, Municipal"),
        ("F_NONMUN", "หญิง, นอกเขตเทศบาล", "Female, Non-municipal"),
    ]
    assert [o.code for o in sex_area.option_combos.get(code="F_MUN").options.order_by("category__order")] == ["F", "MUN"]


def test_parts_are_stored_and_the_total_is_summed_up_the_hierarchy(population, entry_a, subdistricts, province):
    first, second = subdistricts[0], subdistricts[1]
    result = datavalues_save(
        cells=option_cells(population, first, "2568-01", {"M_MUN": 10, "M_NONMUN": 20, "F_MUN": 30, "F_NONMUN": 40})
        + option_cells(population, second, "2568-01", {"M_MUN": 1, "F_NONMUN": 2}),
        user=entry_a,
    )
    assert result.ok and result.created == 6
    period = parse_period("2568-01")
    assert element_value(population, first, period) == 100
    assert element_value(population, province, period) == 103
    assert element_value(population, province, period, option_combo_ids=option_filter(population, "F")) == 72
    assert element_value(population, province, period, option_combo_ids=option_filter(population, "MUN")) == 41
    assert element_value(population, first, period, option_combo_ids=option_filter(population, "M_NONMUN")) == 20
    stored = AggregateOptionValue.objects.get(element=population, option_combo__code="F_NONMUN", orgunit=province)
    assert (stored.total, stored.count) == (42, 2)
    assert AggregateValue.objects.get(element=population, orgunit=province).count == 6
    assert aggregates_recompute().ok
    assert aggregates_recompute(set_based=False).ok


def test_changing_and_clearing_a_part_keeps_totals_and_parts_exact(population, entry_a, subdistricts, province):
    unit = subdistricts[0]
    datavalues_save(cells=option_cells(population, unit, "2568-01", {"M_MUN": 10, "F_MUN": 30}), user=entry_a)
    result = datavalues_save(cells=option_cells(population, unit, "2568-01", {"M_MUN": 15, "F_MUN": ""}), user=entry_a)
    assert (result.updated, result.deleted) == (1, 1)
    period = parse_period("2568-01")
    assert element_value(population, province, period) == 15
    assert element_value(population, province, period, option_combo_ids=option_filter(population, "F")) is None
    audit = DataValueAudit.objects.filter(element=population, option_combo__code="F_MUN").order_by("at", "pk")
    assert list(audit.values_list("old_value", "new_value", "action")) == [("", "30", "create"), ("30", "", "delete")]
    check = aggregates_recompute()
    assert check.ok and check.checked > 0


def test_a_total_or_a_foreign_combination_is_refused_and_nothing_is_written(population, elements, entry_a, subdistricts, sex_area):
    unit, period = subdistricts[0], Period.objects.for_code("2568-01")
    whole = CellInput(element=population, orgunit=unit, period=period, raw=100)
    result = datavalues_save(cells=[*option_cells(population, unit, "2568-01", {"M_MUN": 1}), whole], user=entry_a)
    assert not result.ok and "กรอกแต่ละส่วน ระบบรวมยอดให้เอง" in result.errors[0].message
    combo = sex_area.option_combos.get(code="M_MUN")
    plain = CellInput(element=elements["cases"], orgunit=unit, period=period, option_combo=combo, raw=5)
    result = datavalues_save(cells=[plain], user=entry_a)
    assert not result.ok and "ไม่ได้เป็นของ CASES" in result.errors[0].message
    twice = option_cells(population, unit, "2568-01", {"F_MUN": 1}) * 2
    assert not datavalues_save(cells=twice, user=entry_a).ok
    assert not DataValue.objects.exists() and not AggregateOptionValue.objects.exists()


def test_the_same_unit_and_period_holds_one_cell_per_combination(population, entry_a, subdistricts):
    unit = subdistricts[0]
    datavalues_save(cells=option_cells(population, unit, "2568-01", {"M_MUN": 1, "F_MUN": 2}), user=entry_a)
    assert sorted(DataValue.objects.filter(orgunit=unit).values_list("option_combo__code", "value_num")) == [("F_MUN", 2.0), ("M_MUN", 1.0)]


def test_an_unknown_option_is_a_thai_value_error(population, elements):
    with pytest.raises(ValueError):
        option_filter(population, "X")
    with pytest.raises(ValueError):
        option_filter(elements["cases"], "F")


def test_sync_refuses_to_drop_a_combination_that_holds_values(population, entry_a, subdistricts, sex_area):
    datavalues_save(cells=option_cells(population, subdistricts[0], "2568-01", {"F_MUN": 2}), user=entry_a)
    CategoryOption.objects.filter(code="MUN").delete()
    with pytest.raises(ValidationError) as raised:
        categorycombo_sync(combo=sex_area)
    assert "F_MUN" in str(raised.value) and "M_MUN" not in str(raised.value)
    assert sex_area.option_combos.count() == 4


def test_sync_drops_unused_combinations_when_an_option_goes(sex_area):
    CategoryOption.objects.filter(code="MUN").delete()
    categorycombo_sync(combo=sex_area)
    assert list(sex_area.option_combos.order_by("order").values_list("code", flat=True)) == ["M_NONMUN", "F_NONMUN"]


def test_large_saves_take_the_copy_path_and_keep_parts_exact(population, entry_a, province):
    units = list(OrgUnit.objects.filter(level=3))
    months = [f"{year}-{m:02d}" for year in (2566, 2567, 2568) for m in range(1, 13)]
    batch = []
    for month in months:
        for unit in units:
            batch += option_cells(population, unit, month, {"M_MUN": 1, "M_NONMUN": 2, "F_MUN": 3, "F_NONMUN": 4})
    result = datavalues_save(cells=batch, user=entry_a)
    assert result.ok and result.created == len(batch) >= 500
    assert element_value(population, province, parse_period("2568-01")) == 10 * len(units)
    assert aggregates_recompute().ok


def test_per_combination_aggregates_are_read_through_their_element(population, entry_a, entry_b, subdistricts):
    from datasets.models import Sensitivity
    from poc.permissions import restrict

    datavalues_save(cells=option_cells(population, subdistricts[0], "2568-01", {"F_MUN": 2}), user=entry_a)
    population.dataset.sensitivity = Sensitivity.RESTRICTED
    population.dataset.save()
    assert restrict(AggregateOptionValue.objects.all(), entry_a, "view").exists()
    assert not restrict(AggregateOptionValue.objects.all(), entry_b, "view").exists()


def test_completeness_expects_every_option_cell_and_a_missing_part_is_a_missing_cell(dataset, population, entry_a, subdistricts, province):
    import datetime as dt

    from datasets.selectors import completeness

    dataset.elements.exclude(pk=population.pk).delete()
    months = [(2567, 10), (2567, 11), (2567, 12)] + [(2568, m) for m in range(1, 10)]
    batch = []
    for unit in subdistricts:
        for year, month in months:
            parts = {"M_MUN": 1, "M_NONMUN": 1, "F_MUN": 1, "F_NONMUN": 1}
            if unit == subdistricts[0] and month == 1:
                del parts["F_NONMUN"]  # one part missing in one form
            batch += option_cells(population, unit, f"{year}-{month:02d}", parts)
    assert datavalues_save(cells=batch, user=entry_a).ok
    report = completeness(datasets=[dataset], fiscal_years=[2568], within=province, as_of=dt.date(2025, 12, 1))
    assert report.total.expected == len(subdistricts) * 12 * 4
    assert report.total.filled == len(subdistricts) * 12 * 4 - 1
    assert report.by_element[population.pk].expected == len(subdistricts) * 12 * 4
    assert report.total.rate < 100
