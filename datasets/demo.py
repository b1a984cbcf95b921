"""Demo seed for datasets: the shipped catalogue (datasets/catalogue/*.yaml)."""

from __future__ import annotations

from typing import Any

from datasets.catalogue import catalogue_load


def seed(context: dict[str, Any]) -> None:
    result = catalogue_load()
    if not result.ok:
        raise RuntimeError("catalogue: " + "\n".join(result.errors))
    counts = ", ".join(f"{result.created[kind]}+{result.updated[kind]} {kind}" for kind in result.created)
    context.setdefault("log", []).append(f"catalogue (created+updated): {counts}")
