import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import LineString, MultiPolygon, Polygon
from django.core.management import call_command

from gis.models import LEVEL_TOLERANCE, OrgUnitShape
from gis.services import simplify_coverage
from poc.models import OrgUnit
from poc.orgunit_import import orgunits_import

pytestmark = pytest.mark.django_db
# Full-resolution boundaries live in the shared reference collection (the repository ships simplified ones).
RAYONG = Path(settings.BASE_DIR).parent / "shared" / "reference" / "rayong_boundaries"


def wiggly_neighbours() -> tuple[MultiPolygon, MultiPolygon]:
    """Two squares sharing a border with many small zig-zags (like a river boundary)."""
    border = [(100.0 + 0.001 * (i % 2), 12.0 + 0.1 * i / 200) for i in range(201)]
    left = Polygon([(99.9, 12.0), *border, (99.9, 12.1), (99.9, 12.0)], srid=4326)
    right = Polygon([*border, (100.1, 12.1), (100.1, 12.0), border[0]], srid=4326)
    return MultiPolygon(left, srid=4326), MultiPolygon(right, srid=4326)


def test_coverage_simplification_keeps_the_shared_border_shared():
    left, right = wiggly_neighbours()
    new_left, new_right = simplify_coverage([left, right], 0.002)
    assert new_left.valid and new_right.valid
    assert new_left.num_coords < left.num_coords / 5
    assert new_left.intersection(new_right).area < 1e-12  # no overlap
    assert abs(new_left.union(new_right).area - (new_left.area + new_right.area)) < 1e-12
    gap = new_left.union(new_right).convex_hull.difference(new_left.union(new_right)).area
    assert gap < 1e-9  # no sliver between them
    shared = new_left.intersection(new_right)
    assert isinstance(shared, LineString) or shared.length > 0.09  # still one common border line


def test_import_fills_simplified_boundaries_in_the_same_transaction(tmp_path):
    from poc.demo import generated_province_geojson

    path = tmp_path / "p.geojson"
    generated_province_geojson(path)
    assert orgunits_import(path).ok
    assert OrgUnitShape.objects.count() == OrgUnit.objects.filter(geom__isnull=False).count() == 25
    shape = OrgUnitShape.objects.get(orgunit__code="990101")
    assert shape.tolerance == LEVEL_TOLERANCE[3] and shape.geom_simplified.valid


def test_simplify_boundaries_command_rebuilds_shapes(province, capsys):
    assert OrgUnitShape.objects.count() == 0
    call_command("simplify_boundaries")
    assert OrgUnitShape.objects.count() == 7
    assert "7 simplified boundaries" in capsys.readouterr().out


@pytest.mark.skipif(not (RAYONG / "rayong_subdistrict.geojson").is_file(), reason="Rayong reference boundaries not present")
def test_rayong_real_boundaries_import_and_simplify_without_overlaps(client):
    for level in ("province", "district", "subdistrict"):
        assert orgunits_import(RAYONG / f"rayong_{level}.geojson").ok
    subdistricts = list(OrgUnitShape.objects.filter(orgunit__level=3).select_related("orgunit"))
    assert len(subdistricts) == 58 and all(s.geom_simplified.valid for s in subdistricts)
    original = sum(s.orgunit.geom.num_coords for s in subdistricts)
    assert sum(s.geom_simplified.num_coords for s in subdistricts) < original / 4
    overlap = sum(
        a.geom_simplified.intersection(b.geom_simplified).area
        for i, a in enumerate(subdistricts)
        for b in subdistricts[i + 1 :]
        if a.geom_simplified.extent and a.geom_simplified.envelope.intersects(b.geom_simplified.envelope)
    )
    assert overlap < 1e-7  # degrees²: well under a hectare across the province
    response = client.get("/gis/api/choropleth/", {"parent": "21"})
    assert len(json.loads(response.content)["features"]) == 8
