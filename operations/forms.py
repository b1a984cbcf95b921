from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from operations.models import ContingencyPlanVersion, Course
from poc.fields import BEDateField
from poc.models import Agency


class ContingencyPlanForm(forms.ModelForm):
    class Meta:
        model = ContingencyPlanVersion
        fields = ["title", "contacts", "recovery_steps", "body", "change_note"]
        widgets = {
            "contacts": forms.Textarea(attrs={"rows": 6}),
            "recovery_steps": forms.Textarea(attrs={"rows": 12}),
            "body": forms.Textarea(attrs={"rows": 6}),
        }


class CourseForm(forms.ModelForm):
    class Meta:
        model = Course
        fields = ["title", "start_date", "end_date", "venue", "provider", "target_group", "planned_seats"]
        field_classes = {"start_date": BEDateField, "end_date": BEDateField}

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The course cannot end before it starts."))
        return data


class ParticipantForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.order_by("code"))

    def __init__(self, *args, agencies, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
