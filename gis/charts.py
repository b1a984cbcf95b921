"""The map page's figures, built in Python and handed to the page as JSON (plotly.js draws them)."""

from __future__ import annotations

import json

from poc.periods import PeriodSpec


def series(*, place: str, name: str, unit: str, periods: list[PeriodSpec], values: list[float | None]) -> dict:
    """A measure's values for one place over ``periods``: a line, gaps left open."""
    import plotly.graph_objects as go  # only the series endpoint draws: the map's other requests skip loading plotly

    figure = go.Figure(
        go.Scatter(x=[p.label() for p in periods], y=values, mode="lines+markers", line={"color": "#08519c"}, connectgaps=False),
        layout={
            "margin": {"l": 40, "r": 10, "t": 30, "b": 60},
            "height": 260,
            "title": {"text": f"{place} · {name}", "font": {"size": 13}},
            "yaxis": {"title": {"text": unit}, "rangemode": "tozero"},
            "font": {"family": "Sarabun, sans-serif"},
        },
    )
    return json.loads(figure.to_json())
