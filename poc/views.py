from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from poc.forms import AccountsUploadForm
from poc.models import Agency, OrgUnit, OrgUnitLevel
from poc.services import AccountsResult, accounts_create_from_csv


@login_required
def home(request: HttpRequest) -> HttpResponse:
    counts = {level.label: OrgUnit.objects.filter(level=level).count() for level in OrgUnitLevel}
    return render(request, "poc/home.html", {"unit_counts": counts, "agency_count": Agency.objects.count()})


@login_required
def accounts_issue(request: HttpRequest) -> HttpResponse:
    """IT administrators upload a CSV of accounts and download the one-time passwords."""
    if not request.user.is_it_admin:
        raise PermissionDenied
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
            response = HttpResponse(result.output_csv().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="one-time-passwords.csv"'
            return response
        messages.error(request, _("No account was created. Fix the rows below and upload again."))
    return render(request, "poc/accounts_issue.html", {"form": form, "errors": errors})


class PasswordChangeView(auth_views.PasswordChangeView):
    """Password change that also clears the one-time-password flag."""

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        self.request.user.must_change_password = False
        self.request.user.save(update_fields=["must_change_password"])
        return response


class LoginView(auth_views.LoginView):
    """Login that refuses further attempts for a while after repeated failures (per address and username)."""

    def _key(self) -> str:
        address = self.request.META.get("REMOTE_ADDR", "")
        username = (self.request.POST.get("username") or "").strip().lower()
        return f"login-failures:{address}:{username}"

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if cache.get(self._key(), 0) >= settings.POC_LOGIN_MAX_FAILURES:
            form = self.get_form()
            form.errors.clear()
            form.add_error(
                None,
                _("Too many failed attempts. Try again in %(minutes)d minutes.") % {"minutes": settings.POC_LOGIN_LOCKOUT_SECONDS // 60},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):  # type: ignore[no-untyped-def]
        key = self._key()
        cache.add(key, 0, settings.POC_LOGIN_LOCKOUT_SECONDS)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, settings.POC_LOGIN_LOCKOUT_SECONDS)
        return super().form_invalid(form)

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        cache.delete(self._key())
        return super().form_valid(form)
