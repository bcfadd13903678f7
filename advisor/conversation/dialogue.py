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

from advisor.engine.scoring import Assessment
from advisor.engine.walk import QuestionChoice
from advisor.exit_status import UserError
from advisor.investigation import Investigation
from advisor.knowledge.model import UNKNOWN, Question

if TYPE_CHECKING:
    from advisor.knowledge.model import KnowledgeBase
    from advisor.probes import PlannedProbe, ProbeContext, ProbeRun

UNKNOWN_LABEL = "I don't know"
MAX_DIAGNOSIS_CHANGES = 5  # per step, so one answer never floods the conversation
MAX_DETAILED_FACTS = 3  # more facts learned at once are listed on one line


# ---- what the conversation does next ---------------------------------------------------
# Every turn carries `advice`: advice items (a myth, log noise: "you do not need to disable
# SIP") that the evidence now supports and that were not shown yet. They answer the developer's
# own question at once, before whatever the turn asks; they are never presented as causes.


@dataclass(frozen=True)
class AskQuestion:
    choice: QuestionChoice
    previous: str | None = None  # the earlier answer (or the description's value) being changed
    check: str = ""  # the command that finds the answer ("" for a question known offhand)
    probes: list[PlannedProbe] = field(default_factory=list)  # runnable here, not declined
    advice: tuple[Assessment, ...] = ()

    @property
    def cost(self) -> str:
        """memory | look | failing-mac: what answering takes (knowledge/questions.yaml)."""
        return self.choice.question.cost


@dataclass(frozen=True)
class OfferProbes:
    """advisor can settle the question itself by running these commands (with consent).
    `after_unknown`: offered because the developer answered "I don't know"."""

    choice: QuestionChoice
    probes: list[PlannedProbe]
    after_unknown: bool = False
    advice: tuple[Assessment, ...] = ()


@dataclass(frozen=True)
class ShowDiagnosis:
    """A cause to show now. `reason`: "confirmed", "dominant" (it leads the rest by a clear
    margin) or "best" (nothing left to ask; the best explanation found)."""

    assessment: Assessment
    reason: str = "best"
    advice: tuple[Assessment, ...] = ()


@dataclass(frozen=True)
class Finished:
    """Nothing left worth asking. `diagnoses`: the causes that fit, best first (may be empty);
    `all_advice`: every advice item the evidence supports."""

    diagnoses: list[Assessment]
    all_advice: list[Assessment] = field(default_factory=list)
    advice: tuple[Assessment, ...] = ()


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
    advised: list[str] = field(default_factory=list)  # advice ids already shown
    offer_check: str | None = None  # a question answered "I don't know" whose check can run here


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
        """Record an answer (a value of the question's fact, or "unknown"); UserError if invalid.
        "I don't know" to a question a command here can settle makes the next turn offer it."""
        _, value = self.inv.session.validate(question_id, value)
        self.inv.session.answer(question_id, value, question_id)
        if self.state.reopen == question_id:
            self.state.reopen = None
            self.state.reopen_previous = None
        self.state.offer_check = None
        if value == UNKNOWN and question_id in self.kb.questions and self._runnable_checks(question_id):
            self.state.offer_check = question_id

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
        """Ask an earlier answered question again, or correct a fact the description (or a log
        line) gave: its question is asked with that value as the previous one, and the answer
        overrides it. Returns the question id (None when the fact has no question)."""
        session = self.inv.session
        if fact not in session.answers:
            resolved = session.facts.get(fact)
            question = self.kb.question_for_fact(fact)
            if resolved is None or not resolved.known or question is None:
                return None
            self.state.reopen = question.id
            self.state.reopen_previous = resolved.value
            return question.id
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

    def _runnable_checks(self, question_id: str) -> list[PlannedProbe]:
        """Probes that settle this question's fact and can run on this machine (tool on PATH,
        subjects known), declined or not: "I don't know" reopens the offer."""
        question = self.kb.questions[question_id]
        wanted = self.inv.wanted_probes(self.probe_context())
        named = set(question.probes)
        return [p for p in wanted if (p.probe.id in named if named else question.fact in p.probe.settles)]

    def decline(self, probes: list[PlannedProbe]) -> None:
        for p in probes:
            if p.probe.id not in self.state.declined_probes:
                self.state.declined_probes.append(p.probe.id)
        self.state.offer_check = None

    def add_probe_runs(self, runs: list[ProbeRun]) -> None:
        """Results of probes the user allowed; with that consent advisor also looks around the
        context once (the app's location, iOS copies in the Applications folder)."""
        from advisor.probes import refine_context

        self.state.offer_check = None
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
        """What comes next: a question (or an offer to find its answer), a cause to show, or the
        end. Advice the evidence supports rides along on whatever turn comes first."""
        advice = self._new_advice()
        session = self.inv.session
        if self.state.reopen is not None and self.state.reopen in self.kb.questions:
            return self._ask(self.choice_for(self.state.reopen), self.state.reopen_previous, advice)
        if self.state.offer_check is not None and self.state.offer_check in self.kb.questions:
            probes = self._runnable_checks(self.state.offer_check)
            if probes:
                return OfferProbes(self.choice_for(self.state.offer_check), probes, True, advice)
            self.state.offer_check = None
        shown = set(self.presented_ids())
        concluded = session.conclusion()
        if concluded is not None and concluded.assessment.id not in shown:
            return ShowDiagnosis(concluded.assessment, concluded.reason, advice)
        choice = session.next_question()
        if choice is not None:
            probes = self.probes_for(choice.question.fact)
            if probes:
                return OfferProbes(choice, probes, False, advice)
            return self._ask(choice, None, advice)
        causes = self.causes()
        fresh = [a for a in causes if a.id not in shown]
        if fresh and not shown:
            return ShowDiagnosis(fresh[0], "best", advice)  # the best explanation, even if only possible
        return Finished(causes, self.advice(), advice)

    def _ask(self, choice: QuestionChoice, previous: str | None, advice: tuple[Assessment, ...]) -> AskQuestion:
        q = choice.question
        check = self.inv.check_command(q) if q.check else ""
        return AskQuestion(choice, previous, check, self.probes_for(q.fact), advice)

    def causes(self) -> list[Assessment]:
        """The ranked causes (advice excluded)."""
        return [a for a in self.inv.session.ranking.ranked if not a.diagnosis.advice]

    def advice(self) -> list[Assessment]:
        """Every advice item the evidence supports (myths, log noise), best first."""
        return [a for a in self.inv.session.ranking.ranked if a.diagnosis.advice]

    def _new_advice(self) -> tuple[Assessment, ...]:
        """Advice not shown yet; from now on it counts as shown."""
        new = tuple(a for a in self.advice() if a.id not in self.state.advised)
        self.state.advised.extend(a.id for a in new)
        return new

    def advice_lines(self, a: Assessment) -> list[str]:
        """The answer to the developer's question, as the conversation shows it at once."""
        d = a.diagnosis
        lines = [d.title, "", d.summary]
        if d.fix:
            lines += ["", "What to do:"] + [f"{i}. {step}" for i, step in enumerate(d.fix, 1)]
        if d.references:
            lines += ["", "References:"] + [f"• {r.title}: {r.url}" for r in d.references]
        return lines

    def choice_for(self, question_id: str) -> QuestionChoice:
        """The engine's view of one given question (for reopening it), "why" included when it
        still separates anything."""
        others = {q for q in self.kb.questions if q != question_id}
        choice = self.inv.session.next_question(excluded=others)
        if choice is not None and choice.question.id == question_id:
            return choice
        platform = self.inv.session.facts.values.get("platform")
        return QuestionChoice(self.kb.questions[question_id].worded_for(platform), 0.0, ())

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
        if q.check:
            where = {"look": "", "failing-mac": " on the Mac where it fails"}.get(q.cost, "")
            lines += ["", f"To find out{where}, run:", f"  $ {self.inv.check_command(q)}"]
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
            if did in self.kb.diagnoses and self.kb.diagnoses[did].advice:
                continue  # advice is answered once, as advice (the turn's `advice`), not a cause's status
            verb = f"now {status}" if old is None else f"{old} -> {status}"
            moved.append(Change("diagnosis", f"{verb}: {titles.get(did, did)}"))
        for did in before.statuses:
            if did in after.ruled_out and did not in after.statuses:
                moved.append(Change("ruled-out", f"{titles.get(did, did)} -- {after.ruled_out[did]}"))
        if len(moved) > MAX_DIAGNOSIS_CHANGES:
            extra = len(moved) - MAX_DIAGNOSIS_CHANGES
            moved = [*moved[:MAX_DIAGNOSIS_CHANGES], Change("diagnosis", f"(and {extra} more changes)")]
        return out + moved
