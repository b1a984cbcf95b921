import gzip
import json

import pytest
from django.contrib.gis.geos import MultiPolygon

from datasets.models import Sensitivity
from gis.services import shapes_refresh
from poc.models import OrgUnit

pytestmark = pytest.mark.django_db
URL = "/gis/api/choropleth/"


def features_by_code(response) -> dict:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json"
    return {f["properties"]["code"]: f for f in json.loads(response.content)["features"]}


@pytest.fixture
def monthly_cases(save, entry_a, elements, subdistricts):
    save(entry_a, [(elements["cases"], subdistricts[0], "2568-01", 5), (elements["cases"], subdistricts[1], "2568-01", 7)])
    save(entry_a, [(elements["cases"], subdistricts[0], "2568-02", 1)])
    return elements["cases"]


def test_children_come_with_simplified_geometry_and_their_aggregated_values(client, shapes, monthly_cases, entry_a):
    client.force_login(entry_a)
    features = features_by_code(client.get(URL, {"element": "CASES", "period": "2568-01", "parent": "99"}))
    assert set(features) == {"9901", "9902"}
    assert features["9901"]["properties"]["value"] == 12  # 5 + 7 summed over the district's subdistricts
    assert features["9902"]["properties"]["value"] is None  # missing data stays missing, not zero
    assert features["9901"]["geometry"]["type"] == "MultiPolygon"
    assert features["9901"]["properties"]["has_children"] is True
    assert features["9901"]["properties"]["name_en"] == "District 1"


def test_fiscal_year_rolls_up_the_months_and_level_selects_descendants(client, shapes, monthly_cases, entry_a):
    client.force_login(entry_a)
    features = features_by_code(client.get(URL, {"element": "CASES", "period": "FY2568", "parent": "99", "level": 3}))
    assert set(features) == {"990101", "990102", "990201", "990202"}
    assert features["990101"]["properties"]["value"] == 6
    assert features["990201"]["properties"]["value"] is None


def test_geometry_is_serialised_with_five_decimals(client, shapes):
    unit = OrgUnit.objects.get(code="9902")
    unit.geom = MultiPolygon(unit.geom.buffer(0.0000123456), srid=4326)  # coordinates with many decimals
    unit.save()
    shapes_refresh()
    OrgUnit.objects.get(code="9901").shape.delete()  # without a simplified shape the raw boundary is used, rounded too
    features = features_by_code(client.get(URL, {"parent": "99"}))

    def coordinates(geometry):
        flat = []

        def walk(item):
            if isinstance(item[0], (int, float)):
                flat.extend(item)
            else:
                for sub in item:
                    walk(sub)

        walk(geometry["coordinates"])
        return flat

    values = coordinates(features["9902"]["geometry"]) + coordinates(features["9901"]["geometry"])
    assert values and all(round(v, 5) == v for v in values)
    assert any(round(v, 4) != v for v in coordinates(features["9902"]["geometry"]))


def test_villages_without_polygons_are_points(client, shapes):
    features = features_by_code(client.get(URL, {"parent": "990101"}))
    assert features["99010101"]["geometry"]["type"] == "Point"
    assert features["99010101"]["properties"]["has_children"] is False


def test_restricted_dataset_values_only_for_the_agency(client, shapes, monthly_cases, dataset, entry_a, entry_b):
    dataset.sensitivity = Sensitivity.RESTRICTED
    dataset.save()
    query = {"element": "CASES", "period": "2568-01", "parent": "99"}
    client.force_login(entry_b)
    assert client.get(URL, query).status_code == 404
    client.logout()
    assert client.get(URL, query).status_code == 404
    client.force_login(entry_a)
    assert features_by_code(client.get(URL, query))["9901"]["properties"]["value"] == 12


def test_anonymous_users_see_public_datasets_only(client, shapes, monthly_cases, dataset, entry_b):
    query = {"element": "CASES", "period": "2568-01", "parent": "99"}
    assert client.get(URL, query).status_code == 404  # internal dataset
    client.force_login(entry_b)
    assert client.get(URL, query).status_code == 200
    client.logout()
    dataset.sensitivity = Sensitivity.PUBLIC
    dataset.save()
    assert features_by_code(client.get(URL, query))["9901"]["properties"]["value"] == 12


def test_etag_gives_304_until_a_value_changes(
    client, shapes, monthly_cases, save, entry_a, subdistricts, django_capture_on_commit_callbacks
):
    client.force_login(entry_a)
    query = {"element": "CASES", "period": "2568-01", "parent": "99"}
    first = client.get(URL, query)
    etag = first["ETag"]
    assert first["Cache-Control"] == "private, max-age=60" and first["Last-Modified"]
    assert client.get(URL, query, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(URL, {**query, "parent": "9901"}, HTTP_IF_NONE_MATCH=etag).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        save(entry_a, [(monthly_cases, subdistricts[2], "2568-01", 4)])
    changed = client.get(URL, query, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert features_by_code(changed)["9902"]["properties"]["value"] == 4


def test_bad_selection_is_a_clear_400(client, shapes, monthly_cases, entry_a):
    client.force_login(entry_a)
    response = client.get(URL, {"element": "CASES", "period": "2568-13"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "out of range" in json.loads(response.content)["errors"]["period"][0]
    assert client.get(URL, {"element": "CASES"}).status_code == 400
    assert client.get(URL, {"parent": "nope"}).status_code == 404


def test_series_endpoint_charts_the_unit_over_time(client, shapes, monthly_cases, entry_a, entry_b, dataset):
    client.force_login(entry_a)
    response = client.get("/gis/api/series/", {"element": "CASES", "period": "2568-02", "parent": "990101"})
    assert response.status_code == 200
    trace = json.loads(response.content)["figure"]["data"][0]
    assert len(trace["x"]) == 12
    assert trace["y"][-2:] == [5, 1]  # January, February 2568
    dataset.sensitivity = Sensitivity.RESTRICTED
    dataset.save()
    client.force_login(entry_b)
    assert client.get("/gis/api/series/", {"element": "CASES", "period": "2568-02", "parent": "990101"}).status_code == 404


def test_map_page_renders_the_selection_for_the_script(client, shapes, monthly_cases, entry_a):
    client.force_login(entry_a)
    response = client.get("/gis/map/", {"element": "CASES", "orgunit": "9901"})
    assert response.status_code == 200
    config = json.loads(response.context["config"] and json.dumps(response.context["config"], default=str))
    assert config["element"] == "CASES" and config["start"] == "9901"
    assert config["period"] == "FY2568"  # the latest fiscal year with data by default
    assert b'id="map-config"' in response.content and b"<script>" not in response.content


def test_element_names_that_carry_their_unit_do_not_show_it_twice(client, shapes, monthly_cases, entry_a):
    monthly_cases.name_th, monthly_cases.unit = "จำนวนผู้ป่วย (ราย)", "ราย"
    monthly_cases.save()
    client.force_login(entry_a)
    body = client.get("/gis/map/", {"element": "CASES"}).content.decode()
    assert "จำนวนผู้ป่วย (ราย)</option>" in body and "(ราย) (ราย)" not in body


def test_gzip_clients_get_the_cached_pre_compressed_body_until_a_value_changes(
    client,
    shapes,
    monthly_cases,
    save,
    entry_a,
    subdistricts,
    django_capture_on_commit_callbacks,
    django_assert_max_num_queries,
):
    client.force_login(entry_a)
    query = {"element": "CASES", "period": "2568-01", "parent": "99"}
    plain = client.get(URL, query)
    packed = client.get(URL, query, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content
    assert packed["ETag"] == f"W/{plain['ETag']}"
    assert client.get(URL, query, HTTP_IF_NONE_MATCH=packed["ETag"]).status_code == 304
    # Another worker reads the compressed body from the shared cache: no geometry query.
    with django_assert_max_num_queries(12) as captured:
        again = client.get(URL, query, HTTP_ACCEPT_ENCODING="gzip")
    assert again.content == packed.content
    assert not any("ST_AsGeoJSON" in q["sql"] or "st_asgeojson" in q["sql"].lower() for q in captured.captured_queries)
    with django_capture_on_commit_callbacks(execute=True):
        save(entry_a, [(monthly_cases, subdistricts[2], "2568-01", 4)])
    changed = client.get(URL, query, HTTP_ACCEPT_ENCODING="gzip")
    assert changed["ETag"] != packed["ETag"]
    features = {f["properties"]["code"]: f for f in json.loads(gzip.decompress(changed.content))["features"]}
    assert features["9902"]["properties"]["value"] == 4


def test_the_cached_national_body_is_served_only_to_users_who_may_read_the_element(
    client, shapes, monthly_cases, dataset, save, entry_a, entry_b, subdistricts, django_capture_on_commit_callbacks
):
    dataset.sensitivity = Sensitivity.RESTRICTED
    dataset.save()
    query = {"element": "CASES", "period": "2568-01", "level": 3}  # every subdistrict of the country, as the national map
    client.force_login(entry_a)
    packed = client.get(URL, query, HTTP_ACCEPT_ENCODING="gzip")
    assert packed.status_code == 200 and packed["Content-Encoding"] == "gzip" and packed["ETag"].startswith('W/"')
    features = {f["properties"]["code"]: f for f in json.loads(gzip.decompress(packed.content))["features"]}
    assert features["990101"]["properties"]["value"] == 5 and features["990201"]["properties"]["value"] is None
    # Another agency's user: neither the cached body nor a 304 for its ETag (which would confirm the data unchanged).
    client.force_login(entry_b)
    for headers in ({"HTTP_ACCEPT_ENCODING": "gzip"}, {"HTTP_ACCEPT_ENCODING": "gzip", "HTTP_IF_NONE_MATCH": packed["ETag"]}):
        denied = client.get(URL, query, **headers)
        assert denied.status_code == 404 and b"990101" not in denied.content and not denied.has_header("ETag")
    # A write changes the body the permitted user gets next, under a new ETag.
    client.force_login(entry_a)
    with django_capture_on_commit_callbacks(execute=True):
        save(entry_a, [(monthly_cases, subdistricts[2], "2568-01", 9)])
    changed = client.get(URL, query, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=packed["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != packed["ETag"] and changed["Content-Encoding"] == "gzip"
    features = {f["properties"]["code"]: f for f in json.loads(gzip.decompress(changed.content))["features"]}
    assert features["990201"]["properties"]["value"] == 9
