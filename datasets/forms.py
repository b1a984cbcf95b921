"""Forms of the datasets app: the entry picker, the entry grid (elements × org units) and uploads."""

from __future__ import annotations

from dataclasses import dataclass, field

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from datasets.hints import cell_hints
from datasets.models import DataElement, Dataset, DataValue, NotAvailableReason, ValueType, format_number
from datasets.services import CellError, CellInput
from poc.models import OrgUnit, Period
from poc.periods import PeriodError, parse_period

UPLOAD_TYPES = (".csv", ".xlsx")


@dataclass
class GridCell:
    element: DataElement
    orgunit: OrgUnit
    name: str
    value: str = ""
    not_available: str = ""
    previous: str = ""
    error: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    hint: str = ""  # expected range (see datasets.hints)
    flag: str = ""  # outlier warning on the stored value


@dataclass
class GridRow:
    orgunit: OrgUnit
    cells: list[GridCell] = field(default_factory=list)


class EntryGrid:
    """The entry grid of one dataset and period: one row per org unit, one cell per element.

    Fields are named ``v-<element>-<orgunit>`` (value) and ``na-<element>-<orgunit>`` (not-available reason).
    """

    def __init__(self, dataset: Dataset, period: Period, orgunits: list[OrgUnit], data: dict | None = None) -> None:
        self.dataset, self.period, self.orgunits = dataset, period, orgunits
        self.elements = list(dataset.elements.all())
        self.data = data
        current = self._values(period)
        previous_period = Period.objects.for_spec(period.spec.previous())
        previous = self._values(previous_period)
        self.previous_period = previous_period
        self.rows: list[GridRow] = []
        attrs = {e.pk: input_attrs(e) for e in self.elements}
        hints = cell_hints(self.elements, orgunits, period)
        for unit in orgunits:
            row = GridRow(unit)
            for element in self.elements:
                key = (element.pk, unit.pk)
                name = f"{element.pk}-{unit.pk}"
                stored = current.get(key)
                cell = GridCell(element, unit, name, previous=_display(previous.get(key)), attrs=attrs[element.pk])
                if key in hints:
                    cell.hint, cell.flag = hints[key].text, hints[key].flag
                if data is not None:
                    cell.value = (data.get(f"v-{name}") or "").strip()
                    cell.not_available = data.get(f"na-{name}") or ""
                elif stored is not None:
                    cell.not_available = stored.not_available
                    cell.value = "" if stored.not_available else _display(stored)
                row.cells.append(cell)
            self.rows.append(row)

    def _values(self, period: Period) -> dict[tuple[int, int], DataValue]:
        rows = DataValue.objects.filter(element__in=self.elements, orgunit__in=self.orgunits, period=period)
        return {(v.element_id, v.orgunit_id): v for v in rows}

    def cells(self) -> tuple[list[CellInput], list[CellError]]:
        """What the grid asks to write, and the cells that break the 'required' rule."""
        inputs, missing = [], []
        for row in self.rows:
            for cell in row.cells:
                if cell.not_available and cell.not_available not in NotAvailableReason.values:
                    cell.not_available = NotAvailableReason.OTHER
                if cell.element.required and not cell.value and not cell.not_available:
                    missing.append(CellError(cell.name, cell.element.code, cell.orgunit.code,
                                             _("required: enter a value or mark it not available")))  # fmt: skip
                raw = "" if cell.not_available else cell.value
                inputs.append(CellInput(element=cell.element, orgunit=cell.orgunit, period=self.period, raw=raw,
                                        not_available=cell.not_available, ref=cell.name))  # fmt: skip
        return inputs, missing

    def attach_errors(self, errors: list[CellError]) -> None:
        by_ref = {e.ref: e.message for e in errors}
        for row in self.rows:
            for cell in row.cells:
                cell.error = by_ref.get(cell.name, "")


def _display(value: DataValue | None) -> str:
    if value is None:
        return ""
    if value.not_available:
        return NotAvailableReason(value.not_available).label
    return format_number(value.value_num) if value.value_num is not None else value.value_text


def input_attrs(element: DataElement) -> dict[str, str]:
    """HTML validation attributes for an element's input (the server checks the same rules)."""
    if element.value_type in (ValueType.INTEGER, ValueType.DECIMAL, ValueType.PERCENT):
        attrs = {"type": "number", "step": "1" if element.value_type == ValueType.INTEGER else "any", "inputmode": "decimal"}
        if element.min_value is not None:
            attrs["min"] = format_number(element.min_value)
        if element.max_value is not None:
            attrs["max"] = format_number(element.max_value)
        return attrs
    return {"type": "text", "maxlength": "1000"}


class EntryPickForm(forms.Form):
    """Dataset → period → org unit, from what the user may enter."""

    dataset = forms.ModelChoiceField(queryset=Dataset.objects.none(), label=_l("Dataset"), to_field_name="code")
    period = forms.CharField(label=_l("Period"), max_length=12, help_text=_l("e.g. 2568-01, 2568-Q1, FY2568, 2568"))
    orgunit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_l("Org unit"), to_field_name="code", required=False)

    def __init__(self, *args, user, within: OrgUnit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = Dataset.objects.restrict(user, "change").select_related("topic")
        self.fields["orgunit"].queryset = OrgUnit.objects.subtree(within).filter(level__lte=3).without_shapes()
        self.within = within

    def clean(self) -> dict:
        data = super().clean()
        dataset, code = data.get("dataset"), data.get("period")
        if dataset and code:
            try:
                spec = parse_period(code)
            except PeriodError as exc:
                self.add_error("period", str(exc))
                return data
            if spec.type != dataset.period_type:
                self.add_error("period", _("period %(p)s does not fit dataset %(d)s") % {"p": spec.code, "d": dataset.code})
            data["period_obj"] = spec
        unit = data.get("orgunit") or self.within
        if dataset and unit.level > dataset.collection_level:
            self.add_error("orgunit", _("dataset %(d)s is collected at another org-unit level") % {"d": dataset.code})
        data["orgunit"] = unit
        return data


class UploadForm(forms.Form):
    file = forms.FileField(label=_l("File (CSV or Excel .xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(UPLOAD_TYPES):
            raise forms.ValidationError(_("Upload a .csv or .xlsx file."))
        if upload.size > settings.POC_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than %(n)d MB.") % {"n": settings.POC_MAX_UPLOAD_BYTES // 2**20})
        return upload
