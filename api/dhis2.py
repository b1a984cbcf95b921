"""DHIS2's dataValueSets formats: JSON, CSV and ADX XML, read into :class:`Dhis2Value` and written back.

Formats follow DHIS2's documentation (data values import/export): identifiers are our codes
(``idScheme=code``), periods are DHIS2 ISO identifiers (ADX: start/duration), category option combinations are
codes or, in ADX, one attribute per category (``api.categories``).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, SubElement, tostring

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from django.utils.translation import gettext as _

CSV_COLUMNS = [
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "timestamp",
    "comment",
    "followup",
]
CSV_ALIASES = {"lastupdated": "timestamp", "created": "timestamp"}
ADX_NS = "urn:ihe:qrph:adx:2015"
MAX_VALUES = 200_000  # per request: larger loads go through several requests or the file upload


class FormatError(ValueError):
    """The body cannot be read as the format it claims."""


@dataclass
class Dhis2Value:
    data_element: str
    period: str
    org_unit: str
    category_option_combo: str = ""
    attribute_option_combo: str = ""
    value: str | None = None
    stored_by: str = ""
    last_updated: str = ""
    comment: str = ""
    followup: bool = False
    disaggregation: dict[str, str] = field(default_factory=dict)  # ADX category attributes


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value).strip()
    raise FormatError(_("a field holds a list or an object where text was expected"))


def _too_many(count: int) -> None:
    if count > MAX_VALUES:
        raise FormatError(_("More than %(n)s values in one request: send them in parts.") % {"n": f"{MAX_VALUES:,}"})


# --- JSON -----------------------------------------------------------------------------------------
def read_json(data: object) -> list[Dhis2Value]:
    """A dataValueSet object: ``dataValues`` plus optional set-wide ``period``, ``orgUnit``, ``attributeOptionCombo``."""
    if not isinstance(data, dict) or not isinstance(data.get("dataValues", []), list):
        raise FormatError(_("Send a JSON object with a “dataValues” list."))
    rows = data.get("dataValues", [])
    _too_many(len(rows))
    period, orgunit, attribute = (_text(data.get(k)) for k in ("period", "orgUnit", "attributeOptionCombo"))
    values = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            raise FormatError(_("Value %(i)s is not an object.") % {"i": index})
        raw = row.get("value")
        values.append(
            Dhis2Value(
                data_element=_text(row.get("dataElement")),
                period=_text(row.get("period")) or period,
                org_unit=_text(row.get("orgUnit")) or orgunit,
                category_option_combo=_text(row.get("categoryOptionCombo")),
                attribute_option_combo=_text(row.get("attributeOptionCombo")) or attribute,
                value=None if raw is None else _text(raw),
                stored_by=_text(row.get("storedBy")),
                last_updated=_text(row.get("lastUpdated")),
                comment=_text(row.get("comment")),
                followup=row.get("followup") is True,
            )
        )
    return values


def write_json(values: Iterable[Dhis2Value]) -> dict:
    return {
        "dataValues": [
            {
                "dataElement": v.data_element,
                "period": v.period,
                "orgUnit": v.org_unit,
                "categoryOptionCombo": v.category_option_combo,
                "attributeOptionCombo": v.attribute_option_combo,
                "value": v.value,
                "storedBy": v.stored_by,
                "lastUpdated": v.last_updated,
                "comment": v.comment,
                "followup": v.followup,
            }
            for v in values
        ]
    }


def read_json_bytes(body: bytes) -> list[Dhis2Value]:
    try:
        return read_json(json.loads(body.decode("utf-8-sig")))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise FormatError(_("The body is not valid JSON: %(e)s") % {"e": exc}) from None


# --- CSV ------------------------------------------------------------------------------------------
def read_csv(body: bytes) -> list[Dhis2Value]:
    """DHIS2's CSV: a header row (columns by name, any order) or none (the columns in DHIS2's order)."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FormatError(_("The CSV file is not UTF-8 text.")) from None
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline="")) if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise FormatError(_("The CSV file cannot be read: %(e)s") % {"e": exc}) from None
    if not rows:
        return []
    header = [CSV_ALIASES.get(c.strip().lower(), c.strip().lower()) for c in rows[0]]
    if "dataelement" in header:
        missing = {"dataelement", "period", "orgunit", "value"} - set(header)
        if missing:
            raise FormatError(_("The CSV header lacks the column(s) %(c)s.") % {"c": ", ".join(sorted(missing))})
        columns, rows = header, rows[1:]
    else:
        columns = CSV_COLUMNS
    _too_many(len(rows))
    values = []
    for row in rows:
        cells = dict(zip(columns, (c.strip() for c in row), strict=False))
        values.append(
            Dhis2Value(
                data_element=cells.get("dataelement", ""),
                period=cells.get("period", ""),
                org_unit=cells.get("orgunit", ""),
                category_option_combo=cells.get("categoryoptioncombo", ""),
                attribute_option_combo=cells.get("attributeoptioncombo", ""),
                value=cells.get("value", ""),
                stored_by=cells.get("storedby", ""),
                last_updated=cells.get("timestamp", ""),
                comment=cells.get("comment", ""),
                followup=cells.get("followup", "").lower() == "true",
            )
        )
    return values


def write_csv(values: Iterable[Dhis2Value]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for v in values:
        writer.writerow(
            [
                v.data_element,
                v.period,
                v.org_unit,
                v.category_option_combo,
                v.attribute_option_combo,
                v.value or "",
                v.stored_by,
                v.last_updated,
                v.comment,
                "true" if v.followup else "false",
            ]
        )
    return buffer.getvalue()


# --- ADX ------------------------------------------------------------------------------------------
_GROUP_KNOWN = {"orgUnit", "period", "dataSet", "completeDate"}
_VALUE_KNOWN = {"dataElement", "value"}


def read_adx(body: bytes) -> list[Dhis2Value]:
    """ADX: ``<adx><group orgUnit period dataSet><dataValue dataElement value/></group></adx>``; parsed without
    entities or DTDs (defusedxml). Extra attributes are disaggregation (category code = option code), checked per value."""
    try:
        root = SafeET.fromstring(body)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise FormatError(_("The body is not valid ADX XML: %(e)s") % {"e": exc}) from None
    if _local(root.tag) != "adx":
        raise FormatError(_("The XML root must be <adx> (namespace %(ns)s).") % {"ns": ADX_NS})
    values = []
    for group in root:
        if _local(group.tag) != "group":
            continue
        extra_group = {k: v for k, v in group.attrib.items() if k not in _GROUP_KNOWN}
        for node in group:
            if _local(node.tag) != "dataValue":
                continue
            annotation = next((c.text or "" for c in node if _local(c.tag) == "annotation"), "")
            extra = {k: v for k, v in node.attrib.items() if k not in _VALUE_KNOWN}
            values.append(
                Dhis2Value(
                    data_element=node.get("dataElement", "").strip(),
                    period=group.get("period", "").strip(),
                    org_unit=group.get("orgUnit", "").strip(),
                    value=node.get("value"),
                    comment=annotation.strip(),
                    disaggregation={**extra_group, **extra},
                )
            )
            _too_many(len(values))
    return values


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def write_adx(values: Iterable[Dhis2Value], dataset_of: dict[str, str], exported: str) -> bytes:
    """Values grouped by (data set, org unit, ADX period), as ADX expects."""
    root = Element("adx", {"xmlns": ADX_NS, "exported": exported})
    groups: dict[tuple[str, str, str], Element] = {}
    for v in values:
        key = (dataset_of.get(v.data_element, ""), v.org_unit, v.period)
        if key not in groups:
            groups[key] = SubElement(root, "group", {"dataSet": key[0], "orgUnit": v.org_unit, "period": v.period})
        node = SubElement(groups[key], "dataValue", {"dataElement": v.data_element, **v.disaggregation, "value": v.value or ""})
        if v.comment:
            SubElement(node, "annotation").text = v.comment
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + tostring(root, encoding="utf-8", xml_declaration=False)
