from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from poc import lockout


class AccountsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Accounts CSV"),
        help_text=_("Columns: agency_code, username, first_name, last_name, email, roles (data_entry;verifier;executive;it_admin)"),
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > min(settings.POC_MAX_UPLOAD_BYTES, 2 * 1024 * 1024):
            raise forms.ValidationError(_("The file is too large."))
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Upload a .csv file."))
        try:
            self.cleaned_data["text"] = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise forms.ValidationError(_("The CSV file must be UTF-8 encoded.")) from exc
        return upload


class OrgUnitGroupsUploadForm(forms.Form):
    KIND_CHOICES = [
        ("groups", _("Org-unit groups and group sets")),
        ("municipalities", _("Municipalities and the subdistricts they cover")),
    ]

    kind = forms.ChoiceField(label=_("The file lists"), choices=KIND_CHOICES)
    file = forms.FileField(label=_("CSV file"), help_text=_("The columns are described in the README (Foundation)."))
    allow_unknown_members = forms.BooleanField(
        label=_("Skip member codes this portal does not hold (e.g. other provinces of a cluster)"), required=False
    )

    def clean_file(self):  # type: ignore[no-untyped-def]
        upload = self.cleaned_data["file"]
        if upload.size > min(settings.POC_MAX_UPLOAD_BYTES, 2 * 1024 * 1024):
            raise forms.ValidationError(_("The file is too large."))
        if not upload.name.lower().endswith(".csv"):
            raise forms.ValidationError(_("Upload a .csv file."))
        self.cleaned_data["content"] = upload.read()
        return upload


class LockoutMixin:
    """Authentication that counts failures (poc.lockout) and refuses a locked username or address before checking."""

    request: HttpRequest | None

    def clean(self):  # type: ignore[no-untyped-def]
        username = str(self.cleaned_data.get("username") or "")
        if lockout.is_locked(self.request, username):
            minutes = max(1, settings.POC_LOGIN_LOCKOUT_SECONDS // 60)
            raise forms.ValidationError(
                _("Too many failed attempts. Try again in %(minutes)d minutes.") % {"minutes": minutes}, code="locked"
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            lockout.record_failure(self.request, username)
            raise
        lockout.record_success(self.request, username)
        return cleaned


class LoginForm(LockoutMixin, AuthenticationForm):
    pass


class AdminLoginForm(LockoutMixin, AdminAuthenticationForm):
    pass


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Password change that refuses the current password as the new one (a one-time password must really change)."""

    def clean_new_password1(self) -> str:
        password = self.cleaned_data.get("new_password1") or ""
        if password and self.user.check_password(password):
            raise forms.ValidationError(_("The new password must differ from the current one."), code="password_reused")
        return password
