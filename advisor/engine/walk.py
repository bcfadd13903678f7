"""Choose the next question: the one whose answer best separates the causes still in play,
for what it costs the developer to answer.

Each live diagnosis carries a weight (its prior times its evidence so far). For a candidate
question we look at every value its answer could take, work out how that value would rule
diagnoses out or support them, and take how far the answer is expected to move the weights.
That gain is divided by the question's cost (knowledge/questions.yaml `cost`): a question the
developer answers from memory is worth asking before one that needs a command, and one that
needs the failing Mac comes last at equal gain. Only diagnoses that mention the question's fact
are touched, so a choice costs O(references).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from advisor.engine.scoring import (
    EVIDENCE_SCALE,
    LISTING_EVIDENCE,
    SPECIFIC_SIGN,
    UNKNOWN_REQUIREMENT_FACTOR,
    Assessment,
    Ranking,
    Status,
)
from advisor.knowledge.model import UNKNOWN, Condition, Diagnosis, KnowledgeBase, Question

MIN_GAIN = 0.05  # an answer expected to move less than 5% of the weight is not worth asking
# ... and an answer is worth its cost only when gain x priority / cost reaches this.
MIN_VALUE = 0.05
BASE_WEIGHT = 0.3  # a diagnosis with no evidence yet still deserves a little attention
# What an answer costs the developer, relative to one known offhand. A look (a command, a file,
# a setting) takes minutes and often does not happen; the failing Mac may not be at hand at all.
COSTS = {"memory": 1.0, "look": 2.0, "failing-mac": 3.0}
CHECKS = ("look", "failing-mac")


def question_cost(q: Question, effort: Effort | None = None) -> float:
    base = COSTS.get(q.cost, 1.0)
    return base * effort.factor(q.cost) if effort is not None else base


@dataclass(frozen=True)
class Effort:
    """What the developer has shown they cannot answer right now. Every "I don't know" makes
    the next question cost more (they may be relaying a colleague's problem), and one to a
    question that needs a look or the failing Mac makes the next such question cost more still
    (the build or the Mac is not at hand). The walk then stops sooner rather than asking on."""

    unknowns: int = 0
    unknown_checks: int = 0

    def factor(self, cost: str) -> float:
        return 1.0 + UNKNOWN_PENALTY * self.unknowns + (CHECK_UNKNOWN_PENALTY * self.unknown_checks if cost in CHECKS else 0.0)

    def after_unknown(self, q: Question) -> Effort:
        return Effort(self.unknowns + 1, self.unknown_checks + (1 if q.cost in CHECKS else 0))


UNKNOWN_PENALTY = 0.5
CHECK_UNKNOWN_PENALTY = 1.0


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
    effort: Effort | None = None,
    decisive: bool = True,
) -> QuestionChoice | None:
    """The most useful question (gain per cost) not yet asked or settled, or None when none is
    worth asking. With `decisive`, once a cause leads only questions whose answer could change
    the leader (rule it out, or lift another cause above it), or firm up a leader that is only
    possible, are worth asking: the others only reshuffle causes nothing points to."""
    live, total, fact_mass = _live_weights(ranking, index)
    if total <= 0:
        return None
    leader = leading_cause(ranking) if decisive else None
    # The facts touching the most live weight first; the rest rarely win and cost time.
    candidate_facts = [f for f in fact_mass if f not in known and f not in answered][:CANDIDATE_FACTS]
    best: QuestionChoice | None = None
    best_value = 0.0
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
        q = max(questions, key=lambda q: q.priority / question_cost(q, effort))
        worth = q.priority / question_cost(q, effort)
        # An answer moves at most all of the weight (a distance of 1): skip hopeless facts early.
        if worth <= max(best_value, MIN_VALUE):
            continue
        gain, separations = _expected_gain(fact, fact_def.values, involved, live, known, total)
        value = gain * worth
        if (
            leader is not None
            and value > best_value
            and not _leader_effects(fact, fact_def.values, involved, leader, ranking, known).decisive(leader)
        ):
            continue
        if gain >= MIN_GAIN and value >= MIN_VALUE and value > best_value:
            best_value = value
            best = QuestionChoice(q.worded_for(known.get("platform")), round(gain, 4), separations)
    return best


def leading_cause(ranking: Ranking) -> Assessment | None:
    """The best ranked cause (advice is never a leader: it answers, it does not diagnose)."""
    return next((a for a in ranking.ranked if not a.diagnosis.advice), None)


def _score_after(a: Assessment, added: float, settles_requirement: bool) -> float:
    """The score a diagnosis would have with `added` evidence (scoring.py's formula)."""
    d = a.diagnosis
    evidence = sum(e.weight for e in a.evidence) + added
    known_required = sum(1 for e in a.evidence if e.required) + (1 if settles_requirement else 0)
    unknown = len(a.unknown_required) - (1 if settles_requirement else 0)
    exponent = d.prior * evidence / EVIDENCE_SCALE + 0.05 * known_required
    return (1.0 - math.exp(-exponent)) * UNKNOWN_REQUIREMENT_FACTOR**unknown


@dataclass(frozen=True)
class LeaderEffects:
    """What some answer to a question could do to the leading cause."""

    rule_out: bool = False  # rule it out
    lift_rival: bool = False  # lift another cause above it
    firm_up: bool = False  # add to its evidence, settle what it requires, or confirm it

    def decisive(self, leader: Assessment) -> bool:
        """Worth asking: it could change the leader, or firm up a leader that is only possible."""
        return self.rule_out or self.lift_rival or (self.firm_up and leader.status is Status.POSSIBLE)


def _leader_effects(
    fact: str,
    values: tuple[str, ...],
    involved: list[DiagnosisProfile],
    leader: Assessment,
    ranking: Ranking,
    known: dict[str, str],
) -> LeaderEffects:
    """What the answers to `fact` could do to the leading cause. Supports of other causes that
    need facts still unknown count in full: an answer is taken to change nothing only when it
    cannot."""
    rule_out = lift_rival = firm_up = False
    for value in values:
        leader_score = ranking.all[leader.id].score
        others: list[float] = []
        ruled_leader = False
        for p in involved:
            a = ranking.all[p.diagnosis.id]
            if a.diagnosis.advice or a.ruled_out:
                continue
            accepted = p.requires.get(fact)
            ruled = accepted is not None and value not in accepted
            rules_out, supports = p.touching.get(fact, ((), ()))
            ruled = ruled or any(value in ro[fact] and _holds(ro, known, fact, value) is True for ro in rules_out)
            settles_requirement = accepted is not None and fact in a.unknown_required
            if p.diagnosis.id == leader.id:
                if ruled:
                    rule_out = ruled_leader = True
                    continue
                added = sum(w for acc, w in supports if value in acc[fact] and _holds(acc, known, fact, value) is True)
                confirms = any(
                    fact in dict(c.items()) and _holds(dict(c.items()), known, fact, value) is True for c in p.diagnosis.confirmed_when
                )
                firm_up = firm_up or added > 0 or settles_requirement or confirms
                leader_score = _score_after(a, added, settles_requirement)
                continue
            if ruled:
                continue
            added = sum(w for acc, w in supports if value in acc[fact] and _holds(acc, known, fact, value) is not False)
            if sum(e.weight for e in a.evidence) + added < LISTING_EVIDENCE:
                continue
            others.append(_score_after(a, added, settles_requirement))
        if not ruled_leader and others and max(others) > leader_score:
            lift_rival = True
    return LeaderEffects(rule_out, lift_rival, firm_up)


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


def confirming_question(
    kb: KnowledgeBase,
    ranking: Ranking,
    known: dict[str, str],
    settled: set[str],
    answered: set[str],
    excluded: set[str] = frozenset(),  # type: ignore[assignment]
    effort: Effort | None = None,
    leaders: int = 3,
) -> QuestionChoice | None:
    """When nothing separates the candidates any more: a question about a fact one of the
    leading causes still depends on (what it requires, then what would confirm it, then what
    supports it), the cheapest first, so the leader can be confirmed or ruled out. Once the
    developer has said they cannot check things, only what they know offhand is asked."""
    for a in [a for a in ranking.ranked if not a.diagnosis.advice][:leaders]:
        d = a.diagnosis
        wanted: list[str] = list(a.unknown_required)
        for cond in d.confirmed_when:
            wanted += [f for f, _ in cond.items()]
        for support in d.supports:
            wanted += [f for f, _ in support.condition.items()]
        candidates = [
            q
            for fact in dict.fromkeys(wanted)
            if fact not in settled
            for q in kb.questions.values()
            if q.fact == fact and q.id not in excluded and question_is_askable(q, known, answered)
            and question_cost(q, effort) <= MAX_CONFIRMING_COST
        ]
        if candidates:
            q = min(candidates, key=lambda q: (question_cost(q, effort), -q.priority))
            return _choice_about(kb, q, d, known)
    return None


def _choice_about(kb: KnowledgeBase, q: Question, d: Diagnosis, known: dict[str, str]) -> QuestionChoice:
    """A question asked for one diagnosis's sake, worded for the platform, with what each answer
    would do to that diagnosis ("why?")."""
    effects = tuple((v, e) for v in kb.facts[q.fact].values if (e := effect_on(d, q.fact, v)))
    return QuestionChoice(q.worded_for(known.get("platform")), 0.0, (Separation(d.id, d.title, effects),) if effects else ())


MAX_CONFIRMING_COST = COSTS["failing-mac"]
# A leader whose strongest piece of evidence is below this rests on hints (resemblance, the
# channel): it is no conclusion yet while questions could still confirm some other cause.
WEAK_LEADER_SIGN = SPECIFIC_SIGN
# ... unless the developer has already said "I don't know" this often.
EXPLORING_UNKNOWNS = 3


def weak_leader(ranking: Ranking) -> bool:
    """True when no cause leads, or the leader is only possible and rests on hints alone."""
    leader = leading_cause(ranking)
    if leader is None:
        return True
    if leader.status is not Status.POSSIBLE:
        return False
    return max((e.weight for e in leader.evidence), default=0.0) < WEAK_LEADER_SIGN


def exploring_question(
    kb: KnowledgeBase,
    ranking: Ranking,
    known: dict[str, str],
    settled: set[str],
    answered: set[str],
    excluded: set[str] = frozenset(),  # type: ignore[assignment]
    effort: Effort | None = None,
) -> QuestionChoice | None:
    """When nothing leads on a real sign: the cheapest question whose answer could confirm a
    cause the known facts leave open, weighing each cause by its prior and what evidence it
    has. A cause with no evidence yet can only be found this way (no answer to a separating
    question moves enough of the weight to reach it)."""
    if effort is not None and effort.unknowns >= EXPLORING_UNKNOWNS:
        return None
    worth: dict[str, float] = {}
    target: dict[str, Assessment] = {}
    for a in ranking.all.values():
        d = a.diagnosis
        if a.ruled_out or d.advice:
            continue
        weight = d.prior * (1.0 + sum(e.weight for e in a.evidence))
        for cond in d.confirmed_when:
            pending = [f for f, _ in cond.items() if f not in known and f not in settled]
            if len(pending) != 1:
                continue  # one answer must be able to confirm it
            fact = pending[0]
            if not all(known.get(f) in accepted for f, accepted in cond.items() if f != fact):
                continue  # the condition's other facts must already hold
            worth[fact] = worth.get(fact, 0.0) + weight
            if fact not in target or weight > target[fact].diagnosis.prior * (1.0 + sum(e.weight for e in target[fact].evidence)):
                target[fact] = a
    best: tuple[float, Question] | None = None
    for fact, value in worth.items():
        for q in kb.questions.values():
            if q.fact != fact or q.id in excluded or not question_is_askable(q, known, answered):
                continue
            cost = question_cost(q, effort)
            if cost > MAX_CONFIRMING_COST:
                continue
            score = value * q.priority / cost
            if best is None or score > best[0]:
                best = (score, q)
    if best is None:
        return None
    q = best[1]
    return _choice_about(kb, q, target[q.fact].diagnosis, known)


def effect_on(d: Diagnosis, fact: str, value: str) -> str:
    """What fact=value would do to one diagnosis, in the words "why?" uses."""
    if d.requires is not None:
        for f, accepted in d.requires.items():
            if f == fact and value not in accepted:
                return "rules it out"
    for ro in d.rules_out:
        items = dict(ro.condition.items())
        if fact in items and value in items[fact]:
            return "rules it out" if len(items) == 1 else "may rule it out"
    for cond in d.confirmed_when:
        items = dict(cond.items())
        if fact in items and value in items[fact]:
            return "confirms it" if len(items) == 1 else "helps confirm it"
    weight = sum(s.weight for s in d.supports if value in dict(s.condition.items()).get(fact, ()))
    if weight:
        return f"supports it (+{weight:g})"
    if d.requires is not None and fact in dict(d.requires.items()):
        return "needed for it"
    return ""


def question_plan(
    kb: KnowledgeBase,
    index: KnowledgeIndex,
    ranking: Ranking,
    known: dict[str, str],
    settled: set[str],
    answered: set[str],
    excluded: set[str] = frozenset(),  # type: ignore[assignment]
    limit: int = 12,
    effort: Effort | None = None,
) -> list[QuestionChoice]:
    """The questions still worth asking, best first: the best question per unit of cost while
    one could change the leading cause, then questions that would confirm or rule out the
    leaders. The first is the next question. Later ones are ordered at the developer's effort
    as it stands (each real "I don't know" raises it; a listed one is not assumed answered)."""
    out: list[QuestionChoice] = []
    assumed = set(settled)
    asked = set(answered)
    skipped = set(excluded)
    effort = effort or Effort()
    while len(out) < limit:
        choice = choose_question(kb, index, ranking, known, assumed, skipped, effort)
        if choice is None:
            choice = confirming_question(kb, ranking, known, assumed, asked, skipped, effort)
        if choice is None and weak_leader(ranking):
            choice = exploring_question(kb, ranking, known, assumed, asked, skipped, effort)
        if choice is None:
            break
        out.append(choice)
        assumed.add(choice.question.fact)
        asked.add(choice.question.fact)
        skipped.add(choice.question.id)
    return out


def open_questions(
    kb: KnowledgeBase,
    index: KnowledgeIndex,
    ranking: Ranking,
    known: dict[str, str],
    answered: set[str],
    limit: int = 12,
) -> list[QuestionChoice]:
    """The questions the walk would still ask, in order, if each were answered "I don't know"."""
    return question_plan(kb, index, ranking, known, answered, answered, limit=limit)


# ---- when to stop asking -----------------------------------------------------------------
# A likely cause whose score leads every other cause's by this much dominates: it is shown at
# once (the developer may keep checking). 0.15 is about one typical sign (weight 2) of evidence.
DOMINANCE_MARGIN = 0.15

@dataclass(frozen=True)
class Conclusion:
    """The cause advisor would show now, and why it stops asking: "confirmed", "dominant" (a
    likely cause no answer worth asking could overtake) or "best" (the same for a possible one)."""

    assessment: Assessment
    reason: str


def conclusion(
    kb: KnowledgeBase,
    index: KnowledgeIndex,
    ranking: Ranking,
    known: dict[str, str],
    settled: set[str],
    effort: Effort | None = None,
) -> Conclusion | None:
    """A confirmed cause; a likely one that leads the others by a clear margin ("dominant"); or
    a leading cause that no question worth its cost could rule out or overtake ("dominant" when
    likely, "best" when only possible: nothing else fits better).
    Advice (myths, log noise) is never a conclusion: it is answered, not diagnosed."""
    leader = leading_cause(ranking)
    if leader is None:
        return None
    if leader.status is Status.CONFIRMED:
        return Conclusion(leader, "confirmed")
    causes = [a for a in ranking.ranked if not a.diagnosis.advice]
    runner_up = causes[1].score if len(causes) > 1 else 0.0
    if leader.status is Status.LIKELY and leader.score - runner_up >= DOMINANCE_MARGIN:
        return Conclusion(leader, "dominant")
    if choose_question(kb, index, ranking, known, settled, effort=effort) is not None:
        return None
    if weak_leader(ranking) and exploring_question(kb, ranking, known, settled, settled, effort=effort) is not None:
        return None  # a leader on hints alone is no conclusion while another cause could be confirmed
    return Conclusion(leader, "dominant" if leader.status is Status.LIKELY else "best")


__all__ = [
    "UNKNOWN",
    "Conclusion",
    "Effort",
    "KnowledgeIndex",
    "QuestionChoice",
    "Separation",
    "choose_question",
    "conclusion",
    "confirming_question",
    "leading_cause",
    "open_questions",
    "question_plan",
]
