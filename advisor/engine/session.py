"""A troubleshooting session: evidence in, ranked diagnoses and the next question out.

The session knows no UI. Shells (CLI, TUI, replay) add evidence and answers, ask for the next
question, and read the result. Everything derived (facts, ranking, next question) is recomputed
from the evidence on demand, so changing an earlier answer recomputes everything downstream.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from advisor.engine.facts import FactTable, resolve_facts
from advisor.engine.scoring import Assessment, Ranking, rank_diagnoses
from advisor.engine.walk import Conclusion, Effort, KnowledgeIndex, QuestionChoice, conclusion, question_plan
from advisor.evidence import Observation, Pointer, Source
from advisor.exit_status import UserError
from advisor.knowledge.model import UNKNOWN, KnowledgeBase, Question
from advisor.plain_text import printable

_TRUTHY = {"yes", "true", "on", "enabled", "1", "y"}
_FALSY = {"no", "false", "off", "disabled", "0", "n"}
_PAIRS = (("yes", "no"), ("on", "off"), ("enabled", "disabled"))


def _boolean_alias(value: str, values: tuple[str, ...]) -> str | None:
    """true/false, on/off, 1/0... for a two-valued fact such as yes/no or enabled/disabled
    (scripts often pass booleans the way their own language prints them)."""
    for positive, negative in _PAIRS:
        if set(values) == {positive, negative}:
            v = value.strip().lower()
            if v in _TRUTHY:
                return positive
            if v in _FALSY:
                return negative
    return None


@dataclass(frozen=True)
class AskedQuestion:
    question: str
    fact: str
    text: str
    answer: str
    source: str = "answer"


@dataclass(frozen=True)
class SkippedQuestion:
    """A question not asked because the fact was already known, and from where."""

    question: str
    fact: str
    value: str
    source: str
    detail: str


@dataclass
class Session:
    kb: KnowledgeBase
    index: KnowledgeIndex | None = None
    answers: dict[str, str] = field(default_factory=dict)  # fact -> value, in the order given
    answer_questions: dict[str, str] = field(default_factory=dict)  # fact -> question id
    observations: list[Observation] = field(default_factory=list)
    pointers: list[Pointer] = field(default_factory=list)
    _cache: tuple[int, FactTable, Ranking] | None = field(default=None, repr=False)
    _version: int = 0

    def __post_init__(self) -> None:
        if self.index is None:
            self.index = KnowledgeIndex.build(self.kb)

    # ---- evidence in -------------------------------------------------------------------
    def validate(self, fact: str, value: str) -> tuple[str, str]:
        """Accept a fact or question id and a value (or a choice label); UserError otherwise."""
        fact_id = fact
        if fact not in self.kb.facts and fact in self.kb.questions:
            fact_id = self.kb.questions[fact].fact
        definition = self.kb.facts.get(fact_id)
        if definition is None:
            raise UserError(f"unknown fact '{printable(fact, 80)}' (see `advisor kb list facts`)")
        value = value.strip()
        if value == UNKNOWN or value in definition.values:
            return fact_id, value
        lowered = {v.lower(): v for v in definition.values}
        if value.lower() in lowered:
            return fact_id, lowered[value.lower()]
        alias = _boolean_alias(value, definition.values)
        if alias is not None:
            return fact_id, alias
        raise UserError(
            f"unknown value '{printable(value, 80)}' for fact '{fact_id}' (expected one of {', '.join(definition.values)}, unknown)"
        )

    def answer(self, fact_or_question: str, value: str, question_id: str | None = None) -> None:
        fact, value = self.validate(fact_or_question, value)
        # Re-answering moves the answer to the end: later answers win, everything recomputes.
        self.answers.pop(fact, None)
        self.answers[fact] = value
        q = question_id or (fact_or_question if fact_or_question in self.kb.questions else None)
        if q is None:
            found = self.kb.question_for_fact(fact)
            q = found.id if found else fact
        self.answer_questions[fact] = q
        self._changed()

    def forget_answer(self, fact: str) -> None:
        self.answers.pop(fact, None)
        self.answer_questions.pop(fact, None)
        self._changed()

    def add_evidence(self, observations: list[Observation] = (), pointers: list[Pointer] = ()) -> None:  # type: ignore[assignment]
        for obs in observations:
            if obs.fact in self.kb.facts and (obs.value == UNKNOWN or obs.value in self.kb.facts[obs.fact].values):
                self.observations.append(obs)
        self.pointers.extend(p for p in pointers if p.diagnosis in self.kb.diagnoses)
        self._changed()

    def _changed(self) -> None:
        self._version += 1

    # ---- derived -----------------------------------------------------------------------
    def _state(self) -> tuple[FactTable, Ranking]:
        if self._cache is not None and self._cache[0] == self._version:
            return self._cache[1], self._cache[2]
        answer_obs = [
            Observation(f, v, Source.ANSWER, "answered", self.answer_questions.get(f, f)) for f, v in self.answers.items()
        ]
        facts = resolve_facts(self.kb, [*self.observations, *answer_obs])
        ranking = rank_diagnoses(self.kb, facts, self._counted_pointers())
        self._cache = (self._version, facts, ranking)
        return facts, ranking

    def _counted_pointers(self) -> list[Pointer]:
        """Each piece of evidence once: a message quoted in the description that the log shows
        too is the log's evidence; the description's copy of it adds nothing."""
        in_log = {p.origin for p in self.pointers if p.source is Source.LOG and p.origin in self.kb.signatures}
        if not in_log:
            return self.pointers
        return [p for p in self.pointers if not (p.source is Source.DESCRIBE and p.origin in in_log)]

    @property
    def facts(self) -> FactTable:
        return self._state()[0]

    @property
    def ranking(self) -> Ranking:
        return self._state()[1]

    def _settled(self) -> set[str]:
        """Facts that need no question: known, or answered "I don't know"."""
        facts = self.facts
        return set(facts.values) | {f for f, v in self.answers.items() if v == UNKNOWN} | {
            f for f, r in facts.resolved.items() if not r.known
        }

    def next_question(self, excluded: set[str] | None = None) -> QuestionChoice | None:
        """The question advisor would ask now (the cheapest one that best separates the causes,
        else one that would confirm or rule out a leader), or None."""
        plan = self.question_plan(limit=1, excluded=excluded)
        return plan[0] if plan else None

    def question_plan(self, limit: int = 12, excluded: set[str] | None = None) -> list[QuestionChoice]:
        """The questions advisor would ask, in order, if each were answered "I don't know"."""
        facts, ranking = self._state()
        assert self.index is not None
        answered = set(self.answers)
        return question_plan(
            self.kb, self.index, ranking, facts.values, self._settled(), answered, excluded or set(), limit, self.effort()
        )

    def effort(self) -> Effort:
        """How many checks (a look, the failing Mac) the developer answered "I don't know" to."""
        effort = Effort()
        for fact, value in self.answers.items():
            q = self.kb.questions.get(self.answer_questions.get(fact, fact)) or self.kb.question_for_fact(fact)
            if value == UNKNOWN and q is not None:
                effort = effort.after_unknown(q)
        return effort

    def unanswered(self, limit: int = 12) -> list[QuestionChoice]:
        return self.question_plan(limit)

    def conclusion(self) -> Conclusion | None:
        """The cause advisor would show now without asking more: confirmed, or dominant."""
        facts, ranking = self._state()
        assert self.index is not None
        return conclusion(self.kb, self.index, ranking, facts.values, self._settled(), self.effort())

    def asked(self) -> list[AskedQuestion]:
        out = []
        for fact, value in self.answers.items():
            qid = self.answer_questions.get(fact, fact)
            q: Question | None = self.kb.questions.get(qid)
            out.append(AskedQuestion(qid, fact, q.text if q else fact, value))
        return out

    def skipped(self) -> list[SkippedQuestion]:
        """Questions whose fact came from evidence other than an answer."""
        facts = self.facts
        out = []
        for q in self.kb.questions.values():
            r = facts.get(q.fact)
            if r is not None and r.known and q.fact not in self.answers:
                out.append(SkippedQuestion(q.id, q.fact, r.value, str(r.source), r.detail))
        return out

    def diagnoses(self) -> list[Assessment]:
        return self.ranking.ranked
