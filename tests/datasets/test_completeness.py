import datetime as dt

import pytest
from django.utils import timezone

from datasets.models import DataValue
from datasets.selectors import completeness
from datasets.services import CellInput, datavalues_save
from poc.models import OrgUnit, Period

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2025, 12, 1)  # every month of FY2568 is past its due date (period end + 15 days)


def fill_year(user, elements, units, *, skip=()):
    cells = [
        CellInput(element=elements["cases"], orgunit=unit, period=Period.objects.for_code(f"{year}-{month:02d}"), raw=1)
        for unit in units
        for year, month in [(2567, 10), (2567, 11), (2567, 12)] + [(2568, m) for m in range(1, 10)]
        if (unit.code, month) not in skip
    ]
    result = datavalues_save(cells=cells, user=user)
    assert result.ok, result.errors
    return result


def test_expected_cells_are_elements_times_open_units_times_due_periods(dataset, elements, subdistricts, entry_a, province):
    fill_year(entry_a, elements, subdistricts, skip={("990101", 1)})
    report = completeness(datasets=[dataset], fiscal_years=[2568], within=province, as_of=AS_OF)
    assert report.total.expected == 4 * 4 * 12
    assert report.total.filled == 4 * 12 - 1
    assert report.total.missing == 4 * 4 * 12 - (4 * 12 - 1)


def test_periods_not_yet_due_are_not_expected(dataset, elements, subdistricts, province):
    report = completeness(datasets=[dataset], fiscal_years=[2568], within=province, as_of=dt.date(2025, 3, 10))
    # October-January are due (Jan 31 + 15 days); February is due on 15 March.
    assert report.total.expected == 4 * 4 * 4


def test_unit_closed_in_a_period_is_not_expected_and_its_old_values_do_not_push_rates_over_100(
    dataset, elements, subdistricts, entry_a, province
):
    for element in elements.values():
        if element.code != "NOTE":
            fill_year(entry_a, {"cases": element}, subdistricts)
    merged = subdistricts[3]
    OrgUnit.objects.filter(pk=merged.pk).update(valid_to=dt.date(2025, 3, 31))  # merged into a neighbour after March
    report = completeness(datasets=[dataset], fiscal_years=[2568], within=province, as_of=AS_OF)
    assert report.total.expected == 4 * (3 * 12 + 6)
    assert report.total.filled == 3 * (3 * 12 + 6)  # its April-September values do not count
    assert report.total.rate == pytest.approx(75.0)
    assert all(t.rate <= 100 for t in [*report.by_element.values(), *report.by_orgunit.values(), report.total])


def test_assigned_org_units_limit_what_is_expected(dataset, elements, subdistricts, entry_a, province):
    dataset.orgunits.set(subdistricts[:2])
    fill_year(entry_a, elements, subdistricts[:2])
    report = completeness(datasets=[dataset], fiscal_years=[2568], within=province, as_of=AS_OF)
    assert report.total.expected == 4 * 2 * 12
    assert report.by_element[elements["cases"].pk].rate == 100.0


def test_not_available_cells_are_counted_apart_from_missing_ones(dataset, elements, subdistricts, entry_a, province):
    period = Period.objects.for_code("2568-01")
    cells = [
        CellInput(element=elements["cases"], orgunit=subdistricts[0], period=period, not_available="confidential"),
        CellInput(element=elements["beds"], orgunit=subdistricts[0], period=period, raw=3),
    ]
    assert datavalues_save(cells=cells, user=entry_a).ok
    report = completeness(datasets=[dataset], fiscal_years=[2568], within=province, as_of=AS_OF)
    assert (report.total.filled, report.total.not_available, report.total.missing) == (1, 1, 192 - 2)


def test_timeliness_comes_from_when_each_value_was_first_entered(dataset, elements, subdistricts, entry_a, province):
    fill_year(entry_a, elements, subdistricts[:1])
    values = DataValue.objects.filter(element=elements["cases"])
    # January is due on 15 February (on time late that evening), February on 15 March (late half an hour after).
    values.filter(period__code="2568-01").update(created_at=timezone.make_aware(dt.datetime(2025, 2, 15, 23, 0)))
    values.filter(period__code="2568-02").update(created_at=timezone.make_aware(dt.datetime(2025, 3, 16, 0, 30)))
    values.filter(period__code="2568-03").update(created_at=timezone.make_aware(dt.datetime(2025, 4, 1, 9, 0)))
    values.exclude(period__code__in=["2568-01", "2568-02", "2568-03"]).update(created_at=timezone.make_aware(dt.datetime(2025, 11, 1)))
    report = completeness(datasets=[dataset], fiscal_years=[2568], within=province, as_of=AS_OF)
    tally = report.by_element[elements["cases"].pk]
    assert (tally.filled, tally.on_time, tally.late) == (12, 2, 10)
    assert report.by_element[elements["beds"].pk].on_time == 0


def test_a_closed_unit_cannot_receive_values(dataset, elements, subdistricts, entry_a, en):
    OrgUnit.objects.filter(pk=subdistricts[0].pk).update(valid_to=dt.date(2024, 12, 31))
    unit = OrgUnit.objects.get(pk=subdistricts[0].pk)
    result = datavalues_save(
        cells=[CellInput(element=elements["cases"], orgunit=unit, period=Period.objects.for_code("2568-01"), raw=1)], user=entry_a
    )
    assert result.errors[0].message == "org unit 990101 was not open at the end of period 2568-01"


def test_large_writes_take_the_fast_insert_path_with_audit_and_exact_aggregates(dataset, elements, subdistricts, entry_a):
    from datasets.aggregates import aggregates_recompute
    from datasets.models import DataValueAudit

    periods = [Period.objects.for_code(f"{year}-{month:02d}") for year in (2565, 2566, 2567, 2568) for month in range(1, 13)]
    keys = [(k, u, p) for k in ("cases", "rate", "beds") for u in subdistricts for p in periods]
    cells = [CellInput(element=elements[k], orgunit=u, period=p, raw=n % 50, comment="tab\there") for n, (k, u, p) in enumerate(keys)]
    result = datavalues_save(cells=cells, user=entry_a)
    assert result.ok and result.created == 3 * 4 * 48 >= 500
    assert DataValue.objects.filter(created_by=entry_a, comment="tab\there").count() == 576
    assert DataValueAudit.objects.filter(user=entry_a, action="create").count() == 576
    assert not aggregates_recompute().differences
