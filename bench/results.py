"""One row per measure: printed as the `make bench` table and appended to bench/results.jsonl.

A row says what was measured, against which target, and how: every figure carries its sample count so a
reader comparing runs in results.jsonl can tell a percentile from a single timing.
"""

from __future__ import annotations

import json
import math
import os
import platform
import subprocess
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.jsonl"


@dataclass
class Result:
    measure: str
    target: str  # human-readable, e.g. "< 50 ms p95" or "printed" when the issue sets none
    measured: str  # human-readable figure(s)
    verdict: str  # "met", "NOT met", "printed", "SKIPPED", "ERROR"
    value: float | None = None  # the figure the verdict is based on, in ``unit``
    unit: str = ""
    samples: int = 0
    details: dict[str, Any] = field(default_factory=dict)


def verdict(value: float, *, below: float | None = None, above: float | None = None) -> str:
    if below is not None:
        return "met" if value < below else "NOT met"
    if above is not None:
        return "met" if value >= above else "NOT met"
    return "printed"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (no interpolation): the value at rank ceil(q·n)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def print_table(rows: list[Result]) -> None:
    headers = ("measure", "target", "measured", "verdict")
    cells = [(r.measure, r.target, r.measured, r.verdict) for r in rows]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h) for i, h in enumerate(headers)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    print(line.format(*headers))
    print(line.format(*("-" * w for w in widths)))
    for row in cells:
        print(line.format(*row))


def append_jsonl(rows: list[Result], *, run: dict[str, Any], path: Path = RESULTS) -> None:
    """One JSON object per measure, each carrying the run's identity (time, commit, scale, machine)."""
    with path.open("a", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps({**run, **asdict(row)}, ensure_ascii=False, default=str) + "\n")


def run_identity(scale: str) -> dict[str, Any]:
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = ""
    return {
        "run_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "scale": scale,
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg()[0],
    }
