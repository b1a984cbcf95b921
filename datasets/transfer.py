"""Excel/CSV templates, value downloads and validated uploads (one row per org unit, one column per element or option
combination of a broken-down element: :mod:`datasets.columns`).

Uploads go through :func:`datasets.services.datavalues_save` like the entry form: every row is
checked first (unknown codes, wrong types, out of range, duplicates, wrong period, someone else's
dataset) and any error means nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import tablib
from django.db import transaction
from django.utils.translation import gettext as _

from datasets.columns import column_targets, targets_by_code, total_refused, unknown_column
from datasets.models import Dataset, DataValue, NotAvailableReason, ValueSource, format_number
from datasets.readers import HEAD_ROWS, ReadError, cell_text, read_sheets
from datasets.services import CellInput, datavalues_save
from poc import permissions
from poc.models import OrgUnit, Period, User
from poc.periods import PeriodError, parse_period

FIXED_COLUMNS = ["period", "orgunit_code", "orgunit_name"]
ASYNC_THRESHOLD = 100_000  # values: larger files run as a Celery task with a progress bar
NA_PREFIX = "n/a"


@dataclass
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    values: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "values": self.values,
            "errors": [e.__dict__ for e in self.errors[:1000]],
            "error_count": len(self.errors),
        }


def collection_units(dataset: Dataset, within: OrgUnit, period: Period) -> list[OrgUnit]:
    """Org units of ``dataset`` under ``within`` expected for ``period`` (open at its end, assigned)."""
    from datasets.selectors import expected_orgunits

    if within.level == dataset.collection_level:
        candidates = [within]
    else:
        candidates = list(OrgUnit.objects.subtree(within).filter(level=dataset.collection_level).without_shapes().order_by("path"))
    return expected_orgunits(dataset, candidates, period)


def values_table(dataset: Dataset, period: Period, within: OrgUnit, *, with_values: bool) -> tablib.Dataset:
    """The template (``with_values=False``) or the current values of ``dataset`` for ``period``.

    One column per element, or per option combination of a broken-down element (``ประชากร (ชาย, ในเขตเทศบาล)`` above
    the code ``POP.M_MUN``, see :mod:`datasets.columns`); a broken-down element's total is derived, so it has no column.
    """
    targets = column_targets(dataset.elements.all())
    units = collection_units(dataset, within, period)
    # Two rows people read (Thai name, unit) above the row of codes the importer reads (see _header_row).
    names = [_("Period"), _("Org-unit code"), _("Org-unit name"), *(t.name_th for t in targets)]
    table = tablib.Dataset(headers=names, title=dataset.code[:31])
    table.append(["", "", _("unit"), *(t.element.unit for t in targets)])
    table.append(FIXED_COLUMNS + [t.code for t in targets])
    values = {}
    if with_values and period.pk is not None:  # an unsaved period (a GET never creates one) holds no values
        rows = DataValue.objects.filter(element__in=[t.element for t in targets], orgunit__in=units, period=period)
        values = {(v.element_id, v.option_combo_id, v.orgunit_id): v for v in rows}
    for unit in units:
        cells = []
        for target in targets:
            value = values.get((target.element.pk, target.option_combo.pk if target.option_combo else None, unit.pk))
            if value is None:
                cells.append("")
            elif value.not_available:
                cells.append(f"{NA_PREFIX}:{value.not_available}")
            else:
                cells.append(format_number(value.value_num) if value.value_num is not None else value.value_text)
        table.append([period.code, unit.code, unit.name_th, *cells])
    return table


@dataclass
class Table:
    """A sheet as the importer reads it: the first row's texts, then the other rows that hold anything, each cut or
    padded to as many cells as there are headers."""

    headers: list[str]
    rows: list[list]

    def __iter__(self) -> Iterator[list]:
        return iter(self.rows)


def read_table(content: bytes, filename: str) -> Table:
    """Our template from any format :mod:`datasets.readers` reads (first sheet, first row the headers).

    Plain lists, not a ``tablib.Dataset``: its per-row checks cost ~1 s for a million-value file.
    """
    rows = read_sheets(content, filename)[0].rows
    headers = [cell_text(c) for c in rows[0]] if rows else []
    width = len(headers)
    body = []
    for row in rows[1:]:
        if any(cell is not None for cell in row):
            cells = len(row)
            body.append(row if cells == width and type(row) is list else [*row[:width], *[None] * (width - cells)])
    return Table(headers, body)


def _header_row(table: Table) -> tuple[list[str], list, int]:
    """The row of codes (``period``, ``orgunit_code``, element codes), the data rows below it and the file row number
    of the first one. Templates carry the Thai name and unit of each element in rows above the codes; a plain table
    has its codes in the first row."""
    headers = [str(h or "").strip() for h in (table.headers or [])]
    if "orgunit_code" in headers:
        return headers, list(table), 2
    rows = list(table)
    for index, row in enumerate(rows[:HEAD_ROWS]):
        cells = [str(c or "").strip() for c in row]
        if "orgunit_code" in cells:
            return cells, rows[index + 1 :], index + 3
    return headers, rows, 2


def values_import(
    *, dataset: Dataset, user: User, content: bytes, filename: str, progress: Callable[[int, str], None] | None = None
) -> ImportResult:
    """Validate every row of an uploaded table and save all its values — or nothing."""
    result = ImportResult()
    permissions.require(user, "change", dataset)
    try:
        table = read_table(content, filename)
    except ReadError as exc:  # the reader's message says what is wrong and what to do
        result.errors.append(RowError(1, "", str(exc)))
        return result
    headers, rows, first_number = _header_row(table)
    elements = {e.code: e for e in dataset.elements.all()}
    targets = targets_by_code(elements.values())
    missing = [c for c in FIXED_COLUMNS[:2] if c not in headers]
    if missing:
        result.errors.append(RowError(1, ", ".join(missing), _("missing column(s)")))
    for header in headers:
        if not header or header in FIXED_COLUMNS:
            continue
        target = targets.get(header)
        if target is None:
            result.errors.append(RowError(1, header, unknown_column(header, elements, dataset.code)))
        elif target.is_total:
            result.errors.append(RowError(1, header, total_refused(target)))
    if result.errors:
        return result
    # Per column: its index, element, option combination and code (read once, not once per cell).
    columns = [(i, t.element, t.option_combo, t.code) for i, t in ((i, targets[h]) for i, h in enumerate(headers) if h in targets)]
    na_reasons = set(NotAvailableReason.values)
    period_index, unit_index = headers.index("period"), headers.index("orgunit_code")
    # Without boundaries: at village level those are ~75,000 polygons, and nothing here draws them.
    units = {u.code: u for u in OrgUnit.objects.filter(level=dataset.collection_level).without_shapes()}
    periods: dict[str, Period | None] = {}
    seen: dict[tuple[str, str], int] = {}
    cells: list[CellInput] = []
    total = max(1, len(rows))
    for number, row in enumerate(rows, start=first_number):
        period_code = str(row[period_index] or "").strip()
        unit_code = str(row[unit_index] or "").strip()
        if period_code not in periods:
            try:
                spec = parse_period(period_code)
                periods[period_code] = Period.objects.lookup(spec) if spec.type == dataset.period_type else None
            except PeriodError:
                periods[period_code] = None
        period = periods[period_code]
        unit = units.get(unit_code)
        if period is None:
            result.errors.append(
                RowError(number, "period", _("period %(p)s does not fit dataset %(d)s") % {"p": period_code, "d": dataset.code})
            )
        if unit is None:
            result.errors.append(RowError(number, "orgunit_code", _("unknown org unit %(o)s at the dataset's level") % {"o": unit_code}))
        if (period_code, unit_code) in seen:
            result.errors.append(RowError(number, "orgunit_code", _("duplicate of row %(r)d") % {"r": seen[(period_code, unit_code)]}))
        seen.setdefault((period_code, unit_code), number)
        if period is None or unit is None:
            continue
        width = len(row)
        for index, element, option_combo, code in columns:
            raw = row[index] if index < width else None
            if raw is None:
                continue
            text = raw.strip() if type(raw) is str else str(raw).strip()
            if not text:
                continue  # an empty cell leaves the stored value alone
            not_available = ""
            if text[:3].lower() == NA_PREFIX:
                reason = text[len(NA_PREFIX) :].lstrip(":").strip()
                not_available = reason if reason in na_reasons else NotAvailableReason.OTHER
            cells.append(
                CellInput(
                    element=element,
                    orgunit=unit,
                    period=period,
                    raw="" if not_available else raw,
                    not_available=not_available,
                    option_combo=option_combo,
                    ref=f"{number}:{code}",
                )
            )
        if progress and number % 5000 == 0:
            progress(int(40 * number / total), _("checking rows"))
    result.values = len(cells)
    if result.errors:
        return result
    if progress:
        progress(50, _("saving"))
    with transaction.atomic():  # new periods are stored with the values: an import killed midway leaves neither
        stored = {p.code: Period.objects.for_spec(p.spec) for p in periods.values() if p is not None and p.pk is None}
        for cell in cells:
            cell.period = stored.get(cell.period.code, cell.period)
        saved = datavalues_save(cells=cells, user=user, source=ValueSource.IMPORT)
        if saved.errors:
            transaction.set_rollback(True)
    for error in saved.errors:
        row_number, _sep, column = error.ref.partition(":")
        result.errors.append(RowError(int(row_number or 0), column, error.message))
    result.created, result.updated, result.unchanged = saved.created, saved.updated, saved.unchanged
    if progress:
        progress(100, _("done"))
    return result
