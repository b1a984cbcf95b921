from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


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
