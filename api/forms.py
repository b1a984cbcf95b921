from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What or who will use it, e.g. “DHIS2 sync”"))
    expires_days = forms.IntegerField(
        label=_("Expires after (days)"), min_value=1, max_value=3650, required=False, help_text=_("Empty: never")
    )
    read_only = forms.BooleanField(label=_("Read only"), required=False)
