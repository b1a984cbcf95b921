"""The datasets' figures, as plain data for plotly.js (no plotly import: the page draws them)."""

from __future__ import annotations


def history(periods, elements, values: dict) -> dict:
    """One line per numeric element over ``periods``; ``values`` keyed (element id, period code)."""
    labels = [p.label() for p in periods]
    data = [
        {"type": "scatter", "mode": "lines+markers", "name": e.name, "x": labels, "y": [values.get((e.pk, p.code)) for p in periods]}
        for e in elements
    ]
    return {
        "data": data,
        "layout": {
            "margin": {"t": 20, "r": 10, "b": 60, "l": 60},
            "legend": {"orientation": "h"},
            "font": {"family": "Sarabun, sans-serif"},
            "height": 380,
        },
    }
