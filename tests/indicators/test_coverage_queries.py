"""The cockpit's coverage read costs the same number of queries whatever the number of input datasets and due periods,
and one read of an element's inputs serves every day it is counted on."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets.models import DataElement, Dataset, ValueType
from indicators.models import Indicator
from indicators.selectors import coverage_stamps, element_coverage, input_coverage
from indicators.services import indicator_save


def _indicator(code: str, topic, agency, count: int, subdistricts) -> Indicator:
    elements = []
    for n in range(count):
        dataset = Dataset.objects.create(
            code=f"{code}-DS{n}", topic=topic, name_th=f"ชุด {n}", agency=agency, collection_level=3, period_type="M", due_days=10
        )
        dataset.orgunits.set(subdistricts[: 1 + n % 4])  # assigned to some units: read per dataset, not per period
        elements.append(DataElement.objects.create(code=f"{code}E{n}", dataset=dataset, name_th=f"ค่า {n}", value_type=ValueType.INTEGER))
    numerator = " + ".join(e.code for e in elements)
    return indicator_save(indicator=Indicator(code=code, name_th=code, numerator=numerator, perspective_th="ทดสอบ", agency=agency))


def _queries(indicator: Indicator, province) -> tuple[int, dict]:
    indicator = Indicator.objects.prefetch_related("inputs__dataset").get(pk=indicator.pk)
    with CaptureQueriesContext(connection) as ctx:
        coverage = input_coverage([indicator], province, [2566, 2567], today=dt.date(2024, 12, 1))
    return len(ctx.captured_queries), coverage


def test_input_coverage_queries_do_not_grow_with_datasets_or_periods(topic, agency_a, province, subdistricts):
    one = _indicator("ONE", topic, agency_a, 1, subdistricts)
    six = _indicator("SIX", topic, agency_a, 6, subdistricts)
    few, coverage_one = _queries(one, province)
    many, coverage_six = _queries(six, province)
    assert few == many <= 4
    # Nothing reported: each fiscal year's 12 due months are expected and none received.
    assert coverage_one == {(one.pk, 2566): 0.0, (one.pk, 2567): 0.0}
    assert coverage_six == {(six.pk, 2566): 0.0, (six.pk, 2567): 0.0}


def test_one_read_of_an_elements_inputs_counts_the_whole_year_and_what_is_due_by_any_day(
    topic, agency_a, province, subdistricts, entry_a, write
):
    indicator = _indicator("ONE", topic, agency_a, 1, subdistricts)  # monthly, due 10 days after, one subdistrict
    element = indicator.inputs.get()
    write(entry_a, [(element, subdistricts[0], "2566-11", 5), (element, subdistricts[0], "2567-06", 7)])  # Nov 2023, Jun 2024
    stamps = coverage_stamps(Indicator.objects.prefetch_related("inputs__dataset").filter(pk=indicator.pk))
    element = DataElement.objects.select_related("dataset").get(pk=element.pk)
    with CaptureQueriesContext(connection) as first:
        whole = element_coverage([element], province, [2567], today=dt.date.max, stamps=stamps)
    with CaptureQueriesContext(connection) as again:
        early = element_coverage([element], province, [2567], today=dt.date(2024, 3, 1), stamps=stamps)
        both = element_coverage([element], province, [2566, 2567], today=dt.date(2024, 3, 1), stamps=stamps)
    assert whole == {(element.pk, 2567): (2, 12)}  # the whole year: both reports of the 12 months
    assert early == {(element.pk, 2567): (1, 4)}  # due by 1 March 2024: October to January, one report
    assert both == {(element.pk, 2566): (0, 12), **early}
    assert first.captured_queries and len(again.captured_queries) == 2  # the cached year: none; FY2566: reports, units
    assert element_coverage([element], province, [2567], today=dt.date(2024, 3, 1)) == early  # uncached: the same
