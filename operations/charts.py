"""The operations pages' figures, built in Python and handed to the page as JSON (plotly.js draws them)."""

from __future__ import annotations

import json
import math

from django.utils.translation import gettext as _

from poc.periods import format_date_be


def usage_daily(daily: list[dict]) -> dict:
    """Page views (bars) and active users (a line on its own axis) per day of the month."""
    import plotly.graph_objects as go  # only this report draws: the rest of operations skips loading plotly

    days = [format_date_be(row["day"]) for row in daily]
    # Whole-number ticks: a month of a few users must not read "1.5 users".
    counts_axis = {"rangemode": "tozero", "tickformat": ",d", "tick0": 0}
    users_step = max(1, math.ceil(max((row["users"] for row in daily), default=1) / 5))
    views_step = max(1, math.ceil(max((row["n"] for row in daily), default=1) / 5))
    figure = go.Figure(
        data=[
            go.Bar(x=days, y=[row["n"] for row in daily], name=_("Page views")),
            go.Scatter(x=days, y=[row["users"] for row in daily], name=_("Active users"), yaxis="y2", mode="lines+markers"),
        ],
        layout={
            "margin": {"l": 40, "r": 40, "t": 20, "b": 60},
            "height": 320,
            "legend": {"orientation": "h"},
            "yaxis": {**counts_axis, "dtick": views_step},
            "yaxis2": {**counts_axis, "dtick": users_step, "overlaying": "y", "side": "right"},
            "font": {"family": "Sarabun, Tahoma, sans-serif"},
        },
    )
    return json.loads(figure.to_json())
