# ruff: noqa: F811  (fixtures imported from tests/indicators are used as arguments)
"""An indicator set to approved data only: its map leaves a unit blank until the unit's inputs pass their last level."""

import json

import pytest

from poc.models import Period
from tests.indicators.conftest import fy_dataset, inputs, monthly_dataset, rate, topic, write  # noqa: F401
from verification import services

pytestmark = pytest.mark.django_db
URL = "/gis/api/choropleth/"


def values(response) -> dict:
    assert response.status_code == 200, response.content
    return {f["properties"]["code"]: f["properties"]["value"] for f in json.loads(response.content)["features"]}


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def test_approved_only_map_blanks_units_until_their_values_are_verified(
    client, shapes, rate, inputs, write, entry_a, subdistricts, fy_dataset, make_user, it_agency, on_commit
):
    write(
        entry_a,
        [
            (inputs["cases"], subdistricts[0], "FY2568", 5),
            (inputs["pop"], subdistricts[0], "FY2568", 1000),
            (inputs["cases"], subdistricts[1], "FY2568", 30),
            (inputs["pop"], subdistricts[1], "FY2568", 2000),
        ],
    )
    client.force_login(entry_a)
    query = {"indicator": "RATE1", "period": "FY2568", "parent": "9901"}
    assert values(client.get(URL, query)) == {"990101": 5.0, "990102": 15.0}  # the default: every value
    rate.approved_only = True
    rate.save()
    first = client.get(URL, query)
    assert values(first) == {"990101": None, "990102": None}
    verifier = make_user("it_verifier", ["verifier"], it_agency)
    period = Period.objects.get(code="FY2568")
    submission = services.submission_get_or_create(dataset=fy_dataset, orgunit=subdistricts[0], period=period, user=entry_a)
    with on_commit(execute=True):
        services.submission_submit(submission=submission, user=entry_a)
        services.submission_verify(submission=submission, user=verifier)
    second = client.get(URL, query, HTTP_IF_NONE_MATCH=first["ETag"])
    assert values(second) == {"990101": 5.0, "990102": None}  # a fresh answer, not a 304 of the blank map
