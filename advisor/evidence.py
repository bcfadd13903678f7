"""What every evidence source (answers, probes, bundle, logs, description) hands the engine.

This module sits at the bottom of the dependency graph: inspectors, probes and triage produce
these values; the engine consumes them. It imports nothing from the rest of advisor.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Source(StrEnum):
    ANSWER = "answer"
    PROBE = "probe"
    BUNDLE = "bundle"
    LOG = "log"
    DESCRIBE = "describe"


# When two sources disagree on a fact, the more direct observation wins.
SOURCE_TRUST: dict[Source, int] = {
    Source.PROBE: 5,
    Source.BUNDLE: 4,
    Source.ANSWER: 3,
    Source.LOG: 2,
    Source.DESCRIBE: 1,
}


@dataclass(frozen=True)
class Observation:
    """One fact value seen by one source, e.g. sip=enabled from `csrutil status`."""

    fact: str
    value: str
    source: Source
    detail: str = ""
    origin: str = ""  # probe id, bundle path, signature id, symptom id...
    # Reasoned out rather than seen (a distribution channel guessed from a signature): it weighs
    # like any evidence but never confirms a diagnosis.
    inferred: bool = False


@dataclass(frozen=True)
class Pointer:
    """Evidence that points at a diagnosis directly (a bundle finding, a log line, a symptom)."""

    diagnosis: str
    weight: float
    source: Source
    detail: str = ""
    origin: str = ""
    # A log message seen verbatim whose signature `proves` this diagnosis: a correct setup never
    # prints it. (A bundle finding proves through its severity instead.)
    proves: bool = False
