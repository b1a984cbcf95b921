"""The map of an org-unit group: its members drawn with their values, the group's value in the metadata."""

import json

import pytest

from poc.models import OrgUnit, OrgUnitGroup
from tests.gis.test_choropleth import URL, features_by_code, monthly_cases  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(province):
    group = OrgUnitGroup.objects.create(code="pair", name_th="คู่", name_en="Pair")
    group.members.set(OrgUnit.objects.filter(code__in=["990101", "990102"]))
    return group


def test_a_group_map_draws_its_members_and_sums_counts_over_them(client, shapes, monthly_cases, pair, entry_a):  # noqa: F811
    client.force_login(entry_a)
    query = {"element": "CASES", "period": "2568-01", "group": "pair"}
    response = client.get(URL, query)
    features = features_by_code(response)
    assert {code: f["properties"]["value"] for code, f in features.items()} == {"990101": 5, "990102": 7}
    meta = json.loads(response.content)["meta"]["group"]
    assert meta == {"code": "pair", "name_th": "คู่", "name_en": "Pair", "how": "sum", "value": 12}

    # A new member changes the drawing (and its ETag), though no shape or value changed.
    etag = response["ETag"]
    pair.members.add(OrgUnit.objects.get(code="990201"))
    response = client.get(URL, query, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and response["ETag"] != etag
    assert set(features_by_code(response)) == {"990101", "990102", "990201"}
    assert json.loads(response.content)["meta"]["group"]["value"] == 12  # the new member has no value: left out, not 0


def test_an_unknown_group_is_refused_without_a_map(client, shapes, entry_a):
    client.force_login(entry_a)
    response = client.get(URL, {"group": "nope"})
    assert response.status_code == 404 and "nope" in response.content.decode()


@pytest.mark.parametrize("value", ["\x00", "x" * 3000, "' OR 1=1 --", "๒๕๖๘", "NaN"])
def test_hostile_group_parameters_get_a_clear_answer_never_a_500(client, shapes, pair, entry_a, value):
    client.force_login(entry_a)
    assert client.get(URL, {"group": value, "element": "CASES", "period": "2568-01"}).status_code in (400, 404)
    assert client.get("/gis/map/", {"group": value}).status_code in (200, 400)
    assert client.get("/cockpit/pivot/", {"group_set": value, "how": value}).status_code in (200, 400)
