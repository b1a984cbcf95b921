from django import forms
from django.utils.translation import gettext_lazy as _

from datasets.models import Dataset
from poc.models import Agency, OrgUnit, Period
from poc.periods import PeriodError, parse_period
from verification.models import Severity, Status


class PeriodCodeField(forms.CharField):
    """A period code as a ``Period``: the stored row, or an unsaved one (cleaning a form never writes)."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("help_text", _("e.g. 2568-01, 2568-B1, 2568-Q1, FY2568"))
        super().__init__(**kwargs)

    def clean(self, value):  # type: ignore[no-untyped-def]
        value = super().clean(value)
        if not value:
            return None
        try:
            spec = parse_period(value)
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return Period.objects.lookup(spec)


class OrgUnitCodeField(forms.CharField):
    def clean(self, value):  # type: ignore[no-untyped-def]
        value = (super().clean(value) or "").strip()
        if not value:
            return None
        unit = OrgUnit.objects.filter(code=value).first()
        if unit is None:
            raise forms.ValidationError(_("Unknown org-unit code %(code)s.") % {"code": value})
        return unit


class SubmissionFilterForm(forms.Form):
    agency = forms.ModelChoiceField(Agency.objects.all(), required=False, label=_("Agency"))
    dataset = forms.ModelChoiceField(Dataset.objects.none(), required=False, label=_("Dataset"))
    status = forms.ChoiceField(choices=[("", "---------"), *Status.choices], required=False, label=_("Status"))
    period = PeriodCodeField(required=False, label=_("Period"))

    def __init__(self, *args, datasets=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = datasets if datasets is not None else Dataset.objects.none()
        self.fields["agency"].queryset = Agency.objects.filter(datasets__in=self.fields["dataset"].queryset).distinct()


class SubmissionOpenForm(forms.Form):
    dataset = forms.ModelChoiceField(Dataset.objects.none(), label=_("Dataset"))
    orgunit = OrgUnitCodeField(label=_("Org-unit code"), max_length=20)
    period = PeriodCodeField(label=_("Period"))

    def __init__(self, *args, datasets=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = datasets if datasets is not None else Dataset.objects.none()


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ViolationFilterForm(forms.Form):
    dataset = forms.ModelChoiceField(Dataset.objects.none(), required=False, label=_("Dataset"))
    period = PeriodCodeField(required=False, label=_("Period"))
    orgunit = OrgUnitCodeField(required=False, label=_("Org-unit code (subtree)"), max_length=20)
    severity = forms.ChoiceField(choices=[("", "---------"), *Severity.choices], required=False, label=_("Severity"))

    def __init__(self, *args, datasets=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = datasets if datasets is not None else Dataset.objects.none()


class ValidationRunForm(forms.Form):
    dataset = forms.ModelChoiceField(Dataset.objects.none(), label=_("Dataset"))
    period = PeriodCodeField(label=_("Period"))
    orgunit = OrgUnitCodeField(required=False, label=_("Org-unit code (subtree)"), max_length=20)

    def __init__(self, *args, datasets=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = datasets if datasets is not None else Dataset.objects.none()

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if data.get("dataset") and data.get("period") and data["period"].period_type != data["dataset"].period_type:
            raise forms.ValidationError(_("The period does not fit the dataset's period type."))
        return data


class BulkVerifyForm(ValidationRunForm):
    orgunit = None


class TrackingForm(forms.Form):
    period = forms.CharField(label=_("Two-month period"), max_length=12, help_text=_("e.g. 2568-B1"))

    def clean_period(self) -> str:
        code = self.cleaned_data["period"].strip().upper()
        try:
            spec = parse_period(code)
        except PeriodError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if spec.type != "B":
            raise forms.ValidationError(_("Choose a two-month period such as 2568-B1."))
        return code
