from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cockpit.models import Display, InformationRequest
from poc.fields import BEDateField
from poc.models import OrgUnit, OrgUnitLevel


class AcknowledgeForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class PinForm(forms.Form):
    subject = forms.ChoiceField(label=_("Indicator or data element"))
    display = forms.ChoiceField(label=_("Show as"), choices=Display.choices)
    orgunit = forms.ModelChoiceField(
        label=_("Org unit"), queryset=OrgUnit.objects.filter(level__lte=OrgUnitLevel.DISTRICT).without_shapes(), required=False
    )

    def __init__(self, *args, subjects: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subject"].choices = subjects


class RequestForm(forms.ModelForm):
    class Meta:
        model = InformationRequest
        fields = ["title", "purpose", "orgunit_level", "frequency", "needed_by"]
        widgets = {"purpose": forms.Textarea(attrs={"rows": 4})}
        field_classes = {"needed_by": BEDateField}


class AnswerForm(forms.ModelForm):
    class Meta:
        model = InformationRequest
        fields = ["answer", "status"]
        widgets = {"answer": forms.Textarea(attrs={"rows": 4})}


def pivot_years(first: int, last: int) -> list[int]:
    """Fiscal years from ``first`` to ``last`` (either order), at most ``POC_PIVOT_MAX_PERIODS`` of them.

    The count is checked before the range is built: ``to=30000000`` once built a list of 30 million years.
    """
    low, high = min(first, last), max(first, last)
    limit = settings.POC_PIVOT_MAX_PERIODS
    if high - low + 1 > limit:
        raise ValidationError(
            gettext(
                "The range from %(first)s to %(last)s holds %(n)s fiscal years; the analysis shows at most %(limit)s at a time. "
                "Choose a shorter range, or ask the IT administrator to raise POC_PIVOT_MAX_PERIODS."
            )
            % {"first": low, "last": high, "n": f"{high - low + 1:,}", "limit": f"{limit:,}"},
            code="range_too_long",
        )
    return list(range(low, high + 1))
