"""Choose the next question: the one whose answer best separates the causes still in play.

Each live diagnosis carries a weight (its prior times its evidence so far). For a candidate
question we look at every value its answer could take, work out how that value would rule
diagnoses out or support them, and take how far the answer is expected to move the weights.
Only diagnoses that mention the question's fact are touched, so a choice costs O(references).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from advisor.engine.scoring import Ranking
from advisor.knowledge.model import UNKNOWN, Condition, Diagnosis, KnowledgeBase, Question

MIN_GAIN = 0.05  # an answer expected to move less than 5% of the weight is not worth asking
BASE_WEIGHT = 0.3  # a diagnosis with no evidence yet still deserves a little attention


Accepts = dict[str, frozenset[str]]


def _as_map(cond: Condition) -> Accepts:
    return dict(cond.items())


@dataclass(frozen=True)
class DiagnosisProfile:
    """A diagnosis's conditions as plain maps, indexed by fact, for fast what-if evaluation."""

    diagnosis: Diagnosis
    requires: Accepts
    rules_out: tuple[Accepts, ...]
    supports: tuple[tuple[Accepts, float], ...]
    facts: frozenset[str]
    # fact -> (rules_out conditions, supports) that mention it: what-ifs touch only these
    touching: dict[str, tuple[tuple[Accepts, ...], tuple[tuple[Accepts, float], ...]]] = field(default_factory=dict)


@dataclass
class KnowledgeIndex:
    """Per-fact lists of diagnoses that mention the fact, built once per knowledge base."""

    profiles: dict[str, DiagnosisProfile] = field(default_factory=dict)
    by_fact: dict[str, list[DiagnosisProfile]] = field(default_factory=dict)
    questions_by_fact: dict[str, list[Question]] = field(default_factory=dict)

    @classmethod
    def build(cls, kb: KnowledgeBase) -> KnowledgeIndex:
        idx = cls()
        for d in kb.diagnoses.values():
            requires = _as_map(d.requires) if d.requires is not None else {}
            rules_out = tuple(_as_map(s.condition) for s in d.rules_out)
            supports = tuple((_as_map(s.condition), s.weight) for s in d.supports)
            facts = set(requires)
            for m in rules_out:
                facts.update(m)
            for m, _ in supports:
                facts.update(m)
            for c in d.confirmed_when:
                facts.update(f for f, _ in c.items())
            touching = {
                f: (tuple(m for m in rules_out if f in m), tuple((m, w) for m, w in supports if f in m))
                for f in facts
            }
            profile = DiagnosisProfile(d, requires, rules_out, supports, frozenset(facts), touching)
            idx.profiles[d.id] = profile
            for f in facts:
                idx.by_fact.setdefault(f, []).append(profile)
        for q in kb.questions.values():
            idx.questions_by_fact.setdefault(q.fact, []).append(q)
        return idx


@dataclass(frozen=True)
class Separation:
    """How one possible answer would move one diagnosis (for "why do you ask?")."""

    diagnosis: str
    title: str
    effects: tuple[tuple[str, str], ...]  # (value, "rules it out" | "supports it (+w)")


@dataclass(frozen=True)
class QuestionChoice:
    question: Question
    gain: float
    separates: tuple[Separation, ...]

    def why(self) -> list[str]:
        lines = []
        for s in self.separates:
            parts = "; ".join(f"{value}: {effect}" for value, effect in s.effects)
            lines.append(f"{s.title} [{s.diagnosis}] -- {parts}")
        return lines


def question_is_askable(q: Question, known: dict[str, str], answered: set[str]) -> bool:
    """ask_if holds when each of its facts is known and accepted, or was answered "unknown"."""
    if q.ask_if is None:
        return True
    for fact, accepted in q.ask_if.items():
        value = known.get(fact)
        if value is None:
            if fact not in answered:
                return False
        elif value not in accepted:
            return False
    return True


# Only the facts of the leading candidates are considered: what separates the front-runners
# is what is worth asking, and it keeps the choice fast on very large knowledge bases.
LEADING_CANDIDATES = 64
CANDIDATE_FACTS = 48


def _live_weights(
    ranking: Ranking, index: KnowledgeIndex
) -> tuple[dict[str, float], float, list[str]]:
    """Weights of the diagnoses still in play, and the facts of the leading ones ordered by the
    weight they touch; computed once per ranking."""
    cached = getattr(ranking, "_live_weights", None)
    if cached is not None:
        return cached
    live = {did: _weight(ranking, p.diagnosis) for did, p in index.profiles.items()}
    total = sum(live.values())
    leading = heapq.nlargest(LEADING_CANDIDATES, (did for did, w in live.items() if w > 0), key=live.__getitem__)
    mass: dict[str, float] = {}
    for did in leading:
        for fact in index.profiles[did].facts:
            if fact not in mass:
                mass[fact] = sum(live[p.diagnosis.id] for p in index.by_fact.get(fact, ()))
    ordered = sorted(mass, key=lambda f: (-mass[f], f))
    result = (live, total, ordered)
    ranking._live_weights = result  # type: ignore[attr-defined]
    return result


def _weight(ranking: Ranking, d: Diagnosis) -> float:
    a = ranking.all[d.id]
    if a.ruled_out:
        return 0.0
    return d.prior * (BASE_WEIGHT + sum(e.weight for e in a.evidence))


def _holds(accepts: Accepts, known: dict[str, str], fact: str, value: str) -> bool | None:
    """condition_state() with fact=value assumed, without copying `known`."""
    pending = False
    for f, acc in accepts.items():
        v = value if f == fact else known.get(f)
        if v is None:
            pending = True
        elif v not in acc:
            return False
    return None if pending else True


def _multiplier(p: DiagnosisProfile, fact: str, value: str, known: dict[str, str]) -> tuple[float, str]:
    """How answering fact=value would change a diagnosis's weight: (factor, what it does)."""
    accepted = p.requires.get(fact)
    if accepted is not None and value not in accepted:
        return 0.0, "rules it out"
    rules_out, supports = p.touching.get(fact, ((), ()))
    for ro in rules_out:
        if value in ro[fact] and (len(ro) == 1 or _holds(ro, known, fact, value) is True):
            return 0.0, "rules it out"
    gain = 0.0
    for accepts, weight in supports:
        if value not in accepts[fact]:
            continue
        state = True if len(accepts) == 1 else _holds(accepts, known, fact, value)
        if state is True:
            gain += weight
        elif state is None:
            gain += weight / 2
    if gain:
        return 1.0 + gain, f"supports it (+{gain:g})"
    return 1.0, ""


def choose_question(
    kb: KnowledgeBase,
    index: KnowledgeIndex,
    ranking: Ranking,
    known: dict[str, str],
    answered: set[str],
    excluded: set[str] = frozenset(),  # type: ignore[assignment]
) -> QuestionChoice | None:
    """The most useful question not yet asked or settled, or None when nothing would help."""
    live, total, fact_mass = _live_weights(ranking, index)
    if total <= 0:
        return None
    # The facts touching the most live weight first; the rest rarely win and cost time.
    candidate_facts = [f for f in fact_mass if f not in known and f not in answered][:CANDIDATE_FACTS]
    best: QuestionChoice | None = None
    best_value = MIN_GAIN
    for fact in candidate_facts:
        questions = [
            q for q in index.questions_by_fact.get(fact, ())
            if q.id not in excluded and question_is_askable(q, known, answered)
        ]
        fact_def = kb.facts.get(fact)
        if not questions or fact_def is None:
            continue
        involved = [p for p in index.by_fact.get(fact, ()) if live.get(p.diagnosis.id, 0) > 0]
        if not involved:
            continue
        priority = max(q.priority for q in questions)
        # An answer moves at most all of the weight (a distance of 1): skip hopeless facts early.
        if priority <= best_value:
            continue
        gain, separations = _expected_gain(fact, fact_def.values, involved, live, known, total)
        value = gain * priority
        if value > best_value:
            q = max(questions, key=lambda q: q.priority)
            best_value = value
            best = QuestionChoice(q, round(gain, 4), separations)
    return best


def _expected_gain(
    fact: str,
    values: tuple[str, ...],
    involved: list[DiagnosisProfile],
    live: dict[str, float],
    known: dict[str, str],
    total: float,
) -> tuple[float, tuple[Separation, ...]]:
    """How far the answer is expected to move the picture: the total-variation distance between
    the diagnoses' weights now and after each possible answer, averaged over the answers.

    (Entropy reduction was tried first: it can be negative when an answer supports a minor
    candidate, which stopped the walk while the leader still hung on unknown facts.)"""
    w_inv = sum(live[p.diagnosis.id] for p in involved)
    outside = total - w_inv
    outcomes = []
    effects: dict[str, list[tuple[str, str]]] = {p.diagnosis.id: [] for p in involved}
    for value in values:
        new_weights = []
        for p in involved:
            factor, effect = _multiplier(p, fact, value, known)
            new_weights.append(live[p.diagnosis.id] * factor)
            if effect:
                effects[p.diagnosis.id].append((value, effect))
        s = outside + sum(new_weights)
        if s <= 0:
            outcomes.append((0.0, 0.0))
            continue
        # Diagnoses the answer does not touch keep their weight; only the normaliser moves.
        moved = outside * abs(1.0 / total - 1.0 / s)
        moved += sum(abs(live[p.diagnosis.id] / total - w / s) for p, w in zip(involved, new_weights, strict=False))
        outcomes.append((s, moved / 2))
    mass = sum(s for s, _ in outcomes)
    if mass <= 0:
        return 0.0, ()
    expected = sum((s / mass) * tv for s, tv in outcomes)
    ranked = sorted(involved, key=lambda p: -live[p.diagnosis.id])
    separations = tuple(
        Separation(p.diagnosis.id, p.diagnosis.title, tuple(effects[p.diagnosis.id]))
        for p in ranked
        if effects[p.diagnosis.id]
    )[:4]
    return expected, separations


def open_questions(
    kb: KnowledgeBase,
    index: KnowledgeIndex,
    ranking: Ranking,
    known: dict[str, str],
    answered: set[str],
    limit: int = 12,
) -> list[QuestionChoice]:
    """The questions the walk would still ask, in order, if each were answered "I don't know"."""
    out: list[QuestionChoice] = []
    assumed = set(answered)
    excluded: set[str] = set()
    while len(out) < limit:
        choice = choose_question(kb, index, ranking, known, assumed, excluded)
        if choice is None:
            break
        out.append(choice)
        assumed.add(choice.question.fact)
        excluded.add(choice.question.id)
    return out


__all__ = ["UNKNOWN", "KnowledgeIndex", "QuestionChoice", "Separation", "choose_question", "open_questions"]
