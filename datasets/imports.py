"""Importing a file that is not our template: detected layout + a mapping (from the browser or a saved profile) → values.

The mapping is plain JSON, the same in the mapping step, an :class:`~datasets.models.ImportProfile` and the
``import_values`` command::

    {"elements": {"<column header without its period>": "ELEMENT_CODE", "ELEMENT.OPTION_COMBO" or "" (ignore)},
     "units": {"<row label>": "ORGUNIT_CODE"},   # answers to ambiguous or close names
     "period": "FY2568"}                          # only when neither sheet nor column names one

Columns are mapped by their header *without* the period, so next year's edition (a new ``ปี 2569`` sheet or
column) imports with the same profile. A broken-down element's columns map to its option combinations (``POP.M_MUN``,
:mod:`datasets.columns`); its total is summed from them, so a column cannot map to it. Values go through
:func:`datasets.services.datavalues_save`: every row is checked, and any problem means nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from datasets.columns import ColumnTarget, targets_by_code, total_refused
from datasets.layout import Column, Layout, SheetLayout, detect_layout
from datasets.models import NUMERIC_TYPES, Dataset, ValueSource, format_number
from datasets.readers import HEAD_ROWS, ReadError, Sheet, cell_text, is_missing, read_sheets, to_number
from datasets.services import CellInput, datavalues_save
from datasets.transfer import RowError
from poc import permissions
from poc.models import OrgUnit, Period, User
from poc.periods import PeriodError, parse_period

PREVIEW_ROWS = 500
TRUSTED_MATCHES = {"code", "name", "only", "profile"}  # a close name is proposed, never applied unconfirmed


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class PreviewValue:
    sheet: str
    row: int
    orgunit: str
    orgunit_name: str
    element: str
    period: str
    value: str


@dataclass
class FileImport:
    """What an import of one file found and did: the page, the command and the Celery task all show this."""

    layout: Layout | None = None
    values: int = 0
    not_available: int = 0  # cells marked -, n.a., … : left unchanged
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    saved: bool = False
    errors: list[RowError] = field(default_factory=list)
    preview: list[PreviewValue] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)  # value columns with no element (ignored)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "saved": self.saved,
            "values": self.values,
            "not_available": self.not_available,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_count": len(self.errors),
            "errors": [asdict(e) for e in self.errors[:1000]],
            "unmapped_columns": self.unmapped,
            "skipped": [{"sheet": s.name, **asdict(k)} for s in (self.layout.sheets if self.layout else []) for k in s.skipped],
        }


def target_for(column_key: str, detected: str | None, match: str, mapping: dict, targets: dict[str, ColumnTarget]) -> ColumnTarget | None:
    """The element (or option combination) a value column goes to: the mapping's choice, else a trusted detection.

    A *complete* mapping (confirmed in the mapping step, a saved profile) names every column it was shown: a column it
    does not know is a changed header, perhaps a changed definition, and waits for the clerk (:class:`NewColumn`).
    """
    chosen = mapping.get("elements", {})
    if column_key in chosen:
        return targets.get(chosen[column_key])
    if detected and match in TRUSTED_MATCHES:
        if mapping.get("complete"):
            raise NewColumn(detected)
        return targets.get(detected)
    return None


class NewColumn(Exception):
    """A column a complete mapping has not seen, which detection would map to an element."""


def extract_cells(layout: Layout, sheets: list[Sheet], dataset: Dataset, mapping: dict, result: FileImport) -> list[CellInput]:
    """The values the mapped file asks to write, with every row-level problem added to ``result.errors``."""
    targets = targets_by_code(dataset.elements.all())
    by_name = {s.name: s for s in sheets}
    units = {u.code: u for u in OrgUnit.objects.without_shapes().filter(level=dataset.collection_level)}
    periods: dict[str, Period | str] = {}
    seen: dict[tuple[int, int, int, int | None], str] = {}
    cells: list[CellInput] = []
    unmapped: set[str] = set()

    def period_for(code: str) -> Period | str:
        if code not in periods:
            try:
                spec = parse_period(code)
            except PeriodError as exc:
                periods[code] = str(exc)
            else:
                if spec.type == dataset.period_type:
                    periods[code] = Period.objects.for_spec(spec)
                else:
                    periods[code] = _("period %(p)s does not fit dataset %(d)s") % {"p": code, "d": dataset.code}
        return periods[code]

    for sheet_layout in layout.sheets:
        if sheet_layout.kind == "records":
            cells += _records_cells(layout, sheet_layout, mapping, result, targets, period_for, unmapped)
            continue
        rows = by_name[sheet_layout.name].rows
        where = _where(sheet_layout, len(layout.sheets))
        columns = _mapped_value_columns(sheet_layout, where, mapping, targets, result, unmapped)
        for row in sheet_layout.rows:
            if row.kind != "unit":
                result.errors.append(RowError(row.row, where(sheet_layout.orgunit_column), _unit_question(row)))
                continue
            unit = units[row.unit]
            for column, target in columns:
                element = target.element
                raw = rows[row.row - 1][column.index] if column.index < len(rows[row.row - 1]) else None
                if raw is None:
                    continue
                if is_missing(raw):
                    result.not_available += 1
                    continue
                code = column.period or row.period or sheet_layout.period or mapping.get("period") or ""
                if not code:
                    message = _("no period: the sheet, the column and the row name none; choose one in the mapping step")
                    result.errors.append(RowError(row.row, where(column.index), message))
                    continue
                period = period_for(code)
                if isinstance(period, str):
                    result.errors.append(RowError(row.row, where(column.index), period))
                    continue
                value: object = raw
                if element.value_type in NUMERIC_TYPES:
                    number = to_number(raw)
                    value = raw if number is None else number  # not a number: datavalues_save reports it
                key = (element.pk, unit.pk, period.pk, target.option_combo.pk if target.option_combo else None)
                if key in seen:
                    result.errors.append(
                        RowError(
                            row.row,
                            where(column.index),
                            _("the same value as %(r)s (org unit %(o)s, %(e)s, %(p)s)")
                            % {"r": seen[key], "o": unit.name_th, "e": target.code, "p": period.code},
                        )
                    )
                    continue
                seen[key] = f"{sheet_layout.name}!{column_letter(column.index)}{row.row}"
                ref = f"{row.row}:{where(column.index)}"
                cells.append(CellInput(element=element, orgunit=unit, period=period, raw=value, option_combo=target.option_combo, ref=ref))
                if len(result.preview) < PREVIEW_ROWS:
                    shown = format_number(value) if isinstance(value, float) else cell_text(value)
                    preview = PreviewValue(sheet_layout.name, row.row, unit.code, unit.name_th, target.code, period.code, shown)
                    result.preview.append(preview)
    result.unmapped = sorted(unmapped)
    return cells


def _mapped_value_columns(
    sheet_layout: SheetLayout,
    where: Callable[[int | None], str],
    mapping: dict,
    targets: dict[str, ColumnTarget],
    result: FileImport,
    unmapped: set[str],
) -> list[tuple[Column, ColumnTarget]]:
    """The sheet's value columns with the element (or option combination) each goes to. A column the complete mapping
    has not seen, or mapped to a broken-down element's total, is an error on the header row; unmapped ones are noted."""
    header_row = (sheet_layout.header_rows or [0])[-1]
    columns = []
    for column in sheet_layout.columns:
        if column.role != "value":
            continue
        try:
            target = target_for(column.key, column.element, column.element_match, mapping, targets)
        except NewColumn:
            result.errors.append(RowError(header_row, where(column.index), _new_column(column.header)))
            continue
        if target is None:
            unmapped.add(column.header or column_letter(column.index))
        elif target.is_total:  # a profile saved before the element was broken down, or a hand-written mapping
            result.errors.append(RowError(header_row, where(column.index), total_refused(target)))
        else:
            columns.append((column, target))
    return columns


def _records_cells(
    layout: Layout,
    sheet_layout: SheetLayout,
    mapping: dict,
    result: FileImport,
    targets: dict[str, ColumnTarget],
    period_for: Callable[[str], Period | str],
    unmapped: set[str],
) -> list[CellInput]:
    """Point or dated records combined per unit and period, each element as it aggregates."""
    from datasets.records import aggregate

    where = _where(sheet_layout, len(layout.sheets))
    for row, message in sheet_layout.problems:
        result.errors.append(RowError(row, where(None), message))
    records = layout.records.get(sheet_layout.name, [])
    units = {r.unit.pk: r.unit for r in records}
    first_row: dict[tuple[int, str], int] = {}
    for record in records:
        first_row.setdefault((record.unit.pk, record.period_code), record.row)
    cells = []
    for column, target in _mapped_value_columns(sheet_layout, where, mapping, targets, result, unmapped):
        combined, problems = aggregate(records, target.element, column.index)
        for row, message in problems:
            result.errors.append(RowError(row, where(column.index), message))
        for (unit_id, code), number in sorted(combined.items(), key=lambda item: (units[item[0][0]].code, item[0][1])):
            period = period_for(code)
            row = first_row[(unit_id, code)]
            if isinstance(period, str):
                result.errors.append(RowError(row, where(column.index), period))
                continue
            unit = units[unit_id]
            ref = f"{row}:{where(column.index)}"
            cells.append(
                CellInput(element=target.element, orgunit=unit, period=period, raw=number, option_combo=target.option_combo, ref=ref)
            )
            if len(result.preview) < PREVIEW_ROWS:
                preview = PreviewValue(sheet_layout.name, row, unit.code, unit.name_th, target.code, period.code, format_number(number))
                result.preview.append(preview)
    return cells


def _where(sheet_layout: SheetLayout, sheet_count: int) -> Callable[[int | None], str]:
    def where(index: int | None) -> str:
        letter = column_letter(index) if index is not None else ""
        return f"{sheet_layout.name}!{letter}" if sheet_count > 1 else letter

    return where


def _new_column(header: str) -> str:
    return _("column “%(h)s” is not in the saved mapping (did its header or definition change?): confirm it in the mapping step") % {
        "h": header
    }


def _unit_question(row) -> str:
    options = ", ".join(f"{name} [{code}]" for code, name in row.candidates)
    if row.kind == "ambiguous":
        return _("“%(l)s” matches several org units: %(o)s. Choose which one in the mapping step.") % {"l": row.label, "o": options}
    return _("“%(l)s” is not an org unit of this level. Did you mean: %(o)s? Choose in the mapping step.") % {"l": row.label, "o": options}


def values_import_file(
    *,
    dataset: Dataset,
    user: User | None,
    content: bytes,
    filename: str,
    mapping: dict | None = None,
    dry_run: bool = False,
    progress: Callable[[int, str], None] | None = None,
    sample_rows: int | None = None,
) -> FileImport:
    """Read, understand, map and check a published file; save all its values unless ``dry_run`` — or nothing.

    ``user=None`` is a system job (the ``import_values`` command without ``--user``): no permission check.
    ``sample_rows`` (with ``dry_run``) looks at the first rows of each sheet only: the mapping step of a large file.
    """
    if user is not None:
        permissions.require(user, "change", dataset)
    mapping = mapping or {}
    result = FileImport()
    try:
        sheets = read_sheets(content, filename, max_rows=sample_rows if dry_run else None)
    except ReadError as exc:
        result.errors.append(RowError(0, "", str(exc)))
        return result
    if progress:
        progress(10, _("reading the layout"))
    result.layout = detect_layout(sheets, dataset, answers=mapping.get("units"))
    if not result.layout.sheets:
        result.errors.append(RowError(0, "", _("No table found: no sheet has rows with a name and numbers.")))
        return result
    cells = extract_cells(result.layout, sheets, dataset, mapping, result)
    result.values = len(cells)
    if not cells and not result.errors:
        result.errors.append(RowError(0, "", _("No values to import: map at least one column to a data element.")))
    if progress:
        progress(40, _("checking values"))
    checks = {"user": user, "source": ValueSource.IMPORT, "check_permissions": user is not None}
    checked = datavalues_save(cells=cells, dry_run=True, **checks)
    for error in checked.errors:
        row_number, _sep, column = error.ref.partition(":")
        result.errors.append(RowError(int(row_number or 0), column, error.message))
    if result.errors or dry_run:
        return result
    if progress:
        progress(60, _("saving"))
    saved = datavalues_save(cells=cells, **checks)
    for error in saved.errors:  # a lock taken meanwhile: still nothing saved
        row_number, _sep, column = error.ref.partition(":")
        result.errors.append(RowError(int(row_number or 0), column, error.message))
    result.saved = saved.ok
    result.created, result.updated, result.unchanged = saved.created, saved.updated, saved.unchanged
    if progress:
        progress(100, _("done"))
    return result


def is_template(sheets: list[Sheet]) -> bool:
    """Our own template (first row ``period, orgunit_code, …``) goes the direct way, without a mapping step."""
    return bool(sheets) and is_template_head([[cell_text(c) for c in row] for row in sheets[0].rows[:HEAD_ROWS]])


def is_template_head(rows: list[list[str]]) -> bool:
    """Our template has a row ``period, orgunit_code, …`` among its first rows (Thai names and units may stand above)."""
    return any("period" in row and "orgunit_code" in row for row in rows[:HEAD_ROWS])


def clean_mapping(dataset: Dataset, mapping: object) -> dict:
    """A mapping with only known keys, element codes of ``dataset``, org units of its level and a valid period."""
    if not isinstance(mapping, dict):
        raise ValidationError(_("The mapping must be a JSON object."))
    targets = targets_by_code(dataset.elements.all())
    elements = mapping.get("elements") or {}
    units = mapping.get("units") or {}
    if not isinstance(elements, dict) or not isinstance(units, dict):
        raise ValidationError(_("The mapping must be a JSON object."))
    wrong = sorted(str(v) for v in elements.values() if v and v not in targets)
    if wrong:
        raise ValidationError(_("Unknown data element(s) for dataset %(d)s: %(c)s") % {"d": dataset.code, "c": ", ".join(wrong)})
    totals = [targets[v] for v in elements.values() if v and targets[v].is_total]
    if totals:
        raise ValidationError(total_refused(totals[0]))
    at_level = OrgUnit.objects.filter(level=dataset.collection_level, code__in=[str(v) for v in units.values()])
    known = set(at_level.values_list("code", flat=True))
    wrong = sorted(str(v) for v in units.values() if v not in known)
    if wrong:
        raise ValidationError(_("Unknown org unit(s) at the dataset's level: %(c)s") % {"c": ", ".join(wrong)})
    cleaned: dict = {"elements": {str(k): str(v) for k, v in elements.items()}, "units": {str(k): str(v) for k, v in units.items()}}
    if mapping.get("complete"):
        cleaned["complete"] = True
    if mapping.get("period"):
        try:
            spec = parse_period(str(mapping["period"]))
        except PeriodError as exc:
            raise ValidationError(str(exc)) from None
        if spec.type != dataset.period_type:
            raise ValidationError(_("period %(p)s does not fit dataset %(d)s") % {"p": spec.code, "d": dataset.code})
        cleaned["period"] = spec.code
    return cleaned
