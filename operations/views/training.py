"""The staff development plan: courses of a fiscal year, their participants and attendance."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from operations import services
from operations.forms import CourseForm, ParticipantForm
from operations.models import Course, Participant, ParticipantStatus
from operations.selectors import training_by_agency, training_progress
from poc import permissions
from poc.models import Agency
from poc.params import fiscal_year_param
from poc.periods import fiscal_year_of
from poc.permissions import Gate, role_required


@login_required
def training_plan(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    fiscal_year = fiscal_year_param(request.GET, default=fiscal_year_of(today))
    courses = Course.objects.filter(fiscal_year=fiscal_year).prefetch_related("participants")
    context = {
        "fiscal_year": fiscal_year,
        "courses": courses,
        "progress": training_progress(fiscal_year),
        "by_agency": training_by_agency(fiscal_year),
        "can_manage": services.can_manage_training(request.user),
    }
    return render(request, "operations/training_plan.html", context)


@role_required(Gate.IT_ADMIN)
def course_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk) if pk else Course()
    form = CourseForm(request.POST or None, instance=course)
    if request.method == "POST" and form.is_valid():
        course = services.course_save(user=request.user, course=form.instance)
        messages.success(request, _("Course saved."))
        return redirect("operations:course_detail", pk=course.pk)
    return render(request, "operations/course_form.html", {"form": form, "course": course})


def _enrol_agencies(request: HttpRequest):
    return permissions.restrict(Agency.objects.order_by("code"), request.user, "change")  # IT: any agency; others their own


@login_required
def course_detail(request: HttpRequest, pk: int) -> HttpResponse:
    course = get_object_or_404(Course, pk=pk)
    form = ParticipantForm(request.POST or None, agencies=_enrol_agencies(request))
    if request.method == "POST" and form.is_valid():
        services.participant_add(user=request.user, course=course, **form.cleaned_data)
        messages.success(request, _("Participant added."))
        return redirect("operations:course_detail", pk=pk)
    participants = course.participants.select_related("agency")
    context = {
        "course": course,
        "participants": participants,
        "form": form,
        "statuses": ParticipantStatus.choices,
        "can_manage": services.can_manage_training(request.user),
    }
    return render(request, "operations/course_detail.html", context)


@login_required
@require_POST
def participant_status(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_object_or_404(Participant, pk=pk)
    status = request.POST.get("status", "")
    if status in ParticipantStatus.values:
        services.participant_set_status(user=request.user, participant=participant, status=status)
    else:
        messages.error(request, _("Unknown status."))
    return redirect("operations:course_detail", pk=participant.course_id)
