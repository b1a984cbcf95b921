"""Choropleth and series of one part of a broken-down element (female population) or of a ratio of two parts."""

import json

import pytest

from datasets.models import DataElement, ValueType
from datasets.services import datavalues_save
from tests.categories import option_cells

pytestmark = pytest.mark.django_db
URL = "/gis/api/choropleth/"


@pytest.fixture
def population(dataset, sex_area, entry_a, subdistricts):
    """9901: males 30 + 50, females 70 + 25 (F_MUN 30 + 25); 9902: males 8, females 2, none municipal."""
    element = DataElement.objects.create(
        code="POPSA", dataset=dataset, name_th="ประชากร", name_en="Population", value_type=ValueType.INTEGER, category_combo=sex_area
    )
    first, second, third = subdistricts[:3]
    cells = (
        option_cells(element, first, "2568-01", {"M_MUN": 10, "M_NONMUN": 20, "F_MUN": 30, "F_NONMUN": 40})
        + option_cells(element, second, "2568-01", {"M_MUN": 50, "F_MUN": 25})
        + option_cells(element, third, "2568-01", {"M_NONMUN": 8, "F_NONMUN": 2})
    )
    assert datavalues_save(cells=cells, user=entry_a).ok
    return element


def _values(response) -> dict:
    assert response.status_code == 200, response.content
    return {f["properties"]["code"]: f["properties"]["value"] for f in json.loads(response.content)["features"]}


def _meta(response) -> dict:
    return json.loads(response.content)["meta"]["measure"]


def test_choropleth_of_one_option_and_of_one_combination(client, shapes, population, entry_a):
    client.force_login(entry_a)
    query = {"element": "POPSA", "period": "2568-01", "parent": "99"}
    assert _values(client.get(URL, query)) == {"9901": 175, "9902": 10}
    female = client.get(URL, {**query, "option": "F"})
    assert _values(female) == {"9901": 95, "9902": 2}
    assert _meta(female) == {"kind": "element", "code": "POPSA", "name": "ประชากร · หญิง", "unit": "", "option": "F"}
    municipal_women = client.get(URL, {**query, "option": "F_MUN", "level": 3})
    assert _values(municipal_women) == {"990101": 30, "990102": 25, "990201": None, "990202": None}
    assert _meta(municipal_women)["name"] == "ประชากร · หญิง, ในเขตเทศบาล"
    english = client.get(URL, {**query, "option": "F"}, HTTP_ACCEPT_LANGUAGE="en")
    assert _meta(english)["name"] == "Population · Female"


def test_ratio_of_two_options_is_per_100_of_the_second(client, shapes, population, entry_a):
    client.force_login(entry_a)
    response = client.get(URL, {"element": "POPSA", "period": "2568-01", "parent": "99", "ratio": "M:F"})
    values = _values(response)
    assert values["9901"] == pytest.approx(80 / 95 * 100)
    assert values["9902"] == pytest.approx(400.0)
    assert _meta(response) == {"kind": "element", "code": "POPSA", "name": "ประชากร: ชาย ต่อ หญิง 100", "unit": "ต่อ 100", "ratio": ["M", "F"]}
    # No municipal residents in 9902: a ratio over zero is no value, not infinity.
    assert _values(client.get(URL, {"element": "POPSA", "period": "2568-01", "parent": "99", "ratio": "F_MUN:MUN"})) == {
        "9901": pytest.approx(55 / 115 * 100),
        "9902": None,
    }


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"element": "POPSA", "option": "X"}, "option", "POPSA ไม่มีตัวเลือกหมวดหมู่ X"),
        ({"element": "CASES", "option": "F"}, "option", "CASES ไม่ได้แยกตามหมวดหมู่"),
        ({"element": "POPSA", "ratio": "M"}, "ratio", "อัตราส่วนเขียนเป็นรหัสตัวเลือกสองตัวคั่นด้วยทวิภาค เช่น M:F"),
        ({"element": "POPSA", "ratio": "M:Z"}, "ratio", "POPSA ไม่มีตัวเลือกหมวดหมู่ Z"),
        ({"option": "F"}, "option", "ตัวเลือกหรืออัตราส่วนใช้ได้กับรายการข้อมูลที่แยกตามหมวดหมู่เท่านั้น"),
        ({"element": "POPSA", "option": "F", "ratio": "M:F"}, "ratio", "เลือกตัวเลือกหรืออัตราส่วนอย่างใดอย่างหนึ่ง"),
    ],
)
def test_unknown_option_or_ratio_is_a_thai_400(client, shapes, population, elements, entry_a, query, field, message):
    client.force_login(entry_a)
    for url in (URL, "/gis/api/series/"):
        response = client.get(url, {"period": "2568-01", "parent": "99", **query})
        assert response.status_code == 400
        assert json.loads(response.content)["errors"][field] == [message]


def test_etag_and_cached_body_are_per_option(client, shapes, population, entry_a):
    client.force_login(entry_a)
    query = {"element": "POPSA", "period": "2568-01", "parent": "99"}
    responses = {
        key: client.get(URL, {**query, **extra})
        for key, extra in {"total": {}, "F": {"option": "F"}, "M": {"option": "M"}, "ratio": {"ratio": "M:F"}}.items()
    }
    assert len({r["ETag"] for r in responses.values()}) == 4
    assert _values(responses["M"]) == {"9901": 80, "9902": 8}
    assert client.get(URL, {**query, "option": "F"}, HTTP_IF_NONE_MATCH=responses["F"]["ETag"]).status_code == 304
    assert _values(client.get(URL, {**query, "option": "F"})) == {"9901": 95, "9902": 2}  # from the cache, still female


def test_series_of_one_option_and_of_a_ratio(client, shapes, population, entry_a):
    client.force_login(entry_a)
    query = {"element": "POPSA", "period": "2568-01", "parent": "990101"}
    figure = json.loads(client.get("/gis/api/series/", {**query, "option": "F"}).content)["figure"]
    assert figure["data"][0]["y"][-1] == 70
    assert figure["layout"]["title"]["text"].endswith("ประชากร · หญิง")
    figure = json.loads(client.get("/gis/api/series/", {**query, "ratio": "M:F"}).content)["figure"]
    assert figure["data"][0]["y"][-1] == pytest.approx(30 / 70 * 100)
    assert figure["layout"]["yaxis"]["title"]["text"] == "ต่อ 100"


def test_map_page_offers_the_parts_and_names_the_chosen_one(client, shapes, population, entry_a):
    client.force_login(entry_a)
    page = client.get("/gis/map/", {"element": "POPSA", "period": "2568-01", "option": "F"}).content.decode()
    assert '<option value="F" selected>SEX: หญิง</option>' in page
    assert '<option value="M:F">ชาย : หญิง</option>' in page
    assert '<option value="F_MUN">หญิง, ในเขตเทศบาล</option>' in page
    assert 'id="map-measure">ประชากร · หญิง</p>' in page
    assert '"option": "F"' in page
    other = client.get("/gis/map/", {"element": "CASES", "period": "2568-01"}).content.decode()
    assert 'name="option"' not in other
