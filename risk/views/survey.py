"""IT risk survey: campaigns, the agency's answer form (draft/submit), the report and its exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from poc.exports import workbook_response
from poc.params import id_param
from poc.pdf import pdf_response
from poc.permissions import Gate, role_required
from risk import services
from risk.exports import report_pdf, report_xlsx
from risk.forms import CampaignForm, MitigationActionForm, QuestionForm, ResponseForm
from risk.models import ActionStatus, MitigationAction, ResponseStatus, RiskCampaign, RiskQuestion, RiskResponse
from risk.selectors import campaigns_for, can_view_report, survey_report


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = campaigns_for(request.user).prefetch_related("responses")
    rows = []
    for campaign in campaigns:
        mine = next((r for r in campaign.responses.all() if r.agency_id == request.user.agency_id), None)
        submitted = sum(1 for r in campaign.responses.all() if r.status == ResponseStatus.SUBMITTED)
        rows.append({"campaign": campaign, "mine": mine, "submitted": submitted, "invited": len(campaign.responses.all())})
    return render(request, "risk/campaign_list.html", {"rows": rows, "can_report": can_view_report(request.user)})


@role_required(Gate.IT_ADMIN)
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                user=request.user,
                title=form.cleaned_data["title"],
                fiscal_year=form.cleaned_data["fiscal_year"],
                deadline=form.cleaned_data["deadline"],
                agencies=form.cleaned_data["agencies"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The survey was sent to %(n)d agencies.") % {"n": campaign.agencies.count()})
            return redirect("risk:campaign_report", pk=campaign.pk)
    return render(request, "risk/campaign_form.html", {"form": form})


@login_required
def response_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The agency's own answers. IT administrators may open any agency's with ``?agency=<id>``."""
    campaign = get_object_or_404(campaigns_for(request.user), pk=pk)
    # Another agency's answers exist only for those who may change them (IT administrators): others get their own.
    wanted = id_param(request.GET, "agency", request.user.agency_id)
    responses = RiskResponse.objects.restrict(request.user, "change").select_related("agency").filter(campaign=campaign)
    response = responses.filter(agency_id=wanted).first() if wanted else None
    response = response or get_object_or_404(responses, agency_id=request.user.agency_id)
    questions = list(campaign.questions.order_by("area", "order", "pk"))
    answers = {a.question_id: a for a in response.answers.all()}
    locked = response.status == ResponseStatus.SUBMITTED or campaign.is_closed
    form = ResponseForm(request.POST or None, questions=questions, answers=answers, disabled=locked)
    if request.method == "POST" and not locked and form.is_valid():
        submit = request.POST.get("action") == "submit"
        try:
            services.response_save(response=response, user=request.user, answers=form.answers(), submit=submit)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            messages.error(request, _("Nothing was saved. Correct the answers below."))
        else:
            if submit:
                messages.success(request, _("Thank you: your agency's answers were submitted."))
            else:
                messages.success(request, _("Draft saved. You can come back and submit before the deadline."))
            return redirect(request.get_full_path())
    context = {"campaign": campaign, "response": response, "form": form, "locked": locked, "scale": range(1, 6)}
    return render(request, "risk/response_form.html", context)


@role_required(Gate.EXECUTIVE_OR_IT)
def campaign_report(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(RiskCampaign, pk=pk)
    report = survey_report(campaign)
    action_form = MitigationActionForm(campaign=campaign)
    context = {"report": report, "action_form": action_form, "action_statuses": ActionStatus.choices, "scale": range(1, 6)}
    return render(request, "risk/campaign_report.html", context)


@role_required(Gate.EXECUTIVE_OR_IT)
def campaign_report_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    report = survey_report(get_object_or_404(RiskCampaign, pk=pk))
    if fmt == "xlsx":
        return workbook_response(report_xlsx(report), filename=f"risk-report-{pk}.xlsx")
    return pdf_response(report_pdf(report), f"risk-report-{pk}.pdf", attachment=True)


@login_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(RiskCampaign, pk=pk)
    services.campaign_set_closed(campaign=campaign, user=request.user, closed=not campaign.is_closed)
    return redirect("risk:campaign_report", pk=pk)


@login_required
@require_POST
def response_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    response = get_object_or_404(RiskResponse, pk=pk)
    services.response_reopen(response=response, user=request.user)
    messages.success(request, _("%(agency)s can edit its answers again.") % {"agency": response.agency})
    return redirect("risk:campaign_report", pk=response.campaign_id)


@role_required(Gate.IT_ADMIN)
@require_POST
def action_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(RiskCampaign, pk=pk)
    form = MitigationActionForm(request.POST, campaign=campaign)
    if form.is_valid():
        services.action_create(user=request.user, campaign=campaign, **form.cleaned_data)
        messages.success(request, _("Mitigation action added."))
        return redirect("risk:campaign_report", pk=pk)
    report = survey_report(campaign)
    messages.error(request, _("The mitigation action was not saved. Correct the fields below."))
    context = {"report": report, "action_form": form, "action_statuses": ActionStatus.choices, "scale": range(1, 6)}
    return render(request, "risk/campaign_report.html", context, status=400)


@login_required
@require_POST
def action_status(request: HttpRequest, pk: int) -> HttpResponse:
    action = get_object_or_404(MitigationAction, pk=pk)
    status = request.POST.get("status", "")
    if status not in ActionStatus.values:
        messages.error(request, _("Unknown status."))
    else:
        services.action_set_status(user=request.user, action=action, status=status)
    return redirect("risk:campaign_report", pk=action.campaign_id)


@role_required(Gate.IT_ADMIN)
def question_list(request: HttpRequest) -> HttpResponse:
    return render(request, "risk/question_list.html", {"questions": RiskQuestion.objects.all()})


@role_required(Gate.IT_ADMIN)
@require_POST
def questions_load(request: HttpRequest) -> HttpResponse:
    added = services.questions_load_standard(user=request.user)
    messages.success(request, _("%(n)d standard questions added.") % {"n": added})
    return redirect("risk:question_list")


@role_required(Gate.IT_ADMIN)
def question_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    question = get_object_or_404(RiskQuestion, pk=pk) if pk else RiskQuestion()
    form = QuestionForm(request.POST or None, instance=question)
    if request.method == "POST" and form.is_valid():
        services.question_save(user=request.user, question=form.instance)
        messages.success(request, _("Question saved."))
        return redirect("risk:question_list")
    return render(request, "risk/question_form.html", {"form": form, "question": question})
