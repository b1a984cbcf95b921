"""Maps by week, and a week spanning two months shown in the month holding its Thursday."""

import json

import pytest

from datasets.models import DataElement, Dataset, ValueType

pytestmark = pytest.mark.django_db
URL = "/gis/api/choropleth/"


def test_weekly_values_map_by_week_and_by_month(client, shapes, topic, agency_a, entry_a, save, subdistricts):
    dataset = Dataset.objects.create(
        code="DS-WEEK", topic=topic, name_th="รายสัปดาห์", agency=agency_a, collection_level=3, period_type="W", due_days=3
    )
    cases = DataElement.objects.create(code="WEEK_CASES", dataset=dataset, name_th="ผู้ป่วย", value_type=ValueType.INTEGER, min_value=0)
    # W13 = 23-29 March 2026; W14 = 30 March - 5 April (Thursday 2 April).
    rows = [(cases, subdistricts[0], "2569-W14", 4), (cases, subdistricts[1], "2569-W14", 6), (cases, subdistricts[0], "2569-W13", 1)]
    assert save(entry_a, rows).ok
    client.force_login(entry_a)

    def district_values(period: str) -> dict:
        response = client.get(URL, {"element": "WEEK_CASES", "period": period, "parent": "99"})
        assert response.status_code == 200, response.content
        body = json.loads(response.content)
        assert body["meta"]["period"] == period
        return {f["properties"]["code"]: f["properties"]["value"] for f in body["features"]}

    assert district_values("2569-W14") == {"9901": 10, "9902": None}
    assert district_values("2569-04") == {"9901": 10, "9902": None}
    assert district_values("2569-03") == {"9901": 1, "9902": None}
