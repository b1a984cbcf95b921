"""Understanding a published table: title and header rows, the org-unit column, periods, value columns, skipped rows.

Agencies' files (OAE, NSO, DOPA, provincial statistics offices) carry a merged title row, one- or two-row merged
headers, one sheet per Buddhist-era year or the years as column headers, subtotal rows between the data rows,
Thai names instead of codes and footnotes under the table. :func:`detect_layout` reads all of that into a
:class:`Layout` that says what each column is and which rows were skipped and why; it never writes anything.
An org-unit name is matched after stripping prefixes (จังหวัด/อ./ต./เทศบาล…); a name that fits several units, or
only nearly fits one, becomes a question for the user with the candidates, never a guess.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import asdict, dataclass, field

from datasets.columns import ColumnTarget, column_targets
from datasets.models import DataElement, Dataset
from datasets.readers import THAI_DIGITS as THAI_DIGITS_TABLE
from datasets.readers import Cell, Sheet, cell_text, is_missing, to_number
from poc.models import OrgUnit, OrgUnitLevel
from poc.periods import (
    MONTHS_EN,
    MONTHS_EN_SHORT,
    MONTHS_TH,
    MONTHS_TH_SHORT,
    PeriodError,
    PeriodType,
    from_be,
    parse_period,
    period_containing,
)

MAX_HEADER_ROWS = 3

# Longest first: "อำเภอ" before "อ.", "เทศบาลตำบล" before "เทศบาล".
_PREFIXES = [
    ("องค์การบริหารส่วนตำบล", OrgUnitLevel.SUBDISTRICT),
    ("เทศบาลตำบล", None),
    ("เทศบาลเมือง", None),
    ("เทศบาลนคร", None),
    ("กิ่งอำเภอ", OrgUnitLevel.DISTRICT),
    ("กิ่งอ.", OrgUnitLevel.DISTRICT),
    ("จังหวัด", OrgUnitLevel.PROVINCE),
    ("เทศบาล", None),
    ("อำเภอ", OrgUnitLevel.DISTRICT),
    ("ตำบล", OrgUnitLevel.SUBDISTRICT),
    ("อบต.", OrgUnitLevel.SUBDISTRICT),
    ("ทน.", None),
    ("ทม.", None),
    ("ทต.", None),
    ("จ.", OrgUnitLevel.PROVINCE),
    ("อ.", OrgUnitLevel.DISTRICT),
    ("ต.", OrgUnitLevel.SUBDISTRICT),
    ("changwat", OrgUnitLevel.PROVINCE),
    ("amphoe", OrgUnitLevel.DISTRICT),
    ("tambon", OrgUnitLevel.SUBDISTRICT),
]
_SUFFIXES = [(" province", OrgUnitLevel.PROVINCE), (" district", OrgUnitLevel.DISTRICT), (" subdistrict", OrgUnitLevel.SUBDISTRICT)]
# Rows that add up others: national, regional and "total" lines.
_SUBTOTAL = re.compile(r"^(รวม|ยอดรวม|ทั้งประเทศ|ทั่วประเทศ|ทั่วราชอาณาจักร|ภาค|เขตตรวจ|เขตสุขภาพ|total|grand ?total|sum|whole kingdom)", re.I)
_FOOTNOTE = re.compile(r"^(ที่มา|หมายเหตุ|แหล่งที่มา|หมายถึง|ข้อมูล ณ|ปรับปรุง|update|source|note|remark|\*|\d\))", re.I)
_ORGUNIT_HEADER = re.compile(r"(จังหวัด|อำเภอ|ตำบล|เขต|ภาค|พื้นที่|รหัส|orgunit|province|district|subdistrict|area|code)", re.I)
_YEAR_WORDS = re.compile(r"^(?:(ปีงบประมาณ|ปีงบ\.?|FY)|ปี|พ\.ศ\.|ปี พ\.ศ\.)?\s*(\d{4}|\d{2})$", re.I)
_MONTHS = {
    name.lower().replace(".", ""): number
    for names in (MONTHS_TH, MONTHS_TH_SHORT, MONTHS_EN, MONTHS_EN_SHORT)
    for number, name in enumerate(names, start=1)
}
_MONTH_YEAR = re.compile(r"^(?P<month>[^\d\s]+)\s*(?:พ\.ศ\.)?\s*(?P<year>\d{4}|\d{2})$")


# --- Names ----------------------------------------------------------------------------------------------
def normalize_name(text: str) -> tuple[str, int | None]:
    """A name without prefixes, spaces or case, and the level its prefix names (อ. → district), if any."""
    name = "".join(str(text).translate(THAI_DIGITS_TABLE).split()).lower()
    level = None
    for word, suffix_level in _SUFFIXES:
        word = word.strip()
        if name.endswith(word) and len(name) > len(word):
            name, level = name[: -len(word)], suffix_level
    stripped = True
    while stripped:
        stripped = False
        for prefix, prefix_level in _PREFIXES:
            if name.startswith(prefix) and len(name) > len(prefix):
                name, level, stripped = name[len(prefix) :], level or prefix_level, True
                break
    return name, level


@dataclass
class UnitMatch:
    """How one row label relates to the hierarchy."""

    kind: str  # unit | subtotal | ambiguous | unknown | outside | below (a unit deeper than the dataset's level)
    unit: OrgUnit | None = None
    candidates: list[OrgUnit] = field(default_factory=list)  # ambiguous: every unit it may be; unknown: close names
    answered: bool = False  # the user chose the unit (a question earlier)


class OrgUnitMatcher:
    """Matches row labels (codes or Thai/English names) to the org units of one collection level."""

    def __init__(self, collection_level: int, answers: dict[str, str] | None = None) -> None:
        self.level = collection_level
        # Units below the level too (not villages): a row of a deeper level is skipped as such, not mistaken or guessed.
        deepest = max(collection_level, OrgUnitLevel.SUBDISTRICT)
        units = list(OrgUnit.objects.without_shapes().filter(level__lte=deepest).order_by("path"))
        self.by_code = {u.code: u for u in units}
        self.by_name: dict[str, list[OrgUnit]] = {}
        for unit in units:
            for name in {normalize_name(unit.name_th)[0], normalize_name(unit.name_en)[0]} - {""}:
                self.by_name.setdefault(name, []).append(unit)
        self.names = sorted(name for name, found in self.by_name.items() if any(u.level == collection_level for u in found))
        # The user's answers to earlier questions (label → code), from the mapping step or a saved profile.
        self.answers = {" ".join(k.split()): v for k, v in (answers or {}).items()}

    def match(self, label: str, context: OrgUnit | None = None) -> UnitMatch:
        label = " ".join(label.split())
        found = self._match(label, context)
        answer = self.by_code.get(self.answers.get(label, ""))
        if found.kind in ("ambiguous", "unknown", "outside") and answer is not None and answer.level == self.level:
            return UnitMatch("unit", answer, found.candidates, answered=True)
        return found

    def _match(self, label: str, context: OrgUnit | None) -> UnitMatch:
        code = label.translate(THAI_DIGITS_TABLE)
        if code in self.by_code:
            return self._found(self.by_code[code])
        name, level = normalize_name(label)
        found = [u for u in self.by_name.get(name, []) if level is None or u.level == level]
        here = [u for u in found if u.level == self.level]
        above = [u for u in found if u.level < self.level]
        inside = [u for u in here if context is not None and u.path.startswith(context.path)]
        if len(inside) == 1:
            return UnitMatch("unit", inside[0])
        if above and here and context is None:
            return UnitMatch("ambiguous", candidates=here)  # a district's name and a subdistrict's, no block to tell
        if above:
            return UnitMatch("subtotal", above[0] if len(above) == 1 else None)
        if len(here) == 1:
            return UnitMatch("unit", here[0])
        if len(here) > 1:
            return UnitMatch("ambiguous", candidates=here)
        if any(u.level > self.level for u in found):
            return UnitMatch("below")
        if _SUBTOTAL.match(name) or _SUBTOTAL.match(label):
            return UnitMatch("subtotal")
        close = difflib.get_close_matches(name, self.names, n=3, cutoff=0.75) if name else []
        if not close and len(name) >= 3:  # "อ.เมือง" for เมืองระยอง: a shortened name is proposed, not applied
            close = [n for n in self.names if n.startswith(name)][:3]
        candidates = [u for n in close for u in self.by_name[n] if u.level == self.level]
        return UnitMatch("unknown", candidates=candidates) if candidates else UnitMatch("outside")

    def _found(self, unit: OrgUnit) -> UnitMatch:
        if unit.level > self.level:
            return UnitMatch("below")
        return UnitMatch("unit", unit) if unit.level == self.level else UnitMatch("subtotal", unit)


# --- Periods --------------------------------------------------------------------------------------------
def _year_be(digits: str) -> int | None:
    year = int(digits)
    if len(digits) == 2:
        return 2500 + year
    if 2400 <= year <= 2700:
        return year
    if 1900 <= year <= 2157:
        return year + 543
    return None


_DATED_TYPES = (PeriodType.MONTHLY, PeriodType.WEEKLY, PeriodType.DAILY)


def period_from_label(label: object, period_type: str, *, short_years: bool = False) -> str | None:
    """The period code a header, sheet name or cell names (``ปี 2545``, ``45``, ``ม.ค. 68``, ``FY2568``, a date)."""
    if isinstance(label, (dt.date, dt.datetime)):
        label = label.isoformat()
    text = " ".join(str(label).translate(THAI_DIGITS_TABLE).split())
    if not text:
        return None
    try:
        spec = parse_period(text)
    except PeriodError:
        pass
    else:  # a bare year is the dataset's kind of year; a date names the dataset's month or week holding it
        if spec.type == PeriodType.DAILY and period_type in _DATED_TYPES:
            return period_containing(period_type, spec.start).code
        return f"FY{text}" if spec.type == PeriodType.CALENDAR_YEAR and period_type == PeriodType.FISCAL_YEAR else spec.code
    iso = re.match(r"^(\d{4})-(\d{2})-(\d{2})", text)
    if iso and period_type == PeriodType.MONTHLY:
        year = _year_be(iso.group(1))
        return f"{year}-{iso.group(2)}" if year else None
    if iso and period_type in _DATED_TYPES:  # Excel date cells heading daily or weekly columns
        year = _year_be(iso.group(1))
        try:
            day = dt.date(from_be(year), int(iso.group(2)), int(iso.group(3))) if year else None
        except ValueError:
            return None
        return period_containing(period_type, day).code if day else None
    match = _YEAR_WORDS.match(text)
    if match and (short_years or len(match.group(2)) == 4 or match.group(0) != match.group(2)):
        year = _year_be(match.group(2))
        if year is None:
            return None
        fiscal = bool(match.group(1)) or period_type == PeriodType.FISCAL_YEAR
        return f"FY{year}" if fiscal else str(year)
    match = _MONTH_YEAR.match(text)
    if match and match.group("month").lower().replace(".", "") in _MONTHS:
        year = _year_be(match.group("year"))
        return f"{year}-{_MONTHS[match.group('month').lower().replace('.', '')]:02d}" if year else None
    return None


# --- Layout ---------------------------------------------------------------------------------------------
@dataclass
class Column:
    index: int
    header: str  # the header rows' texts, top to bottom
    key: str  # the header without its period: what a profile maps to an element
    role: str = "ignore"  # orgunit | value | period | ignore
    period: str | None = None
    month: int | None = None  # a month header without its year (the sheet's year completes it)
    element: str | None = None  # proposed column code: an element's, or ``ELEMENT.OPTION_COMBO`` (datasets.columns)
    element_match: str = ""  # code | name | only | close | profile | total (a broken-down element's total: not imported)


@dataclass
class DataRow:
    row: int  # 1-based, as a spreadsheet shows it
    label: str
    kind: str  # unit | ambiguous | unknown
    unit: str | None = None
    unit_name: str = ""
    candidates: list[tuple[str, str]] = field(default_factory=list)  # (code, Thai name with parent)
    period: str | None = None  # long tables: the row's own period
    answered: bool = False  # a question the user answered (the mapping's ``units``)


@dataclass
class Skipped:
    row: int
    reason: str  # title | blank | subtotal | footnote | outside | below | no_label
    text: str


@dataclass
class SheetLayout:
    name: str
    period: str | None
    header_rows: list[int]
    columns: list[Column]
    orgunit_column: int | None
    rows: list[DataRow]
    skipped: list[Skipped]
    kind: str = "table"  # table | records (point or dated records, aggregated: datasets.records)
    problems: list[tuple[int, str]] = field(default_factory=list)  # records: rows that cannot be placed

    def column(self, index: int) -> Column | None:
        return next((c for c in self.columns if c.index == index), None)


@dataclass
class Layout:
    sheets: list[SheetLayout]
    level: int  # the org-unit level rows were matched at
    records: dict = field(default_factory=dict)  # sheet name → placed records (datasets.records.Record)

    def as_dict(self) -> dict:
        return {"orgunit_level": self.level, "sheets": [asdict(sheet) for sheet in self.sheets]}


def _is_header_years(row: list[Cell]) -> bool:
    numbers = [to_number(c) for c in row if to_number(c) is not None]
    years = [n for n in numbers if n.is_integer() and (2400 <= n <= 2700)]
    return len(numbers) >= 2 and len(years) == len(numbers)


def _filled(sheet: Sheet, rows: list[int], width: int) -> list[list[str]]:
    """Header texts with merged cells spread over their range (or, without merge info, over empty cells on the right)."""
    grid = [[cell_text(sheet.rows[r][c]) if c < len(sheet.rows[r]) else "" for c in range(width)] for r in rows]
    index = {r: i for i, r in enumerate(rows)}
    if sheet.merged:
        for top, left, bottom, right in sheet.merged:
            value = cell_text(sheet.rows[top][left]) if top < len(sheet.rows) and left < len(sheet.rows[top]) else ""
            for r in range(top, bottom + 1):
                for c in range(left, min(right, width - 1) + 1):
                    if r in index and not grid[index[r]][c]:
                        grid[index[r]][c] = value
    else:
        for line_number, line in enumerate(grid[:-1]):
            below = grid[line_number + 1]
            for c in range(1, width):
                if not line[c] and line[c - 1] and below[c]:
                    line[c] = line[c - 1]
    return grid


def month_of(label: str) -> int | None:
    """A month named without its year (``ม.ค.``, ``มกราคม``, ``Jan``): its year comes from the sheet."""
    return _MONTHS.get(" ".join(str(label).split()).lower().replace(".", ""))


def _header_key(parts: list[str], period_type: str) -> tuple[str, str | None, int | None]:
    period, month = None, None
    kept = []
    for part in parts:
        found = period_from_label(part, period_type)
        if found and period is None:
            period = found
        elif month_of(part) and month is None:
            month = month_of(part)
        elif part and part not in kept:
            kept.append(part)
    return " / ".join(kept), period, month


def _month_in(sheet_period: str | None, month: int) -> str | None:
    """``ม.ค.`` on sheet ``2567`` is 2567-01; on a fiscal-year sheet ``FY2567``, ต.ค.–ธ.ค. fall in 2566."""
    if not sheet_period:
        return None
    match = re.fullmatch(r"(FY)?(\d{4})", sheet_period)
    if not match:
        return None
    year = int(match.group(2)) - (1 if match.group(1) and month >= 10 else 0)
    return f"{year}-{month:02d}"


_TITLE_YEAR = re.compile(r"(?:ปี|พ\.ศ\.)[^\d]{0,20}?(\d{4})")  # "ปีเพาะปลูก 2566", "พ.ศ. 2567"


def _element_for(key: str, targets: list[ColumnTarget]) -> tuple[str | None, str]:
    """The column code (:mod:`datasets.columns`) a header proposes, and how it was found; ``(None, "total")`` for the
    total, or a partial sum, of a broken-down element: derived from its parts, never imported."""
    parts = [t for t in targets if not t.is_total]
    if not key:
        return (parts[0].code, "only") if len(parts) == 1 else (None, "")
    wanted = normalize_name(key)[0]
    for target in targets:
        if target.code.lower() == key.lower():
            return (None, "total") if target.is_total else (target.code, "code")
    broken_down = [t for t in targets if t.option_combo is not None]
    if broken_down:
        found = _option_combo_for(key, broken_down)
        if found != (None, ""):
            return found
    plain = [t.element for t in targets if t.element.category_combo_id is None]
    for element in plain:
        if wanted in _names(element) or any(wanted.startswith(n) or n.startswith(wanted) for n in _names(element) if len(n) >= 4):
            return element.code, "name"
    names = {normalize_name(e.name_th)[0]: e.code for e in plain}
    close = difflib.get_close_matches(wanted, list(names), n=1, cutoff=0.6)
    return (names[close[0]], "close") if close else (None, "")


def _names(element: DataElement) -> set[str]:
    return {normalize_name(element.name_th)[0], normalize_name(element.name_en)[0]} - {""}


_HEADER_PARTS = re.compile(r"\s*(?:/|,|\(|\)|\n)\s*")


def _option_combo_for(key: str, targets: list[ColumnTarget]) -> tuple[str | None, str]:
    """A header naming a broken-down element and one option of each of its categories (``ประชากร / ชาย / ในเขตเทศบาล``,
    ``ประชากร (ชาย, ในเขตเทศบาล)``). The options alone (``ชาย / ในเขตเทศบาล`` under a title) are only proposed; the
    element with some of its options, or none, is a (partial) total."""
    words = {normalize_name(part)[0] for part in _HEADER_PARTS.split(key)} - {""}
    summing = {w for w in words if _SUBTOTAL.match(w)}  # "ประชากร / ชาย / รวม": a partial total
    exact, proposed, totals = [], [], False
    for target in targets:
        options = [
            {normalize_name(o.name_th)[0], normalize_name(o.name_en)[0], o.code.lower()} - {""} for o in target.option_combo.options.all()
        ]
        names = _names(target.element)
        named = {w for w in words if any(w == n or (len(n) >= 4 and n in w) for n in names)}  # "จำนวนประชากร" names ประชากร
        given = [o for o in options if o & words]
        rest = words - named - set().union(*options)
        if named and len(given) == len(options) and not rest:
            exact.append(target.code)
        elif not named and len(given) == len(options) and not rest:
            proposed.append(target.code)
        elif named and not rest - summing:
            totals = True
    if len(exact) == 1:
        return exact[0], "name"
    if not exact and len(proposed) == 1:
        return proposed[0], "close"
    return (None, "total") if totals and not exact else (None, "")


def detect_sheet(sheet: Sheet, period_type: str, matcher: OrgUnitMatcher, targets: list[ColumnTarget]) -> SheetLayout | None:
    """The layout of one sheet, or ``None`` for a sheet with no table (notes, charts as cells)."""
    rows = sheet.rows
    width = max((len(r) for r in rows), default=0)
    nonempty = [[c for c in row if not is_missing(c) or (c not in (None, "") and str(c).strip())] for row in rows]
    first_data = None
    for number, row in enumerate(rows):
        texts = [c for c in row if c is not None and to_number(c) is None and str(c).strip()]
        numbers = [c for c in row if to_number(c) is not None]
        if numbers and texts and not _is_header_years(row) and len(nonempty[number]) >= 2:
            first_data = number
            break
    if first_data is None:
        return None
    header_rows = []
    number = first_data - 1
    while number >= 0 and len(header_rows) < MAX_HEADER_ROWS and nonempty[number]:
        header_rows.insert(0, number)
        number -= 1
    skipped = [Skipped(r + 1, "title", cell_text(nonempty[r][0])) for r in range(first_data) if nonempty[r] and r not in header_rows]
    # A lone cell on top of the block is the sheet's title, not a header.
    while len(header_rows) > 1 and len(nonempty[header_rows[0]]) == 1 and cell_text(rows[header_rows[0]][0]):
        skipped.append(Skipped(header_rows[0] + 1, "title", cell_text(rows[header_rows[0]][0])))
        header_rows.pop(0)
    grid = _filled(sheet, header_rows, width)
    columns = []
    for c in range(width):
        parts = [line[c] for line in grid if line[c]]
        key, period, month = _header_key(parts, period_type)
        columns.append(Column(c, " / ".join(dict.fromkeys(parts)), key, period=period, month=month))
    data_rows = range(first_data, len(rows))

    def labels(c: int) -> list[str]:
        return [cell_text(rows[r][c]) for r in data_rows if c < len(rows[r]) and cell_text(rows[r][c])]

    # The org-unit column: the one whose labels match the hierarchy most often (codes win ties: they are exact).
    # A column of codes, when there is one, wins outright: codes are exact where names repeat across levels.
    best, best_score = None, 0
    for column in columns:
        texts = labels(column.index)[:300]
        codes = sum(1 for t in texts if t.translate(THAI_DIGITS_TABLE) in matcher.by_code)
        names = [t for t in texts if to_number(t) is None]  # figures are neither names nor (unless found above) codes
        score = codes + sum(1 for t in names if matcher.match(t).kind in ("unit", "subtotal", "ambiguous", "below"))
        if texts and codes >= 0.5 * len(texts):
            score += 10_000
        if score > best_score:
            best, best_score = column.index, score
    if best is None:
        best = next((c.index for c in columns if _ORGUNIT_HEADER.search(c.header) and labels(c.index)), None)
    if best is not None:
        columns[best].role = "orgunit"
    # A long table's period column: most of its cells name a period.
    for column in columns:
        texts = labels(column.index)[:300]
        if column.role == "ignore" and texts and sum(1 for t in texts if period_from_label(t, period_type)) >= 0.8 * len(texts):
            column.role = "period"
    period_column = next((c.index for c in columns if c.role == "period"), None)
    for column in columns:
        if column.role != "ignore":
            continue
        if any(to_number(rows[r][column.index]) is not None for r in data_rows if column.index < len(rows[r])):
            column.role = "value"
            column.element, column.element_match = _element_for(column.key, targets)
    sheet_period = period_from_label(sheet.name, period_type, short_years=True)
    if sheet_period is None:  # a single year named in the title rows ("ปีเพาะปลูก 2566") dates the sheet
        years = {y for r in range(first_data) if r not in header_rows for y in _TITLE_YEAR.findall(" ".join(map(cell_text, rows[r])))}
        sheet_period = period_from_label(years.pop(), period_type) if len(years) == 1 else None
    for column in columns:
        if column.month and column.period is None:
            column.period = _month_in(sheet_period, column.month)
    layout = SheetLayout(sheet.name, sheet_period, [r + 1 for r in header_rows], columns, best, [], skipped)
    value_columns = [c.index for c in columns if c.role == "value"]
    context: OrgUnit | None = None
    in_footer = False
    for r in data_rows:
        row = rows[r]
        first_text = next((cell_text(c) for c in row if cell_text(c)), "")
        if not first_text:
            layout.skipped.append(Skipped(r + 1, "blank", ""))
            continue
        if in_footer or (_FOOTNOTE.match(first_text) and not any(to_number(row[c]) is not None for c in value_columns if c < len(row))):
            in_footer = True  # everything under the first footnote is notes
            layout.skipped.append(Skipped(r + 1, "footnote", first_text))
            continue
        label = cell_text(row[best]) if best is not None and best < len(row) else ""
        if not label:
            layout.skipped.append(Skipped(r + 1, "blank" if not any(to_number(c) is not None for c in row) else "no_label", first_text))
            continue
        match = matcher.match(label, context)
        if match.kind == "subtotal":
            context = match.unit or context
            layout.skipped.append(Skipped(r + 1, "subtotal", label))
            continue
        if match.kind in ("outside", "below"):
            layout.skipped.append(Skipped(r + 1, match.kind, label))
            continue
        if match.kind == "unit" and match.unit.parent_id and context and not match.unit.path.startswith(context.path):
            context = None  # a new block began without its own subtotal row
        period = cell_text(row[period_column]) if period_column is not None and period_column < len(row) else None
        data_row = DataRow(
            r + 1, label, match.kind, period=period_from_label(period, period_type) if period else None, answered=match.answered
        )
        if match.unit:
            data_row.unit, data_row.unit_name = match.unit.code, match.unit.name_th
        data_row.candidates = [(u.code, _describe(u, matcher)) for u in match.candidates]
        layout.rows.append(data_row)
    return layout


def _describe(unit: OrgUnit, matcher: OrgUnitMatcher) -> str:
    parent = next((u for u in matcher.by_code.values() if u.pk == unit.parent_id), None)
    return f"{unit.name_th} ({parent.name_th})" if parent else unit.name_th


def detect_layout(sheets: list[Sheet], dataset: Dataset | None, *, answers: dict[str, str] | None = None) -> Layout:
    """The layout of every sheet with a table; without a dataset, at the org-unit level most rows match."""
    if dataset is not None:
        from datasets.records import detect_records, place_records

        elements = list(dataset.elements.all())
        found = {sheet.name: detect_records(sheet, elements) for sheet in sheets}
        targets = column_targets(elements, totals=True)
        layout = _detect([s for s in sheets if found[s.name] is None], dataset.collection_level, dataset.period_type, targets, answers)
        for sheet in sheets:
            if found[sheet.name] is not None:
                sheet_layout, records, problems = place_records(sheet, found[sheet.name], dataset, answers or {})
                sheet_layout.kind, sheet_layout.problems = "records", problems
                layout.sheets.append(sheet_layout)
                layout.records[sheet.name] = records
        return layout
    tries = [_detect(sheets, level, PeriodType.CALENDAR_YEAR, [], answers) for level in (3, 2, 1)]
    return max(tries, key=lambda layout: sum(1 for s in layout.sheets for r in s.rows if r.kind == "unit"))


def _detect(sheets: list[Sheet], level: int, period_type: str, targets: list[ColumnTarget], answers: dict[str, str] | None) -> Layout:
    matcher = OrgUnitMatcher(level, answers)
    layouts = [detect_sheet(sheet, period_type, matcher, targets) for sheet in sheets]
    return Layout([layout for layout in layouts if layout is not None], level)
