from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from poc import permissions, privacy
from poc.exports import CSV_CONTENT_TYPE, attachment
from poc.forms import AccountsUploadForm, LoginForm, OrgUnitGroupsUploadForm, PasswordChangeForm
from poc.groups import GroupFileError, groups_import, municipalities_import
from poc.home import panels_for
from poc.models import Agency, OrgUnit, OrgUnitGroup, OrgUnitLevel, User
from poc.params import code_param, int_param
from poc.permissions import Gate, role_required
from poc.services import AccountsResult, accounts_create_from_csv


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each user's work first (panels from the apps); the size of the org-unit register only for IT administrators."""
    context: dict = {"panels": panels_for(request)}
    if permissions.is_it_admin(request.user):
        context["unit_counts"] = {level.label: OrgUnit.objects.filter(level=level).count() for level in OrgUnitLevel}
        context["agency_count"] = Agency.objects.count()
    return render(request, "poc/home.html", context)


@role_required(Gate.IT_ADMIN)
def accounts_issue(request: HttpRequest) -> HttpResponse:
    """IT administrators upload a CSV of accounts and download the one-time passwords."""
    form = AccountsUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = accounts_create_from_csv(form.cleaned_data["text"])
        except ValidationError as exc:  # a rule only the model knows (nothing was created: one transaction)
            result = AccountsResult(errors=exc.messages)
        if result.errors:
            errors = result.errors
        else:
            return attachment(result.output_csv().encode("utf-8-sig"), filename="one-time-passwords.csv", content_type=CSV_CONTENT_TYPE)
        messages.error(request, _("No account was created. Fix the rows below and upload again."))
    return render(request, "poc/accounts_issue.html", {"form": form, "errors": errors})


@role_required(Gate.IT_ADMIN)
def orgunit_groups(request: HttpRequest) -> HttpResponse:
    """IT administrators: the groups, group sets and municipalities, and a CSV upload to change them
    (the service of the ``import_orgunit_groups`` command)."""
    form = OrgUnitGroupsUploadForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["kind"] == "municipalities":
                report = municipalities_import(user=request.user, content=data["content"])
            else:
                report = groups_import(user=request.user, content=data["content"], allow_unknown_members=data["allow_unknown_members"])
        except GroupFileError as exc:
            errors = [str(exc)]
        else:
            errors = report.errors
            if report.ok:
                done = _("%(created)s created, %(changed)s changed.") % {"created": report.created, "changed": report.changed}
                skipped = _(" Skipped codes not in this portal: %(codes)s.") % {"codes": ", ".join(sorted(set(report.skipped)))}
                messages.success(request, done + (skipped if report.skipped else ""))
                return redirect("orgunit_groups")
        messages.error(request, _("Nothing was changed. Fix the rows below and upload again."))
    groups = OrgUnitGroup.objects.select_related("group_set").annotate(member_count=Count("members")).order_by("group_set__code", "code")
    municipalities = OrgUnit.objects.without_shapes().filter(level=OrgUnitLevel.MUNICIPALITY).prefetch_related("covered_areas__subdistrict")
    context = {"form": form, "errors": errors, "groups": groups, "municipalities": municipalities.order_by("code")}
    return render(request, "poc/orgunit_groups.html", context, status=400 if errors else 200)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Password change that refuses the current password and clears the one-time-password flag."""

    form_class = PasswordChangeForm

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        self.request.user.must_change_password = False
        self.request.user.save(update_fields=["must_change_password"])
        return response


class LoginView(auth_views.LoginView):
    """Login through the shared lockout (poc.lockout); a locked attempt answers 429."""

    authentication_form = LoginForm

    def form_invalid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_invalid(form)
        if form.has_error(NON_FIELD_ERRORS, "locked"):
            response.status_code = 429
        return response


# --- Personal data (PDPA) -----------------------------------------------------------------------
def privacy_notice(request: HttpRequest) -> HttpResponse:
    """The privacy notice: open to everyone, linked from the login page and every footer."""
    return render(
        request,
        "poc/privacy.html",
        {
            "pageview_days": settings.POC_PAGEVIEW_RETENTION_DAYS,
            "notification_days": settings.POC_NOTIFICATION_RETENTION_DAYS,
        },
    )


@role_required(Gate.IT_ADMIN)
def people(request: HttpRequest) -> HttpResponse:
    """IT administrators: find a person to export their data or anonymise a departed user."""
    query = code_param(request.GET, "q")
    users = User.objects.select_related("agency").order_by("username")
    if query:
        users = users.filter(
            Q(username__icontains=query) | Q(first_name__icontains=query) | Q(last_name__icontains=query) | Q(email__icontains=query)
        )
    page = Paginator(users, 50).get_page(int_param(request.GET, "page", 1, minimum=1, maximum=10**6))
    return render(request, "poc/people.html", {"page": page, "q": query})


@role_required(Gate.IT_ADMIN)
@require_POST
def person_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    body = privacy.person_export(actor=request.user, person=person)
    return attachment(body.encode("utf-8"), filename=f"personal-data-{person.pk}.json", content_type="application/json; charset=utf-8")


@role_required(Gate.IT_ADMIN)
@require_POST
def person_anonymise_view(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_object_or_404(User, pk=pk)
    # Typing the username guards against a slip: anonymising cannot be undone.
    if request.POST.get("confirm", "").strip() != person.username:
        messages.error(request, _("Type the username %(u)s to confirm. Nothing was changed.") % {"u": person.username})
        return redirect("people")
    try:
        privacy.person_anonymise(actor=request.user, person=person)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The account was anonymised; its audit trail is kept."))
    return redirect("people")
