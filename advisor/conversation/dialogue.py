"""The conversation's flow over one Investigation, with no UI in it.

The engine decides what is worth asking; this module decides what the conversation does next
(ask, offer to run a probe instead, show a diagnosis, or finish), keeps what the TUI must
remember between steps (diagnoses already shown, probes declined, an answer being changed),
and turns engine state into the plain lines the screens show ("why", "how", what changed).
It imports no Textual, so the flow is tested without a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from advisor.engine.scoring import Assessment, Status
from advisor.engine.walk import QuestionChoice, Separation, question_is_askable
from advisor.exit_status import UserError
from advisor.investigation import Investigation
from advisor.knowledge.model import UNKNOWN, Diagnosis, Question

if TYPE_CHECKING:
    from advisor.knowledge.model import KnowledgeBase
    from advisor.probes import PlannedProbe, ProbeContext, ProbeRun

UNKNOWN_LABEL = "I don't know"
MAX_DIAGNOSIS_CHANGES = 5  # per step, so one answer never floods the conversation
MAX_DETAILED_FACTS = 3  # more facts learned at once are listed on one line


# ---- what the conversation does next ---------------------------------------------------
@dataclass(frozen=True)
class AskQuestion:
    choice: QuestionChoice
    previous: str | None = None  # the earlier answer, when the user is changing it


@dataclass(frozen=True)
class OfferProbes:
    """advisor can settle the question itself by running these commands (with consent)."""

    choice: QuestionChoice
    probes: list[PlannedProbe]


@dataclass(frozen=True)
class ShowDiagnosis:
    assessment: Assessment


@dataclass(frozen=True)
class Finished:
    """Nothing left worth asking; `diagnoses` is the full ranking (may be empty)."""

    diagnoses: list[Assessment]


Turn = AskQuestion | OfferProbes | ShowDiagnosis | Finished


# ---- what changed in one step ------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    facts: dict[str, tuple[str, str, str]]  # fact -> (value, source, detail), known values only
    statuses: dict[str, str]  # ranked diagnosis id -> status
    ruled_out: dict[str, str]  # ruled-out diagnosis id -> first reason


@dataclass(frozen=True)
class Change:
    kind: str  # "fact" | "diagnosis" | "ruled-out"
    text: str


@dataclass
class DialogueState:
    """What the TUI remembers beyond the evidence (saved with the session)."""

    described: bool = False
    presented: list[tuple[str, int]] = field(default_factory=list)  # (diagnosis id, answers when shown)
    declined_probes: list[str] = field(default_factory=list)
    app_path: str | None = None
    reopen: str | None = None  # a question id being asked again (Back / change an answer)
    reopen_previous: str | None = None


class Dialogue:
    def __init__(self, inv: Investigation, state: DialogueState | None = None) -> None:
        self.inv = inv
        self.state = state or DialogueState()
        self._context: ProbeContext | None = None
        self._looked_around = False

    @property
    def kb(self) -> KnowledgeBase:
        return self.inv.kb

    # ---- evidence and answers ------------------------------------------------------------
    def describe(self, text: str) -> None:
        self.state.described = True
        self.inv.add_description(text)

    def skip_description(self) -> None:
        self.state.described = True

    def answer(self, question_id: str, value: str) -> None:
        """Record an answer (a value of the question's fact, or "unknown"); UserError if invalid."""
        self.inv.session.answer(question_id, value, question_id)
        if self.state.reopen == question_id:
            self.state.reopen = None
            self.state.reopen_previous = None

    def answered_facts(self) -> list[str]:
        return list(self.inv.session.answers)

    def back(self) -> str | None:
        """Reopen the last answered question (its answer is forgotten until answered again).
        Pressed again while a question is reopened, it steps one answer further back."""
        answers = list(self.inv.session.answers)
        if not answers:
            return None
        return self.reopen_fact(answers[-1])

    def reopen_fact(self, fact: str) -> str | None:
        """Ask an earlier answered question again; returns its question id."""
        session = self.inv.session
        if fact not in session.answers:
            return None
        order = list(session.answers)
        previous = session.answers[fact]
        question_id = session.answer_questions.get(fact) or fact
        if question_id not in self.kb.questions:
            found = self.kb.question_for_fact(fact)
            if found is None:
                return None
            question_id = found.id
        session.forget_answer(fact)
        self._forget_presented_after(order.index(fact))
        self.state.reopen = question_id
        self.state.reopen_previous = previous
        return question_id

    def _forget_presented_after(self, answers_count: int) -> None:
        self.state.presented = [(d, n) for d, n in self.state.presented if n <= answers_count]

    def mark_presented(self, diagnosis_id: str) -> None:
        if diagnosis_id not in self.presented_ids():
            self.state.presented.append((diagnosis_id, len(self.inv.session.answers)))

    def presented_ids(self) -> list[str]:
        return [d for d, _ in self.state.presented]

    # ---- probes -----------------------------------------------------------------------------
    def set_app_path(self, path: str | None) -> None:
        self.state.app_path = path
        self._context = None
        self._looked_around = False

    def probe_context(self) -> ProbeContext:
        """What the probes look at: the app and its providers (read from disk once per app)."""
        if self._context is None:
            recorded = self.inv.probe_context
            if recorded is not None and not self._app_changed(recorded):
                self._context = recorded  # resumed: keep what the saved session looked at
            else:
                app_path = self.state.app_path
                try:
                    self._context = self.inv.discover(app_path)
                except UserError as exc:
                    self.inv.notes.append(f"probes cannot look at {app_path}: {exc.message}")
                    self._context = self.inv.discover(None)
        return self._context

    def _app_changed(self, recorded: ProbeContext) -> bool:
        return self.state.app_path is not None and recorded.app_path is None

    def probes_for(self, fact: str | None) -> list[PlannedProbe]:
        """Probes not declined that would settle `fact` (or any unknown fact when None)."""
        declined = set(self.state.declined_probes)
        wanted = self.inv.wanted_probes(self.probe_context())
        return [
            p for p in wanted
            if p.probe.id not in declined and (fact is None or fact in p.probe.settles)
        ]

    def decline(self, probes: list[PlannedProbe]) -> None:
        for p in probes:
            if p.probe.id not in self.state.declined_probes:
                self.state.declined_probes.append(p.probe.id)

    def add_probe_runs(self, runs: list[ProbeRun]) -> None:
        """Results of probes the user allowed; with that consent advisor also looks around the
        context once (the app's location, iOS copies in the Applications folder)."""
        from advisor.probes import refine_context

        context = self.probe_context()
        if not self._looked_around:
            self._looked_around = True
            self.inv.add_context_evidence(context)
        self.inv.add_probe_runs(runs)
        try:
            self._context = refine_context(context, self.inv.probe_runs)
            self.inv.probe_context = self._context
        except UserError:
            pass  # what the runs revealed did not validate: keep the context as it was

    # ---- the next step ------------------------------------------------------------------------
    def next_turn(self) -> Turn:
        session = self.inv.session
        if self.state.reopen is not None and self.state.reopen in self.kb.questions:
            return AskQuestion(self.choice_for(self.state.reopen), self.state.reopen_previous)
        ranked = session.ranking.ranked
        shown = set(self.presented_ids())
        fresh = [a for a in ranked if a.id not in shown]
        choice = session.next_question()
        top = fresh[0] if fresh else None
        if top is not None and _conclusive(top, choice):
            return ShowDiagnosis(top)
        if choice is None:
            # Nothing separates the candidates any more; before concluding, try to confirm
            # (or rule out) the leading ones by asking for the facts they still depend on.
            choice = next((c for c in (self._confirming_question(a) for a in fresh[:3]) if c is not None), None)
        if choice is not None:
            probes = self.probes_for(choice.question.fact)
            if probes:
                return OfferProbes(choice, probes)
            return AskQuestion(choice)
        if top is not None and not shown:
            return ShowDiagnosis(top)  # the best explanation found, even if only possible
        return Finished(list(ranked))

    def _confirming_question(self, a: Assessment) -> QuestionChoice | None:
        """A question about a fact this diagnosis still depends on (required first, then what
        would confirm it, then what supports it), when one is askable and not yet answered."""
        session = self.inv.session
        facts = session.facts
        known = facts.values
        settled = set(known) | set(session.answers) | set(facts.resolved)
        d = a.diagnosis
        wanted: list[str] = list(a.unknown_required)
        for cond in d.confirmed_when:
            wanted += [f for f, _ in cond.items()]
        for support in d.supports:
            wanted += [f for f, _ in support.condition.items()]
        for fact in dict.fromkeys(wanted):
            if fact in settled:
                continue
            for question in self.kb.questions.values():
                if question.fact == fact and question_is_askable(question, known, set(session.answers)):
                    effects = tuple((v, e) for v in self.kb.facts[fact].values if (e := _effect_on(d, fact, v)))
                    return QuestionChoice(question, 0.0, (Separation(d.id, d.title, effects),) if effects else ())
        return None

    def choice_for(self, question_id: str) -> QuestionChoice:
        """The engine's view of one given question (for reopening it), "why" included when it
        still separates anything."""
        others = {q for q in self.kb.questions if q != question_id}
        choice = self.inv.session.next_question(excluded=others)
        if choice is not None and choice.question.id == question_id:
            return choice
        return QuestionChoice(self.kb.questions[question_id], 0.0, ())

    # ---- words for the screens ------------------------------------------------------------------
    def value_label(self, fact: str, value: str) -> str:
        if value == UNKNOWN:
            return UNKNOWN_LABEL
        question = self.kb.question_for_fact(fact)
        if question is not None:
            for c in question.choices:
                if c.value == value:
                    return c.label
        definition = self.kb.facts.get(fact)
        if definition is not None:
            return definition.labels.get(value, value)
        return value

    def choices(self, question: Question) -> list[tuple[str, str]]:
        return [(c.value, c.label) for c in question.choices]

    def why_lines(self, choice: QuestionChoice) -> list[str]:
        q = choice.question
        lines = [q.text, ""]
        if q.help:
            lines += [q.help.strip(), ""]
        if choice.separates:
            lines.append("What your answer would change:")
            for s in choice.separates:
                lines.append(f"• {s.title}")
                for value, effect in s.effects:
                    lines.append(f"    {self.value_label(q.fact, value)}: {effect}")
        else:
            lines.append("No cause still in play depends on this answer alone; it completes the picture.")
        planned = self.probes_for(q.fact)
        if planned:
            lines += ["", "advisor can find this out itself (with your consent) by running:"]
            lines += [f"  $ {p.command_line}" for p in planned]
        else:
            # Not runnable here (no such tool, or the command needs the app bundle): name the
            # tools rather than show commands with unfilled placeholders.
            probes = [p for p in self.kb.probes.values() if q.fact in p.settles]
            if probes:
                tools = ", ".join(dict.fromkeys(p.tool for p in probes))
                needs_app = any(p.needs for p in probes)
                lines += ["", f"On a Mac, advisor can find this out itself with {tools}"
                          + (" once it knows the app bundle (ctrl+o)." if needs_app else ".")]
        return lines

    def how_lines(self, a: Assessment) -> list[str]:
        d = a.diagnosis
        lines = [f"{d.title}", f"status: {a.status} (score {a.score:.2f})", ""]
        if a.confirmed_by:
            lines += [f"Confirmed by: {a.confirmed_by}", ""]
        lines.append("Evidence:")
        for e in a.evidence:
            if e.fact:
                what = f"{e.fact} = {self.value_label(e.fact, e.value)}"
                weight = " (required)" if e.required else (f" (+{e.weight:g})" if e.weight else "")
                detail = f" -- {e.detail}" if e.detail and e.detail != "answered" and not e.required else ""
                lines.append(f"• [{e.source}] {what}{weight}{detail}")
            else:
                lines.append(f"• [{e.source}] {e.detail} (+{e.weight:g})")
        if a.unknown_required:
            lines += ["", "Still unknown (needed to confirm it): " + ", ".join(a.unknown_required)]
        ruled = self.inv.session.ranking.ruled_out
        if ruled:
            lines += ["", "Ruled out along the way:"]
            for r in ruled[:8]:
                lines.append(f"• {r.diagnosis.title} -- {r.ruled_out[0]}")
        return lines

    # ---- what changed ----------------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        session = self.inv.session
        facts = {
            f: (r.value, str(r.source), r.detail) for f, r in session.facts.resolved.items() if r.known
        }
        ranking = session.ranking
        statuses = {a.id: str(a.status) for a in ranking.ranked}
        ruled = {a.id: (a.ruled_out[0] if a.ruled_out else "") for a in ranking.all.values() if a.ruled_out}
        return Snapshot(facts, statuses, ruled)

    def changes(self, before: Snapshot, after: Snapshot, quiet_facts: set[str] = frozenset()) -> list[Change]:  # type: ignore[assignment]
        out: list[Change] = []
        learned = [
            (fact, value, source, detail)
            for fact, (value, source, detail) in after.facts.items()
            if fact not in quiet_facts and before.facts.get(fact, (None,))[0] != value
        ]
        if len(learned) <= MAX_DETAILED_FACTS:
            for fact, value, source, detail in learned:
                where = f" ({detail})" if detail and detail != "answered" else ""
                out.append(Change("fact", f"{fact} = {self.value_label(fact, value)} [{source}]{where}"))
        else:  # a bundle or a probe batch settles many facts at once: one line, details in the panel
            listed = ", ".join(f"{fact} = {value}" for fact, value, _, _ in learned)
            sources = sorted({source for _, _, source, _ in learned})
            out.append(Change("fact", f"{len(learned)} facts [{', '.join(sources)}]: {listed}"))
        titles = {a.id: a.diagnosis.title for a in self.inv.session.ranking.all.values()}
        moved: list[Change] = []
        for did, status in after.statuses.items():
            old = before.statuses.get(did)
            if old == status:
                continue
            verb = f"now {status}" if old is None else f"{old} -> {status}"
            moved.append(Change("diagnosis", f"{verb}: {titles.get(did, did)}"))
        for did in before.statuses:
            if did in after.ruled_out and did not in after.statuses:
                moved.append(Change("ruled-out", f"{titles.get(did, did)} -- {after.ruled_out[did]}"))
        if len(moved) > MAX_DIAGNOSIS_CHANGES:
            extra = len(moved) - MAX_DIAGNOSIS_CHANGES
            moved = [*moved[:MAX_DIAGNOSIS_CHANGES], Change("diagnosis", f"(and {extra} more changes)")]
        return out + moved


def _effect_on(d: Diagnosis, fact: str, value: str) -> str:
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


def _conclusive(top: Assessment, choice: QuestionChoice | None) -> bool:
    """Show a diagnosis when it is confirmed, or likely and the next question cannot change it."""
    if top.status is Status.CONFIRMED:
        return True
    if top.status is Status.LIKELY:
        return choice is None or top.id not in {s.diagnosis for s in choice.separates}
    return False
