"""Point and dated records (daily rainfall per station with coordinates, cases with a date and a subdistrict) → values.

Each record is placed in the dataset's org unit that contains its point (point in polygon on the boundaries,
in Python with prepared GEOS geometries so PostGIS and SpatiaLite behave alike) or, without coordinates, the unit
its name column names; its date gives the period. Records are then combined per element × unit × period the
way the element aggregates (sum, mean, or the latest record). Records outside every unit are listed, not dropped
silently.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.utils.translation import gettext as _

from datasets.columns import column_targets
from datasets.layout import Column, OrgUnitMatcher, SheetLayout, Skipped, _element_for
from datasets.models import Aggregation, DataElement, Dataset
from datasets.readers import THAI_DIGITS, Cell, Sheet, cell_text, is_missing, to_number
from poc.models import OrgUnit
from poc.periods import from_be, period_containing

_LAT = re.compile(r"^(ละติจูด|latitude|lat|พิกัด\s*y|y)$", re.I)
_LON = re.compile(r"^(ลองจิจูด|longitude|lon|lng|long|พิกัด\s*x|x)$", re.I)
_DATE = re.compile(r"^(วันที่|วัน/เดือน/ปี|วันเดือนปี|date|วันที่เกิดเหตุ|วันเริ่มป่วย|วันที่รายงาน)", re.I)
_PLACE = re.compile(r"^(ตำบล|อำเภอ|จังหวัด|ที่อยู่|พื้นที่|subdistrict|district|address|tambon|amphoe)", re.I)
_DATE_TEXT = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{2,4})$")


@dataclass
class RecordColumns:
    header_row: int  # 0-based
    latitude: int | None
    longitude: int | None
    date: int | None
    place: int | None
    values: list[Column]


def detect_records(sheet: Sheet, elements: list[DataElement]) -> RecordColumns | None:
    """A record table: a header row naming a date column and coordinates or a place column, within the first rows."""
    for number, row in enumerate(sheet.rows[:10]):
        headers = [cell_text(c) for c in row]
        found = {
            kind: next((i for i, h in enumerate(headers) if pattern.match(h)), None)
            for kind, pattern in (("lat", _LAT), ("lon", _LON), ("date", _DATE), ("place", _PLACE))
        }
        has_point = found["lat"] is not None and found["lon"] is not None
        if found["date"] is None or not (has_point or found["place"] is not None):
            continue
        used = {i for i in found.values() if i is not None}
        targets = column_targets(elements, totals=True)
        values = []
        for index, header in enumerate(headers):
            if index in used or not header:
                continue
            column = Column(index, header, header, role="value")
            column.element, column.element_match = _element_for(header, targets)
            values.append(column)
        return RecordColumns(number, found["lat"], found["lon"], found["date"], None if has_point else found["place"], values)
    return None


def parse_date(value: Cell) -> dt.date | None:
    """ISO dates (workbook date cells) and Thai ``d/m/yyyy`` with a Buddhist-era or Christian year."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value).translate(THAI_DIGITS)
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        pass
    match = _DATE_TEXT.match(text)
    if not match:
        return None
    day, month, year = (int(g) for g in match.groups())
    if year < 100:
        year += 2500
    if year > 2400:
        year = from_be(year)
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


Problems = list[tuple[int, str]]  # (row, message)


@dataclass
class Record:
    row: int
    unit: OrgUnit
    period_code: str
    when: dt.date
    values: dict[int, Cell]


def place_records(
    sheet: Sheet, columns: RecordColumns, dataset: Dataset, answers: dict[str, str]
) -> tuple[SheetLayout, list[Record], list[tuple[int, str]]]:
    """Records in their unit and period; the layout (with rows outside every unit skipped) and the row problems."""
    units = list(OrgUnit.objects.filter(level=dataset.collection_level, geom__isnull=False).only("id", "code", "name_th", "geom"))
    prepared = [(unit, unit.geom.prepared) for unit in units]
    matcher = OrgUnitMatcher(dataset.collection_level, answers)
    roles = {columns.latitude: "latitude", columns.longitude: "longitude", columns.date: "date", columns.place: "orgunit"}
    width = max((len(r) for r in sheet.rows), default=0)
    header = sheet.rows[columns.header_row]
    layout_columns = [Column(i, cell_text(header[i]) if i < len(header) else "", "", role=roles.get(i, "ignore")) for i in range(width)]
    for column in columns.values:
        layout_columns[column.index] = column
    layout = SheetLayout(sheet.name, None, [columns.header_row + 1], layout_columns, columns.place, [], [])
    records, problems = [], []
    for number, row in enumerate(sheet.rows[columns.header_row + 1 :], start=columns.header_row + 2):

        def at(index: int | None, row: list[Cell] = row) -> Cell:
            return row[index] if index is not None and index < len(row) else None

        if all(c is None for c in row):
            continue
        when = parse_date(at(columns.date))
        if when is None:
            problems.append((number, _("“%(v)s” is not a date (use 2568-01-31 or 31/1/2568)") % {"v": cell_text(at(columns.date))}))
            continue
        if columns.place is None:
            lat, lon = to_number(at(columns.latitude)), to_number(at(columns.longitude))
            if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
                problems.append((number, _("no valid latitude/longitude")))
                continue
            point = Point(lon, lat, srid=4326)
            unit = next((u for u, shape in prepared if shape.covers(point)), None)
            if unit is None:
                layout.skipped.append(Skipped(number, "outside", f"{lat:.5f}, {lon:.5f}"))
                continue
        else:
            match = matcher.match(cell_text(at(columns.place)))
            if match.kind != "unit":
                layout.skipped.append(Skipped(number, "outside", cell_text(at(columns.place))))
                continue
            unit = match.unit
        period = period_containing(dataset.period_type, when).code
        records.append(Record(number, unit, period, when, {c.index: at(c.index) for c in columns.values}))
    return layout, records, problems


def aggregate(records: list[Record], element: DataElement, index: int) -> tuple[dict[tuple[int, str], float], Problems]:
    """One element's records combined per (unit, period) as the element aggregates; non-numbers are problems."""
    groups: dict[tuple[int, str], list[tuple[dt.date, int, float]]] = defaultdict(list)
    problems = []
    for record in records:
        raw = record.values.get(index)
        if is_missing(raw):
            continue
        number = to_number(raw)
        if number is None:
            problems.append((record.row, _("“%(v)s” is not a number") % {"v": cell_text(raw)}))
            continue
        groups[(record.unit.pk, record.period_code)].append((record.when, record.row, number))
    combined = {}
    for key, items in groups.items():
        numbers = [n for _when, _row, n in items]
        if element.aggregation == Aggregation.AVERAGE:
            combined[key] = sum(numbers) / len(numbers)
        elif element.aggregation == Aggregation.LAST:
            combined[key] = max(items)[2]
        else:
            combined[key] = sum(numbers)
    return combined, problems
