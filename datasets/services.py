"""Writing data values: one validated, permission-checked, audited, all-or-nothing path.

The entry form, file import, API, admin and demo seed all call :func:`datavalues_save`. It keeps the
aggregates (:mod:`datasets.aggregates`) current in the same transaction (live analytics: no batch
rebuild) and announces the change with :data:`datasets.signals.values_changed` after commit. A
broken-down element's cells are written per option combination; its total is never written, it is derived.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import math
from collections import defaultdict
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from datasets.aggregates import aggregates_apply_deltas, aggregates_apply_prepared, aggregates_prepare, ancestor_ids
from datasets.foreign_keys import references_locked, row_checks_skipped
from datasets.models import (
    AggregateOptionValue,
    AggregateValue,
    CategoryOptionCombo,
    DataElement,
    Dataset,
    DataValue,
    DataValueAudit,
    ImportProfile,
    NotAvailableReason,
    ValueSource,
    ValueType,
    format_number,
)
from datasets.signals import values_changed
from poc import permissions, registry
from poc.models import OrgUnit, Period, User
from poc.permissions import Gate

BOOLEAN_WORDS = {
    "1": 1.0,
    "0": 0.0,
    "yes": 1.0,
    "no": 0.0,
    "true": 1.0,
    "false": 0.0,
    "y": 1.0,
    "n": 0.0,
    "ใช่": 1.0,
    "ไม่ใช่": 0.0,
    "มี": 1.0,
    "ไม่มี": 0.0,
}

# Other apps register checks that lock cells, e.g. verified submissions. Each gets every (dataset, org unit, period)
# form of a save at once and answers the locked ones as (dataset id, org unit id, period id): one query, not one per form.
VALUE_LOCKS = registry.VALUE_LOCKS


@dataclass(slots=True)
class CellInput:
    """A value to write. ``raw`` empty and ``not_available`` empty means: clear the cell."""

    element: DataElement
    orgunit: OrgUnit
    period: Period
    raw: str | float | int | None = None
    not_available: str = ""
    comment: str = ""
    ref: str = ""  # where it came from (form field, file row) for error messages
    # The option combination (e.g. หญิง × ในเขตเทศบาล) for an element broken down by categories; None otherwise.
    option_combo: CategoryOptionCombo | None = None
    # The cell as the writer last saw it (``value_state`` of the stored value, "" for none), or None to overwrite
    # whatever is there. When the stored value differs, someone else changed it meanwhile: nothing is written for
    # the cell and it comes back in ``SaveResult.conflicts`` (no lost update).
    expected: str | None = None


@dataclass
class CellError:
    ref: str
    element: str
    orgunit: str
    message: str


@dataclass
class CellConflict:
    """A cell changed by someone else since the writer saw it: their value, who and when (nothing was written)."""

    ref: str
    element: str
    orgunit: str
    theirs: str  # ``value_state`` of the stored value ("" when it was cleared)
    by: str
    at: dt.datetime | None


@dataclass
class SaveResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    errors: list[CellError] = field(default_factory=list)
    conflicts: list[CellConflict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


# Largest magnitude a value may have: far beyond any provincial figure, small enough that sums over every
# village stay exact in a double and finite in JSON (1e308 in one cell made the province total Infinity).
MAX_ABS_VALUE = 1e15


def parse_value(element: DataElement, raw: str | float | int | None) -> tuple[float | None, str]:
    """Parse ``raw`` for ``element``: returns (number, text) or raises ValueError with a message."""
    if isinstance(raw, (int, float)) and not isinstance(raw, bool):
        text = format_number(float(raw))
    else:
        text = str(raw if raw is not None else "").strip()
    kind = element.value_type
    if kind == ValueType.TEXT:
        if len(text) > 1000:
            raise ValueError(_("text is longer than 1000 characters"))
        return None, text
    if kind == ValueType.OPTION:
        if element.options and text not in element.options:
            raise ValueError(_("“%(v)s” is not one of: %(o)s") % {"v": text, "o": ", ".join(map(str, element.options))})
        return None, text
    if kind == ValueType.BOOLEAN:
        if text.lower() not in BOOLEAN_WORDS:
            raise ValueError(_("“%(v)s” is not yes/no (1/0)") % {"v": text})
        return BOOLEAN_WORDS[text.lower()], ""
    try:  # a plain number first: float() of the text equals float() of the cleaned text whenever it succeeds
        number = float(text)
    except ValueError:
        cleaned = text.replace(",", "").replace(" ", "").removesuffix("%")
        try:
            number = float(cleaned)
        except ValueError:
            raise ValueError(_("“%(v)s” is not a number") % {"v": text}) from None
    if not math.isfinite(number):
        raise ValueError(_("“%(v)s” is not a number") % {"v": text})
    if abs(number) > MAX_ABS_VALUE:
        raise ValueError(_("%(v)s is larger than the portal accepts (at most %(m)s either side of zero)") % {"v": text, "m": "10¹⁵"})
    if kind == ValueType.INTEGER and not number.is_integer():
        raise ValueError(_("“%(v)s” must be a whole number") % {"v": text})
    if element.min_value is not None and number < element.min_value:
        raise ValueError(_("%(v)s is below the minimum %(m)s") % {"v": text, "m": format_number(element.min_value)})
    if element.max_value is not None and number > element.max_value:
        raise ValueError(_("%(v)s is above the maximum %(m)s") % {"v": text, "m": format_number(element.max_value)})
    return number, ""


def _state_text(num: float | None, text: str, not_available: str) -> str:
    if not_available:
        return f"n/a:{not_available}"
    return format_number(num) if num is not None else text


def value_state(value: DataValue | None) -> str:
    """A stored cell as one comparable text (the audit trail's form): "12", "n/a:confidential", "" for none."""
    return _state_text(value.value_num, value.value_text, value.not_available) if value is not None else ""


def _check_form(dataset: Dataset, unit: OrgUnit, period: Period, allowed_datasets: set[int] | None) -> str | None:
    """What is wrong with writing to this (dataset, org unit, period) form, whatever the cell."""
    if allowed_datasets is not None and dataset.pk not in allowed_datasets:
        return _("your agency is not responsible for dataset %(d)s") % {"d": dataset.code}
    if unit.level != dataset.collection_level:
        return _("dataset %(d)s is collected at another org-unit level") % {"d": dataset.code}
    end = period.end_date
    if (unit.valid_from and unit.valid_from > end) or (unit.valid_to and unit.valid_to < end):
        return _("org unit %(o)s was not open at the end of period %(p)s") % {"o": unit.code, "p": period.code}
    if period.period_type != dataset.period_type:
        return _("period %(p)s does not fit dataset %(d)s") % {"p": period.code, "d": dataset.code}
    return None


def datavalues_save(
    *,
    cells: Iterable[CellInput],
    user: User | None,
    source: str = ValueSource.FORM,
    check_permissions: bool = True,
    dry_run: bool = False,
) -> SaveResult:
    """Validate every cell, then write them all in one transaction — or nothing if any cell is wrong.

    ``dry_run`` only validates (a form reports these errors together with its own).
    """
    cells = list(cells)
    result = SaveResult()
    allowed = None
    if check_permissions:
        permissions.require_gate(user, Gate.SIGNED_IN)
        allowed = set(Dataset.objects.restrict(user, "change").values_list("pk", flat=True))
    # Form-level checks (permission, level, period, locks) once per form, not once per cell.
    forms: dict[tuple[int, int, int], tuple[Dataset, OrgUnit, Period]] = {}
    # Ids as plain attributes (``.pk`` is a property call, and an import reads it millions of times); an element's
    # dataset id once per element (reading ``dataset_id``, a foreign key's, is a descriptor call every time).
    keys = [(cell.element.id, cell.orgunit.id, cell.period.id, cell.option_combo.id if cell.option_combo else None) for cell in cells]
    dataset_of: dict[int, int] = {}
    for cell, (element_id, orgunit_id, period_id, _combo_id) in zip(cells, keys, strict=True):
        dataset_id = dataset_of.get(element_id)
        if dataset_id is None:
            dataset_id = dataset_of[element_id] = cell.element.dataset_id
        form = (dataset_id, orgunit_id, period_id)
        if form not in forms:
            forms[form] = (cell.element.dataset, cell.orgunit, cell.period)
    problems = {form: _check_form(*objects, allowed) for form, objects in forms.items()}
    open_forms = [objects for form, objects in forms.items() if problems[form] is None]
    locked: set[tuple[int, int, int]] = set()
    for lock in VALUE_LOCKS:
        locked |= lock(open_forms)
    reasons = set(NotAvailableReason.values)
    parsed: list[tuple[CellInput, float | None, str, CellKey]] = []
    seen: set[CellKey] = set()
    # The option-combination check depends on the element and combination only: once per pair, not per cell.
    combo_problems: dict[tuple[int, int | None], str | None] = {}
    # A value's parse depends on the element and the raw value only, and files repeat values (counts, 0, 1):
    # parsed once per (element, type, raw) — the number and text, or the error message.
    parses: dict[tuple[int, type, object], tuple[float | None, str] | str] = {}
    for cell, key in zip(cells, keys, strict=True):
        element = cell.element
        form = (dataset_of[key[0]], key[1], key[2])
        problem = problems[form]
        if problem is None:
            pair = (key[0], key[3])
            if pair in combo_problems:
                problem = combo_problems[pair]
            else:
                problem = combo_problems[pair] = _check_option_combo(cell)
        not_available, raw = cell.not_available, cell.raw
        if problem is None and not_available and not_available not in reasons:
            problem = _("unknown 'not available' reason %(r)s") % {"r": not_available}
        if problem is None and locked and form in locked:
            problem = _("the value is verified and locked")
        before = len(seen)
        seen.add(key)  # one hash of the key, not two (``in`` then ``add``)
        if len(seen) == before:
            problem = problem or _("the same cell appears twice")
        num, text = None, ""
        if problem is None and not not_available and raw is not None and raw != "":
            parse_key = (key[0], type(raw), raw)
            outcome = parses.get(parse_key)
            if outcome is None:
                try:
                    outcome = parse_value(element, raw)
                except ValueError as exc:
                    outcome = str(exc)
                if len(parses) < PARSE_MEMO:
                    parses[parse_key] = outcome
            if type(outcome) is str:
                problem = outcome
            else:
                num, text = outcome
        if problem:
            result.errors.append(CellError(cell.ref, cell.element.code, cell.orgunit.code, problem))
        else:
            parsed.append((cell, num, text, key))
    if result.errors or dry_run:
        return result
    with transaction.atomic():
        _write(parsed, user, source, result)
    return result


# Distinct (element, raw value) parses a save remembers: bounds the memory a file of all-distinct values takes.
PARSE_MEMO = 200_000

# (element, org unit, period, option combination or None): one stored cell.
CellKey = tuple[int, int, int, int | None]


def _check_option_combo(cell: CellInput) -> str | None:
    """A broken-down element takes values per option combination of its own combination, never a total."""
    combo_id = cell.element.category_combo_id
    if cell.option_combo is None:
        if combo_id is not None:
            return _("%(e)s is broken down by categories: enter each part, the total is summed") % {"e": cell.element.code}
        return None
    if cell.option_combo.combo_id != combo_id:
        return _("option combination %(c)s does not belong to %(e)s") % {"c": cell.option_combo.code, "e": cell.element.code}
    return None


VALUE_COLUMNS = ["element_id", "orgunit_id", "period_id", "option_combo_id", "value_num", "value_text", "not_available", "comment"]
AUDIT_COLUMNS = ["element_id", "orgunit_id", "period_id", "option_combo_id", "old_value", "new_value", "action"]


# A save that changes this many rows refreshes the planner statistics itself: many PostgreSQL set-ups
# run without autovacuum after bulk loads, and plans chosen on stale counts were 100x slower (issue 20).
ANALYZE_AFTER = 50_000


def _analyze(*models: type) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


class _Stored(NamedTuple):
    """The stored fields of an existing value that a save compares and reports (a tuple: no model instance per row)."""

    pk: int
    value_num: float | None
    value_text: str
    not_available: str
    comment: str
    updated_by_id: int | None
    updated_at: dt.datetime


# The stored cell as ``_existing`` reads it: its key, then the fields of ``_Stored``.
_EXISTING_FIELDS = ["element_id", "orgunit_id", "period_id", "option_combo_id", *_Stored._fields]
EXISTING_CHUNK = 5000


def _existing(parsed: list[tuple[CellInput, float | None, str, CellKey]]) -> dict[CellKey, tuple]:
    """The stored rows of the cells being written, locked (``SELECT … FOR UPDATE``): key → (*key, *_Stored fields).

    Read per chunk of about ``EXISTING_CHUNK`` cells, their (period, org unit) pairs taken in that order, so a chunk's
    element × unit × period lists (index scans) cover little beyond its own cells however the file is ordered. The
    pairs are ~10× fewer than the cells: sorting them, not a million (period, unit, element) triples, orders the reads.
    """
    elements_of: defaultdict[tuple[int, int], set[int]] = defaultdict(set)
    for _c, _n, _t, key in parsed:
        elements_of[key[2], key[1]].add(key[0])
    chunks: list[tuple[list[int], list[int], list[int]]] = []  # (elements, org units, periods) of each read
    chunk_pairs: list[tuple[int, int]] = []
    size = 0
    for pair in sorted(elements_of):
        chunk_pairs.append(pair)
        size += len(elements_of[pair])
        if size >= EXISTING_CHUNK:
            chunks.append(_chunk_lists(chunk_pairs, elements_of))
            chunk_pairs, size = [], 0
    if chunk_pairs:
        chunks.append(_chunk_lists(chunk_pairs, elements_of))
    found: dict[CellKey, tuple] = {}
    if connection.vendor != "postgresql":
        for elements, units, periods in chunks:
            rows = DataValue.objects.filter(element_id__in=elements, orgunit_id__in=units, period_id__in=periods).select_for_update()
            found.update({row[:4]: row for row in rows.values_list(*_EXISTING_FIELDS)})
        return found
    table = connection.ops.quote_name(DataValue._meta.db_table)
    fields = [DataValue._meta.pk if f == "pk" else DataValue._meta.get_field(f) for f in _EXISTING_FIELDS]
    columns = ", ".join(f"v.{connection.ops.quote_name(f.column)}" for f in fields)
    with connection.cursor() as cursor:  # plain rows: no ORM conversion per row
        for elements, units, periods in chunks:
            cursor.execute(
                f"SELECT {columns} FROM {table} v WHERE v.element_id = ANY(%s) AND v.orgunit_id = ANY(%s) "
                "AND v.period_id = ANY(%s) FOR UPDATE OF v",
                [elements, units, periods],
            )
            found.update({row[:4]: row for row in cursor.fetchall()})
    return found


def _chunk_lists(pairs: list[tuple[int, int]], elements_of: dict[tuple[int, int], set[int]]) -> tuple[list[int], list[int], list[int]]:
    """Sorted element, org unit and period ids of a chunk of (period, org unit) pairs."""
    return sorted(set().union(*(elements_of[pair] for pair in pairs))), sorted({o for _p, o in pairs}), sorted({p for p, _o in pairs})


def _write(parsed: list[tuple[CellInput, float | None, str, CellKey]], user: User | None, source: str, result: SaveResult) -> None:
    existing = _existing(parsed)
    # New values and audit rows as plain tuples: a million model instances would cost more than writing them.
    to_create: list[tuple] = []
    to_update, to_delete, audits = [], [], []
    # (element, org unit, period, option combination, total change, count change) of each changed numeric cell.
    changes: list[tuple[int, int, int, int | None, float, int]] = []
    user_id = user.pk if user is not None and user.is_authenticated else None
    now = timezone.now()
    elements = {key[0]: c.element for c, _n, _t, key in parsed}
    numeric = {element_id: element.is_numeric for element_id, element in elements.items()}
    units = {key[1]: c.orgunit for c, _n, _t, key in parsed if numeric[key[0]]}
    chains = ancestor_ids(units.values())
    numbers: dict[float, str] = {}  # format_number of each distinct number once (the audit's and the comparison's text)
    for cell, num, text, key in parsed:
        element_id, orgunit_id, period_id, combo_id = key
        current = existing.get(key)
        not_available, raw = cell.not_available, cell.raw
        clear = not not_available and (raw is None or raw == "")
        if clear:
            new_state = ""
        elif not_available:
            new_state = f"n/a:{not_available}"
        else:
            new_state = (numbers.get(num) or numbers.setdefault(num, format_number(num))) if num is not None else text
        if current is None:
            old_state, old_num = "", None
        else:
            # current: (*key, pk, value_num, value_text, not_available, comment, updated_by_id, updated_at)
            old_num = current[5]
            if current[7]:
                old_state = f"n/a:{current[7]}"
            elif old_num is not None:
                old_state = numbers.get(old_num) or numbers.setdefault(old_num, format_number(old_num))
            else:
                old_state = current[6]
        if cell.expected is not None and cell.expected != old_state and new_state != old_state:
            by, at = _last_change(key, _Stored._make(current[4:]) if current else None)
            result.conflicts.append(CellConflict(cell.ref, cell.element.code, cell.orgunit.code, old_state, by, at))
            continue
        if new_state == old_state and (current is None or clear or current[8] == cell.comment):
            result.unchanged += 1
            continue
        if clear:
            to_delete.append(current[4])
            action = "delete"
            new_num = None
        elif current is None:
            to_create.append((element_id, orgunit_id, period_id, combo_id, num, text, not_available, cell.comment))
            action = "create"
            new_num = num
        else:
            to_update.append((current[4], num, text, not_available, cell.comment))
            action = "update"
            new_num = num
        audits.append((element_id, orgunit_id, period_id, combo_id, old_state, new_state, action))
        if numeric[element_id] and (old_num is not None or new_num is not None):
            changes.append(
                (
                    element_id,
                    orgunit_id,
                    period_id,
                    combo_id,
                    (new_num or 0.0) - (old_num or 0.0),
                    (new_num is not None) - (old_num is not None),
                )
            )
    stamps = {"created_at": now, "created_by_id": user_id, "updated_at": now, "updated_by_id": user_id}
    audit_constants = {"source": source, "user_id": user_id, "at": now}
    changed_ids = None
    if not _copies(len(audits)):
        _insert(DataValue, VALUE_COLUMNS, to_create, source=source, **stamps)
        _update(to_update, source=source, updated_by_id=user_id, updated_at=now)
        DataValue.objects.filter(pk__in=to_delete).delete()
        _insert(DataValueAudit, AUDIT_COLUMNS, audits, **audit_constants)
        aggregates_apply_deltas(*_sum_changes(changes, chains))
    else:
        # While PostgreSQL writes the values (the client only waits, without the GIL), a second thread formats the
        # audit rows, sums the aggregate deltas into COPY text and collects the ids the signal announces: pure
        # Python, no database access outside this thread.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="datavalues-save") as pool:
            audit_lines = pool.submit(_copy_buffer, AUDIT_COLUMNS, audits, audit_constants)
            deltas = pool.submit(lambda: aggregates_prepare(*_sum_changes(changes, chains), postgresql=True))
            _insert_values(to_create, {"source": source, **stamps})
            _update(to_update, source=source, updated_by_id=user_id, updated_at=now)
            DataValue.objects.filter(pk__in=to_delete).delete()
            _copy_in(DataValueAudit, [*AUDIT_COLUMNS, *audit_constants], audit_lines.result())
            changed_ids = pool.submit(_changed_ids, parsed)
            aggregates_apply_prepared(deltas.result())
    result.created, result.updated, result.deleted = len(to_create), len(to_update), len(to_delete)
    if len(to_create) + len(to_update) + len(to_delete) >= ANALYZE_AFTER:
        _analyze(DataValue, AggregateValue, AggregateOptionValue)
    if audits:
        changed = _changed_ids(parsed) if changed_ids is None else changed_ids.result()
        transaction.on_commit(lambda: values_changed.send(sender=DataValue, **changed))


def _changed_ids(parsed: list[tuple[CellInput, float | None, str, CellKey]]) -> dict[str, set[int]]:
    """What ``values_changed`` announces: the elements, org units, periods and datasets of the saved cells."""
    return {
        "element_ids": {k[0] for _c, _n, _t, k in parsed},
        "orgunit_ids": {k[1] for _c, _n, _t, k in parsed},
        "period_ids": {k[2] for _c, _n, _t, k in parsed},
        "dataset_ids": {element.dataset_id for element in {key[0]: c.element for c, _n, _t, key in parsed}.values()},
    }


def _sum_changes(changes: list[tuple], chains: dict[int, list[int]]) -> tuple[dict, dict]:
    """Aggregate deltas of the changed cells: each cell's change added to its org unit and every ancestor."""
    deltas: dict[tuple[int, ...], list[float]] = defaultdict(lambda: [0.0, 0])
    option_deltas: dict[tuple[int, ...], list[float]] = defaultdict(lambda: [0.0, 0])
    for element_id, orgunit_id, period_id, combo_id, total, count in changes:
        for ancestor_id in chains[orgunit_id]:
            delta = deltas[(element_id, ancestor_id, period_id)]
            delta[0] += total
            delta[1] += count
            if combo_id is not None:
                delta = option_deltas[(element_id, combo_id, ancestor_id, period_id)]
                delta[0] += total
                delta[1] += count
    return deltas, option_deltas


def _last_change(key: CellKey, current: _Stored | None) -> tuple[str, dt.datetime | None]:
    """Who changed a cell last and when: the value's stamps, or the audit trail when it was cleared."""
    if current is not None:
        user_id, at = current.updated_by_id, current.updated_at
    else:
        cell = DataValueAudit.objects.filter(element_id=key[0], orgunit_id=key[1], period_id=key[2], option_combo_id=key[3])
        last = cell.order_by("-at", "-pk").first()
        user_id, at = (last.user_id, last.at) if last else (None, None)
    user = User.objects.filter(pk=user_id).only("username", "first_name", "last_name").first() if user_id else None
    return ((user.get_full_name() or user.username) if user else ""), at


def _insert(model: type[DataValue] | type[DataValueAudit], columns: list[str], rows: list[tuple], **constants: object) -> None:
    """Insert new rows (``columns`` per row, ``constants`` the same for all): COPY on PostgreSQL, bulk_create elsewhere.

    COPY needs no ids back and is several times faster. Validation happened above; the unique
    constraint and foreign keys still hold inside the same transaction. The COPY text is made while PostgreSQL
    reads it (:class:`_CopyStream`): the server starts at once instead of after a million lines are formatted.
    """
    if not _copies(len(rows)):
        model.objects.bulk_create([model(**dict(zip(columns, row, strict=True)), **constants) for row in rows], batch_size=2000)
        return
    _copy_in(model, [*columns, *constants], _CopyStream(_copy_lines(columns, rows, _copy_tail(constants))))


def _insert_values(rows: list[tuple], constants: dict[str, object]) -> None:
    """COPY new values (``VALUE_COLUMNS`` each, then ``constants``): their foreign keys checked once per referenced
    element, org unit and period instead of once per row when PostgreSQL lets us (:mod:`datasets.foreign_keys`)."""
    if not references_locked(DataValue._meta.db_table, VALUE_COLUMNS, rows, constants):
        _insert(DataValue, VALUE_COLUMNS, rows, **constants)
        return
    with row_checks_skipped():
        _insert(DataValue, VALUE_COLUMNS, rows, **constants)


COPY_AFTER = 500  # rows: a save this large is written with COPY on PostgreSQL
COPY_CHUNK = 1 << 20  # characters handed to the server per call: few GIL round trips while another thread works


def _copies(rows: int) -> bool:
    return connection.vendor == "postgresql" and rows >= COPY_AFTER


def _copy_tail(constants: dict[str, object]) -> str:
    """The end of every COPY line: ``constants`` (the same on every row), then the newline."""
    return "\t" + "\t".join(_copy_text(v) for v in constants.values()) + "\n" if constants else "\n"


def _copy_buffer(columns: list[str], rows: list[tuple], constants: dict[str, object]) -> io.StringIO:
    """COPY text of ``rows`` (``columns`` each) followed by ``constants`` (the same on every row)."""
    buffer = io.StringIO()
    buffer.writelines(_copy_lines(columns, rows, _copy_tail(constants)))
    buffer.seek(0)
    return buffer


class _CopyStream:
    """A file for ``copy_expert`` that formats its lines as COPY reads them, a few thousand per read.

    PostgreSQL parses and indexes one chunk while the next is formatted (psycopg2 waits for the socket without the
    GIL), so a large COPY costs about the slower of the two sides instead of both one after the other.
    """

    LINES_PER_READ = 8192

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)

    def read(self, size: int = -1) -> str:
        return "".join(itertools.islice(self._lines, self.LINES_PER_READ))


def _copy_in(model: type, columns: list[str], buffer: io.StringIO | _CopyStream) -> None:
    """COPY ``buffer`` (one line per row, ``columns`` field names) into ``model``'s table."""
    quote = connection.ops.quote_name
    names = ", ".join(quote(model._meta.get_field(c).column) for c in columns)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {quote(model._meta.db_table)} ({names}) FROM STDIN", buffer, size=COPY_CHUNK)


UPDATE_COLUMNS = ["value_num", "value_text", "not_available", "comment"]


def _update(rows: list[tuple], **constants: object) -> None:
    """Rewrite existing values (``rows`` are ``(pk, *UPDATE_COLUMNS)``, ``constants`` the same for all).

    On PostgreSQL a corrected file's rows are COPied into a scratch table and merged by one
    ``UPDATE … FROM``: ``bulk_update`` builds a ``CASE WHEN`` per column per row in Python, which
    made a corrected file ~40× slower than new values. Small saves (the form) keep ``bulk_update``.
    """
    if not rows:
        return
    if len(rows) == 1:  # one cell saved through the form: a plain UPDATE, not bulk_update's CASE per column
        pk, *values = rows[0]
        DataValue.objects.filter(pk=pk).update(**dict(zip(UPDATE_COLUMNS, values, strict=True)), **constants)
        return
    if not _copies(len(rows)):
        objects = []
        for pk, *values in rows:
            value = DataValue(pk=pk, **dict(zip(UPDATE_COLUMNS, values, strict=True)), **constants)
            objects.append(value)
        DataValue.objects.bulk_update(objects, [*UPDATE_COLUMNS, *constants], batch_size=2000)
        return
    table = connection.ops.quote_name(DataValue._meta.db_table)
    quote = connection.ops.quote_name
    columns = [quote(DataValue._meta.get_field(c).column) for c in UPDATE_COLUMNS]
    buffer = _CopyStream(_copy_lines(["id", *UPDATE_COLUMNS], rows, "\n"))
    constant_columns = [quote(DataValue._meta.get_field(c).column) for c in constants]
    assignments = [f"{c} = s.{c}" for c in columns] + [f"{c} = %s" for c in constant_columns]
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS datavalue_update")
        cursor.execute(
            f"CREATE TEMPORARY TABLE datavalue_update (id bigint, {columns[0]} double precision, {columns[1]} text, "
            f"{columns[2]} text, {columns[3]} text) ON COMMIT DROP"
        )
        cursor.cursor.copy_expert(f"COPY datavalue_update (id, {', '.join(columns)}) FROM STDIN", buffer, size=COPY_CHUNK)
        # The rows were locked by ``_write``'s SELECT … FOR UPDATE; this merge only rewrites them.
        cursor.execute(
            f"UPDATE {table} AS v SET {', '.join(assignments)} FROM datavalue_update AS s WHERE v.id = s.id",
            list(constants.values()),
        )


# COPY text format: backslash, tab, newline and carriage return escaped (``str.translate``: one C call per text).
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"


def _copy_lines(columns: list[str], rows: list[tuple], tail: str) -> Iterable[str]:
    """COPY text lines for the row shapes a save writes (ids, optional id, number, texts), one f-string per row;
    any other shape through :func:`_copy_text` per value."""
    null, escapes = _NULL, _COPY_ESCAPES
    if columns == VALUE_COLUMNS:
        return (
            f"{e}\t{o}\t{p}\t{null if c is None else c}\t{null if n is None else repr(n)}\t"
            f"{t.translate(escapes)}\t{na.translate(escapes)}\t{cm.translate(escapes)}{tail}"
            for e, o, p, c, n, t, na, cm in rows
        )
    if columns == AUDIT_COLUMNS:
        return (
            f"{e}\t{o}\t{p}\t{null if c is None else c}\t{old.translate(escapes)}\t{new.translate(escapes)}\t{a}{tail}"
            for e, o, p, c, old, new, a in rows
        )
    if columns == ["id", *UPDATE_COLUMNS]:
        return (
            f"{pk}\t{null if n is None else repr(n)}\t{t.translate(escapes)}\t{na.translate(escapes)}\t{cm.translate(escapes)}{tail}"
            for pk, n, t, na, cm in rows
        )
    return ("\t".join(map(_copy_text, row)) + tail for row in rows)


def _copy_text(value: object) -> str:
    if value is None:
        return "\\N"
    if type(value) is float:
        return repr(value)
    if type(value) is not str:
        return value.isoformat() if hasattr(value, "isoformat") else str(value)
    text = value
    if text and ("\\" in text or "\t" in text or "\n" in text or "\r" in text):
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def importprofile_save(*, user: User, dataset: Dataset, name: str, mapping: dict) -> ImportProfile:
    """Create or update the user's agency's import profile ``name`` for ``dataset`` (audited)."""
    from datasets.imports import clean_mapping
    from poc.audit import audit

    if user.agency_id is None:
        permissions.deny()
    permissions.require(user, "change", dataset)
    cleaned = clean_mapping(dataset, mapping)
    with transaction.atomic():
        profile, created = ImportProfile.objects.select_for_update().get_or_create(
            agency_id=user.agency_id, dataset=dataset, name=name.strip(), defaults={"mapping": cleaned, "updated_by": user}
        )
        profile.mapping, profile.updated_by = cleaned, user
        profile.full_clean()
        profile.save()
        audit(user, profile, "add" if created else "change", f"import profile {profile.name}: {len(cleaned['elements'])} column(s)")
    return profile
