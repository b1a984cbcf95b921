from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from poc.fields import BEDateField
from poc.models import Agency
from poc.periods import fiscal_year_of
from risk.models import MitigationAction, RiskAnswer, RiskCampaign, RiskQuestion

SCORE_CHOICES = [("", "–")] + [(str(n), str(n)) for n in range(1, 6)]


class CampaignForm(forms.ModelForm):
    agencies = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.order_by("code"), widget=forms.CheckboxSelectMultiple, label=_("Agencies")
    )

    class Meta:
        model = RiskCampaign
        fields = ["title", "fiscal_year", "deadline", "agencies"]
        field_classes = {"deadline": BEDateField}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("fiscal_year", fiscal_year_of(timezone.localdate()))
            self.initial.setdefault("agencies", list(Agency.objects.values_list("pk", flat=True)))


class ResponseForm(forms.Form):
    """Likelihood, impact (1–5) and a note per question: fields ``l_<id>``, ``i_<id>``, ``n_<id>``."""

    def __init__(self, *args, questions: list[RiskQuestion], answers: dict[int, RiskAnswer], disabled: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.questions = questions
        for question in questions:
            answer = answers.get(question.pk)
            self.fields[f"l_{question.pk}"] = forms.TypedChoiceField(
                label=_("Likelihood"),
                choices=SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                disabled=disabled,
                initial=answer.likelihood if answer else None,
            )
            self.fields[f"i_{question.pk}"] = forms.TypedChoiceField(
                label=_("Impact"),
                choices=SCORE_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
                disabled=disabled,
                initial=answer.impact if answer else None,
            )
            self.fields[f"n_{question.pk}"] = forms.CharField(
                label=_("Note"), max_length=500, required=False, disabled=disabled, initial=answer.note if answer else ""
            )

    def answers(self) -> dict[int, tuple[int | None, int | None, str]]:
        data = self.cleaned_data
        return {q.pk: (data.get(f"l_{q.pk}"), data.get(f"i_{q.pk}"), data.get(f"n_{q.pk}") or "") for q in self.questions}

    def rows(self) -> list[dict]:
        """Questions grouped by area, each with its three bound fields, for the template."""
        groups: dict[str, dict] = {}
        for question in self.questions:
            group = groups.setdefault(question.area, {"label": question.get_area_display(), "rows": []})
            group["rows"].append(
                {
                    "question": question,
                    "likelihood": self[f"l_{question.pk}"],
                    "impact": self[f"i_{question.pk}"],
                    "note": self[f"n_{question.pk}"],
                }
            )
        return list(groups.values())


class MitigationActionForm(forms.ModelForm):
    class Meta:
        model = MitigationAction
        fields = ["question", "description", "owner", "agency", "due_date"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        field_classes = {"due_date": BEDateField}

    def __init__(self, *args, campaign: RiskCampaign, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["question"].queryset = campaign.questions.all()
        self.fields["agency"].queryset = campaign.agencies.order_by("code")


class QuestionForm(forms.ModelForm):
    class Meta:
        model = RiskQuestion
        fields = ["area", "text", "guidance", "order", "is_active"]
        widgets = {"guidance": forms.Textarea(attrs={"rows": 3})}
