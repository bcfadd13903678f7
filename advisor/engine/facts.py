"""Resolve observations from every source into one value per fact, keeping provenance.

When sources disagree the more direct one wins (probe > bundle > answer > log > describe, except
for facts whose `read_best_from` source reads them more closely); the losing observations are
kept as conflicts so reports can show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from advisor.evidence import SOURCE_TRUST, Observation, Source
from advisor.knowledge.model import UNKNOWN, KnowledgeBase


@dataclass(frozen=True)
class ResolvedFact:
    fact: str
    value: str
    source: Source
    detail: str
    origin: str
    conflicts: tuple[Observation, ...] = ()
    # Settled by reasoning (`implies`, a channel guessed from a signature), not seen: never confirms.
    inferred: bool = False

    @property
    def known(self) -> bool:
        return self.value != UNKNOWN


@dataclass
class FactTable:
    """The resolved facts. `values` holds only known (non-unknown) values, for condition checks."""

    resolved: dict[str, ResolvedFact] = field(default_factory=dict)

    @property
    def values(self) -> dict[str, str]:
        return {f: r.value for f, r in self.resolved.items() if r.known}

    def get(self, fact: str) -> ResolvedFact | None:
        return self.resolved.get(fact)

    def value(self, fact: str) -> str | None:
        r = self.resolved.get(fact)
        return r.value if r is not None and r.known else None


def resolve_facts(kb: KnowledgeBase, observations: list[Observation]) -> FactTable:
    """Pick one value per fact; later observations win ties so a changed answer replaces the old."""
    best: dict[str, Observation] = {}
    conflicts: dict[str, list[Observation]] = {}
    for obs in observations:
        current = best.get(obs.fact)
        if current is None:
            best[obs.fact] = obs
            continue
        # An "unknown" never overrides a real value from another source.
        if obs.value == UNKNOWN and current.value != UNKNOWN and obs.source != current.source:
            continue
        if current.value == UNKNOWN and obs.value != UNKNOWN and obs.source != current.source:
            best[obs.fact] = obs
            continue
        if _trust(kb, obs) >= _trust(kb, current):
            if obs.value != current.value and obs.source != current.source:
                conflicts.setdefault(obs.fact, []).append(current)
            best[obs.fact] = obs
        elif obs.value != current.value:
            conflicts.setdefault(obs.fact, []).append(obs)

    table = FactTable()
    for fact, obs in best.items():
        table.resolved[fact] = ResolvedFact(
            fact, obs.value, obs.source, obs.detail, obs.origin, tuple(conflicts.get(fact, ())), obs.inferred
        )
    _apply_implications(kb, table)
    return table


def _trust(kb: KnowledgeBase, obs: Observation) -> int:
    fact = kb.facts.get(obs.fact)
    if fact is not None and fact.read_best_from == obs.source.value:
        return max(SOURCE_TRUST.values()) + 1
    return SOURCE_TRUST[obs.source]


def _apply_implications(kb: KnowledgeBase, table: FactTable) -> None:
    """`implies` in facts.yaml: a value settles other facts unless something stronger says otherwise."""
    for fact_id, resolved in list(table.resolved.items()):
        fact = kb.facts.get(fact_id)
        if fact is None or not resolved.known:
            continue
        for other, other_value in fact.implies.get(resolved.value, ()):
            existing = table.resolved.get(other)
            if existing is not None and existing.known:
                continue
            table.resolved[other] = ResolvedFact(
                other,
                other_value,
                resolved.source,
                f"implied by {fact_id}={resolved.value}",
                resolved.origin,
                inferred=True,
            )
