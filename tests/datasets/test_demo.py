import datetime as dt

import pytest
from django.db.models import F

from datasets.aggregates import aggregates_recompute
from datasets.catalogue import catalogue_load, catalogue_read
from datasets.demo import seed_values
from datasets.models import AggregateOptionValue, DataElement, Dataset, DataValue, ValueSource
from datasets.selectors import completeness, element_value
from poc.demo import seed_agencies
from poc.periods import parse_period

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 11, 20)  # FY2569: values for FY2565-FY2569


@pytest.fixture
def seeded(province):
    seed_agencies(province, "ตย")
    assert catalogue_load().ok
    return seed_values(province=province, catalogue=catalogue_read(), today=TODAY)


def test_demo_values_are_consistent_seasonal_cover_every_dataset_with_gaps_and_are_deterministic(seeded, province):
    """One seed, several properties (seeding is the slow part)."""
    assert seeded > 1000
    assert set(DataValue.objects.values_list("source", flat=True).distinct()) == {ValueSource.DEMO}
    year = parse_period("2567")
    population = DataElement.objects.get(code="POP")
    cells = AggregateOptionValue.objects.filter(element=population, orgunit=province, period__code="2567")
    by_cell = dict(cells.values_list("option_combo__code", "total"))
    total = element_value(population, province, year)
    assert set(by_cell) == {"M_MUN", "M_NONMUN", "F_MUN", "F_NONMUN"} and sum(by_cell.values()) == total > 700_000
    # The recipe's shares (the test province has no DOPA register nor municipalities), in whole people per subdistrict.
    assert abs((by_cell["M_MUN"] + by_cell["M_NONMUN"]) / total - 0.494) < 0.001
    assert abs((by_cell["M_MUN"] + by_cell["F_MUN"]) / total - 0.25) < 0.001
    assert not DataValue.objects.filter(element__category_combo__isnull=False, option_combo__isnull=True).exists()
    assert DataValue.objects.filter(element__code="DENGUE_CASES").values("option_combo").distinct().count() == 9
    rain = DataElement.objects.get(code="RAIN_MM")
    assert element_value(rain, province, parse_period("2567-09")) > 3 * element_value(rain, province, parse_period("2567-01"))
    assert not aggregates_recompute().differences
    assert not DataValue.objects.filter(created_at__gt=F("updated_at")).exists()
    assert not Dataset.objects.exclude(elements__values__isnull=False).exists()
    assert DataValue.objects.filter(not_available="confidential").exists()
    report = completeness(datasets=Dataset.objects.all(), fiscal_years=[2565, 2566, 2567, 2568, 2569], within=province, as_of=TODAY)
    assert 80 < report.total.rate < 100 and report.total.late > 0 and report.total.missing > 0
    assert seed_values(province=province, catalogue=catalogue_read(), today=TODAY) == 0  # same values again: nothing changes
