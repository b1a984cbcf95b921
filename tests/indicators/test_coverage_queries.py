"""The cockpit's coverage read costs the same number of queries whatever the number of input datasets and due periods."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from datasets.models import DataElement, Dataset, ValueType
from indicators.models import Indicator
from indicators.selectors import input_coverage
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
