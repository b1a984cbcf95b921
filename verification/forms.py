from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from datasets.forms import DatasetSelect
from datasets.models import Dataset
from poc.fields import PeriodField, period_options
from poc.models import Agency, OrgUnit, OrgUnitLevel, Period
from poc.periods import PeriodType
from verification.models import RuleSeverity, Status


class PeriodCodeField(PeriodField):
    """A period picked or typed (see :class:`poc.fields.PeriodField`), cleaned to its stored :class:`Period`."""

    def clean(self, value):  # type: ignore[no-untyped-def]
        spec = super().clean(value)
        return Period.objects.lookup(spec) if spec else None  # cleaning a form never writes


def _offer_periods(form: forms.Form, datasets) -> None:  # type: ignore[no-untyped-def]
    """Give the form's period picker the recent periods of every kind its datasets use; follow its dataset choice."""
    today = timezone.localdate()
    kinds = sorted(set(datasets.values_list("period_type", flat=True))) if datasets is not None else []
    picker = form.fields["period"].widget
    picker.options = {kind: period_options(kind, today) for kind in kinds}
    if "dataset" in form.fields:
        form.fields["dataset"].widget = DatasetSelect(choices=form.fields["dataset"].choices)
        picker.type_source = form["dataset"].auto_id


class OrgUnitChoiceField(forms.ModelChoiceField):
    """An org unit picked by name from the user's scope (the code still works in links: ``?orgunit=2101``)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(queryset=OrgUnit.objects.none(), to_field_name="code", **kwargs)

    def label_from_instance(self, obj: OrgUnit) -> str:
        return f"{'— ' * (obj.level - 1)}{obj.name} ({obj.code})"


def _scope_units(user) -> QuerySet[OrgUnit]:  # type: ignore[no-untyped-def]
    """Province, districts and subdistricts under the user's agency unit (the whole province for provincial staff)."""
    agency = getattr(user, "agency", None) if user is not None else None
    units = OrgUnit.objects.without_shapes().filter(level__lte=OrgUnitLevel.SUBDISTRICT).order_by("path")
    if agency and agency.orgunit_id and not user.is_it_admin:
        home = OrgUnit.objects.without_shapes().get(pk=agency.orgunit_id)
        return units.filter(path__startswith=home.path)
    return units


class SubmissionFilterForm(forms.Form):
    agency = forms.ModelChoiceField(Agency.objects.all(), required=False, label=_("Agency"))
    dataset = forms.ModelChoiceField(Dataset.objects.none(), required=False, label=_("Dataset"))
    status = forms.ChoiceField(choices=[("", "---------"), *Status.choices], required=False, label=_("Status"))
    period = PeriodCodeField(required=False, label=_("Period"))

    def __init__(self, *args, datasets=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = datasets if datasets is not None else Dataset.objects.none()
        self.fields["agency"].queryset = Agency.objects.filter(datasets__in=self.fields["dataset"].queryset).distinct()
        _offer_periods(self, datasets)


class SubmissionOpenForm(forms.Form):
    dataset = forms.ModelChoiceField(Dataset.objects.none(), label=_("Dataset"))
    orgunit = OrgUnitChoiceField(label=_("Org unit"))
    period = PeriodCodeField(label=_("Period"))

    def __init__(self, *args, datasets=None, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = datasets if datasets is not None else Dataset.objects.none()
        self.fields["orgunit"].queryset = _scope_units(user)
        _offer_periods(self, datasets)


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ViolationFilterForm(forms.Form):
    dataset = forms.ModelChoiceField(Dataset.objects.none(), required=False, label=_("Dataset"))
    period = PeriodCodeField(required=False, label=_("Period"))
    orgunit = OrgUnitChoiceField(required=False, label=_("Org unit (and below)"))
    severity = forms.ChoiceField(choices=[("", "---------"), *RuleSeverity.choices], required=False, label=_("Severity"))

    def __init__(self, *args, datasets=None, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = datasets if datasets is not None else Dataset.objects.none()
        if "orgunit" in self.fields:
            self.fields["orgunit"].queryset = _scope_units(user)
        _offer_periods(self, datasets)


class ValidationRunForm(forms.Form):
    dataset = forms.ModelChoiceField(Dataset.objects.none(), label=_("Dataset"))
    period = PeriodCodeField(label=_("Period"))
    orgunit = OrgUnitChoiceField(required=False, label=_("Org unit (and below)"))

    def __init__(self, *args, datasets=None, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = datasets if datasets is not None else Dataset.objects.none()
        if "orgunit" in self.fields:
            self.fields["orgunit"].queryset = _scope_units(user)
        _offer_periods(self, datasets)

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean()
        if data.get("dataset") and data.get("period") and data["period"].period_type != data["dataset"].period_type:
            raise forms.ValidationError(_("The period does not fit the dataset's period type."))
        return data


class BulkVerifyForm(ValidationRunForm):
    orgunit = None


class TrackingForm(forms.Form):
    period = PeriodField(label=_("Two-month period"), period_types=(PeriodType.BIMONTHLY,))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"].widget.options = {PeriodType.BIMONTHLY: period_options(PeriodType.BIMONTHLY)}

    def clean_period(self) -> str:
        return self.cleaned_data["period"].code
