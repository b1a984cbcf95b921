"""Forms of the datasets app: the entry picker, the entry grid (elements × org units) and uploads."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import ClassVar

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from datasets.formstate import form_statuses, situations
from datasets.grid_columns import GridColumn, format_total, grid_columns, header_rows, parse_figure
from datasets.hints import cell_hints
from datasets.models import CategoryOptionCombo, DataElement, Dataset, DataValue, NotAvailableReason, ValueType, format_number
from datasets.readers import UPLOAD_TYPES
from datasets.services import CellConflict, CellError, CellInput, value_state
from poc.fields import PeriodField, PeriodOption, period_options
from poc.models import OrgUnit, Period
from poc.periods import PeriodType, format_date_be, recent_periods


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
    original: str = ""  # the stored value when the form was loaded (``value_state``), posted back as ``o-<name>``
    expected: str | None = None  # the ``o-<name>`` posted: what the user saw; None from a client that does not say
    changed: bool = False  # the user changed this cell
    locked: str = ""  # "verified by … on …": shown read-only, never posted
    conflict: CellConflict | None = None  # changed by someone else since loaded: both values shown, the user chooses
    column: GridColumn | None = None
    is_total: ClassVar[bool] = False

    @property
    def option_combo(self) -> CategoryOptionCombo | None:
        return self.column.option_combo if self.column else None

    @property
    def label(self) -> str:
        """The element and, for a part of a broken-down element, its options: ``ประชากร · หญิง, ในเขตเทศบาล``."""
        return self.column.label if self.column else self.element.name

    @property
    def total_of(self) -> str:
        """For a part of a summed broken-down element: the name of its total in the row (entry.js adds it up)."""
        if self.option_combo is None or not self.column.summed:
            return ""
        return f"{self.element.pk}-{self.orgunit.pk}"

    @property
    def theirs(self) -> str:
        return state_display(self.conflict.theirs) if self.conflict else ""

    @property
    def conflict_when(self) -> str:
        return format_date_be(timezone.localtime(self.conflict.at)) if self.conflict and self.conflict.at else ""


@dataclass
class GridTotal:
    """A broken-down element's total in one row: the sum of its parts, shown (and kept live by entry.js), never posted.

    A total posted anyway is refused (see ``EntryGrid.posted_totals``) and its error shows here.
    """

    column: GridColumn
    orgunit: OrgUnit
    name: str
    value: str = ""
    previous: str = ""
    hint: str = ""
    flag: str = ""
    error: str = ""
    is_total: ClassVar[bool] = True

    @property
    def element(self) -> DataElement:
        return self.column.element

    @property
    def label(self) -> str:
        return self.column.label


@dataclass
class GridRow:
    orgunit: OrgUnit
    cells: list[GridCell | GridTotal] = field(default_factory=list)
    locked: str = ""


def state_display(state: str) -> str:
    """A ``value_state`` as people read it: the value, the not-available reason, or "(empty)"."""
    if state.startswith("n/a:"):
        reason = state[4:]
        return str(NotAvailableReason(reason).label) if reason in NotAvailableReason.values else reason
    return state or _("(empty)")


class EntryGrid:
    """The entry grid of one dataset and period: one row per org unit, one cell per element (per option combination
    for an element broken down by categories, followed by its live total).

    Fields are named ``v-<element>-<orgunit>`` (value), ``na-<element>-<orgunit>`` (not-available reason) and
    ``o-<element>-<orgunit>`` (the stored value when the form was loaded); a part of a broken-down element adds its
    option combination: ``v-<element>-<orgunit>-<option combination>``. Only cells the user changed are written
    (entry.js does not even post the others), each checked against what the user saw, so a value someone else saved
    meanwhile is never overwritten unseen. Rows of verified forms are read-only.
    """

    def __init__(
        self, dataset: Dataset, period: Period, orgunits: list[OrgUnit], data: dict | None = None, *, display: bool = True
    ) -> None:
        """``display=False`` leaves out what only the page shows (previous period's values, hints and outlier flags):
        a save that succeeds redirects without showing the grid. :meth:`prepare_display` adds them when it is shown."""
        self.dataset, self.period, self.orgunits = dataset, period, orgunits
        self.elements = list(dataset.elements.all())
        self.columns = grid_columns(self.elements)
        self.header = header_rows(self.columns)
        self.data = data
        self.other_errors: list[str] = []  # errors of fields the grid does not show
        self.previous_period: Period | None = None
        current = self._values(period)
        self.rows: list[GridRow] = []
        attrs = {e.pk: input_attrs(e) for e in self.elements}
        statuses = form_statuses(dataset, orgunits, [period.code])
        for unit in orgunits:
            status = statuses.get((unit.pk, period.code))
            row = GridRow(unit, locked=status.verified_text if status and status.locked else "")
            for column in self.columns:
                if column.is_total:
                    row.cells.append(self._total(column, row))
                    continue
                element, combo_id = column.element, column.option_combo.pk if column.option_combo else None
                name = f"{element.pk}-{unit.pk}" if combo_id is None else f"{element.pk}-{unit.pk}-{combo_id}"
                stored = current.get((element.pk, unit.pk, combo_id))
                cell = GridCell(element, unit, name, attrs=attrs[element.pk], locked=row.locked)
                cell.column = column
                cell.original = value_state(stored)
                posted = data is not None and not row.locked and (f"v-{name}" in data or f"na-{name}" in data)
                if posted and data.get(f"keep-{name}") != "theirs":
                    cell.value = (data.get(f"v-{name}") or "").strip()
                    cell.not_available = data.get(f"na-{name}") or ""
                    cell.expected = data.get(f"o-{name}")
                    cell.changed = cell.expected is None or self._state(cell) != cell.expected
                elif stored is not None and row.locked:
                    cell.value = _display(stored)  # read-only: a not-available reason is shown as text
                elif stored is not None:
                    cell.not_available = stored.not_available
                    cell.value = "" if stored.not_available else _display(stored)
                row.cells.append(cell)
            self.rows.append(row)
        self.footer = self._footer()
        self.posted_totals = self._posted_totals()
        if display:
            self.prepare_display()

    def prepare_display(self) -> None:
        """Add what the page shows beside each cell: the previous period's value, the expected range and the outlier
        flag of the stored value (once; a grid built with ``display=False`` gets them before it is shown)."""
        if self.previous_period is not None:
            return
        self.previous_period = Period.objects.for_spec(self.period.spec.previous())
        previous = self._values(self.previous_period)
        hints = cell_hints(self.elements, self.orgunits, self.period)
        for row in self.rows:
            unit = row.orgunit
            for cell in row.cells:
                element = cell.element
                if cell.is_total:
                    parts = [c for c in row.cells if not c.is_total and c.element.pk == element.pk]
                    cell.previous = format_total(_sum(_display(previous.get((element.pk, unit.pk, c.option_combo.pk))) for c in parts))
                    hint = hints.get((element.pk, unit.pk))
                else:
                    combo_id = cell.option_combo.pk if cell.option_combo else None
                    key = (element.pk, unit.pk, combo_id)
                    cell.previous = _display(previous.get(key))
                    hint = hints.get(key if combo_id is not None else key[:2])
                if hint is not None:
                    cell.hint, cell.flag = hint.text, hint.flag

    def _total(self, column: GridColumn, row: GridRow) -> GridTotal:
        """The row's total of ``column.element``: its parts are the cells just before it."""
        element, unit = column.element, row.orgunit
        parts = [c for c in row.cells if not c.is_total and c.element.pk == element.pk]
        return GridTotal(column, unit, f"{element.pk}-{unit.pk}", value=format_total(_sum(c.value for c in parts if not c.not_available)))

    def _posted_totals(self) -> list[CellInput]:
        """Totals posted for broken-down elements (``v-<element>-<orgunit>``, from a crafted or outdated form): passed on
        for the service to refuse, since a total is summed from its parts, never entered."""
        if self.data is None:
            return []
        found = []
        broken_down = [e for e in self.elements if e.category_combo_id is not None]
        for row in (r for r in self.rows if not r.locked):
            for element in broken_down:
                name = f"{element.pk}-{row.orgunit.pk}"
                raw, reason = (self.data.get(f"v-{name}") or "").strip(), self.data.get(f"na-{name}") or ""
                if raw or reason:
                    found.append(CellInput(element, row.orgunit, self.period, raw, reason, ref=name))
        return found

    def _footer(self) -> list[str] | None:
        """Each summed column's total over the rows (display only), or None when there is nothing to add up."""
        if len(self.rows) < 2 or not any(c.summed for c in self.columns):
            return None
        footer = []
        for index, column in enumerate(self.columns):
            cells = [row.cells[index] for row in self.rows]
            footer.append(format_total(_sum(c.value for c in cells if c.is_total or not c.not_available)) if column.summed else "")
        return footer

    @staticmethod
    def _state(cell: GridCell) -> str:
        return f"n/a:{cell.not_available}" if cell.not_available else cell.value

    def _values(self, period: Period) -> dict[tuple[int, int, int | None], DataValue]:
        rows = DataValue.objects.filter(element__in=self.elements, orgunit__in=self.orgunits, period=period)
        return {(v.element_id, v.orgunit_id, v.option_combo_id): v for v in rows}

    def cells(self) -> tuple[list[CellInput], list[CellError]]:
        """What the grid asks to write (the changed cells), and the cells that break the 'required' rule."""
        inputs, missing = list(self.posted_totals), []
        for row in self.rows:
            for cell in row.cells:
                if row.locked or cell.is_total:
                    continue
                if cell.not_available and cell.not_available not in NotAvailableReason.values:
                    cell.not_available = NotAvailableReason.OTHER
                if cell.element.required and not cell.value and not cell.not_available:
                    missing.append(
                        CellError(cell.name, cell.element.code, cell.orgunit.code, _("required: enter a value or mark it not available"))
                    )
                if not cell.changed:
                    continue
                raw = "" if cell.not_available else cell.value
                inputs.append(
                    CellInput(
                        element=cell.element,
                        orgunit=cell.orgunit,
                        period=self.period,
                        raw=raw,
                        not_available=cell.not_available,
                        ref=cell.name,
                        expected=cell.expected,
                        option_combo=cell.option_combo,
                    )
                )
        return inputs, missing

    def attach_errors(self, errors: list[CellError]) -> None:
        """Each error in its cell; a part's error names its options (``ประชากร · หญิง, ในเขตเทศบาล: …``), since on a
        phone the column's header has often scrolled out of sight."""
        by_ref = {e.ref: e.message for e in errors}
        shown = set()
        for row in self.rows:
            for cell in row.cells:
                message = by_ref.get(cell.name, "")
                if message:
                    shown.add(cell.name)
                    if cell.is_total or cell.option_combo is not None:
                        message = f"{cell.label}: {message}"
                cell.error = message
        self.other_errors = [f"{e.element} {e.orgunit}: {e.message}" for e in errors if e.ref not in shown]

    def attach_conflicts(self, conflicts: list[CellConflict], data: dict) -> None:
        """Show each conflicting cell with the user's value in the box and theirs beside it; saving again keeps the
        user's (it is now checked against theirs) unless they choose theirs."""
        by_ref = {c.ref: c for c in conflicts}
        for row in self.rows:
            for cell in row.cells:
                conflict = by_ref.get(cell.name)
                if conflict is None or cell.is_total:
                    continue
                cell.conflict, cell.original = conflict, conflict.theirs
                cell.value = (data.get(f"v-{cell.name}") or "").strip()
                cell.not_available = data.get(f"na-{cell.name}") or ""
        for row in self.rows:
            for index, cell in enumerate(row.cells):
                if cell.is_total:  # the typed parts, as entry.js will show them
                    parts = [c for c in row.cells[:index] if not c.is_total and c.element.pk == cell.element.pk]
                    cell.value = format_total(_sum(c.value for c in parts if not c.not_available))
        self.footer = self._footer()

    @property
    def footer_cells(self) -> list[tuple[str, GridColumn]]:
        return list(zip(self.footer or [], self.columns, strict=False))

    @property
    def all_locked(self) -> bool:
        return bool(self.rows) and all(row.locked for row in self.rows)


def _sum(texts: Iterable[str]) -> float | None:
    """The sum of the figures among ``texts`` (what is not a number is left out), or None when there is none."""
    numbers = [n for n in map(parse_figure, texts) if n is not None]
    return sum(numbers) if numbers else None


def _display(value: DataValue | None) -> str:
    if value is None:
        return ""
    if value.not_available:
        return NotAvailableReason(value.not_available).label
    return format_number(value.value_num) if value.value_num is not None else value.value_text


# Thai digits are numbers too (the server reads them), so the browser must not flag them.
NUMBER_PATTERN = r"\s*[\-+]?[0-9๐-๙][0-9๐-๙, ]*(\.[0-9๐-๙]+)?\s*%?\s*"


def input_attrs(element: DataElement) -> dict[str, str]:
    """HTML attributes for an element's input (the server checks the same rules).

    Numbers are text boxes with a numeric keyboard, not ``type="number"``: that one silently empties what is not a
    number, so the server saw a blank and answered "required" instead of "not a number".
    """
    if element.value_type in (ValueType.INTEGER, ValueType.DECIMAL, ValueType.PERCENT):
        attrs = {
            "type": "text",
            "inputmode": "decimal" if element.value_type != ValueType.INTEGER else "numeric",
            "pattern": NUMBER_PATTERN,
            "autocomplete": "off",
        }
        if element.min_value is not None:
            attrs["data-min"] = format_number(element.min_value)
        if element.max_value is not None:
            attrs["data-max"] = format_number(element.max_value)
        return attrs
    return {"type": "text", "maxlength": "1000"}


class DatasetSelect(forms.Select):
    """Dataset options carry their period type, so the period picker beside them offers the right kind of periods."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):  # type: ignore[no-untyped-def]
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-period-type"] = instance.period_type
        return option


def dataset_period_options(dataset: Dataset, unit: OrgUnit, today: dt.date) -> list[PeriodOption]:
    """The dataset's recent periods, newest first, each with its due date and status for ``unit``."""
    periods = recent_periods(dataset.period_type, today)
    return [PeriodOption(s.period, s.note()) for s in situations(dataset, unit, periods, today)]


def picker_options(datasets, chosen: Dataset | None, unit: OrgUnit, today: dt.date) -> dict[str, list[PeriodOption]]:
    """Period lists for a picker beside a dataset choice: the chosen dataset's with due dates and status, plain lists
    for the other kinds of period among ``datasets``."""
    options = {kind: period_options(kind, today) for kind in sorted(set(datasets.values_list("period_type", flat=True)))}
    if chosen is not None:
        options[chosen.period_type] = dataset_period_options(chosen, unit, today)
    return options


class EntryPickForm(forms.Form):
    """Dataset → period → org unit, from what the user may enter."""

    dataset = forms.ModelChoiceField(queryset=Dataset.objects.none(), label=_l("Dataset"), to_field_name="code", widget=DatasetSelect)
    period = PeriodField(label=_l("Period"))
    orgunit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_l("Org unit"), to_field_name="code", required=False)

    def __init__(self, *args, user, within: OrgUnit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        datasets = Dataset.objects.restrict(user, "change").select_related("topic")
        self.fields["dataset"].queryset = datasets
        self.fields["orgunit"].queryset = OrgUnit.objects.subtree(within).filter(level__lte=3).without_shapes()
        self.within = within
        picker = self.fields["period"].widget
        picker.options = self._period_options  # read only when the picker is shown: a saved grid redirects without it
        picker.type_source = self["dataset"].auto_id

    def _period_options(self) -> dict[str, list[PeriodOption]]:
        """The picker's periods, the chosen dataset's with due dates and status (and its kind offered first)."""
        datasets = self.fields["dataset"].queryset
        chosen = getattr(self, "cleaned_data", {}).get("dataset")
        if chosen is None and self.is_bound:
            chosen = datasets.filter(code=self.data.get("dataset") or "").first()
        picker = self.fields["period"].widget
        picker.period_type = chosen.period_type if chosen else ""
        return picker_options(datasets, chosen, self.within, timezone.localdate())

    def clean(self) -> dict:
        data = super().clean()
        dataset, spec = data.get("dataset"), data.get("period")
        if dataset and spec:
            if spec.type != dataset.period_type:
                self.add_error(
                    "period",
                    _("%(p)s is not a %(kind)s period, which dataset %(d)s needs.")
                    % {"p": spec.label(), "kind": PeriodType(dataset.period_type).label, "d": dataset.name},
                )
            data["period_obj"] = spec
        unit = data.get("orgunit") or self.within
        if dataset and unit.level > dataset.collection_level:
            self.add_error("orgunit", _("dataset %(d)s is collected at another org-unit level") % {"d": dataset.code})
        data["orgunit"] = unit
        return data


class DownloadForm(forms.Form):
    """The period of a template or values download, picked from the dataset's recent periods."""

    period = PeriodField(label=_l("Period"))

    def __init__(self, *args, dataset: Dataset, unit: OrgUnit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        picker = self.fields["period"].widget
        picker.options = {dataset.period_type: dataset_period_options(dataset, unit, timezone.localdate())}
        picker.period_type = dataset.period_type


class AuditFilterForm(forms.Form):
    """Filters of a dataset's audit trail: an element, an org unit and a period, each picked (codes still work)."""

    element = forms.ModelChoiceField(queryset=DataElement.objects.none(), label=_l("Element"), to_field_name="code", required=False)
    orgunit = forms.ModelChoiceField(queryset=OrgUnit.objects.none(), label=_l("Org unit"), to_field_name="code", required=False)
    period = PeriodField(label=_l("Period"), required=False, help_text="")

    def __init__(self, *args, dataset: Dataset, within: OrgUnit, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["element"].queryset = dataset.elements.all()
        self.fields["element"].label_from_instance = lambda element: f"{element.name} ({element.code})"
        units = OrgUnit.objects.subtree(within).filter(level__lte=dataset.collection_level).without_shapes().order_by("path")
        self.fields["orgunit"].queryset = units
        self.fields["orgunit"].label_from_instance = lambda unit: f"{'— ' * (unit.level - 1)}{unit.name} ({unit.code})"
        picker = self.fields["period"].widget
        picker.options = {dataset.period_type: period_options(dataset.period_type)}
        picker.period_type = dataset.period_type


class UploadForm(forms.Form):
    file = forms.FileField(label=_l("File (Excel .xlsx/.xls, OpenDocument .ods, CSV/TSV in any Thai encoding)"))
    profile = forms.ChoiceField(label=_l("Import profile"), required=False, choices=[])

    def __init__(self, *args, profiles: list[tuple[str, str]] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["profile"].choices = profiles or [("", "—")]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(UPLOAD_TYPES):
            raise forms.ValidationError(_("Upload an .xlsx, .xls, .ods, .csv or .tsv file."))
        if upload.size > settings.POC_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than %(n)d MB.") % {"n": settings.POC_MAX_UPLOAD_BYTES // 2**20})
        return upload
