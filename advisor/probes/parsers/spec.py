"""The shape every parser has, and what the runner needs to know about its stream."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from advisor.evidence import Observation
from advisor.probes.context import ProbeContext
from advisor.probes.runner import LineFilter

# (stdout, stderr, exit_code, context) -> observations. Pure: no I/O (profile expiry reads the clock).
ParseFunction = Callable[[str, str, int, "ProbeContext | None"], list[Observation]]


@dataclass(frozen=True)
class ParserSpec:
    name: str  # the name probes.yaml uses in `parser:`
    parse: ParseFunction
    stdout_filter: LineFilter | None = None  # keep only matching stdout lines while reading
    keep_tail: bool = False  # when output exceeds the cap, keep its end (logs) rather than its start
