"""How a parser reports a fact: a probe observation quoting the output line that proved it."""

from __future__ import annotations

from advisor.evidence import Observation, Source

# A quoted line is kept short: it is evidence shown to the developer, not a copy of the output.
MAX_DETAIL = 300


def seen(fact: str, value: str, line: str) -> Observation:
    """`origin` is filled in with the probe id by whoever ran the parser."""
    detail = " ".join(line.split())
    if len(detail) > MAX_DETAIL:
        detail = detail[: MAX_DETAIL - 1] + "…"
    return Observation(fact=fact, value=value, source=Source.PROBE, detail=detail)


def text_lines(*streams: str) -> list[str]:
    """The non-blank lines of the given streams, right-stripped."""
    return [line.rstrip() for stream in streams for line in stream.splitlines() if line.strip()]
