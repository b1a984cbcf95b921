"""A country-size hierarchy for scale tests and benchmarks (``manage.py generate_national``).

The real Thai hierarchy with boundaries (77 provinces, 928 districts, ~7,400 subdistricts) is
imported from ``POC_NATIONAL_REFERENCE_DIR`` through the ordinary org-unit import when present;
otherwise a generated one of the same shape is. Villages are generated as points. Everything is
deterministic for a given seed.
"""

from __future__ import annotations

import json
import random
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import Point

from gis.services import shape_heads_refresh
from poc.maintenance import BULK_ROWS, vacuum_after_commit
from poc.models import OrgUnit, OrgUnitLevel
from poc.orgunit_import import orgunits_import

LEVEL_FILES = ("province", "district", "subdistrict")
GENERATED_PROVINCES = 77
GENERATED_DISTRICTS = 12  # per province: 924, close to the real 928
GENERATED_SUBDISTRICTS = 8  # per district: 7,392, close to the real ~7,400


def national_reference_dir() -> Path | None:
    path = Path(settings.POC_NATIONAL_REFERENCE_DIR)
    return path if all((path / f"{level}_simplified.geojson").is_file() for level in LEVEL_FILES) else None


def _box(x0: float, y0: float, width: float, height: float) -> list:
    return [[[[x0, y0], [x0 + width, y0], [x0 + width, y0 + height], [x0, y0 + height], [x0, y0]]]]


def generated_national_geojson(path: Path) -> None:
    """77 provinces on a 7 × 11 grid of 1° squares, each cut into 4 × 3 districts of 4 × 2 subdistricts."""
    features = []

    def feature(code: str, name: str, parent: str, level: str, coords: list) -> None:
        props = {"code": code, "name_th": name, "name_en": name, "parent_code": parent, "level": level}
        features.append({"type": "Feature", "properties": props, "geometry": {"type": "MultiPolygon", "coordinates": coords}})

    for p in range(GENERATED_PROVINCES):
        province = f"{10 + p}"
        px, py = 97.5 + (p % 7), 6.0 + (p // 7)
        feature(province, f"จังหวัด {province}", "", "province", _box(px, py, 1, 1))
        for d in range(GENERATED_DISTRICTS):
            district = f"{province}{d + 1:02d}"
            dx, dy = px + (d % 4) * 0.25, py + (d // 4) / 3
            feature(district, f"อำเภอ {district}", province, "district", _box(dx, dy, 0.25, 1 / 3))
            for s in range(GENERATED_SUBDISTRICTS):
                code = f"{district}{s + 1:02d}"
                feature(code, f"ตำบล {code}", district, "subdistrict", _box(dx + (s % 4) * 0.0625, dy + (s // 4) / 6, 0.0625, 1 / 6))
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), encoding="utf-8")


def national_hierarchy_import(*, reference: Path | None) -> str:
    """Import provinces, districts and subdistricts; returns where they came from."""
    if reference is not None:
        files = [reference / f"{level}_simplified.geojson" for level in LEVEL_FILES]
        source = str(reference)
    else:
        tmp = tempfile.mkdtemp()
        files = [Path(tmp) / "generated_national.geojson"]
        generated_national_geojson(files[0])
        source = "generated"
    for file in files:
        report = orgunits_import(file, fix_invalid=True)
        if not report.ok:
            raise RuntimeError("\n".join(report.lines()))
    return source


def national_villages_generate(*, per_subdistrict: int, seed: int) -> int:
    """``per_subdistrict`` village points inside each subdistrict (codes subdistrict + 2 digits)."""
    if not 1 <= per_subdistrict <= 99:
        raise ValueError("villages per subdistrict must be between 1 and 99")
    rng = random.Random(seed)
    existing = set(OrgUnit.objects.filter(level=OrgUnitLevel.VILLAGE).values_list("code", flat=True))
    villages = []
    for subdistrict in OrgUnit.objects.filter(level=OrgUnitLevel.SUBDISTRICT).only("pk", "code", "path", "geom", "point").order_by("code"):
        geom = subdistrict.geom
        prepared = geom.prepared if geom else None
        for number in range(1, per_subdistrict + 1):
            code = f"{subdistrict.code}{number:02d}"
            if code in existing:
                continue
            point = subdistrict.point
            if geom is not None:  # rejection sampling in the bounding box
                xmin, ymin, xmax, ymax = geom.extent
                for _attempt in range(20):
                    candidate = Point(rng.uniform(xmin, xmax), rng.uniform(ymin, ymax), srid=4326)
                    if prepared.contains(candidate):
                        point = candidate
                        break
                else:
                    point = geom.point_on_surface
            unit = OrgUnit(
                code=code, name_th=f"หมู่ที่ {number}", name_en=f"Moo {number}", level=OrgUnitLevel.VILLAGE, parent=subdistrict, point=point
            )
            unit.path = unit.build_path()
            villages.append(unit)
    OrgUnit.objects.bulk_create(villages, batch_size=5000)
    if villages:  # the subdistricts' map features now say they have children
        shape_heads_refresh()
    if len(villages) >= BULK_ROWS:
        vacuum_after_commit(OrgUnit)
    return len(villages)
