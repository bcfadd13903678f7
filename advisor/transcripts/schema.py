"""Typed reads from a transcript's YAML: every wrong shape is one line naming the file, the line
and the key (`t.yaml:7: 'probes[0].argv' must be a list of text, not empty`), exit 2.

A transcript is input like any other (mailed, hand-edited, truncated), so nothing in it is
trusted to have the shape advisor writes: each value is checked here, once, on load, and the
rest of advisor then only ever sees the types the dataclasses promise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from advisor.exit_status import UserError
from advisor.knowledge.yaml_source import as_text, line_of

_SCALARS = (str, int, float, bool, date)  # YAML scalars (a timestamp is a date); text when read as text


class TranscriptError(UserError):
    """A transcript that cannot be used, as one line naming the file."""


def is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, _SCALARS)


def plain(value: Any) -> Any:
    """Located containers back to plain dicts/lists (for re-serialising)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()}"
    if isinstance(value, (int, float)):
        return "the number " + (str(value) if len(str(value)) <= 20 else str(value)[:17] + "...")
    text = as_text(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


class Fields:
    """One mapping of a transcript, read key by key with errors that say where."""

    def __init__(self, data: Any, file: str, where: str, line: int = 1) -> None:
        self.file = file
        self.where = where  # "probes[2]"; "" at the top
        if not isinstance(data, dict):
            what = f"'{where}'" if where else "the transcript"
            raise TranscriptError(f"{file}:{line}: {what} must be a mapping, not {_describe(data)}")
        self.data = data

    def path(self, key: str | int) -> str:
        if isinstance(key, int):
            return f"{self.where}[{key}]"
        return f"{self.where}.{key}" if self.where else key

    def line(self, key: str | int | None = None) -> int:
        return line_of(self.data, key)

    def error(self, key: str, message: str) -> TranscriptError:
        """`file:line: 'key' message` (message: "must be text, not a list")."""
        return TranscriptError(f"{self.file}:{self.line(key)}: '{self.path(key)}' {message}")

    def needs(self, keys: Sequence[str], what: str) -> None:
        """`file:line: each probe needs 'id' and 'argv' (probes[2])` when one is missing."""
        if any(k not in self.data for k in keys):
            names = " and ".join(f"'{k}'" for k in keys)
            raise TranscriptError(f"{self.file}:{self.line()}: each {what} needs {names} ({self.where})")

    def get(self, key: str) -> Any:
        return self.data.get(key)

    def only(self, allowed: Iterable[str]) -> None:
        known = set(allowed)
        for key in self.data:
            if key not in known:
                raise TranscriptError(f"{self.file}:{self.line(key)}: unknown key '{self.path(key)}'")

    def text(self, key: str, default: str = "") -> str:
        value = self.data.get(key)
        if value is None:
            return default
        if not is_scalar(value):
            raise self.error(key, f"must be text, not {_describe(value)}")
        return as_text(value)

    def optional_text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None or value == "":
            return None
        return self.text(key)

    def required_text(self, key: str) -> str:
        if key not in self.data:
            raise TranscriptError(f"{self.file}:{self.line()}: '{self.where}' needs '{key}'")
        value = self.text(key)
        if not value:
            raise self.error(key, "must not be empty")
        return value

    def text_list(self, key: str, *, required: bool = False) -> list[str]:
        value = self.data.get(key)
        if value is None:
            if required:
                raise TranscriptError(f"{self.file}:{self.line()}: '{self.where}' needs '{key}' (a list of text)")
            return []
        if isinstance(value, _SCALARS) and not required:
            return [as_text(value)]
        if not isinstance(value, list):
            raise self.error(key, f"must be a list of text, not {_describe(value)}")
        out = []
        for i, item in enumerate(value):
            if not is_scalar(item) or item is None:
                raise TranscriptError(f"{self.file}:{line_of(value, i)}: '{self.path(key)}[{i}]' must be text, not {_describe(item)}")
            out.append(as_text(item))
        return out

    def text_mapping(self, key: str) -> dict[str, str]:
        """A mapping of text to text (answers)."""
        sub = self.mapping(key)
        if sub is None:
            return {}
        return {k: sub.text(k) for k in sub.data}

    def mapping(self, key: str) -> Fields | None:
        value = self.data.get(key)
        if value is None:
            return None
        return Fields(value, self.file, self.path(key), self.line(key))

    def mappings(self, key: str) -> list[Fields]:
        """A list of mappings (probes, observations, findings)."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.error(key, f"must be a list, not {_describe(value)}")
        return [Fields(item, self.file, f"{self.path(key)}[{i}]", line_of(value, i)) for i, item in enumerate(value)]

    def whole_number(self, key: str, *, default: int | None = None, minimum: int | None = None, nullable: bool = False) -> int | None:
        value = self.data.get(key)
        if value is None:
            if nullable or key not in self.data:
                return default
            raise self.error(key, "must be a whole number")
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(key, f"must be a whole number{' or null' if nullable else ''}, not {_describe(value)}")
        if minimum is not None and value < minimum:
            raise self.error(key, f"must be at least {minimum}, not {value}")
        return value

    def number(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.error(key, f"must be a number, not {_describe(value)}")
        return float(value)

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("yes", "no", "true", "false"):
            return value.lower() in ("yes", "true")
        raise self.error(key, f"must be true or false, not {_describe(value)}")
