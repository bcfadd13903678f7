"""Property lists (Info.plist, entitlements, profile payloads) in XML or binary form.

plistlib already refuses XML entity declarations; what is added here is a size limit, a check
of the file's kind, and one error type for every way a plist can be malformed.
"""

from __future__ import annotations

import plistlib
import struct
from pathlib import Path
from typing import Any
from xml.parsers.expat import ExpatError

from advisor.inspectors.artifact_error import ArtifactError
from advisor.inspectors.bounded_read import read_bounded

PLIST_LIMIT = 8 * 1024 * 1024  # real Info.plists are a few KB; entitlements smaller still
MAX_DEPTH = 64
MAX_NODES = 250_000  # counted as a tree: binary plists can share objects (or loop) to explode on walk

_PARSE_ERRORS = (
    plistlib.InvalidFileException,
    ExpatError,
    ValueError,
    TypeError,
    KeyError,
    IndexError,
    OverflowError,
    struct.error,
    RecursionError,  # self-referencing binary plists
    UnicodeDecodeError,
    LookupError,  # an XML declaration naming an unknown encoding (encoding="TTF-8")
)


def plist_kind(data: bytes) -> str:
    """'binary', 'xml' or 'unknown', from the first bytes."""
    if data.startswith(b"bplist00"):
        return "binary"
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith((b"<?xml", b"<plist", b"<!DOCTYPE")):
        return "xml"
    return "unknown"


def _check_shape(value: Any) -> None:
    """Refuse reference cycles and shared-object bombs before anyone walks the value."""
    stack = [(value, 0)]
    nodes = 0
    while stack:
        item, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise ArtifactError(f"is a property list of more than {MAX_NODES} values (shared or looping objects?)")
        if depth > MAX_DEPTH:
            raise ArtifactError(f"is a property list nested more than {MAX_DEPTH} levels deep (a reference loop?)")
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)


def parse_plist(data: bytes) -> Any:
    kind = plist_kind(data)
    if kind == "unknown":
        if not data:
            raise ArtifactError("is empty, not a property list")
        raise ArtifactError("is not an XML or binary property list")
    try:
        value = plistlib.loads(data)
    except _PARSE_ERRORS as exc:
        detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ArtifactError(f"is not a valid {kind} property list ({detail[:120]})") from None
    _check_shape(value)
    return value


def parse_plist_dict(data: bytes) -> dict[str, Any]:
    value = parse_plist(data)
    if not isinstance(value, dict):
        raise ArtifactError(f"is a property list whose top level is {type(value).__name__}, not a dictionary")
    return value


def read_plist_dict(path: Path, limit: int = PLIST_LIMIT) -> dict[str, Any]:
    return parse_plist_dict(read_bounded(path, limit))
