"""Parsers for probe outputs, one module per tool family, registered by the name that
knowledge/probes.yaml uses in `parser:`.

Each parser is a pure function `(stdout, stderr, exit_code, context) -> list[Observation]`:
it reports a fact only when a line of the output proves it, quoting that line, and returns
nothing for output it does not recognise (garbage, errors, a different tool).
"""

from __future__ import annotations

from advisor.probes.parsers import codesign, gatekeeper, logs, netconfig, profiles, registrations, sysex, system
from advisor.probes.parsers.spec import ParseFunction, ParserSpec

PARSERS: dict[str, ParserSpec] = {
    spec.name: spec
    for module in (system, sysex, registrations, codesign, profiles, gatekeeper, netconfig, logs)
    for spec in module.SPECS
}


def parser_spec(name: str) -> ParserSpec | None:
    return PARSERS.get(name)


__all__ = ["PARSERS", "ParseFunction", "ParserSpec", "parser_spec"]
