"""The per-indicator choice on the cockpit: approved data only, or every value with a note when some is unapproved."""

import pytest
from django.urls import reverse

from indicators.services import indicator_save
from poc.models import Period
from verification import services

pytestmark = pytest.mark.django_db


def _tile(response, code="RATE1"):
    return next(t for g in response.context["groups"] for t in g["tiles"] if t["code"] == code)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks


def verify(submission, entry, verifier, on_commit):
    with on_commit(execute=True):  # the approval refreshes the rendered wall through the values version
        services.submission_submit(submission=submission, user=entry)
        services.submission_verify(submission=submission, user=verifier)


def test_tiles_say_when_they_show_unapproved_values_and_approved_only_ones_wait(
    client, executive, rate, inputs, subdistricts, write, entry_a, fy_dataset, make_user, it_agency, on_commit
):
    write(entry_a, [(e, sub, "FY2568", n) for sub in subdistricts for e, n in ((inputs["cases"], 10), (inputs["pop"], 1000))])
    client.force_login(executive)
    tile = _tile(client.get(reverse("cockpit:tiles"), {"fy": 2568}))
    assert (tile["value"], tile["approval"]) == ("10.0", "unapproved")
    assert 'data-approval="unapproved"' in client.get(reverse("cockpit:tiles"), {"fy": 2568}).content.decode()
    rate.approved_only = True
    with on_commit(execute=True):
        indicator_save(indicator=rate)  # the changed setting redraws the wall
    response = client.get(reverse("cockpit:tiles"), {"fy": 2568})
    tile = _tile(response)
    assert (tile["value"], tile["raw"], tile["light"], tile["approval"]) == (
        "–",
        None,
        "grey",
        "awaiting",
    )  # counted as not enough data yet
    assert 'data-approval="awaiting"' in response.content.decode() and '<span class="tile-value">10.0<' not in response.content.decode()
    verifier = make_user("it_verifier", ["verifier"], it_agency)
    period = Period.objects.get(code="FY2568")
    for unit in subdistricts[:3]:
        submission = services.submission_get_or_create(dataset=fy_dataset, orgunit=unit, period=period, user=entry_a)
        verify(submission, entry_a, verifier, on_commit)
    assert _tile(client.get(reverse("cockpit:tiles"), {"fy": 2568}))["approval"] == "awaiting"  # one subdistrict still open
    submission = services.submission_get_or_create(dataset=fy_dataset, orgunit=subdistricts[3], period=period, user=entry_a)
    verify(submission, entry_a, verifier, on_commit)
    response = client.get(reverse("cockpit:tiles"), {"fy": 2568})
    assert (_tile(response)["value"], _tile(response)["approval"]) == ("10.0", "")
    assert "data-approval" not in response.content.decode() and '<span class="tile-value">10.0<' in response.content.decode()
