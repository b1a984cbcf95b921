"""Values are finite: the write path refuses NaN, Infinity and absurd magnitudes; the map API always emits valid JSON."""

import json

import pytest

from datasets.models import AggregateValue, DataElement, ValueType
from datasets.services import MAX_ABS_VALUE, parse_value
from tests.gis.test_choropleth import URL, monthly_cases  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("raw", ["1e308", "-1e308", "1e16", "-1.5e15", "NaN", "inf", "-Infinity", 1e300, float("nan")])
def test_non_finite_and_huge_values_are_refused_with_a_message(raw):
    element = DataElement(code="X", value_type=ValueType.DECIMAL)
    with pytest.raises(ValueError, match=r"\S"):
        parse_value(element, raw)


def test_the_largest_sane_value_is_accepted():
    element = DataElement(code="X", value_type=ValueType.DECIMAL)
    assert parse_value(element, str(int(MAX_ABS_VALUE)))[0] == MAX_ABS_VALUE
    assert parse_value(element, "-2,500,000.75")[0] == -2_500_000.75


def test_entry_of_1e308_saves_nothing(save, entry_a, elements, subdistricts):
    from datasets.models import DataValue
    from datasets.services import CellInput, datavalues_save
    from poc.models import Period

    cell = CellInput(element=elements["cases"], orgunit=subdistricts[0], period=Period.objects.for_code("2568-01"), raw="1e308")
    result = datavalues_save(cells=[cell], user=entry_a)
    assert not result.ok and not DataValue.objects.exists()


def test_the_map_api_emits_valid_json_even_over_a_non_finite_aggregate(client, shapes, monthly_cases, entry_a):  # noqa: F811
    AggregateValue.objects.filter(element=monthly_cases, orgunit__code="9901", period__code="2568-01").update(total=float("inf"))
    client.force_login(entry_a)
    response = client.get(URL, {"element": "CASES", "period": "2568-01", "parent": "99"})
    body = response.content.decode()
    assert response.status_code == 200 and "Infinity" not in body and "NaN" not in body
    features = {f["properties"]["code"]: f for f in json.loads(body, parse_constant=lambda c: pytest.fail(c))["features"]}
    assert features["9901"]["properties"]["value"] is None
