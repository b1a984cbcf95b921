"""The mapping step's form: an element for each value column, an answer for each questioned name, a period, a name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from datasets.columns import column_targets
from datasets.imports import TRUSTED_MATCHES
from datasets.layout import Layout
from datasets.models import Dataset, ImportProfile
from poc.models import User


class MappingForm(forms.Form):
    """Fields are built from the detected layout: ``col-N`` (element of the N-th column header), ``unit-N`` (org unit
    of the N-th questioned row label). The header and label texts travel in hidden ``col-key-N`` / ``unit-label-N``."""

    period = forms.CharField(
        label=_l("Period for values the file does not date"),
        max_length=12,
        required=False,
        help_text=_l("e.g. 2568, FY2568, 2568-01; only used where no sheet, column or row names one"),
    )
    profile_name = forms.CharField(
        label=_l("Save this mapping as import profile"),
        max_length=100,
        required=False,
        help_text=_l("Next time, pick this profile when uploading and the file imports in one step."),
    )

    def __init__(self, *args, dataset: Dataset, layout: Layout | None, mapping: dict, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        sheets = layout.sheets if layout else []  # an unreadable file: nothing to map, its error is shown
        # An element, or each option combination of a broken-down element (never its total: that is summed).
        targets = [(t.code, f"{t.code} · {t.name_th}") for t in column_targets(dataset.elements.all())]
        elements = [("", _("— ignore this column —")), *targets]
        self.columns: list[tuple[str, str, str]] = []  # (field name, header, how it was matched)
        chosen = mapping.get("elements", {})
        keys: dict[str, tuple[str, str, str | None]] = {}
        for sheet in sheets:
            for column in sheet.columns:
                if column.role == "value" and column.key not in keys:
                    keys[column.key] = (column.header, column.element_match, column.element)
        for number, (key, (header, match, element)) in enumerate(keys.items()):
            initial = chosen.get(key, element or "")
            self.fields[f"col-key-{number}"] = forms.CharField(widget=forms.HiddenInput, initial=key, required=False)
            label = header or _("(period only)")
            self.fields[f"col-{number}"] = forms.ChoiceField(choices=elements, initial=initial, required=False, label=label)
            how = "profile" if key in chosen else match
            self.columns.append((f"col-{number}", header or key, how if how in TRUSTED_MATCHES or how in ("close", "total") else ""))
        self.questions: list[tuple[str, str, int]] = []  # (field name, label, first row)
        answers = mapping.get("units", {})
        labels: dict[str, tuple[int, list]] = {}
        for sheet in sheets:
            for row in sheet.rows:
                if (row.kind != "unit" or row.answered) and row.label not in labels:
                    labels[row.label] = (row.row, row.candidates)
        for number, (label, (first_row, candidates)) in enumerate(labels.items()):
            choices = [("", _("— choose the org unit —"))] + [(code, f"{name} [{code}]") for code, name in candidates]
            if answers.get(label) and answers[label] not in dict(candidates):
                choices.append((answers[label], answers[label]))
            self.fields[f"unit-label-{number}"] = forms.CharField(widget=forms.HiddenInput, initial=label, required=False)
            self.fields[f"unit-{number}"] = forms.ChoiceField(choices=choices, initial=answers.get(label, ""), required=False, label=label)
            self.questions.append((f"unit-{number}", label, first_row))
        self.fields["period"].initial = mapping.get("period", "")
        # Fields in display order: columns, questions, then period and name.
        self.order_fields([name for name in self.fields if name.startswith(("col-", "unit-"))] + ["period", "profile_name"])

    def mapping(self) -> dict:
        """The mapping the clerk confirmed (to be checked by :func:`datasets.imports.clean_mapping`)."""
        data = self.cleaned_data
        elements = {data.get(f"col-key-{n}", "") or "": data.get(f"col-{n}", "") for n in range(len(self.columns))}
        units = {data[f"unit-label-{n}"]: data[f"unit-{n}"] for n in range(len(self.questions)) if data.get(f"unit-{n}")}
        mapping = {"elements": elements, "units": units, "complete": True}  # every column the clerk saw
        if data.get("period"):
            mapping["period"] = data["period"].strip()
        return mapping


def profile_choices(dataset: Dataset, user: User) -> list[tuple[str, str]]:
    profiles = ImportProfile.objects.restrict(user, "view").filter(dataset=dataset).order_by("name")
    return [("", _("— none: our template, or map the file now —"))] + [(str(p.pk), p.name) for p in profiles]
