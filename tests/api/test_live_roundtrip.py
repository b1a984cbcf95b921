"""The issue's acceptance: a script with a token pulls and pushes a month over HTTP in JSON, CSV and ADX, equal."""

import pytest
import requests

from api.services import token_create
from datasets.models import AggregateValue, DataValue
from tools.api_roundtrip import FORMATS, roundtrip


@pytest.mark.django_db(transaction=True)
def test_script_round_trips_a_month_in_every_format_over_http(live_server, entry_a, elements, save, subdistricts):
    save(entry_a, [(elements["cases"], unit, "2568-01", n) for n, unit in enumerate(subdistricts, start=1)])
    save(entry_a, [(elements["note"], subdistricts[0], "2568-01", "น้ำท่วมบางส่วน")])
    _token, secret = token_create(user=entry_a, name="sync")
    report = roundtrip(live_server.url, secret, "DS-HEALTH", "202501", "99")
    assert set(report) == set(FORMATS)
    for result in report.values():
        assert result == {"status": 200, "count": {"imported": 0, "updated": 0, "ignored": 5, "deleted": 0}, "equal": True, "values": 5}
    # and into an empty month: each format alone restores every value
    for name, media_type in FORMATS.items():
        body = requests.get(
            f"{live_server.url}/api/dataValueSets.{name}?dataSet=DS-HEALTH&period=202501&orgUnit=99&children=true",
            headers={"Authorization": f"ApiToken {secret}"},
            timeout=30,
        ).content
        before = sorted(DataValue.objects.values_list("element__code", "orgunit__code", "value_num", "value_text"))
        DataValue.objects.all().delete()
        AggregateValue.objects.all().delete()
        pushed = requests.post(
            f"{live_server.url}/api/dataValueSets",
            data=body,
            headers={"Authorization": f"ApiToken {secret}", "Content-Type": media_type},
            timeout=30,
        )
        assert pushed.json()["response"]["importCount"]["imported"] == 5, name
        assert sorted(DataValue.objects.values_list("element__code", "orgunit__code", "value_num", "value_text")) == before
