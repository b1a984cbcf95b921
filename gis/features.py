"""A map feature's text up to its value (its *head*: id, simplified geometry, names, level, whether it has children),
stored compressed on the unit's simplified boundary so that a choropleth is one read of ready pieces and its values.

The head is kept with the source it was built from (:func:`head_source`); a read compares that source with the unit
as it is now and builds a head that no longer matches (a unit renamed in the admin, children added outside an import)
on the spot, so a map never shows an outdated name whatever path changed it.

Compressed on its own, a head loses what its neighbours share (a national layer would be ~60 % larger than compressed
whole). So each head is also stored compressed *after* the heads before it in its level's code order (a chain: the
order maps draw them), each followed by a value slot of :data:`SLOT` bytes: a value written per request is padded to
that width (JSON allows the spaces), so the distances back into the preceding heads hold. A read uses the chained form
where the features drawn just before are exactly those it was compressed after (``gis.selectors.choropleth_body``),
the other otherwise.
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from dataclasses import dataclass

from gis.deflate import WINDOW, Piece, deflate_piece

SLOT = 12  # bytes for a value: "null", "1234567.0"; a longer one is written whole and the next head is not chained
TAIL = b"}},"  # what closes a feature before the next one


def feature_head(code: str, name_th: str, name_en: str, level: int, has_children: bool, geojson: str | None) -> bytes:
    """``{"type":"Feature",…,"properties":{…,"value":`` (UTF-8): the feature up to its value, closed by ``}}``."""
    properties = json.dumps(
        {"code": code, "name_th": name_th, "name_en": name_en, "level": level, "has_children": has_children}, ensure_ascii=False
    )
    return f'{{"type":"Feature","id":{json.dumps(code)},"geometry":{geojson or "null"},"properties":{properties[:-1]},"value":'.encode()


SOURCE_SEPARATOR = "\x1f"  # between the parts of a head's source (no name holds it); gis.selectors compares in SQL


def head_source(code: str, name_th: str, name_en: str, level: int, has_children: bool) -> str:
    """What a stored head was built from besides the geometry (which only a boundary refresh changes)."""
    return SOURCE_SEPARATOR.join((code, name_th, name_en, str(level), "1" if has_children else "0"))


def head_piece(code: str, name_th: str, name_en: str, level: int, has_children: bool, geojson: str | None) -> Piece:
    return deflate_piece(feature_head(code, name_th, name_en, level, has_children, geojson))


_CLOSED = [b" " * (SLOT - length) + TAIL for length in range(SLOT + 1)]  # padding and tail, by the value's length
NULL_SLOT = (b"null" + _CLOSED[4], True)


def value_slot(value: object) -> tuple[bytes, bool]:
    """The value's JSON padded to the slot (JSON allows the spaces) and followed by :data:`TAIL`, and whether it fits
    (a longer value is written whole: a chained head may not follow it); a value that is not a finite number is null
    (JSON has no Infinity or NaN). A float's JSON is its repr (what ``json.dumps`` writes), spared the encoder for
    thousands of values."""
    if value is None:
        return NULL_SLOT
    if type(value) is float:
        if not math.isfinite(value):
            return NULL_SLOT
        data = repr(value).encode()
    else:
        data = json.dumps(value).encode()
    return (data + _CLOSED[len(data)], True) if len(data) <= SLOT else (data + TAIL, False)


@dataclass(frozen=True)
class Link:
    """Where a head stands in its chain: compressed after ``depth`` heads (0: it starts the chain)."""

    depth: int
    identity: int  # CRC-32 of the CRC-32s and sizes of those heads and its own: the chained form is rebuilt when it changes


def chain_links(heads: list[tuple[int, int]]) -> list[Link]:
    """For (CRC-32, size) of each head in chain order: how far back its dictionary reaches (up to DEFLATE's window)."""
    links = []
    for number in range(len(heads)):
        depth, size = 0, 0
        while depth < number and size < WINDOW:
            depth += 1
            size += heads[number - depth][1] + SLOT + len(TAIL)
        chain = heads[number - depth : number + 1]
        identity = zlib.crc32(struct.pack(f"<{2 * len(chain)}Q", *(value for head in chain for value in head)))
        links.append(Link(depth, identity))
    return links


def chained_piece(heads: list[bytes], depth: int) -> bytes:
    """The last of ``heads`` (texts) compressed after the ``depth`` before it with their value slots (NUL bytes, which
    no head holds: JSON escapes control characters) and tails."""
    dictionary = b"".join(head + b"\0" * SLOT + TAIL for head in heads[-1 - depth : -1])
    return deflate_piece(heads[-1], after=dictionary).deflated if depth else b""
