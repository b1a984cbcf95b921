"""The IT contingency plan: the current version, any earlier one, and a new version (IT administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from operations import services
from operations.forms import ContingencyPlanForm
from operations.models import ContingencyPlanVersion
from poc.permissions import Gate, role_required


@login_required
def contingency_plan(request: HttpRequest, version: int | None = None) -> HttpResponse:
    versions = ContingencyPlanVersion.objects.select_related("created_by")
    plan = get_object_or_404(versions, version=version) if version else versions.first()
    return render(request, "operations/contingency_plan.html", {"plan": plan, "versions": versions, "latest": versions.first()})


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
        return redirect("operations:contingency_plan")
    return render(request, "operations/contingency_plan_form.html", {"form": form})
