"""Coverage simplification with shapely, run in a child process that loads nothing but shapely.

Django's process may also hold mod_spatialite's own GEOS (SpatiaLite databases); shapely's
coverage simplifier crashes (segfault) next to it. A separate interpreter keeps the two apart
on every database, at the cost of one process start per level.

Protocol: stdin = pickle of (tolerance, [WKB, ...]); stdout = pickle of [WKB, ...].
Both sides are our own code, so pickle is safe here.
"""

from __future__ import annotations

import pickle
import subprocess
import sys

import shapely


def _as_multipolygon(geometry: shapely.Geometry) -> shapely.MultiPolygon | None:
    parts = [g for g in shapely.get_parts(geometry) if isinstance(g, shapely.Polygon) and not g.is_empty]
    if not parts:
        polygons = [g for g in getattr(geometry, "geoms", []) if isinstance(g, (shapely.Polygon, shapely.MultiPolygon))]
        parts = [p for g in polygons for p in shapely.get_parts(g)]
    return shapely.MultiPolygon(parts) if parts else None


def simplify_wkb(wkbs: list[bytes], tolerance: float) -> list[bytes]:
    """Simplify polygons that tile an area together, keeping shared borders identical and results valid."""
    shapes = shapely.from_wkb(wkbs)
    simplified = shapely.coverage_simplify(shapes, tolerance)
    result = []
    for original, candidate in zip(shapes, simplified, strict=True):
        if candidate.is_empty or not candidate.is_valid:
            # Input that is not a clean coverage (overlaps) can give an invalid part: simplify it alone.
            candidate = shapely.simplify(original, tolerance / 2, preserve_topology=True)
            if not candidate.is_valid:
                candidate = shapely.make_valid(candidate)
        multi = _as_multipolygon(candidate) or _as_multipolygon(original)
        result.append(shapely.to_wkb(multi))
    return result


def simplify_in_child(wkbs: list[bytes], tolerance: float) -> list[bytes]:
    completed = subprocess.run(
        [sys.executable, "-m", "gis.coverage"], input=pickle.dumps((tolerance, wkbs)), capture_output=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"coverage simplification failed: {completed.stderr.decode(errors='replace')[-2000:]}")
    return pickle.loads(completed.stdout)


if __name__ == "__main__":
    tolerance, wkbs = pickle.loads(sys.stdin.buffer.read())
    sys.stdout.buffer.write(pickle.dumps(simplify_wkb(wkbs, tolerance)))
