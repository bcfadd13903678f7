"""Weigh every diagnosis against the evidence: rule out, support, rank.

The model is described for knowledge authors in knowledge/README.md ("How advisor weighs a
diagnosis"); keep the two in step.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

from advisor.engine.facts import FactTable, ResolvedFact
from advisor.evidence import Pointer, Source
from advisor.knowledge.model import Condition, Diagnosis, KnowledgeBase

# Evidence of this total (times the prior) gives a score of 1 - 1/e ~ 0.63.
EVIDENCE_SCALE = 5.0
UNKNOWN_REQUIREMENT_FACTOR = 0.85
ADVICE_FACTOR = 0.75
# Below this much evidence a diagnosis is background noise (a couple of weight-1 hints), not listed.
LISTING_EVIDENCE = 1.5
CONFIRMED_FLOOR = 0.9
LIKELY_SCORE = 0.5
# "likely" needs at least one specific sign of this weight, not a pile of generic hints.
SPECIFIC_SIGN = 2.5
# A bundle finding of this weight (an `error`) proves the diagnosis on its own.
PROOF_WEIGHT = 5.0
# `confirmed` is a promise: the evidence shows the fault itself and a correct setup never
# produces it (knowledge/README.md, "How advisor weighs a diagnosis"). What may take part:
# * the facts of a `confirmed_when` condition that show the fault: what the developer states
#   (answers) and what a command printed (probes). Never the description (a phrase, a
#   resemblance), a log line's `sets` (an author's reading of a message), or an inference.
FAULT_SOURCES = frozenset({Source.ANSWER, Source.PROBE})
# * the setup the fault is judged in (the `requires` facts): the bundle too, which reads what the
#   setup is. Its verdicts on what is wrong are its findings, judged per channel by the bundle
#   rules, so a bundle reading alone (app groups differ) never confirms through a condition.
SETUP_SOURCES = frozenset({Source.ANSWER, Source.PROBE, Source.BUNDLE})
# Symptom phrases can pile up; their combined say on one diagnosis is capped.
DESCRIBE_CAP = 4.0


class Status(StrEnum):
    CONFIRMED = "confirmed"
    LIKELY = "likely"
    POSSIBLE = "possible"


STATUS_ORDER = {Status.CONFIRMED: 0, Status.LIKELY: 1, Status.POSSIBLE: 2}


@dataclass(frozen=True)
class EvidenceItem:
    """One reason a diagnosis gained weight: a fact (with its provenance) or a direct pointer."""

    weight: float
    source: Source
    detail: str
    fact: str = ""
    value: str = ""
    origin: str = ""
    required: bool = False


class ProofRoute(StrEnum):
    CONDITION = "condition"  # a `confirmed_when` condition held on answers and probe outputs
    BUNDLE_FINDING = "bundle-finding"  # a bundle rule of severity error found the fault
    LOG_MESSAGE = "log-message"  # a verbatim message whose signature proves the diagnosis


@dataclass(frozen=True)
class Confirmation:
    """Why a diagnosis is confirmed: the route and the evidence items it rests on."""

    route: ProofRoute
    evidence: tuple[EvidenceItem, ...]

    def describe(self) -> str:
        """In words: the condition's facts (`fact=value, ...`), or the finding or message itself.
        Where each came from is in `evidence` (and in the JSON's `confirmation`)."""
        if self.route is ProofRoute.CONDITION:
            return ", ".join(f"{e.fact}={e.value}" for e in self.evidence)
        return "; ".join(e.detail or e.origin for e in self.evidence)


@dataclass
class Assessment:
    diagnosis: Diagnosis
    evidence: list[EvidenceItem] = field(default_factory=list)
    ruled_out: list[str] = field(default_factory=list)
    unknown_required: list[str] = field(default_factory=list)
    score: float = 0.0
    status: Status = Status.POSSIBLE
    confirmation: Confirmation | None = None

    @property
    def confirmed_by(self) -> str:
        """The evidence that confirmed the diagnosis, in words ("" when not confirmed)."""
        return self.confirmation.describe() if self.confirmation else ""

    @property
    def id(self) -> str:
        return self.diagnosis.id

    @property
    def supported(self) -> bool:
        return not self.ruled_out and sum(e.weight for e in self.evidence) >= LISTING_EVIDENCE


def condition_state(cond: Condition, known: dict[str, str]) -> bool | None:
    """True when every fact is known and accepted, False when one is known and refused, else None."""
    pending = False
    for fact, accepted in cond.items():
        value = known.get(fact)
        if value is None:
            pending = True
        elif value not in accepted:
            return False
    return None if pending else True


def _fact_items(cond: Condition, facts: FactTable) -> list[EvidenceItem]:
    items = []
    for fact, _ in cond.items():
        r = facts.get(fact)
        if r is not None:
            items.append(EvidenceItem(0.0, r.source, r.detail, fact, r.value))
    return items


def assess_diagnosis(d: Diagnosis, facts: FactTable, pointers: list[Pointer]) -> Assessment:
    known = facts.values
    a = Assessment(d)
    if d.requires is not None:
        for fact, accepted in d.requires.items():
            value = known.get(fact)
            if value is None:
                a.unknown_required.append(fact)
            elif value not in accepted:
                r = facts.get(fact)
                src = f" ({r.source})" if r else ""
                a.ruled_out.append(f"needs {fact} {' or '.join(sorted(accepted))}, but it is {value}{src}")
    for ro in d.rules_out:
        if condition_state(ro.condition, known) is True:
            a.ruled_out.append(ro.note or f"ruled out by {ro.condition.describe()}")
    for s in d.supports:
        if condition_state(s.condition, known) is True:
            # One item per fact, so each keeps its own provenance; the first carries the weight.
            for i, item in enumerate(_fact_items(s.condition, facts)):
                note = s.note or s.condition.describe()
                detail = f"{note} ({item.detail})" if item.detail and item.detail != "answered" else note
                a.evidence.append(EvidenceItem(s.weight if i == 0 else 0.0, item.source, detail, item.fact, item.value))
    describe_total = 0.0
    for p in pointers:
        if p.diagnosis != d.id:
            continue
        weight = p.weight
        if p.source is Source.DESCRIBE:
            weight = max(0.0, min(weight, DESCRIBE_CAP - describe_total))
            describe_total += weight
        if weight > 0:
            a.evidence.append(EvidenceItem(weight, p.source, p.detail, origin=p.origin))
    if d.requires is not None:
        for fact, accepted in d.requires.items():
            if fact in known and known[fact] in accepted:
                r = facts.get(fact)
                if r is not None:
                    detail = "required" if r.detail in ("", "answered") else f"required ({r.detail})"
                    a.evidence.append(EvidenceItem(0.0, r.source, detail, fact, r.value, required=True))
    _score(a, facts, pointers)
    return a


def _score(a: Assessment, facts: FactTable, pointers: list[Pointer]) -> None:
    d = a.diagnosis
    raw = sum(e.weight for e in a.evidence)
    required_known = sum(1 for e in a.evidence if e.required)
    exponent = d.prior * raw / EVIDENCE_SCALE + 0.05 * required_known
    score = (1.0 - math.exp(-exponent)) * (UNKNOWN_REQUIREMENT_FACTOR ** len(a.unknown_required))
    if d.advice:
        score *= ADVICE_FACTOR
    if raw > 0 and not a.ruled_out:
        a.confirmation = confirmation(d, facts, pointers, a.unknown_required)
    if a.confirmation is not None:
        a.status = Status.CONFIRMED
        score = max(score, CONFIRMED_FLOOR if not d.advice else score)
    elif score >= LIKELY_SCORE and not a.unknown_required and max(e.weight for e in a.evidence) >= SPECIFIC_SIGN:
        a.status = Status.LIKELY
    else:
        a.status = Status.POSSIBLE
    a.score = round(min(score, 0.99), 3)


def confirmation(
    d: Diagnosis, facts: FactTable, pointers: list[Pointer], unknown_required: list[str]
) -> Confirmation | None:
    """The first route by which the evidence proves `d`, or None. Everything else is inference,
    at most `likely`."""
    mine = [p for p in pointers if p.diagnosis == d.id]
    # A verbatim message that proves the fault needs no setup facts: the message names its setup.
    for p in mine:
        if p.source is Source.LOG and p.proves:
            return Confirmation(ProofRoute.LOG_MESSAGE, (_pointer_item(p),))
    if unknown_required:
        return None
    for p in mine:
        if p.source is Source.BUNDLE and p.weight >= PROOF_WEIGHT:
            return Confirmation(ProofRoute.BUNDLE_FINDING, (_pointer_item(p),))
    if not _setup_is_observed(d, facts):
        return None
    required = {fact for fact, _ in d.requires.items()} if d.requires is not None else set()
    for cond in d.confirmed_when:
        if condition_state(cond, facts.values) is not True:
            continue
        resolved = [(fact, facts.get(fact)) for fact, _ in cond.items()]
        if all(r is not None and _can_confirm(r, fact in required) for fact, r in resolved):
            items = tuple(EvidenceItem(0.0, r.source, r.detail, fact, r.value, r.origin) for fact, r in resolved if r)
            return Confirmation(ProofRoute.CONDITION, items)
    return None


def _can_confirm(r: ResolvedFact, setup: bool) -> bool:
    return not r.inferred and r.source in (SETUP_SOURCES if setup else FAULT_SOURCES)


def _setup_is_observed(d: Diagnosis, facts: FactTable) -> bool:
    """Every `requires` fact known from a source that may take part in a confirmation."""
    if d.requires is None:
        return True
    for fact, _ in d.requires.items():
        r = facts.get(fact)
        if r is None or not _can_confirm(r, setup=True):
            return False
    return True


def _pointer_item(p: Pointer) -> EvidenceItem:
    return EvidenceItem(p.weight, p.source, p.detail, origin=p.origin)


@dataclass
class Ranking:
    ranked: list[Assessment]  # supported, not ruled out, best first
    ruled_out: list[Assessment]
    all: dict[str, Assessment]


def rank_diagnoses(kb: KnowledgeBase, facts: FactTable, pointers: list[Pointer]) -> Ranking:
    assessments = {d.id: assess_diagnosis(d, facts, pointers) for d in kb.diagnoses.values()}
    ranked = [a for a in assessments.values() if a.supported]
    # Status first: a likely cause never sits under a merely possible one (a possible one can
    # score higher while a required fact is still unknown). Advice is already discounted in its
    # score; at equal scores causes go first.
    ranked.sort(key=lambda a: (STATUS_ORDER[a.status], -a.score, a.diagnosis.advice, a.id))
    ruled = [a for a in assessments.values() if a.ruled_out and any(e.weight > 0 for e in a.evidence)]
    ruled.sort(key=lambda a: a.id)
    return Ranking(ranked, ruled, assessments)
