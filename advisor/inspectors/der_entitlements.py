"""Decode the DER form of entitlements (code signature slot 7, magic 0xfade7172).

Layout, as written by codesign: [APPLICATION 16] { INTEGER 1, value } where a value is BOOLEAN,
INTEGER, UTF8String, SEQUENCE (an array) or [CONTEXT 16] (a dictionary: SEQUENCE { key, value }
pairs). Definite lengths only; depth and element counts are bounded.
"""

from __future__ import annotations

from typing import Any

from advisor.inspectors.artifact_error import ArtifactError

_TAG_BOOLEAN = 0x01
_TAG_INTEGER = 0x02
_TAG_UTF8 = 0x0C
_TAG_SEQUENCE = 0x30
_TAG_DICTIONARY = 0xB0  # [CONTEXT 16], constructed
_TAG_ENVELOPE = 0x70  # [APPLICATION 16], constructed

_MAX_DEPTH = 48
_MAX_ELEMENTS = 200_000


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.elements = 0

    def tlv(self, pos: int, end: int) -> tuple[int, int, int]:
        """(tag, start of contents, end of contents) of the element at `pos`."""
        if pos + 2 > end:
            raise ArtifactError("DER entitlements: truncated element header")
        tag = self.data[pos]
        if tag & 0x1F == 0x1F:
            raise ArtifactError("DER entitlements: unexpected high tag number")
        first = self.data[pos + 1]
        pos += 2
        if first < 0x80:
            length = first
        elif first == 0x80:
            raise ArtifactError("DER entitlements: indefinite length is not DER")
        else:
            count = first & 0x7F
            if count > 4 or pos + count > end:
                raise ArtifactError("DER entitlements: bad length field")
            length = int.from_bytes(self.data[pos : pos + count], "big")
            pos += count
        if pos + length > end:
            raise ArtifactError("DER entitlements: element runs past its container")
        self.elements += 1
        if self.elements > _MAX_ELEMENTS:
            raise ArtifactError("DER entitlements: too many elements")
        return tag, pos, pos + length

    def value(self, pos: int, end: int, depth: int) -> tuple[Any, int]:
        if depth > _MAX_DEPTH:
            raise ArtifactError("DER entitlements: nested too deeply")
        tag, start, stop = self.tlv(pos, end)
        body = self.data[start:stop]
        if tag == _TAG_BOOLEAN:
            if len(body) != 1:
                raise ArtifactError("DER entitlements: bad BOOLEAN")
            return body != b"\x00", stop
        if tag == _TAG_INTEGER:
            if not body or len(body) > 16:
                raise ArtifactError("DER entitlements: bad INTEGER")
            return int.from_bytes(body, "big", signed=True), stop
        if tag == _TAG_UTF8:
            try:
                return body.decode("utf-8"), stop
            except UnicodeDecodeError:
                raise ArtifactError("DER entitlements: string is not UTF-8") from None
        if tag == _TAG_SEQUENCE:
            items = []
            cursor = start
            while cursor < stop:
                item, cursor = self.value(cursor, stop, depth + 1)
                items.append(item)
            return items, stop
        if tag == _TAG_DICTIONARY:
            return self.dictionary(start, stop, depth), stop
        raise ArtifactError(f"DER entitlements: unsupported element tag 0x{tag:02x}")

    def dictionary(self, start: int, stop: int, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        cursor = start
        while cursor < stop:
            tag, pair_start, pair_stop = self.tlv(cursor, stop)
            if tag != _TAG_SEQUENCE:
                raise ArtifactError("DER entitlements: dictionary entry is not a SEQUENCE")
            key, after_key = self.value(pair_start, pair_stop, depth + 1)
            if not isinstance(key, str):
                raise ArtifactError("DER entitlements: dictionary key is not a string")
            value, after_value = self.value(after_key, pair_stop, depth + 1)
            if after_value != pair_stop:
                raise ArtifactError("DER entitlements: dictionary entry has extra elements")
            out[key] = value
            cursor = pair_stop
        return out


def decode_der_entitlements(data: bytes) -> dict[str, Any]:
    reader = _Reader(data)
    tag, start, stop = reader.tlv(0, len(data))
    if tag != _TAG_ENVELOPE:
        raise ArtifactError(f"DER entitlements: envelope tag 0x{tag:02x} is not [APPLICATION 16]")
    version, cursor = reader.value(start, stop, 1)
    if version != 1:
        raise ArtifactError(f"DER entitlements: unknown version {version!r}")
    value, cursor = reader.value(cursor, stop, 1)
    if not isinstance(value, dict):
        raise ArtifactError("DER entitlements: top level is not a dictionary")
    return value
