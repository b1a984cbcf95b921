"""Parsers and renderers for DHIS2's three dataValueSets formats and the read API's CSV."""

from __future__ import annotations

import csv
import io

from django.utils import timezone
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer, JSONRenderer

from api import dhis2
from poc.exports import neutralise_dict


def _body(stream) -> bytes:
    return stream.read() if stream is not None else b""


def _parsed(read, body: bytes) -> list[dhis2.Dhis2Value]:
    try:
        return read(body)
    except dhis2.FormatError as exc:
        raise ParseError(str(exc)) from None


class Dhis2JsonParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None) -> list[dhis2.Dhis2Value]:
        return _parsed(dhis2.read_json_bytes, _body(stream))


class Dhis2CsvParser(BaseParser):
    media_type = "application/csv"

    def parse(self, stream, media_type=None, parser_context=None) -> list[dhis2.Dhis2Value]:
        return _parsed(dhis2.read_csv, _body(stream))


class Dhis2TextCsvParser(Dhis2CsvParser):
    media_type = "text/csv"


class AdxParser(BaseParser):
    media_type = "application/adx+xml"

    def parse(self, stream, media_type=None, parser_context=None) -> list[dhis2.Dhis2Value]:
        return _parsed(dhis2.read_adx, _body(stream))


class Dhis2JsonRenderer(JSONRenderer):
    """JSON as DHIS2 writes it: Thai stays Thai (no \\u escapes)."""

    ensure_ascii = False


class Dhis2CsvRenderer(BaseRenderer):
    """A dataValueSet as DHIS2 CSV; anything else (an error) as JSON."""

    media_type = "application/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and isinstance(data.get("values"), list):
            return dhis2.write_csv(data["values"]).encode("utf-8")
        return Dhis2JsonRenderer().render(data, "application/json", renderer_context)


class AdxRenderer(BaseRenderer):
    media_type = "application/adx+xml"
    format = "adx"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, dict) and isinstance(data.get("values"), list):
            return dhis2.write_adx(data["values"], data.get("dataset_of", {}), timezone.now().isoformat(timespec="seconds"))
        return Dhis2JsonRenderer().render(data, "application/json", renderer_context)


class CsvTableRenderer(BaseRenderer):
    """A page of the read API as CSV (UTF-8 with BOM so Excel shows Thai): the ``results`` rows, columns in order."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data.get("results") if isinstance(data, dict) else None
        if not isinstance(rows, list):
            return Dhis2JsonRenderer().render(data, "application/json", renderer_context)
        view = (renderer_context or {}).get("view")
        columns = getattr(view, "csv_columns", None) or (list(rows[0]) if rows else [])
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(neutralise_dict(row) for row in rows)  # opened in Excel: no cell may become a formula
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
