# ruff: noqa: F811  (fixtures imported from tests/indicators are used as arguments)
import json

import pytest

from datasets.models import Sensitivity
from tests.indicators.conftest import fy_dataset, inputs, monthly_dataset, rate, topic, write  # noqa: F401

pytestmark = pytest.mark.django_db
URL = "/gis/api/choropleth/"


@pytest.fixture
def rates(shapes, rate, inputs, write, entry_a, subdistricts):
    write(
        entry_a,
        [
            (inputs["cases"], subdistricts[0], "FY2568", 5),
            (inputs["pop"], subdistricts[0], "FY2568", 1000),
            (inputs["cases"], subdistricts[1], "FY2568", 30),
            (inputs["pop"], subdistricts[1], "FY2568", 2000),
        ],
    )
    return rate


def values(response) -> dict:
    assert response.status_code == 200, response.content
    return {f["properties"]["code"]: f["properties"]["value"] for f in json.loads(response.content)["features"]}


def test_indicator_choropleth_joins_materialised_values(client, rates, entry_a):
    client.force_login(entry_a)
    response = client.get(URL, {"indicator": "RATE1", "period": "FY2568", "parent": "9901"})
    assert values(response) == {"990101": 5.0, "990102": 15.0}
    assert json.loads(response.content)["meta"]["measure"]["kind"] == "indicator"
    assert values(client.get(URL, {"indicator": "RATE1", "period": "FY2568", "parent": "99"}))["9902"] is None


def test_indicator_over_a_restricted_dataset_is_hidden_from_other_agencies(client, rates, fy_dataset, entry_b):
    fy_dataset.sensitivity = Sensitivity.RESTRICTED
    fy_dataset.save()
    client.force_login(entry_b)
    assert client.get(URL, {"indicator": "RATE1", "period": "FY2568", "parent": "99"}).status_code == 404
    assert client.get("/gis/api/series/", {"indicator": "RATE1", "period": "FY2568", "parent": "9901"}).status_code == 404
    page = client.get("/gis/map/")
    assert b'value="RATE1"' not in page.content


def test_indicator_etag_changes_when_values_are_recomputed(client, rates, inputs, write, entry_a, subdistricts):
    client.force_login(entry_a)
    query = {"indicator": "RATE1", "period": "FY2568", "parent": "9901"}
    etag = client.get(URL, query)["ETag"]
    assert client.get(URL, query, HTTP_IF_NONE_MATCH=etag).status_code == 304
    write(entry_a, [(inputs["cases"], subdistricts[0], "FY2568", 8)])
    changed = client.get(URL, query, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and values(changed)["990101"] == 8.0


def test_indicator_series_and_map_page_from_a_cockpit_link(client, rates, entry_a):
    client.force_login(entry_a)
    trace = json.loads(client.get("/gis/api/series/", {"indicator": "RATE1", "period": "FY2568", "parent": "990101"}).content)["figure"][
        "data"
    ][0]
    assert len(trace["x"]) == 5 and trace["y"][-1] == 5.0
    page = client.get("/gis/map/", {"indicator": "RATE1", "period": "FY2568", "orgunit": "9901"})
    assert page.context["config"]["indicator"] == "RATE1" and page.context["config"]["start"] == "9901"
    assert page.context["config"]["period"] == "FY2568"
