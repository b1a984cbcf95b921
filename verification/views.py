"""Thin views over verification's services and its reads (selectors, rule checks, approvals, timeliness, tracking)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from datasets.models import CategoryOptionCombo, DataElement, Dataset
from poc import permissions
from poc.exports import workbook_response
from poc.models import Agency, OrgUnit, Period
from poc.params import id_list_param, id_param
from poc.pdf import pdf_response
from poc.permissions import Gate, role_required
from verification import charts, reports, selectors, services
from verification.approvals import approval_chain
from verification.filters import SubmissionFilter, ViolationFilter
from verification.forms import (
    BulkVerifyForm,
    CommentForm,
    SubmissionOpenForm,
    TrackingForm,
    ValidationRunForm,
    ViolationFilterForm,
)
from verification.models import Notification, Status, Submission, Violation
from verification.rule_checks import rules_evaluate
from verification.timeliness import responsibility_matrix
from verification.tracking import tracking_report

REVIEWABLE = (Status.SUBMITTED, Status.RESUBMITTED, Status.APPROVED)  # awaiting a verifier, at some level


def _errors(exc: ValidationError) -> list[str]:
    return exc.messages


# --- Submissions --------------------------------------------------------------------------------
@login_required
def submissions(request: HttpRequest) -> HttpResponse:
    """Agency users' submissions and the verifier's queue (filters: agency, dataset, status, period)."""
    user = request.user
    visible_datasets = Dataset.objects.restrict(user, "work")
    queryset = selectors.submissions_visible(user)
    to_verify = request.GET.get("queue") == "1"
    if to_verify:
        queryset = queryset.filter(dataset__in=Dataset.objects.restrict(user, "verify"), status__in=REVIEWABLE).filter(
            Q(dataset__approval_levels=1) | Q(pk__in=Submission.objects.restrict(user, "verify").values("pk"))
        )  # up the levels, only what is this verifier's level to approve
    filters = SubmissionFilter(request.GET, queryset=queryset, datasets=visible_datasets)
    page = Paginator(filters.qs, 50).get_page(request.GET.get("page"))
    open_form = SubmissionOpenForm(datasets=visible_datasets, user=user)
    context = {
        "form": filters.form,
        "page": page,
        "open_form": open_form,
        "to_verify": to_verify,
        "can_bulk": Dataset.objects.restrict(user, "verify").exists(),
    }
    return render(request, "verification/submissions.html", context)


@login_required
@require_POST
def submission_open(request: HttpRequest) -> HttpResponse:
    visible = Dataset.objects.restrict(request.user, "work")
    form = SubmissionOpenForm(request.POST, datasets=visible, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("verification:submissions")
    data = form.cleaned_data
    try:
        submission = services.submission_get_or_create(
            dataset=data["dataset"], orgunit=data["orgunit"], period=Period.objects.for_spec(data["period"].spec), user=request.user
        )
    except ValidationError as exc:
        for error in _errors(exc):
            messages.error(request, error)
        return redirect("verification:submissions")
    return redirect("verification:submission", submission.pk)


def _visible_submission(request: HttpRequest, pk: int) -> Submission:
    return get_object_or_404(selectors.submissions_visible(request.user), pk=pk)


@login_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _visible_submission(request, pk)
    dataset = submission.dataset
    context = {
        "submission": submission,
        "rows": selectors.submission_values(submission),
        "results": rules_evaluate(dataset, submission.orgunit, submission.period),
        "events": submission.events.select_related("user"),
        "can_submit": permissions.can(request.user, "change", dataset) and submission.status in (Status.DRAFT, Status.RETURNED),
        "can_review": submission.status in REVIEWABLE and permissions.can(request.user, "verify", submission),
        "chain": approval_chain(submission) if dataset.approval_levels > 1 else [],
        "can_reopen": submission.status == Status.VERIFIED and permissions.can(request.user, "verify", submission),
        "comment_form": CommentForm(),
    }
    return render(request, "verification/submission.html", context)


ACTIONS = {
    "submit": services.submission_submit,
    "return": services.submission_return,
    "verify": services.submission_verify,
    "reopen": services.submission_reopen,
}


@login_required
@require_POST
def submission_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    submission = _visible_submission(request, pk)
    if action not in ACTIONS:
        raise Http404
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        ACTIONS[action](submission=submission, user=request.user, comment=comment)
    except PermissionDenied as exc:
        messages.error(request, str(exc) or _("You may not do this."))
    except ValidationError as exc:
        for error in _errors(exc):
            messages.error(request, error)
    else:
        messages.success(request, _("Saved: the submission is now “%(s)s”.") % {"s": Submission.objects.get(pk=pk).get_status_display()})
    return redirect("verification:submission", pk)


@login_required
@require_POST
def outlier_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    submission = _visible_submission(request, pk)
    element = get_object_or_404(DataElement, pk=id_param(request.POST, "element"), dataset=submission.dataset)
    option_id = id_param(request.POST, "option_combo")  # a cell of a broken-down element; none: the element's value
    option_combo = None if option_id is None else get_object_or_404(CategoryOptionCombo, pk=option_id, combo_id=element.category_combo_id)
    try:
        services.outlier_confirm(
            element=element,
            orgunit=submission.orgunit,
            period=submission.period,
            user=request.user,
            comment=request.POST.get("comment", ""),
            option_combo=option_combo,
        )
    except PermissionDenied:
        messages.error(request, _("You may not do this."))
    except ValidationError as exc:
        for error in _errors(exc):
            messages.error(request, error)
    else:
        messages.success(request, _("The value of %(e)s is confirmed.") % {"e": element.code})
    return redirect("verification:submission", pk)


@login_required
def bulk_verify(request: HttpRequest) -> HttpResponse:
    """Verify past periods in one go, after a preview of what will be locked."""
    datasets = Dataset.objects.restrict(request.user, "verify")
    if not datasets.exists():
        permissions.deny()  # a page for verifiers only: nothing to verify, nothing to see
    form = BulkVerifyForm(request.POST or request.GET or None, datasets=datasets)
    plan = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if request.method == "POST":
            try:
                done = services.bulk_verify(
                    dataset=data["dataset"], until=data["period"], user=request.user, comment=request.POST.get("comment", "")
                )
            except ValidationError as exc:
                for error in _errors(exc):
                    messages.error(request, error)
            else:
                done_text = (
                    _("%(n)d submissions verified, %(v)d values locked.")
                    if done.dataset.approval_levels == 1
                    else _("%(n)d submissions approved one level up, %(v)d values locked.")
                )
                messages.success(request, done_text % {"n": len(done.to_verify), "v": done.values_locked})
                return redirect("verification:submissions")
        plan = services.bulk_verify_plan(dataset=data["dataset"], until=data["period"], user=request.user)
    return render(request, "verification/bulk_verify.html", {"form": form, "plan": plan})


# --- Validation analysis ------------------------------------------------------------------------
def _filtered_violations(request: HttpRequest) -> tuple[ViolationFilterForm, QuerySet[Violation]]:
    datasets = Dataset.objects.restrict(request.user, "view")
    filters = ViolationFilter(request.GET, queryset=selectors.violations_visible(request.user), datasets=datasets, user=request.user)
    return filters.form, filters.qs


@login_required
def violations(request: HttpRequest) -> HttpResponse:
    """Every violation (no cap), paginated, with a hotspot map and a trend over periods."""
    form, queryset = _filtered_violations(request)
    runnable = Dataset.objects.restrict(request.user, "work")
    hotspots = selectors.violation_hotspots(queryset)
    context = {
        "form": form,
        "page": Paginator(queryset, 50).get_page(request.GET.get("page")),
        "total": queryset.count(),
        "run_form": ValidationRunForm(datasets=runnable, user=request.user) if runnable.exists() else None,
        "trend_figure": charts.violation_trend(selectors.violation_trend(queryset)),
        "hotspots": hotspots,
        "hotspot_rows": sorted(hotspots.items(), key=lambda item: -item[1])[:20],
        "query": request.GET.urlencode(),
    }
    return render(request, "verification/violations.html", context)


@login_required
@require_POST
def validation_run(request: HttpRequest) -> HttpResponse:
    runnable = Dataset.objects.restrict(request.user, "work")
    form = ValidationRunForm(request.POST, datasets=runnable, user=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("verification:violations")
    data = form.cleaned_data
    run = services.validation_run(dataset=data["dataset"], period=Period.objects.for_spec(data["period"].spec), orgunit=data["orgunit"])
    messages.success(
        request, _("%(u)d org units checked: %(e)d errors, %(w)d warnings.") % {"u": run.units, "e": run.errors, "w": run.warnings}
    )
    return redirect(f"{redirect('verification:violations').url}?dataset={data['dataset'].pk}&period={data['period'].code}")


@login_required
def orgunit_shapes(request: HttpRequest) -> JsonResponse:
    """Boundaries of the units that have violations (GeoJSON, 4-decimal precision) for the hotspot map."""
    codes = [c for c in request.GET.get("codes", "").split(",") if c][:5000]
    features = []
    for unit in OrgUnit.objects.filter(code__in=codes).exclude(geom__isnull=True).only("code", "name_th", "name_en", "geom"):
        geometry = json.loads(unit.geom.simplify(0.001, preserve_topology=True).json)
        features.append({"type": "Feature", "properties": {"code": unit.code, "name": unit.name}, "geometry": _round(geometry)})
    return JsonResponse({"type": "FeatureCollection", "features": features})


def _round(value):  # type: ignore[no-untyped-def]
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, list):
        return [_round(v) for v in value]
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    return value


@login_required
def violation_hotspots(request: HttpRequest) -> JsonResponse:
    """{org-unit code: violations} for the current filters."""
    _form, queryset = _filtered_violations(request)
    return JsonResponse(selectors.violation_hotspots(queryset))


# --- Timeliness ---------------------------------------------------------------------------------
@login_required
def responsibility(request: HttpRequest) -> HttpResponse:
    agency = None
    if request.GET.get("agency"):
        agency = Agency.objects.filter(code=request.GET["agency"]).first()
    rows = responsibility_matrix(user=request.user, agency=agency)
    if request.GET.get("format") == "xlsx":
        return workbook_response(reports.responsibility_xlsx(rows), filename="responsibility-matrix.xlsx")
    agencies = Agency.objects.filter(datasets__in=Dataset.objects.restrict(request.user, "view").filter(is_active=True)).distinct()
    return render(
        request, "verification/responsibility.html", {"rows": rows, "agencies": agencies, "agency": agency, "today": timezone.localdate()}
    )


@role_required(Gate.PROVINCIAL_IT)
def tracking(request: HttpRequest) -> HttpResponse:
    """The bimonthly tracking report and follow-up letters belong to the provincial IT group."""
    form = TrackingForm(request.GET or {"period": reports.current_window_code()})
    if not form.is_valid():
        return render(request, "verification/tracking.html", {"form": form})
    report = tracking_report(form.cleaned_data["period"], user=request.user)
    output = request.GET.get("format")
    if output == "xlsx":
        return workbook_response(reports.tracking_xlsx(report), filename=f"tracking-{report.window.code}.xlsx")
    if output == "pdf":
        return pdf_response(reports.tracking_pdf(report), f"tracking-{report.window.code}.pdf")
    return render(request, "verification/tracking.html", {"form": form, "report": report, "figure": charts.tracking(report)})


@role_required(Gate.PROVINCIAL_IT)
def tracking_letter(request: HttpRequest, agency_code: str) -> HttpResponse:
    form = TrackingForm(request.GET)
    if not form.is_valid():
        raise Http404
    agency = get_object_or_404(Agency, code=agency_code)
    report = tracking_report(form.cleaned_data["period"], user=request.user)
    letter = reports.follow_up_letter(report, agency)
    if letter is None:
        raise Http404(_("This agency has nothing overdue in the period."))
    if request.GET.get("format") == "pdf":
        return pdf_response(reports.letter_pdf(letter), f"letter-{agency.code}-{report.window.code}.pdf")
    return render(request, "verification/letter.html", {"letter": letter})


# --- Notifications ------------------------------------------------------------------------------
@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        ids = id_list_param(request.POST, "id") or None
        services.notifications_mark_read(user=request.user, ids=ids)
        return redirect("verification:notifications")
    page = Paginator(Notification.objects.filter(user=request.user), 30).get_page(request.GET.get("page"))
    return render(request, "verification/notifications.html", {"page": page})
