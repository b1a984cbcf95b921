"""The usage report (IT administrators): page views, active users and agencies of a month."""

from __future__ import annotations

import datetime as dt
import json
import math

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.selectors import usage_report
from poc.periods import format_date_be
from poc.permissions import Gate, role_required


@role_required(Gate.IT_ADMIN)
def usage(request: HttpRequest) -> HttpResponse:
    try:
        month = dt.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        month = timezone.localdate().replace(day=1)
    report = usage_report(month)
    import plotly.graph_objects as go

    days = [format_date_be(row["day"]) for row in report.daily]
    # Whole-number ticks: a month of a few users must not read "1.5 users".
    counts_axis = {"rangemode": "tozero", "tickformat": ",d", "tick0": 0}
    users_step = max(1, math.ceil(max((row["users"] for row in report.daily), default=1) / 5))
    views_step = max(1, math.ceil(max((row["n"] for row in report.daily), default=1) / 5))
    figure = go.Figure(
        data=[
            go.Bar(x=days, y=[row["n"] for row in report.daily], name=_("Page views")),
            go.Scatter(x=days, y=[row["users"] for row in report.daily], name=_("Active users"), yaxis="y2", mode="lines+markers"),
        ],
        layout={
            "margin": {"l": 40, "r": 40, "t": 20, "b": 60}, "height": 320, "legend": {"orientation": "h"},
            "yaxis": {**counts_axis, "dtick": views_step},
            "yaxis2": {**counts_axis, "dtick": users_step, "overlaying": "y", "side": "right"},
            "font": {"family": "Sarabun, Tahoma, sans-serif"},
        },
    )  # fmt: skip
    context = {"report": report, "figure": json.loads(figure.to_json()), "month_value": f"{month:%Y-%m}"}
    return render(request, "operations/usage_report.html", context)
