"""The usage report (IT administrators): page views, active users and agencies of a month."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from operations import charts
from operations.selectors import usage_report
from poc.permissions import Gate, role_required


@role_required(Gate.IT_ADMIN)
def usage(request: HttpRequest) -> HttpResponse:
    try:
        month = dt.datetime.strptime(request.GET.get("month", ""), "%Y-%m").date()
    except ValueError:
        month = timezone.localdate().replace(day=1)
    report = usage_report(month)
    context = {"report": report, "figure": charts.usage_daily(report.daily), "month_value": f"{month:%Y-%m}"}
    return render(request, "operations/usage_report.html", context)
