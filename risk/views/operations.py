"""Contingency plan (versioned), staff development plan and the usage report."""

from __future__ import annotations

import datetime as dt
import json
import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from poc import permissions
from poc.models import Agency
from poc.params import fiscal_year_param
from poc.periods import fiscal_year_of, format_date_be
from poc.permissions import Gate, role_required
from risk import services
from risk.forms import ContingencyPlanForm, CourseForm, ParticipantForm
from risk.models import ContingencyPlanVersion, Course, Participant, ParticipantStatus
from risk.selectors import training_by_agency, training_progress, usage_report


# --- Contingency plan ------------------------------------------------------------------------------
@login_required
def contingency_plan(request: HttpRequest, version: int | None = None) -> HttpResponse:
    versions = ContingencyPlanVersion.objects.select_related("created_by")
    plan = get_object_or_404(versions, version=version) if version else versions.first()
    return render(request, "risk/contingency_plan.html", {"plan": plan, "versions": versions, "latest": versions.first()})


@role_required(Gate.IT_ADMIN)
def contingency_plan_edit(request: HttpRequest) -> HttpResponse:
    latest = ContingencyPlanVersion.objects.first()
    initial = (
        {"title": latest.title, "contacts": latest.contacts, "recovery_steps": latest.recovery_steps, "body": latest.body} if latest else {}
    )
    form = ContingencyPlanForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        version = services.contingency_plan_save(user=request.user, **form.cleaned_data)
        messages.success(request, _("Saved as version %(n)d.") % {"n": version.version})
        return redirect("risk:contingency_plan")
    return render(request, "risk/contingency_plan_form.html", {"form": form})


# --- Staff development plan ---------------------------------------------------------------------------
@login_required
def training_plan(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    fiscal_year = fiscal_year_param(request.GET, default=fiscal_year_of(today))
    courses = Course.objects.filter(fiscal_year=fiscal_year).prefetch_related("participants")
    context = {
        "fiscal_year": fiscal_year, "courses": courses, "progress": training_progress(fiscal_year),
        "by_agency": training_by_agency(fiscal_year), "can_manage": services.can_manage_training(request.user),
    }  # fmt: skip
    return render(request, "risk/training_plan.html", context)


@role_required(Gate.IT_ADMIN)
def course_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk) if pk else Course()
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        course = services.course_save(user=request.user, course=form.instance)
        messages.success(request, _("Course saved."))
        return redirect("risk:course_detail", pk=course.pk)
    return render(request, "risk/course_form.html", {"form": form, "course": course})


def _enrol_agencies(request: HttpRequest):
    return permissions.restrict(Agency.objects.order_by("code"), request.user, "change")  # IT: any agency; others their own


@login_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    form = ParticipantForm(request.POST or None, agencies=_enrol_agencies(request))
    if request.method == "POST" and form.is_valid():
        services.participant_add(user=request.user, course=course, **form.cleaned_data)
        messages.success(request, _("Participant added."))
        return redirect("risk:course_detail", pk=pk)
    participants = course.participants.select_related("agency")
    context = {
        "course": course, "participants": participants, "form": form, "statuses": ParticipantStatus.choices,
        "can_manage": services.can_manage_training(request.user),
    }  # fmt: skip
    return render(request, "risk/course_detail.html", context)


@login_required
@require_POST
def participant_status(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_object_or_404(Participant, pk=pk)
    status = request.POST.get("status", "")
    if status in ParticipantStatus.values:
        services.participant_set_status(user=request.user, participant=participant, status=status)
    else:
        messages.error(request, _("Unknown status."))
    return redirect("risk:course_detail", pk=participant.course_id)


# --- Usage report ----------------------------------------------------------------------------------
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
    return render(request, "risk/usage_report.html", context)
