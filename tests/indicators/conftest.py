"""An FY dataset collected per subdistrict (cases / population) and a monthly district dataset."""

import pytest

from datasets.models import Aggregation, DataElement, Dataset, Topic, ValueType
from datasets.services import CellInput, datavalues_save
from indicators.models import Indicator, IndicatorTarget
from indicators.services import indicator_save
from poc.models import OrgUnit, Period


@pytest.fixture
def topic(db):
    return Topic.objects.create(code="T14", name_th="สุขภาพ", name_en="Health")


@pytest.fixture
def fy_dataset(topic, agency_a):
    return Dataset.objects.create(
        code="DS-RATE", topic=topic, name_th="อัตรา", agency=agency_a, collection_level=3, period_type="FY", due_days=30
    )


@pytest.fixture
def monthly_dataset(topic, agency_a):
    return Dataset.objects.create(
        code="DS-WATER", topic=topic, name_th="น้ำ", agency=agency_a, collection_level=2, period_type="M", due_days=15
    )


@pytest.fixture
def inputs(fy_dataset, monthly_dataset):
    def element(code, dataset, **kw):
        return DataElement.objects.create(code=code, dataset=dataset, name_th=code, value_type=ValueType.INTEGER, min_value=0, **kw)

    return {
        "cases": element("CASES", fy_dataset),
        "pop": element("POP", fy_dataset),
        "storage": element("STORAGE_PCT", monthly_dataset, aggregation=Aggregation.AVERAGE),
    }


@pytest.fixture
def rate(inputs, agency_a):
    """Cases per 1,000 population, lower is better, target 10 in FY2568 (red beyond 12)."""
    indicator = indicator_save(
        indicator=Indicator(
            code="RATE1",
            name_th="อัตราป่วย",
            numerator="CASES",
            denominator="POP",
            factor=1000,
            polarity="lower_better",
            perspective_th="สุขภาพ",
            agency=agency_a,
        )
    )
    IndicatorTarget.objects.create(indicator=indicator, fiscal_year=2568, target=10, red_at=12)
    return indicator


@pytest.fixture
def subdistricts(province):
    return list(OrgUnit.objects.filter(level=3).order_by("code"))


@pytest.fixture
def write(django_capture_on_commit_callbacks):
    """write(user, [(element, orgunit, period_code, raw)]) through the real service, running on-commit hooks."""

    def do_write(user, rows):
        cells = [CellInput(element=e, orgunit=o, period=Period.objects.for_code(p), raw=raw) for e, o, p, raw in rows]
        with django_capture_on_commit_callbacks(execute=True):
            result = datavalues_save(cells=cells, user=user)
        assert result.ok, result.errors
        return result

    return do_write
