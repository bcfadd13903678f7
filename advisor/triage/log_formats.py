"""Recognise the shape of one log line and take out its message.

Developers paste many shapes: `log show` / `log stream` (default, compact, syslog, json, ndjson
styles), Console.app copies (tab-separated columns), Xcode's console (NSLog style), error
dialogs, crash reports. Each format's prefix (timestamp, thread, type, process[pid],
(library), [subsystem:category]) is stripped so the message can be compared on its own; the
process and subsystem are kept for display. A line of no known shape is its own message.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LogRecord:
    message: str
    process: str = ""
    subsystem: str = ""


_DATE = r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?(?:[+-]\d\d:?\d\d|Z)?"
_TAIL = r"(?:\((?P<library>[^()]*)\)\s+)?(?:\[(?P<subsystem>[^\]]*)\]\s+)?(?P<message>.*)$"

# log show / log stream default style:
# 2025-11-04 10:12:01.123456-0700 0x1a2b  Default  0x0  412  0  nesessionmanager: (NetworkExtension) [com.apple.networkextension:] text
_DEFAULT_STYLE = re.compile(
    rf"^{_DATE}\s+0x[0-9a-f]+\s+[A-Za-z]+\s+0x[0-9a-f]+\s+\d+\s+\d+\s+(?P<process>[^:]+?):\s+" + _TAIL
)
# compact style: 2025-11-04 10:12:01.123 Df nesessionmanager[412:1a2b] [com.apple.networkextension:] text
_COMPACT_STYLE = re.compile(
    rf"^{_DATE}\s+[A-Z][a-z]?\s+(?P<process>[^\[\]]+?)\[\d+:[0-9a-fx]+\]\s+" + _TAIL
)
# syslog style: 2025-11-04 10:12:01.123456-0700  localhost nesessionmanager[412]: (lib) [sub:cat] text
_SYSLOG_STYLE = re.compile(rf"^{_DATE}\s+\S+\s+(?P<process>[^\[\]]+?)\[\d+\]:\s+" + _TAIL)
# BSD syslog and old Console: "Nov  4 10:12:01 host proc[412]: text", "24/10/2014 09:38:20.250 proc[251]: text"
_BSD_SYSLOG = re.compile(
    r"^(?:[A-Z][a-z]{2}\s+\d+\s+\d\d:\d\d:\d\d\s+\S+|\d\d/\d\d/\d{4}\s+\d\d:\d\d:\d\d(?:\.\d+)?)\s+"
    r"(?P<process>[^\[\]]+?)\[\d+\]:\s+" + _TAIL
)
# Xcode console / NSLog: 2017-10-24 10:17:41.066381+0800 rabbit[3848:42052] [] text
_XCODE_CONSOLE = re.compile(
    rf"^{_DATE}\s+(?P<process>[^\[\]]+?)\[\d+:[0-9a-fx]+\]\s+(?:\[(?P<subsystem>[^\]]*)\]\s+)?(?P<message>.*)$"
)
_LINE_FORMATS = (_DEFAULT_STYLE, _COMPACT_STYLE, _SYSLOG_STYLE, _XCODE_CONSOLE, _BSD_SYSLOG)

# Console.app "Copy": tab-separated columns starting with the message type.
_CONSOLE_TYPES = frozenset({"default", "info", "debug", "error", "fault", "notice", "activity"})
_CONSOLE_TIME = re.compile(r"^[\d:.+-]+$")

# `log show --style json` prints one key per line; only the message line is a message. (The
# value is what follows, less one trailing comma: a regex for it backtracks quadratically.)
_JSON_KEY = re.compile(r'\s*"(?P<key>\w+)"\s*:\s*')
_MESSAGE_KEYS = ("eventMessage", "composedMessage")
_LOG_JSON_KEYS = frozenset({
    "traceID", "eventType", "formatString", "activityIdentifier", "subsystem", "category",
    "threadID", "senderImageUUID", "backtrace", "bootUUID", "processImagePath", "timestamp",
    "senderImagePath", "machTimestamp", "messageType", "processImageUUID", "processID",
    "senderProgramCounter", "parentActivityIdentifier", "timezoneName", "source", "userID",
    "creatorActivityID", "frames", "imageOffset", "imageUUID", "signpostID", "signpostName",
    "signpostScope", "signpostType", "formatStringUUID",
})


def _json_string(raw: str) -> str | None:
    raw = raw.strip()
    if len(raw) < 2 or not (raw.startswith('"') and raw.endswith('"')):
        return None
    try:
        value = json.loads(raw)
    except (ValueError, RecursionError):
        return raw[1:-1]
    return value if isinstance(value, str) else None


def _basename(path: object) -> str:
    return path.rsplit("/", 1)[-1] if isinstance(path, str) else ""


def _from_json_object(line: str) -> LogRecord | None:
    try:
        data = json.loads(line)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser's stack
        return None
    if not isinstance(data, dict):
        return None
    for key in _MESSAGE_KEYS:
        message = data.get(key)
        if isinstance(message, str):
            subsystem = data.get("subsystem")
            return LogRecord(message, _basename(data.get("processImagePath")), subsystem if isinstance(subsystem, str) else "")
    return None


def _from_console_copy(line: str) -> LogRecord | None:
    fields = line.split("\t")
    if len(fields) < 3 or fields[0].strip().lower() not in _CONSOLE_TYPES:
        return None
    rest = [f.strip() for f in fields[1:]]
    if rest and _CONSOLE_TIME.match(rest[0]):
        rest = rest[1:]
    if len(rest) < 2:
        return None
    subsystem = rest[1] if len(rest) > 2 else ""
    return LogRecord(rest[-1], rest[0], subsystem)


def parse_line(line: str) -> LogRecord | None:
    """The message of one line, or None for a line that carries no message (JSON metadata)."""
    stripped = line.strip()
    if stripped.startswith("{") and stripped.endswith(("}", "},")):
        record = _from_json_object(stripped.rstrip(","))
        if record is not None:
            return record
    member = _JSON_KEY.match(stripped) if stripped.startswith('"') else None
    if member is not None and member.group("key") in _MESSAGE_KEYS:
        message = _json_string(stripped[member.end() :].removesuffix(","))
        return LogRecord(message) if message is not None else None
    if member is not None and member.group("key") in _LOG_JSON_KEYS:
        return None  # formatString repeats the message text; metadata is not a message
    if "\t" in stripped:
        record = _from_console_copy(stripped)
        if record is not None:
            return record
    if stripped[:1].isdigit() or stripped[:1].isupper():
        for pattern in _LINE_FORMATS:
            match = pattern.match(stripped)
            if match:
                groups = match.groupdict()
                return LogRecord(groups["message"], groups["process"].strip(), groups.get("subsystem") or "")
    return LogRecord(stripped)
