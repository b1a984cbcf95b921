import pytest
from django.core.management import CommandError, call_command

from datasets.aggregates import aggregates_recompute
from datasets.models import AggregateValue, DataValue, DataValueAudit
from datasets.selectors import element_value, element_values
from datasets.services import CellInput, datavalues_save
from poc.models import OrgUnit, Period
from poc.periods import parse_period

pytestmark = pytest.mark.django_db


def test_saved_values_roll_up_the_hierarchy_and_are_audited(save, entry_a, elements, subdistricts, province):
    cases = elements["cases"]
    result = save(entry_a, [(cases, s, "2568-01", n) for s, n in zip(subdistricts, [10, 20, 30, 40], strict=True)])
    assert result.ok and result.created == 4
    district_1 = OrgUnit.objects.get(code="9901")
    assert element_value(cases, province, parse_period("2568-01")) == 100
    assert element_value(cases, district_1, parse_period("2568-01")) == 30
    audit = DataValueAudit.objects.get(orgunit=subdistricts[0])
    assert (audit.old_value, audit.new_value, audit.user, audit.action) == ("", "10", entry_a, "create")


def test_update_and_clear_keep_aggregates_exact(save, entry_a, elements, subdistricts, province):
    cases = elements["cases"]
    save(entry_a, [(cases, s, "2568-01", 10) for s in subdistricts])
    save(entry_a, [(cases, subdistricts[0], "2568-01", "15"), (cases, subdistricts[1], "2568-01", "")])
    assert element_value(cases, province, parse_period("2568-01")) == 15 + 10 + 10
    assert DataValue.objects.filter(element=cases).count() == 3
    assert list(DataValueAudit.objects.filter(orgunit=subdistricts[0]).values_list("old_value", "new_value")) == [("10", "15"), ("", "10")]
    assert not aggregates_recompute().differences


def test_deleting_an_element_drops_its_values_and_aggregates_but_keeps_its_audit_trail(save, entry_a, elements, subdistricts):
    cases = elements["cases"]
    save(entry_a, [(cases, s, "2568-01", 10) for s in subdistricts])
    element_id = cases.pk
    assert AggregateValue.objects.filter(element_id=element_id).exists()
    cases.delete()  # aggregates have no database foreign key: the ORM still cascades to them
    assert not DataValue.objects.filter(element_id=element_id).exists()
    assert not AggregateValue.objects.filter(element_id=element_id).exists()
    assert DataValueAudit.objects.filter(element_id=element_id).count() == len(subdistricts)  # the history is a log


def test_deleting_a_user_keeps_the_values_they_entered_without_the_stamp(save, entry_a, elements, subdistricts):
    save(entry_a, [(elements["cases"], subdistricts[0], "2568-01", 10)])
    entry_a.delete()  # the stamps carry no database constraint: the ORM nulls them
    value = DataValue.objects.get(orgunit=subdistricts[0])
    assert (value.value_num, value.created_by_id, value.updated_by_id) == (10, None, None)
    assert DataValueAudit.objects.get(orgunit=subdistricts[0]).user_id is None


def test_other_agency_cannot_write_and_nothing_is_saved(save, entry_b, elements, subdistricts):
    result = save(entry_b, [(elements["cases"], subdistricts[0], "2568-01", 5)])
    assert not result.ok and "DS-HEALTH" in result.errors[0].message
    assert not DataValue.objects.exists()


def test_one_bad_cell_saves_nothing(save, entry_a, elements, subdistricts, en):
    result = save(
        entry_a,
        [
            (elements["cases"], subdistricts[0], "2568-01", 5),
            (elements["cases"], subdistricts[1], "2568-01", "-3"),
            (elements["rate"], subdistricts[2], "2568-01", "abc"),
            (elements["cases"], subdistricts[3], "2568-01", "2.5"),
        ],
    )
    assert [e.message for e in result.errors] == ["-3 is below the minimum 0", "“abc” is not a number", "“2.5” must be a whole number"]
    assert not DataValue.objects.exists() and not AggregateValue.objects.exists() and not DataValueAudit.objects.exists()


def test_wrong_level_or_period_type_is_refused(save, entry_a, elements, province, subdistricts, en):
    result = save(entry_a, [(elements["cases"], province, "2568-01", 1), (elements["cases"], subdistricts[0], "FY2568", 1)])
    assert [e.message for e in result.errors] == [
        "dataset DS-HEALTH is collected at another org-unit level",
        "period FY2568 does not fit dataset DS-HEALTH",
    ]


def test_not_available_is_stored_apart_from_numbers(entry_a, elements, subdistricts, province):
    cell = CellInput(
        element=elements["cases"], orgunit=subdistricts[0], period=Period.objects.for_code("2568-01"), not_available="confidential"
    )
    assert datavalues_save(cells=[cell], user=entry_a).ok
    value = DataValue.objects.get()
    assert value.not_available == "confidential" and value.value_num is None
    assert element_value(elements["cases"], province, parse_period("2568-01")) is None


def test_fiscal_year_rollup_by_aggregation(save, entry_a, elements, subdistricts, province):
    sub = subdistricts[0]
    rows = []
    for month, (cases, rate, beds) in {"2567-10": (1, 50, 10), "2568-01": (2, 70, 12), "2568-09": (3, 90, 11)}.items():
        rows += [(elements["cases"], sub, month, cases), (elements["rate"], sub, month, rate), (elements["beds"], sub, month, beds)]
    rows.append((elements["cases"], sub, "2568-10", 100))  # FY2569: must not count
    save(entry_a, rows)
    fy = parse_period("FY2568")
    assert element_value(elements["cases"], province, fy) == 6
    assert element_value(elements["rate"], province, fy) == pytest.approx(70)
    assert element_value(elements["beds"], province, fy) == 11  # last value: September
    assert element_value(elements["cases"], province, parse_period("2568-Q1")) == 1


def test_last_value_above_the_collection_level_ignores_a_period_only_some_units_reported(save, entry_a, elements, subdistricts, province):
    beds = elements["beds"]
    rows = [(beds, sub, month, 10) for sub in subdistricts for month in ("2567-10", "2568-08")]
    rows.append((beds, subdistricts[0], "2568-09", 12))  # September: one unit of four so far
    save(entry_a, rows)
    fy = parse_period("FY2568")
    assert element_value(beds, subdistricts[0], fy) == 12  # the unit's own latest value
    assert element_value(beds, province, fy) == 40  # August, the latest period every unit reported — not 12
    save(entry_a, [(beds, sub, "2568-09", 11) for sub in subdistricts[1:]])
    assert element_value(beds, province, fy) == 12 + 3 * 11  # September complete: now it counts


def test_check_aggregates_catches_a_corrupted_aggregate(save, entry_a, elements, subdistricts, province):
    save(entry_a, [(elements["cases"], s, "2568-01", 10) for s in subdistricts])
    call_command("check_aggregates")
    AggregateValue.objects.filter(orgunit=province).update(total=999)
    with pytest.raises(CommandError):
        call_command("check_aggregates")
    call_command("check_aggregates", "--fix")
    assert element_value(elements["cases"], province, parse_period("2568-01")) == 40
    call_command("check_aggregates")


def test_element_values_for_a_queryset_of_units_match_a_list_of_them(save, entry_a, elements, subdistricts, province):
    sub = subdistricts[0]
    rows = []
    for month, (cases, rate, beds) in {"2567-10": (1, 50, 10), "2568-01": (2, 70, 12), "2568-09": (3, 90, 11)}.items():
        rows += [(elements["cases"], sub, month, cases), (elements["rate"], sub, month, rate), (elements["beds"], sub, month, beds)]
    save(entry_a, rows)
    chosen = [elements["cases"], elements["rate"], elements["beds"]]
    fy = parse_period("FY2568")
    units = OrgUnit.objects.filter(level=sub.level)
    from_queryset = element_values(chosen, units, fy)
    assert from_queryset == element_values(chosen, list(units), fy)
    assert len(from_queryset) == 3 * units.count()
    assert from_queryset[(elements["cases"].pk, sub.pk)] == 6
    assert from_queryset[(elements["beds"].pk, sub.pk)] == 11
    assert from_queryset[(elements["cases"].pk, subdistricts[1].pk)] is None
