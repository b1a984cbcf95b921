"""API fixtures: a monthly dataset of agency A collected per subdistrict, tokens, and a token client."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from api.services import token_create
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
        "note": DataElement.objects.create(
            code="NOTE", dataset=dataset, name_th="หมายเหตุ", value_type=ValueType.TEXT, required=False, order=3
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
        result = datavalues_save(cells=cells, user=user, **kwargs)
        assert result.ok, result.errors
        return result

    return do_save


@pytest.fixture
def token_client(db):
    """token_client(user, read_only=False, language="en") → an APIClient sending that user's new token.

    Messages are Thai unless the client asks for English (Accept-Language), as a browser would.
    """

    def make(user, read_only: bool = False, language: str = "en") -> APIClient:
        _token, secret = token_create(user=user, name="test", read_only=read_only)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"ApiToken {secret}", HTTP_ACCEPT_LANGUAGE=language)
        return client

    return make
