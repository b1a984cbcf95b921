"""Weekly and daily values roll up to months, quarters and fiscal years: a week counts whole where its Thursday is."""

import datetime as dt

import pytest
from django.utils import timezone

from datasets.models import Aggregation, DataElement, Dataset, DataValue, ValueType
from datasets.selectors import completeness, due_date, element_value
from poc.periods import parse_period

pytestmark = pytest.mark.django_db


def _dataset(topic, agency, code, period_type):
    dataset = Dataset.objects.create(
        code=code, topic=topic, name_th=code, agency=agency, collection_level=3, period_type=period_type, due_days=2
    )
    total = DataElement.objects.create(code=f"{code}-N", dataset=dataset, name_th="จำนวน", value_type=ValueType.INTEGER, order=1)
    mean = DataElement.objects.create(
        code=f"{code}-AVG", dataset=dataset, name_th="เฉลี่ย", value_type=ValueType.DECIMAL, aggregation=Aggregation.AVERAGE, order=2
    )
    return total, mean


def test_week_spanning_march_and_april_counts_whole_in_april(topic, agency_a, entry_a, save, subdistricts, province):
    cases, mean = _dataset(topic, agency_a, "DS-WEEK", "W")
    unit = subdistricts[0]
    # W13 = 23-29 Mar; W14 = 30 Mar-5 Apr (Thursday 2 Apr); W18 = 27 Apr-3 May (Thursday 30 Apr); W19 = 4-10 May.
    rows = [("2569-W13", 10, 1), ("2569-W14", 20, 3), ("2569-W18", 40, 5), ("2569-W19", 80, 7)]
    result = save(entry_a, [(cases, unit, p, n) for p, n, _m in rows] + [(mean, unit, p, m) for p, _n, m in rows])
    assert result.ok, result.errors
    value = lambda element, code: element_value(element, province, parse_period(code))  # noqa: E731
    assert [value(cases, c) for c in ("2569-03", "2569-04", "2569-05")] == [10, 60, 80]
    assert [value(mean, c) for c in ("2569-03", "2569-04", "2569-05")] == [1, 4, 7]
    assert (value(cases, "2569-Q2"), value(cases, "2569-Q3"), value(cases, "FY2569")) == (10, 140, 150)
    assert value(cases, "2569-W14") == 20
    assert value(cases, "2569-04-02") is None  # a day is finer than the weekly data: no share is invented


def test_days_roll_up_to_their_week_and_month(topic, agency_a, entry_a, save, subdistricts, province):
    rain, _mean = _dataset(topic, agency_a, "DS-DAY", "D")
    unit = subdistricts[0]
    result = save(entry_a, [(rain, unit, "2569-03-29", 12), (rain, unit, "2569-03-30", 5), (rain, unit, "2569-04-01", 7)])
    assert result.ok, result.errors
    assert element_value(rain, province, parse_period("2569-W14")) == 12  # Monday 30 Mar + Wednesday 1 Apr
    assert element_value(rain, province, parse_period("2569-03")) == 17
    assert element_value(rain, province, parse_period("2569-04")) == 7


def test_due_days_count_from_the_last_day_of_the_week(topic, agency_a):
    cases, _mean = _dataset(topic, agency_a, "DS-WEEK", "W")
    assert due_date(cases.dataset, parse_period("2569-W14")).isoformat() == "2026-04-07"  # Sunday 5 Apr + 2 days


def test_weekly_completeness_and_timeliness_count_weeks_whose_due_day_has_passed(topic, agency_a, entry_a, save, subdistricts, province):
    cases, mean = _dataset(topic, agency_a, "DS-WEEK", "W")
    # FY2569 opens with 2568-W40 (29 Sep - 5 Oct 2025, Thursday 2 Oct; due 7 Oct) and W41 (due 14 Oct);
    # on 20 October W42 (due 21 Oct) is not yet expected: 2 weeks x 4 subdistricts x 2 elements = 16 cells.
    rows = [(e, u, "2568-W40", 1) for e in (cases, mean) for u in subdistricts] + [
        (e, subdistricts[0], "2568-W41", 1) for e in (cases, mean)
    ]
    assert save(entry_a, rows).ok
    on_time = timezone.make_aware(dt.datetime(2025, 10, 7, 16, 0))
    DataValue.objects.filter(period__code="2568-W40").update(created_at=on_time)  # W41's were entered today: late
    report = completeness(datasets=[cases.dataset], fiscal_years=[2569], within=province, as_of=dt.date(2025, 10, 20))
    total = report.total
    assert (total.expected, total.filled, total.on_time, total.late, total.missing) == (16, 10, 8, 2, 6)
    assert (total.rate, total.on_time_rate) == (62.5, 50.0)
