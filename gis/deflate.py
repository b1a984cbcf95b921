"""One gzip body assembled from pieces compressed ahead of time, without compressing them again.

A national choropleth is 7,425 features (~5 MB of GeoJSON with country-wide borders, ~11 MB with detailed ones):
compressing it on a request takes longer than the whole request may. Each feature's geometry and names change only
with the boundaries, so they are compressed once, when the boundaries are imported (:func:`deflate_piece`: raw
DEFLATE that refers to nothing before it and ends on a byte boundary, RFC 1951), and a response strings those pieces
together with the few bytes that change per request (values) into one standard gzip member (RFC 1952). Its CRC-32 is
combined from each piece's stored CRC and length (:func:`crc32_combine`), so no piece is decompressed or read again.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

LEVEL = 9  # pieces are compressed once, off the request path: the smallest output costs nothing per request
RUN_LEVEL = 1  # text assembled per request and long enough to be worth compressing (features without a stored piece)
STORED_BELOW = 256  # shorter per-request text goes in stored blocks: a value costs its bytes plus 5
# gzip header: deflate, no flags, no modification time, no extra flags, unknown OS (gzip.compress(..., mtime=0) writes 255).
HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"
FINAL_BLOCK = b"\x03\x00"  # an empty final block with fixed Huffman codes: what zlib ends a stream with


@dataclass(frozen=True)
class Piece:
    """Raw DEFLATE blocks of some text, independent of what comes before them and ending byte-aligned, not final."""

    deflated: bytes
    crc: int  # CRC-32 of the text
    size: int  # its length in bytes


WINDOW = 1 << zlib.MAX_WBITS  # how far back DEFLATE may refer: 32 KB


def deflate_piece(data: bytes, level: int = LEVEL, *, after: bytes = b"") -> Piece:
    """``data`` compressed on its own, or, given ``after``, referring to the text it will follow (its last 32 KB):
    then valid only right after that text in the stream (bytes the text never holds, NUL, may stand for bytes
    written per request: no reference can cover them)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, -zlib.MAX_WBITS, 9, zlib.Z_DEFAULT_STRATEGY, *([after[-WINDOW:]] if after else []))
    return Piece(compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH), zlib.crc32(data), len(data))


def inflate_piece(piece: Piece) -> bytes:
    """The text of a piece (tests, checks)."""
    return zlib.decompressobj(-zlib.MAX_WBITS).decompress(piece.deflated)


_zeros = bytearray(1 << 16)


def crc32_combine(first: int, second: int, second_size: int) -> int:
    """CRC-32 of A + B from CRC-32(A), CRC-32(B) and len(B), without B.

    CRC-32 is affine in its input: crc(A + B) = crc(B) ^ (A's register carried over len(B) zero bytes). zlib carries a
    register over zeros at memory speed, one pass (Python's zlib has no ``crc32_combine``): ``zlib.crc32`` inverts the
    register it starts from and the one it returns, so the carried register is the inverse of ``crc32(zeros, ~first)``.
    """
    return zlib.crc32(_zeros_for(second_size)[:second_size], first ^ 0xFFFFFFFF) ^ 0xFFFFFFFF ^ second


def _zeros_for(size: int) -> memoryview:
    """At least ``size`` zero bytes (the shared buffer, grown when a piece is larger than any before)."""
    global _zeros
    if size > len(_zeros):
        _zeros = bytearray(max(size, 2 * len(_zeros)))
    return memoryview(_zeros)


_STORED_HEADERS: dict[int, bytes] = {}


def _stored_header(length: int) -> bytes:
    """The 5 bytes opening a stored block of ``length`` (< 64 KB) bytes: values and tails take a few lengths only."""
    header = _STORED_HEADERS.get(length)
    if header is None:
        header = _STORED_HEADERS[length] = struct.pack("<BHH", 0, length, length ^ 0xFFFF)
    return header


def _stored(data: bytes) -> list[bytes]:
    """``data`` as stored (uncompressed) blocks, each starting byte-aligned (what every piece leaves)."""
    blocks = []
    for start in range(0, len(data), 0xFFFF):
        chunk = data[start : start + 0xFFFF]
        blocks += [_stored_header(len(chunk)), chunk]
    return blocks


class GzipBuilder:
    """Text and pieces in order, then :meth:`finish` for the gzip member (RFC 1952) holding them all."""

    def __init__(self) -> None:
        self._parts: list[bytes] = [HEADER]
        self._pending: list[bytes] = []
        self._crc = 0
        self._size = 0

    def text(self, data: bytes) -> None:
        self._pending.append(data)

    def piece(self, piece: Piece) -> None:
        self.compressed(piece.deflated, piece.crc, piece.size)

    def compressed(self, deflated: bytes, crc: int, size: int) -> None:
        """A piece given by its parts (a national map writes 7,425: no Piece built for each)."""
        if self._pending:
            self._flush()
        self._parts.append(deflated)
        self._crc = crc32_combine(self._crc, crc, size)
        self._size += size

    def pieces_and_texts(self, items: Iterable[tuple[bytes | None, int, int, bytes]]) -> None:
        """For each item, a piece given by its parts (deflated, CRC-32, size; None: no piece) and then text: what
        :meth:`compressed` and :meth:`text` write one call at a time, in one loop (a national map has 7,425)."""
        parts, pending, zeros = self._parts, self._pending, _zeros_for(0)
        for deflated, crc, size, text in items:
            if deflated is not None:
                if len(pending) == 1 and 0 < len(pending[0]) < STORED_BELOW:  # what _flush does, inline: most texts
                    data = pending.pop()
                    parts += (_stored_header(len(data)), data)
                    self._crc = zlib.crc32(data, self._crc)
                    self._size += len(data)
                elif pending:
                    self._flush()
                    pending = self._pending
                parts.append(deflated)
                if size > len(zeros):
                    zeros = _zeros_for(size)
                # crc32_combine, inline
                self._crc = zlib.crc32(zeros[:size], self._crc ^ 0xFFFFFFFF) ^ 0xFFFFFFFF ^ crc
                self._size += size
            pending.append(text)

    def _flush(self) -> None:
        data = b"".join(self._pending) if len(self._pending) > 1 else self._pending[0]
        self._pending = []
        if not data:
            return
        if len(data) < STORED_BELOW:
            self._parts += (_stored_header(len(data)), data)
        else:
            compressor = zlib.compressobj(RUN_LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)
            self._parts += [compressor.compress(data), compressor.flush(zlib.Z_SYNC_FLUSH)]
        self._crc = zlib.crc32(data, self._crc)
        self._size += len(data)

    def finish(self) -> bytes:
        if self._pending:
            self._flush()
        self._parts += [FINAL_BLOCK, struct.pack("<II", self._crc, self._size & 0xFFFFFFFF)]
        return b"".join(self._parts)
