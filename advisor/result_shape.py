"""The `diagnose --format json` result as typed dictionaries (the public contract's shape).

The investigation builds it, reports render it, transcripts keep it and the TUI exports it: one
typed structure instead of `dict[str, Any]` passed from hand to hand. These are still plain
dictionaries, so the JSON output is exactly the contract's. Keys every producer writes are
required; the extras the contract allows (and what an older transcript may lack) are optional
(`NotRequired`), and readers use `.get` for those.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class EvidenceEntry(TypedDict):
    """One reason a diagnosis gained weight. A direct pointer (a log line, a bundle finding, a
    symptom phrase) names its source in `fact` and its signature, rule or symptom in `value`."""

    fact: str
    value: str
    source: str  # answer | probe | bundle | log | describe
    detail: str
    weight: NotRequired[float]


class ReferenceEntry(TypedDict):
    title: str
    url: str


class ConfirmationEntry(TypedDict):
    route: str  # how the promise is kept: a proving log line, an error finding, answers or probes
    evidence: list[EvidenceEntry]


class DiagnosisEntry(TypedDict):
    id: str
    title: str
    status: str  # confirmed | likely | possible
    score: float
    evidence: list[EvidenceEntry]
    fix: list[str]
    references: list[ReferenceEntry]
    kind: NotRequired[str]  # cause | advice
    summary: NotRequired[str]
    explanation: NotRequired[str]
    confirmed_by: NotRequired[str | None]
    confirmation: NotRequired[ConfirmationEntry | None]
    unknown_required: NotRequired[list[str]]


class RuledOutEntry(TypedDict):
    id: str
    title: str
    reasons: list[str]


class FactConflict(TypedDict):
    value: str
    source: str
    detail: str


class FactEntry(TypedDict):
    value: str
    source: str
    detail: str
    conflicts: NotRequired[list[FactConflict]]


class AskedEntry(TypedDict):
    question: str
    text: str
    answer: str
    source: str


class SkippedEntry(TypedDict):
    question: str
    fact: str
    value: str
    source: str
    detail: str


class QuestionEntry(TypedDict):
    question: str
    fact: str
    text: str
    cost: NotRequired[str]  # memory | look | failing-mac
    check: NotRequired[str]  # the command that answers it, filled in for this app
    probes: NotRequired[list[str]]
    why: NotRequired[list[str]]  # what each answer would do to the causes in play


class ConclusionEntry(TypedDict):
    diagnosis: str
    status: str
    reason: str  # confirmed | dominant | best


class ProbeObservation(TypedDict):
    fact: str
    value: str
    detail: str


class ProbeEntry(TypedDict):
    argv: list[str]
    exit_code: int | None
    duration_ms: int
    facts: dict[str, str]
    id: NotRequired[str]
    evidence: NotRequired[list[ProbeObservation]]
    timed_out: NotRequired[bool]
    error: NotRequired[str | None]
    truncated: NotRequired[bool]
    cut_short: NotRequired[bool]
    not_run: NotRequired[bool]
    stdout: NotRequired[str]
    stderr: NotRequired[str]
    stdout_clipped: NotRequired[bool]
    stderr_clipped: NotRequired[bool]


class LogMatchEntry(TypedDict):
    line: int
    text: str
    signature: str
    score: float
    kind: str  # cause | noise | context
    points_to: NotRequired[list[str]]
    captures: NotRequired[dict[str, str]]
    count: NotRequired[int]
    proves: NotRequired[list[str]]


class SymptomEntry(TypedDict):
    symptom: str
    phrase: str
    score: float


class ResemblanceEntry(TypedDict):
    diagnosis: str
    similarity: float


class DescribeEntry(TypedDict):
    text: str
    symptoms: NotRequired[list[SymptomEntry]]
    quoted_messages: NotRequired[list[LogMatchEntry]]
    resembles: NotRequired[list[ResemblanceEntry]]


class DiagnoseResult(TypedDict):
    advisor_version: str
    knowledge_version: str
    diagnoses: list[DiagnosisEntry]
    facts: dict[str, FactEntry]
    asked: NotRequired[list[AskedEntry]]
    unanswered: NotRequired[list[QuestionEntry]]
    probes: NotRequired[list[ProbeEntry]]
    log_matches: NotRequired[list[LogMatchEntry]]
    ruled_out: NotRequired[list[RuledOutEntry]]
    skipped: NotRequired[list[SkippedEntry]]
    keep_checking: NotRequired[list[QuestionEntry]]
    conclusion: NotRequired[ConclusionEntry | None]
    advice: NotRequired[list[DiagnosisEntry]]
    describe: NotRequired[DescribeEntry | None]
    bundle: NotRequired[dict[str, Any] | None]  # what `advisor inspect --format json` reports
    notes: NotRequired[list[str]]
    redacted: NotRequired[bool]
