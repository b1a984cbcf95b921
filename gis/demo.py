"""Demo map data: simplified boundaries and three thematic layers inside the demo province.

Deterministic: points and polygons come from a fixed random seed over the province's subdistricts.
"""

from __future__ import annotations

import math
import random
from typing import Any

from django.contrib.gis.geos import MultiPolygon, Point, Polygon
from django.db import transaction

from gis.models import LayerVisibility, ThematicLayer
from gis.services import layer_create, shapes_refresh
from poc.models import OrgUnit, OrgUnitLevel, Role

WATER_KINDS = [("บ่อบาดาล", "groundwater well"), ("สระน้ำ", "pond"), ("ฝาย", "weir"), ("อ่างเก็บน้ำ", "reservoir")]


def _point_in(geom: MultiPolygon, rng: random.Random) -> Point:
    xmin, ymin, xmax, ymax = geom.extent
    for _attempt in range(50):
        candidate = Point(round(rng.uniform(xmin, xmax), 5), round(rng.uniform(ymin, ymax), 5), srid=4326)
        if geom.contains(candidate):
            return candidate
    return geom.point_on_surface


def _blob(centre: Point, radius: float, rng: random.Random, within: MultiPolygon) -> MultiPolygon | None:
    """An irregular polygon around ``centre``, clipped to ``within``."""
    ring = []
    for step in range(12):
        angle = 2 * math.pi * step / 12
        r = radius * rng.uniform(0.6, 1.0)
        ring.append((round(centre.x + r * math.cos(angle), 5), round(centre.y + r * math.sin(angle), 5)))
    ring.append(ring[0])
    clipped = Polygon(ring, srid=4326).intersection(within)
    parts = (
        [clipped]
        if isinstance(clipped, Polygon)
        else [g for g in getattr(clipped, "__iter__", lambda: iter(()))() if isinstance(g, Polygon)]
    )
    return MultiPolygon(*parts, srid=4326) if parts else None


@transaction.atomic
def seed(context: dict[str, Any]) -> None:
    province: OrgUnit = context["province"]
    shapes_refresh()
    agencies = context["agencies"]
    if ThematicLayer.objects.filter(name__in=["แหล่งน้ำ", "ป่าสงวนแห่งชาติ", "จุดระบาดไข้หวัดนก"]).exists():
        return
    rng = random.Random(6)
    subdistricts = list(OrgUnit.objects.subtree(province).filter(level=OrgUnitLevel.SUBDISTRICT, geom__isnull=False).order_by("code"))
    water, forests, outbreaks = [], [], []
    for number, sub in enumerate(subdistricts, start=1):
        for _n in range(rng.randint(1, 3)):
            kind_th, kind_en = rng.choice(WATER_KINDS)
            attrs = {"name": f"{kind_th} {sub.name_th}", "kind": kind_en, "capacity_m3": rng.randrange(500, 50000, 500)}
            water.append((attrs, _point_in(sub.geom, rng)))
        if number % 6 == 0:
            blob = _blob(_point_in(sub.geom, rng), 0.03, rng, sub.geom)
            if blob is not None:
                forests.append(({"name": f"ป่าสงวนแห่งชาติป่า{sub.name_th}", "area_rai": rng.randrange(1000, 30000, 100)}, blob))
    for sub in rng.sample(subdistricts, k=min(8, len(subdistricts))):
        attrs = {
            "place": sub.name_th,
            "reported": f"2568-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d}",
            "birds_culled": rng.randrange(50, 3000, 50),
        }
        outbreaks.append((attrs, _point_in(sub.geom, rng)))
    layer_create(
        name="แหล่งน้ำ",
        description="แหล่งน้ำเพื่อการเกษตรและอุปโภค (ข้อมูลตัวอย่าง)",
        agency=agencies["PROV-IRRIGATION"],
        features=water,
        visibility=LayerVisibility.PUBLIC,
        colour="#1f78b4",
        source_name="demo",
    )
    layer_create(
        name="ป่าสงวนแห่งชาติ",
        description="แนวเขตป่าสงวน (ข้อมูลตัวอย่าง)",
        agency=agencies["PROV-FOREST"],
        features=forests,
        visibility=LayerVisibility.INTERNAL,
        colour="#33a02c",
        source_name="demo",
    )
    layer_create(
        name="จุดระบาดไข้หวัดนก",
        description="จุดพบการระบาดของไข้หวัดนก (ข้อมูลตัวอย่าง)",
        agency=agencies["PROV-LIVESTOCK"],
        features=outbreaks,
        visibility=LayerVisibility.ROLES,
        roles=[Role.EXECUTIVE, Role.VERIFIER],
        colour="#e31a1c",
        source_name="demo",
    )
    context.setdefault("log", []).append(
        f"maps: simplified boundaries, layers: {len(water)} water sources, {len(forests)} forests, {len(outbreaks)} outbreaks"
    )
