"""Catalogue fixtures: a monthly health dataset of agency A collected per subdistrict."""

import pytest

from datasets.models import Aggregation, DataElement, Dataset, Topic, ValueType
from datasets.services import CellInput, datavalues_save
from poc.models import OrgUnit, Period


@pytest.fixture
def topic(db):
    return Topic.objects.create(code="T99", name_th="สาธารณสุข", name_en="Health")


@pytest.fixture
def dataset(topic, agency_a):
    return Dataset.objects.create(
        code="DS-HEALTH",
        topic=topic,
        name_th="ข้อมูลสุขภาพ",
        name_en="Health data",
        agency=agency_a,
        collection_level=3,
        period_type="M",
        due_days=15,
    )


@pytest.fixture
def elements(dataset):
    return {
        "cases": DataElement.objects.create(
            code="CASES", dataset=dataset, name_th="ผู้ป่วย", value_type=ValueType.INTEGER, min_value=0, order=1
        ),
        "rate": DataElement.objects.create(
            code="RATE",
            dataset=dataset,
            name_th="อัตรา",
            value_type=ValueType.PERCENT,
            min_value=0,
            max_value=100,
            aggregation=Aggregation.AVERAGE,
            order=2,
        ),
        "beds": DataElement.objects.create(
            code="BEDS", dataset=dataset, name_th="เตียง", value_type=ValueType.INTEGER, aggregation=Aggregation.LAST, order=3
        ),
        "note": DataElement.objects.create(
            code="NOTE", dataset=dataset, name_th="หมายเหตุ", value_type=ValueType.TEXT, required=False, order=4
        ),
    }


@pytest.fixture
def subdistricts(province):
    return list(OrgUnit.objects.filter(level=3).order_by("code"))


@pytest.fixture
def save(db):
    """save(user, [(element, orgunit, period_code, raw), ...]) through the real service."""

    def do_save(user, rows, **kwargs):
        cells = [CellInput(element=e, orgunit=o, period=Period.objects.for_code(p), raw=raw) for e, o, p, raw in rows]
        return datavalues_save(cells=cells, user=user, **kwargs)

    return do_save


# Published-file fixtures (part of real Rayong, a rice dataset per district), shared by the import tests.
from tests.datasets.files import agri, rayong  # noqa: E402, F401
