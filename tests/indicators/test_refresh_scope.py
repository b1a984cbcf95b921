"""A write refreshes only the indicator periods that read what it changed, and leaves every value as a full refresh would."""

import pytest

from datasets.models import Aggregation, DataElement, Dataset, ValueType
from indicators.models import Indicator, IndicatorValue
from indicators.services import indicator_save, indicator_values_refresh, refresh_for_change
from poc.models import OrgUnit, Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def yearly_dataset(topic, agency_a):
    return Dataset.objects.create(code="DS-POPY", topic=topic, name_th="ประชากร", agency=agency_a, collection_level=2, period_type="Y")


@pytest.fixture
def pop_year(yearly_dataset):
    return DataElement.objects.create(code="POPY", dataset=yearly_dataset, name_th="ประชากร", value_type=ValueType.INTEGER, min_value=0)


@pytest.fixture
def water(monthly_dataset):
    return DataElement.objects.create(
        code="WATER", dataset=monthly_dataset, name_th="น้ำ", value_type=ValueType.INTEGER, min_value=0, aggregation=Aggregation.SUM
    )


@pytest.fixture
def per_person(water, pop_year, agency_a):
    """A monthly indicator: water per 1,000 people, the population read from the calendar year holding the month's end."""
    return indicator_save(
        indicator=Indicator(
            code="WATER_PP",
            name_th="น้ำต่อประชากร",
            numerator="WATER",
            denominator="POPY",
            factor=1000,
            period_type="M",
            perspective_th="น้ำ",
            agency=agency_a,
        )
    )


def _stored() -> dict[tuple[int, int, str], float]:
    rows = IndicatorValue.objects.filter(value__isnull=False).values_list("indicator_id", "orgunit_id", "period__code", "value")
    return {(i, o, p): v for i, o, p, v in rows}


def test_values_after_writes_are_those_of_a_full_refresh(per_person, water, pop_year, entry_a, write):
    district = OrgUnit.objects.get(code="9901")
    write(entry_a, [(pop_year, district, "2567", 2000), (pop_year, district, "2568", 4000)])
    # October–December 2567 lie in fiscal year 2568 but read calendar year 2567's population.
    write(entry_a, [(water, district, code, 10) for code in ("2567-03", "2567-10", "2567-12", "2568-01", "2568-03")])
    write(entry_a, [(water, district, "2567-10", 30)])  # one cell changed
    write(entry_a, [(pop_year, district, "2567", 3000)])  # the population of a calendar year changed
    after_writes = _stored()
    assert after_writes[(per_person.pk, district.pk, "2567-10")] == pytest.approx(30 / 3000 * 1000)
    assert after_writes[(per_person.pk, district.pk, "2567-03")] == pytest.approx(10 / 3000 * 1000)
    assert after_writes[(per_person.pk, district.pk, "2568-01")] == pytest.approx(10 / 4000 * 1000)
    IndicatorValue.objects.all().delete()
    indicator_values_refresh()
    assert _stored() == pytest.approx(after_writes)


def test_one_monthly_cell_refreshes_its_month_and_fiscal_year_only(per_person, water, pop_year, entry_a, write):
    district = OrgUnit.objects.get(code="9901")
    write(entry_a, [(pop_year, district, "2568", 4000), (water, district, "2568-03", 10)])
    IndicatorValue.objects.all().delete()
    march = Period.objects.get(code="2568-03")
    chain = [OrgUnit.objects.get(code="99").pk, district.pk]
    written = refresh_for_change(element_ids=[water.pk], orgunit_ids=[district.pk], period_ids=[march.pk])
    assert written == 2 * len(chain)  # March and FY2568 for the district and the province, not the other eleven months
    assert set(IndicatorValue.objects.values_list("period__code", flat=True)) == {"2568-03", "FY2568"}


def test_a_calendar_year_refreshes_the_months_ending_in_it_across_two_fiscal_years(per_person, water, pop_year, entry_a, write):
    district = OrgUnit.objects.get(code="9901")
    write(entry_a, [(pop_year, district, "2567", 4000)])
    IndicatorValue.objects.all().delete()
    year = Period.objects.get(code="2567")
    refresh_for_change(element_ids=[pop_year.pk], orgunit_ids=[district.pk], period_ids=[year.pk])
    months = set(IndicatorValue.objects.filter(orgunit=district).exclude(period__period_type="FY").values_list("period__code", flat=True))
    assert months == {f"2567-{m:02d}" for m in range(1, 13)}
    # FY2567 ends in September 2567 (calendar year 2567); FY2568 ends in 2568 and reads that year's population.
    assert set(IndicatorValue.objects.filter(orgunit=district, period__period_type="FY").values_list("period__code", flat=True)) == {
        "FY2567"
    }


def test_refresh_queries_do_not_grow_with_indicators_or_months(per_person, water, pop_year, entry_a, write, agency_a):
    district = OrgUnit.objects.get(code="9901")
    write(entry_a, [(pop_year, district, "2568", 4000), (water, district, "2568-03", 10)])
    march = Period.objects.get(code="2568-03")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            refresh_for_change(element_ids=[water.pk], orgunit_ids=[district.pk], period_ids=[march.pk])
        return len(captured.captured_queries)

    one = queries()
    for number in range(3):  # three more monthly indicators on the same inputs
        indicator_save(
            indicator=Indicator(
                code=f"WATER_PP{number}", name_th="น้ำ", numerator="WATER", denominator="POPY", period_type="M", perspective_th="น้ำ"
            )
        )
    assert queries() == one
