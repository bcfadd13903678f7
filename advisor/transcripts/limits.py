"""How much raw material a transcript keeps, so that every transcript advisor writes is one it
reads back (format.MAX_TRANSCRIPT_BYTES) and a tool that prints 100 MB does not make a 100 MB file.

A probe's stdout is kept up to PROBE_STDOUT_CHARS, and all probes together up to
PROBE_OUTPUT_CHARS; stderr (read only for error lines) up to PROBE_STDERR_CHARS; a log up to
LOG_CHARS. What is kept is what the parsers read: the first lines, or the last ones for a parser
that reads the end (`log show`); the cut falls between lines, the probe is marked
`truncated: true` and the transcript's notes say what was cut.
"""

from __future__ import annotations

from dataclasses import dataclass

PROBE_STDOUT_CHARS = 512 * 1024
PROBE_STDERR_CHARS = 64 * 1024
PROBE_OUTPUT_CHARS = 4 * 1024 * 1024
PROBE_MIN_CHARS = 16 * 1024  # kept of each probe even once the total is spent
LOG_CHARS = 2 * 1024 * 1024


@dataclass(frozen=True)
class Kept:
    text: str
    cut: bool  # some of the text was left out


def keep(text: str, limit: int, *, tail: bool = False) -> Kept:
    """At most `limit` characters of `text`, cut between lines: its start (or its end)."""
    if len(text) <= limit:
        return Kept(text, False)
    if tail:
        part = text[len(text) - limit :]
        newline = part.find("\n")
        return Kept(part[newline + 1 :] if 0 <= newline < len(part) - 1 else part, True)
    part = text[:limit]
    newline = part.rfind("\n")
    return Kept(part[: newline + 1] if newline > 0 else part, True)


def kb_size(chars: int) -> str:
    return f"{chars // (1024 * 1024)} MB" if chars >= 1024 * 1024 else f"{chars // 1024} KB"
