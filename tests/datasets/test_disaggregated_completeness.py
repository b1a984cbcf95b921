"""Completeness counts a broken-down element's cells per option combination (on main from the catalogue work): exact figures
on the sex_area fixture, options marked not available, and no query per unit."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets.models import DataElement, Dataset, ValueType
from datasets.selectors import completeness
from datasets.services import CellInput, datavalues_save
from poc.models import Period
from tests.categories import option_cells

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 12, 1)  # every month of FY2568 is past its due date
MONTHS = [f"2567-{m}" for m in (10, 11, 12)] + [f"2568-{m:02d}" for m in range(1, 10)]
ALL = {"M_MUN": 1, "M_NONMUN": 2, "F_MUN": 3, "F_NONMUN": 4}


@pytest.fixture
def pop_beds(dataset, sex_area):
    pop = DataElement.objects.create(
        code="POP", dataset=dataset, name_th="ประชากร", value_type=ValueType.INTEGER, category_combo=sex_area, order=1
    )
    beds = DataElement.objects.create(code="BEDS", dataset=dataset, name_th="เตียง", value_type=ValueType.INTEGER, order=2)
    return pop, beds


def _fill(user, pop, beds, unit, parts, *, with_beds):
    cells = [c for month in MONTHS for c in option_cells(pop, unit, month, parts)]
    if with_beds:
        cells += [CellInput(element=beds, orgunit=unit, period=Period.objects.for_code(month), raw=7) for month in MONTHS]
    result = datavalues_save(cells=cells, user=user)
    assert result.ok, result.errors


def test_expected_cells_count_every_option_combination_and_a_missing_option_is_missing(dataset, pop_beds, subdistricts, entry_a, province):
    pop, beds = pop_beds
    _fill(entry_a, pop, beds, subdistricts[0], ALL, with_beds=True)  # complete: 5 cells a month
    _fill(entry_a, pop, beds, subdistricts[1], {"F_MUN": 3}, with_beds=False)  # one option of four, no beds
    report = completeness(datasets=[dataset], fiscal_years=[2568], within=province, as_of=AS_OF)
    assert report.total.expected == 4 * 12 * (4 + 1)
    assert (report.total.filled, report.total.missing) == (12 * 5 + 12 * 1, 240 - 72)
    assert report.total.rate == pytest.approx(30.0)
    pop_tally, beds_tally = report.by_element[pop.pk], report.by_element[beds.pk]
    assert (pop_tally.expected, pop_tally.filled, pop_tally.missing) == (4 * 12 * 4, 12 * 4 + 12, 192 - 60)
    assert (beds_tally.expected, beds_tally.filled) == (4 * 12, 12)
    district_1 = report.by_orgunit[subdistricts[0].parent_id]
    assert (district_1.expected, district_1.filled) == (2 * 12 * 5, 72)
    assert report.by_dataset[dataset.pk].rate == pytest.approx(30.0)


def test_not_available_options_are_reported_cells(dataset, pop_beds, subdistricts, entry_a, province):
    pop, beds = pop_beds
    _fill(entry_a, pop, beds, subdistricts[0], {"M_MUN": 1, "M_NONMUN": 2, "F_MUN": 3}, with_beds=True)
    combo = pop.category_combo.option_combos.get(code="F_NONMUN")
    cells = [
        CellInput(
            element=pop, orgunit=subdistricts[0], period=Period.objects.for_code(m), option_combo=combo, not_available="not_collected"
        )
        for m in MONTHS
    ]
    assert datavalues_save(cells=cells, user=entry_a).ok
    tally = completeness(datasets=[dataset], fiscal_years=[2568], within=province, as_of=AS_OF).by_element[pop.pk]
    assert (tally.filled, tally.not_available, tally.reported, tally.expected) == (36, 12, 48, 192)


def test_completeness_stays_set_based_whatever_the_number_of_units_and_options(dataset, pop_beds, subdistricts, entry_a, province):
    pop, beds = pop_beds
    _fill(entry_a, pop, beds, subdistricts[0], ALL, with_beds=True)
    with CaptureQueriesContext(connection) as one_unit:
        completeness(
            datasets=Dataset.objects.with_assigned_units().filter(pk=dataset.pk), fiscal_years=[2568], within=province, as_of=AS_OF
        )
    for unit in subdistricts[1:]:
        _fill(entry_a, pop, beds, unit, ALL, with_beds=True)
    with CaptureQueriesContext(connection) as every_unit:
        datasets = Dataset.objects.with_assigned_units().filter(pk=dataset.pk)
        report = completeness(datasets=datasets, fiscal_years=[2568], within=province, as_of=AS_OF)
    assert report.total.rate == pytest.approx(100.0)
    assert len(every_unit) == len(one_unit) <= 9  # datasets, elements and assignments, units, option combinations, periods, values
