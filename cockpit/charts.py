"""The cockpit's plotly figures, built in Python and handed to the page as JSON (plotly.js draws them)."""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from cockpit.selectors import LIGHT_COLOURS, VERSUS_COLOURS


def drilldown_bar(rows: list[dict], title: str, reference: float | None, reference_name: str) -> dict:
    """Areas best first, coloured by their own target or against the unit above (never its target), its value as a line."""
    colours = [LIGHT_COLOURS[r["light"]] if r["light"] else VERSUS_COLOURS[r["versus"]] for r in rows]  # own target, else vs above
    fig = go.Figure(
        go.Bar(
            x=[r["name"] for r in rows],
            y=[r["value"] for r in rows],
            marker_color=colours,
            customdata=[r["code"] for r in rows],
            hovertemplate="%{x}: %{y:,}<extra></extra>",
        )
    )
    if reference is not None:
        fig.add_hline(y=reference, line_dash="dot", line_color="#17335f", annotation_text=reference_name, annotation_position="top left")
    fig.update_yaxes(tickformat=",")
    fig.update_layout(title=title, margin={"l": 50, "r": 10, "t": 40, "b": 80}, height=340, font={"family": "Sarabun, Tahoma"})
    return fig.to_plotly_json()


def drilldown_trend(years: list[int], values: list, partial: list, targets: list, name: str) -> dict:
    """The unit's value per fiscal year, a partly reported year apart, and its targets when it has any."""
    labels = [_("FY %(fiscal_year)s") % {"fiscal_year": y} for y in years]
    fig = go.Figure(go.Scatter(x=labels, y=values, mode="lines+markers", name=name))
    if any(v is not None for v in partial):  # drawn apart: a partly reported year is not a fall
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=partial,
                mode="markers",
                name=_("Not enough data yet"),
                marker={"symbol": "circle-open", "size": 10, "color": "#9aa5b5"},
            )
        )
    if any(t is not None for t in targets):
        fig.add_trace(go.Scatter(x=labels, y=targets, mode="lines", name=_("Target"), line={"dash": "dash"}))
    fig.update_yaxes(tickformat=",")
    fig.update_layout(title=_("Trend"), margin={"l": 50, "r": 10, "t": 40, "b": 40}, height=300, font={"family": "Sarabun, Tahoma"})
    return fig.to_plotly_json()


def pin_line(codes: list[str], series: list) -> dict:
    """A dashboard pin's unit over the fiscal years."""
    return _pin_layout(go.Figure(go.Scatter(x=codes, y=series, mode="lines+markers")))


def pin_bar(rows: list[dict]) -> dict:
    """A dashboard pin's parts of its unit in the last fiscal year."""
    return _pin_layout(go.Figure(go.Bar(x=[r["name"] for r in rows], y=[r["value"] for r in rows])))


def _pin_layout(fig: go.Figure) -> dict:
    fig.update_layout(margin={"l": 40, "r": 10, "t": 10, "b": 60}, height=260, font={"family": "Sarabun, Tahoma"})
    return fig.to_plotly_json()


def pivot_bars(header: list[str], col_labels: list[str], table: list) -> dict:
    """One bar group per pivot row, one bar per column."""
    fig = go.Figure([go.Bar(name=label, x=header, y=[cells[j] for _r, cells in table]) for j, label in enumerate(col_labels)])
    fig.update_layout(barmode="group", height=380, margin={"l": 50, "r": 10, "t": 20, "b": 80}, font={"family": "Sarabun, Tahoma"})
    return fig.to_plotly_json()
