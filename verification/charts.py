"""Plotly figures built in Python and handed to the page as JSON (rendered by our static JS)."""

from __future__ import annotations

import plotly.graph_objects as go
from django.utils.translation import gettext as _

from poc.periods import parse_period, period_label
from verification.tracking import TrackingReport


def _layout(fig: go.Figure, **extra) -> dict:
    fig.update_layout(
        margin={"l": 40, "r": 10, "t": 30, "b": 40},
        height=320,
        font={"family": "Sarabun, Tahoma, sans-serif"},
        legend={"orientation": "h"},
        **extra,
    )
    return fig.to_plotly_json()


def violation_trend(rows: list[tuple[str, int, int]]) -> dict:
    labels = [period_label(parse_period(code)) for code, _e, _w in rows]
    fig = go.Figure()
    fig.add_bar(name=_("Errors"), x=labels, y=[e for _c, e, _w in rows], marker_color="#c62828")
    fig.add_bar(name=_("Warnings"), x=labels, y=[w for _c, _e, w in rows], marker_color="#e0a100")
    return _layout(fig, barmode="stack", title={"text": _("Violations per period")})


def tracking(report: TrackingReport) -> dict:
    names = [a.agency.name for a in report.agencies]
    fig = go.Figure()
    fig.add_bar(name=_("On time"), x=names, y=[a.on_time for a in report.agencies], marker_color="#1e8e3e")
    fig.add_bar(name=_("Late"), x=names, y=[a.late for a in report.agencies], marker_color="#e0a100")
    fig.add_bar(name=_("Missing"), x=names, y=[a.missing for a in report.agencies], marker_color="#c62828")
    return _layout(fig, barmode="stack", title={"text": _("Reports due in %(p)s") % {"p": report.window.label()}})
