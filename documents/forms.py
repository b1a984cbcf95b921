from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from poc.fields import BEDateField
from poc.models import Agency, User

from .models import Category, Direction, Document


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("All")), *Category.choices], required=False)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.order_by("code"), required=False)


class DocumentForm(forms.ModelForm):
    files = MultipleFileField(label=_("Attachments"), required=False)

    class Meta:
        model = Document
        fields = ["category", "letter_number", "date", "subject", "summary", "agency", "visibility"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}
        field_classes = {"date": BEDateField}

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if agencies.count() == 1:
            self.initial.setdefault("agency", agencies.first().pk)


class LetterForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Register of"), queryset=Agency.objects.none())
    direction = forms.ChoiceField(label=_("Direction"), choices=Direction.choices)
    is_circular = forms.BooleanField(label=_("Circular letter (ว)"), required=False)
    reference = forms.CharField(label=_("Sender's letter number"), max_length=120, required=False, help_text=_("Incoming letters only"))
    date = BEDateField(label=_("Date"))
    subject = forms.CharField(label=_("Subject"), max_length=500)
    sender = forms.CharField(label=_("From"), max_length=255)
    recipients_text = forms.CharField(label=_("To"), max_length=500, required=False)
    to_agencies = forms.ModelMultipleChoiceField(label=_("Route to agencies"), queryset=Agency.objects.order_by("code"), required=False)
    to_users = forms.ModelMultipleChoiceField(
        label=_("Route to people"), queryset=User.objects.filter(is_active=True).order_by("username"), required=False
    )
    attachment = forms.FileField(label=_("Attachment"), required=False)
    document = forms.ModelChoiceField(label=_("Document carried"), queryset=Document.objects.none(), required=False)

    def __init__(self, *args, agencies, documents, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        self.fields["document"].queryset = documents
        if agencies.count() == 1:
            self.initial.setdefault("agency", agencies.first().pk)

    def clean(self):
        data = super().clean()
        if data.get("direction") == Direction.INCOMING and not (data.get("reference") or "").strip():
            self.add_error("reference", _("Enter the letter number printed on the incoming letter."))
        return data
