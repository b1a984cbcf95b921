"""Timeliness of forms with a required broken-down element: reported only with every option combination,
when the last missing one was first entered."""

import datetime as dt

import pytest
from django.utils import timezone
from freezegun import freeze_time

from datasets.models import DataElement, ValueType
from datasets.services import CellInput, datavalues_save
from poc.models import Period
from poc.periods import parse_period
from tests.categories import option_cells
from verification.timeliness import first_entries
from verification.tracking import tracking_report

pytestmark = pytest.mark.django_db
TZ = timezone.get_current_timezone()


@pytest.fixture
def pop(dataset, sex_area):
    return DataElement.objects.create(code="POP", dataset=dataset, name_th="ประชากร", value_type=ValueType.INTEGER, category_combo=sex_area)


def enter(user, cells, when):
    with freeze_time(when):
        result = datavalues_save(cells=cells, user=user)
    assert result.ok, result.errors


def test_a_form_is_reported_when_its_last_missing_option_is_first_entered(dataset, pop, subdistricts, entry_a):
    first, second, third = subdistricts[:3]
    enter(entry_a, option_cells(pop, first, "2567-12", {"M_MUN": 1, "M_NONMUN": 2, "F_MUN": 3}), "2025-01-05 03:00")
    enter(entry_a, option_cells(pop, first, "2567-12", {"F_NONMUN": 4}), "2025-01-20 03:00")  # the last option, late
    enter(entry_a, option_cells(pop, first, "2567-12", {"M_MUN": 9}), "2025-01-25 03:00")  # a later correction: not a new entry
    enter(entry_a, option_cells(pop, second, "2567-12", {"M_MUN": 1, "M_NONMUN": 2, "F_MUN": 3}), "2025-01-05 03:00")  # F_NONMUN missing
    combo = pop.category_combo.option_combos.get(code="F_NONMUN")
    period = Period.objects.for_code("2567-12")
    enter(
        entry_a,
        [
            *option_cells(pop, third, "2567-12", {"M_MUN": 1, "M_NONMUN": 2, "F_MUN": 3}),
            CellInput(element=pop, orgunit=third, period=period, option_combo=combo, not_available="not_collected"),
        ],
        "2025-01-10 03:00",
    )
    entries = first_entries(dataset, [parse_period("2567-12")])
    assert entries == {
        ("2567-12", first.pk): dt.datetime(2025, 1, 20, 3, 0, tzinfo=dt.UTC),
        ("2567-12", third.pk): dt.datetime(2025, 1, 10, 3, 0, tzinfo=dt.UTC),
    }


def test_the_tracking_report_counts_a_form_missing_one_option_as_missing(dataset, pop, subdistricts, entry_a):
    for unit in subdistricts[:2]:
        enter(entry_a, option_cells(pop, unit, "2567-12", {"M_MUN": 1, "M_NONMUN": 2, "F_MUN": 3, "F_NONMUN": 4}), "2025-01-10 03:00")
    enter(entry_a, option_cells(pop, subdistricts[2], "2567-12", {"M_MUN": 1, "F_MUN": 3, "F_NONMUN": 4}), "2025-01-10 03:00")
    for unit in subdistricts[:3]:
        enter(entry_a, option_cells(pop, unit, "2568-01", {"M_MUN": 1, "M_NONMUN": 2, "F_MUN": 3, "F_NONMUN": 4}), "2025-02-10 03:00")
    enter(entry_a, option_cells(pop, subdistricts[3], "2568-01", {"M_MUN": 1, "M_NONMUN": 2, "F_MUN": 3}), "2025-02-10 03:00")
    enter(entry_a, option_cells(pop, subdistricts[3], "2568-01", {"F_NONMUN": 4}), "2025-02-20 03:00")  # complete after the due date
    with freeze_time("2025-03-10 03:00"):
        line = tracking_report("2568-B1", user=None).agencies[0].lines[0]
    assert (line.expected, line.on_time, line.late, line.missing) == (8, 5, 1, 2)
    assert [p.code for p in line.overdue_periods] == ["2567-12"]
