"""The main screen: the conversation (log + question card), the evidence panel, and the flow.

This screen turns the user's actions into Dialogue calls and shows what came of them. Every
change to the investigation goes through the Intake (one at a time, slow ones on a thread, what
changed reported after); the probe run belongs to the ProbeProgress widget, the lines' wording
to the message log. What the screen shows is driven by reactive attributes: `probing` switches
the bottom of the conversation between the question card and the probe progress, and
`evidence_shown` shows or hides the side panel. The session is saved after every step.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, cast

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Footer, Header

from advisor.conversation.session_store import SessionStore
from advisor.exit_status import UserError
from advisor.tui import evidence
from advisor.tui.autosave import Autosave
from advisor.tui.intake import Intake
from advisor.tui.options import TuiOptions
from advisor.tui.widgets.evidence_panel import EvidencePanel
from advisor.tui.widgets.message_log import Entry, MessageLog, advice_entries, resumed_entries
from advisor.tui.widgets.question_card import AnswerInput, CardMode, QuestionCard

if TYPE_CHECKING:  # the engine loads on a worker after the first paint (launch speed)
    from advisor.conversation.dialogue import Dialogue, Finished, OfferProbes, ShowDiagnosis, Turn
    from advisor.engine.scoring import Assessment
    from advisor.investigation import Investigation
    from advisor.knowledge.model import KnowledgeBase
    from advisor.probes import PlannedProbe
    from advisor.tui.app import AdvisorApp
    from advisor.tui.widgets.probe_progress import ProbeProgress

INTRO = (
    "I'll ask only what I cannot find out myself (from your description, logs, the app bundle, "
    "or commands I may run with your permission). Nothing is chosen for you: press a number, "
    "then Enter. F1 or ? explains a question, Esc goes back, ctrl+p lists every command."
)
DESCRIBE_WHY = [
    "A few words about the symptom, or the exact error text, let advisor start from the causes",
    "that fit instead of asking about everything.",
    "",
    "Log lines you paste (several lines at once) are matched against the messages advisor knows;",
    "ctrl+l opens a bigger area for a long log, ctrl+o reads the app bundle.",
]
LEADS = {
    "confirmed": "Found it",
    "dominant": "Most likely (it leads the other causes by a clear margin)",
    "likely": "Most likely",
    "best": "My best explanation so far",
}
CHECK_WHERE = {"failing-mac": "On the Mac where it fails, run", "look": "To find out, run"}
AFTER_DIAGNOSIS_MENU = [
    ("keep", "Keep checking for other problems"),
    ("show", "Show the diagnosis again"),
    ("change", "Change an earlier answer"),
    ("export", "Export the report"),
]


class ConversationScreen(Screen[None]):
    BINDINGS = [
        Binding("f1", "why", "Why?"),
        Binding("escape", "back", "Back"),
        Binding("ctrl+l", "paste_log", "Log"),
        Binding("ctrl+o", "open_bundle", "Bundle"),
        Binding("ctrl+r", "run_checks", "Checks"),
        Binding("f2", "toggle_evidence", "Evidence", show=False),
        Binding("f3", "change_answer", "Answers", show=False),
        Binding("f4", "advice", "Advice", show=False),
    ]

    probing: reactive[bool] = reactive(False, init=False)
    evidence_shown: reactive[bool] = reactive(True, init=False)

    def __init__(self, options: TuiOptions, store: SessionStore, kb: KnowledgeBase | None = None) -> None:
        super().__init__()
        self.options = options
        self.store = store
        self.preloaded_kb = kb
        self.dialogue: Dialogue | None = None
        self.turn: Turn | None = None
        self.ready = asyncio.Event()
        self.autosave = Autosave(store, self._not_saved)
        self.intake: Intake | None = None
        self._needs_advance = False
        self._asked: str | None = None  # question id last shown in the card
        self._panel_mounted: object = None
        self._latest_advice: str | None = None

    # ---- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            with Vertical(id="conversation"):
                yield MessageLog(id="log")
                with ContentSwitcher(initial="card", id="bottom"):
                    yield QuestionCard(id="card")  # the probe progress view joins it when first needed

            # The panel's lists mount just after the first paint (launch speed); this holds its place.
            yield Vertical(id="evidence")
        yield Footer()

    @property
    def log_view(self) -> MessageLog:
        return self.query_one("#log", MessageLog)

    @property
    def card(self) -> QuestionCard:
        return self.query_one("#card", QuestionCard)

    @property
    def progress(self) -> ProbeProgress | None:
        """The probe progress view, once a probe has run (mounted on first use: launch speed)."""
        found = self.query("#probes")
        return cast("ProbeProgress", found.first()) if found else None

    @property
    def panel(self) -> EvidencePanel:
        return self.query_one(EvidencePanel)

    @property
    def advisor_app(self) -> AdvisorApp:
        return cast("AdvisorApp", self.app)

    @property
    def finished(self) -> bool:
        from advisor.conversation.dialogue import Finished

        return isinstance(self.turn, Finished)

    def watch_probing(self, probing: bool) -> None:
        self.query_one("#bottom", ContentSwitcher).current = "probes" if probing else "card"
        if not probing and self.card.mode is CardMode.QUESTION:
            self.card.answer_input.focus()

    def watch_evidence_shown(self, shown: bool) -> None:
        self.query_one("#evidence").display = shown

    def on_mount(self) -> None:
        self.intake = Intake(self.log_view)
        self.log_view.add("advisor", INTRO)
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        self._panel_mounted = self.query_one("#evidence").mount(EvidencePanel(id="evidence-panel"))
        self.load()

    # ---- start: knowledge, resume, evidence given on the command line -----------------------------
    @work(group="load")
    async def load(self) -> None:
        await self._panel_mounted  # type: ignore[misc]
        try:
            kb = self.preloaded_kb if self.preloaded_kb is not None else await asyncio.to_thread(self._read_knowledge)
            # The engine's modules are imported here, off the UI thread, after the first paint.
            dialogue_class, investigation_class = await asyncio.to_thread(_engine_classes)
            resumed = None
            if self.options.resume:
                resumed = await asyncio.to_thread(self.store.resume, kb, self.options.resume_path)
        except UserError as exc:
            self.advisor_app.fail(exc)
            return
        if resumed is not None:
            self.dialogue = dialogue_class(resumed.investigation, resumed.state)
            self.autosave.resumed(resumed.path)
            self.log_view.add_many(resumed_entries(self.dialogue, resumed.recorded, resumed.finished))
        else:
            self.dialogue = dialogue_class(investigation_class.start(kb))
            self.autosave.new_session()
        assert self.intake is not None
        self.intake.dialogue = self.dialogue
        if self.options.app_path and self.dialogue.state.app_path is None:
            self.dialogue.set_app_path(self.options.app_path)
        self.ready.set()
        self._refresh_panel()
        if self.options.log_path:
            await self.ingest(evidence.log_file(self.options.log_path)).wait()
        if self.options.app_path:
            await self.ingest(evidence.app_bundle(self.options.app_path)).wait()
        if resumed is not None and resumed.finished:
            self._reopen_result()
        elif self.dialogue.state.described:
            self.card.show_busy("Choosing the next question…")
            self.advance()

    def _read_knowledge(self) -> KnowledgeBase:
        from advisor.knowledge.loader import load_knowledge

        return load_knowledge(self.options.knowledge_root)

    def _reopen_result(self) -> None:
        """A finished session reopens at its result: the end menu, and the leading diagnosis."""
        self.advance()
        d = self.dialogue
        if d is None:
            return
        ranked = d.inv.session.ranking.ranked
        lead = next((a for a in ranked if not a.diagnosis.advice), ranked[0] if ranked else None)
        if lead is not None:
            self.show_diagnosis(lead.id)

    # ---- the flow --------------------------------------------------------------------------------
    def advance(self) -> None:
        """Show whatever comes next: a question, a probe offer, a diagnosis, or the end."""
        from advisor.conversation.dialogue import AskQuestion, OfferProbes, ShowDiagnosis

        d = self.dialogue
        if d is None:
            return
        self._refresh_panel()
        if not d.state.described:
            return
        if self.app.screen is not self or self.probing:
            self._needs_advance = True
            return
        self._needs_advance = False
        turn = d.next_turn()
        self.turn = turn
        self._show_advice(getattr(turn, "advice", ()))
        if isinstance(turn, AskQuestion):
            self._ask(turn.choice.question.id, turn.previous, _check_line(turn))
        elif isinstance(turn, OfferProbes):
            self._offer_probes(turn)
        elif isinstance(turn, ShowDiagnosis):
            self._present(turn)
        else:
            self._finish(turn)
        self._update_subtitle()

    def _show_advice(self, advice: tuple[Assessment, ...]) -> None:
        """Advice the evidence now supports answers the developer's own question at once (never
        as a cause); F4 opens the whole answer (its steps and references)."""
        self.log_view.add_many(advice_entries(list(advice)))
        if advice:
            self._latest_advice = advice[-1].id

    def _ask(self, question_id: str, previous: str | None, check: str = "") -> None:
        d = self.dialogue
        assert d is not None
        card = self.card
        if card.mode is CardMode.QUESTION and card.question_id == question_id and previous is None:
            return  # still the same question: keep what the user may be typing or has chosen
        question = d.kb.questions[question_id]
        card.show_question(question.id, question.text, d.choices(question), previous, check)
        if self._asked != question_id or previous is not None:
            self.log_view.add("advisor", question.text)
        self._asked = question_id

    def _offer_probes(self, turn: OfferProbes) -> None:
        from advisor.tui.screens.consent import ConsentScreen, ProbeRequest

        d = self.dialogue
        assert d is not None
        question = turn.choice.question
        # The question sits under the dialog, so declining falls straight back to it.
        self._ask(question.id, None)
        if getattr(turn, "after_unknown", False):
            self.log_view.add("advisor", "You don't know: I can find this out myself, if you allow it.")
        else:
            self.log_view.add("advisor", "I can find this out myself, if you allow it.")
        requests = [ProbeRequest(p.command_line, p.probe.why) for p in turn.probes]

        def decided(run: bool | None) -> None:
            if run:
                self.run_probes(turn.probes)
            else:
                d.decline(turn.probes)
                self.log_view.add("you", "Don't run it; I'll answer.")
                self.save_soon()
                self.advance()

        self.app.push_screen(ConsentScreen(question.text, requests), decided)

    def _present(self, turn: ShowDiagnosis) -> None:
        d = self.dialogue
        assert d is not None
        a = turn.assessment
        d.mark_presented(a.id)
        if a.diagnosis.advice:
            self._latest_advice = a.id
            lead = "A side note (advice, not the cause)"
        else:
            reason = getattr(turn, "reason", "")  # confirmed | dominant | best (the dialogue's)
            lead = LEADS.get(reason) or LEADS.get(str(a.status), "My best explanation so far")
        self.log_view.add("advice" if a.diagnosis.advice else "advisor", f"{lead}: {a.diagnosis.title}.")
        self.card.show_menu(f"{'Advice' if a.diagnosis.advice else 'Diagnosis'}: {a.diagnosis.title}", AFTER_DIAGNOSIS_MENU)
        self._asked = None
        self.save_soon()
        self.show_diagnosis(a.id, presented=True)

    def _finish(self, turn: Finished) -> None:
        causes = [a for a in turn.diagnoses if not a.diagnosis.advice]
        advice = list(getattr(turn, "all_advice", None) or [a for a in turn.diagnoses if a.diagnosis.advice])
        if causes:
            n = len(causes)
            text = f"That is all I can find: {n} cause{'s' if n != 1 else ''} fit{'s' if n == 1 else ''} the evidence. Open one below, or export the report."
        else:
            text = "I found no cause that the evidence supports. More evidence may help: a log, the app bundle, or checks I can run."
        if self._asked != "<finished>":
            self.log_view.add("advisor", text)
        self._asked = "<finished>"
        # Every cause counted above is listed (the menu scrolls); advice is listed as advice.
        actions = [(f"open:{a.id}", f"Open: {a.diagnosis.title} ({a.status})") for a in causes]
        actions += [(f"open:{a.id}", f"Advice: {a.diagnosis.title}") for a in advice]
        actions += [
            ("export", "Export the report"),
            ("paste", "Paste log lines"),
            ("bundle", "Point at the app bundle"),
            ("checks", "Run the checks I can run here"),
            ("change", "Change an earlier answer"),
            ("quit", "Quit (the session is saved)"),
        ]
        self.card.show_menu(text, actions)
        self.save_soon()

    def show_diagnosis(self, diagnosis_id: str, presented: bool = False) -> None:
        from advisor.tui.screens.diagnosis import DiagnosisScreen

        d = self.dialogue
        if d is None:
            return
        assessment = d.inv.session.ranking.all.get(diagnosis_id)
        if assessment is None:
            return

        def closed(choice: str | None) -> None:
            if choice == "keep":
                self.log_view.add("advisor", "Let me keep checking for other problems.")
                self.advance()
            elif self._needs_advance and not presented:
                self.advance()

        self.app.push_screen(DiagnosisScreen(d, assessment), closed)

    def on_screen_resume(self) -> None:
        if self._needs_advance and self.dialogue is not None and not self.probing:
            self.call_after_refresh(self.advance)

    def _update_subtitle(self) -> None:
        d = self.dialogue
        if d is None:
            return
        lead = _leading_cause(d.inv.session.ranking.ranked)
        answered = len(d.inv.session.answers)
        self.sub_title = f"{answered} answer{'s' if answered != 1 else ''}" + (f" · leading: {lead.diagnosis.title}" if lead else "")

    # ---- the user's answers and evidence ----------------------------------------------------------
    @on(QuestionCard.Described)
    def _described(self, message: QuestionCard.Described) -> None:
        if message.text:
            self.ingest(evidence.description(message.text))
        else:
            self.skip_description()

    @work(group="engine")
    async def skip_description(self) -> None:
        await self.ready.wait()
        d = self.dialogue
        assert d is not None
        if not d.state.described:
            d.skip_description()
            self.log_view.add("you", "(no description)")
        self._after_step()

    @on(QuestionCard.Answered)
    def _answered(self, message: QuestionCard.Answered) -> None:
        self.answer(message)

    @work(group="engine")
    async def answer(self, message: QuestionCard.Answered) -> None:
        d = self.dialogue
        if d is None or self.intake is None:
            return
        if message.question_id != self._asked:
            return  # a second key for a question already answered

        def step(d: Dialogue) -> list[Entry]:
            if message.question_id != self._asked:
                return []  # answered meanwhile (checked again under the lock)
            d.answer(message.question_id, message.value)
            echo = message.label if message.typed is None else f'"{message.typed}" → understood as: {message.label}'
            return [("you", echo)]

        fact = d.kb.questions[message.question_id].fact
        if await self.intake.apply(step, "could not record the answer", in_thread=False, quiet={fact}):
            self.advance()
            self.save_soon()
        elif self.card.question_id == message.question_id:
            self.card.say_what_to_do()

    @on(AnswerInput.PastedLines)
    def _pasted(self, message: AnswerInput.PastedLines) -> None:
        self.ingest(evidence.pasted_lines(message.text, opens=True))

    @work(group="engine")
    async def ingest(self, given: evidence.Evidence) -> None:
        """Any evidence handed over: say so, read it (off the UI thread), show what it changed."""
        await self.ready.wait()
        d = self.dialogue
        assert d is not None and self.intake is not None
        if given.opens and not d.state.described:
            d.skip_description()  # pasted lines answer "what is going wrong?" too
        self.log_view.add(*given.said)
        await self.intake.apply(given.step, given.failure)
        self._after_step()

    def _after_step(self) -> None:
        self.save_soon()
        self.advance()

    # ---- probes -----------------------------------------------------------------------------------
    def run_probes(self, planned: list[PlannedProbe]) -> None:
        self.log_view.add("you", "Run it." if len(planned) == 1 else f"Run them ({len(planned)}).")
        self._run_probes(planned)

    @work(group="probes-view")
    async def _run_probes(self, planned: list[PlannedProbe]) -> None:
        progress = self.progress
        if progress is None:
            from advisor.tui.widgets.probe_progress import ProbeProgress

            progress = ProbeProgress(id="probes")
            await self.query_one("#bottom", ContentSwitcher).mount(progress)
        self.probing = True
        progress.run(planned)

    def on_probe_progress_done(self, message: ProbeProgress.Done) -> None:
        self.take_probe_runs(message)

    @work(group="engine")
    async def take_probe_runs(self, message: ProbeProgress.Done) -> None:
        assert self.intake is not None
        await self.intake.apply(evidence.probe_results(message.runs, message.failures), "could not use the probe results")
        self.probing = False
        self._after_step()

    def stop_probes(self) -> None:
        abandoned = self.progress.stop() if self.progress is not None else []
        if self.dialogue is not None:
            self.dialogue.decline(abandoned)
        self.log_view.add("you", "Stop waiting; I'll answer myself.")
        self.probing = False
        self._after_step()

    # ---- menus and the panel ----------------------------------------------------------------------
    @on(QuestionCard.WhyRequested)
    def _why_requested(self) -> None:
        self.action_why()

    @on(QuestionCard.MenuChosen)
    def _menu(self, message: QuestionCard.MenuChosen) -> None:
        action = message.action
        if action.startswith("open:"):
            self.show_diagnosis(action.split(":", 1)[1])
        elif action == "keep":
            self.log_view.add("advisor", "Let me keep checking for other problems.")
            self.advance()
        elif action == "show":
            shown = self.dialogue.presented_ids() if self.dialogue else []
            if shown:
                self.show_diagnosis(shown[-1])
        elif action == "quit":
            self.app.exit()
        else:
            {
                "change": self.action_change_answer,
                "export": self.advisor_app.action_export,
                "paste": self.action_paste_log,
                "bundle": self.action_open_bundle,
                "checks": self.action_run_checks,
            }[action]()

    @on(EvidencePanel.FactChosen)
    def _fact_chosen(self, message: EvidencePanel.FactChosen) -> None:
        d = self.dialogue
        if d is None:
            return
        if message.fact in {fact for fact, _, _ in _changeable(d)}:
            self.change_answer(message.fact)
            return
        r = d.inv.session.facts.get(message.fact)
        if r is not None:
            self.notify(f"{message.fact} = {r.value} came from the {r.source}: {r.detail}", title="Not an answer")

    @on(EvidencePanel.DiagnosisChosen)
    def _diagnosis_chosen(self, message: EvidencePanel.DiagnosisChosen) -> None:
        self.show_diagnosis(message.diagnosis_id)

    # ---- actions (this screen's bindings, and the command palette) --------------------------------
    def action_why(self) -> None:
        from advisor.conversation.dialogue import AskQuestion, OfferProbes, ShowDiagnosis
        from advisor.tui.screens.explain import ExplainScreen

        d = self.dialogue
        turn = self.turn
        if d is None or not d.state.described:
            self.app.push_screen(ExplainScreen("Why describe the problem?", DESCRIBE_WHY))
        elif isinstance(turn, (AskQuestion, OfferProbes)):
            self.app.push_screen(ExplainScreen("Why do you ask?", d.why_lines(turn.choice)))
        elif isinstance(turn, ShowDiagnosis):
            a = d.inv.session.ranking.all.get(turn.assessment.id, turn.assessment)
            self.app.push_screen(ExplainScreen("How do you know?", d.how_lines(a)))
        else:
            self.notify("Nothing is being asked right now.")

    def action_back(self) -> None:
        if self.probing:
            self.stop_probes()
            return
        card = self.card
        if card.mode is CardMode.QUESTION and card.answer_input.value:
            card.answer_input.value = ""
            return
        d = self.dialogue
        if d is None or not d.state.described:
            self.notify("Nothing to go back to yet.")
            return
        self.go_back()

    @work(group="engine")
    async def go_back(self) -> None:
        assert self.intake is not None
        async with self.intake.lock:
            d = self.dialogue
            assert d is not None
            question_id = d.back()
        if question_id is None:
            self.notify("Nothing to go back to: no answer given yet.")
            return
        self._reopened(question_id)

    @work(group="engine")
    async def change_answer(self, fact: str) -> None:
        assert self.intake is not None
        async with self.intake.lock:
            d = self.dialogue
            question_id = d.reopen_fact(fact) if d is not None else None
        if question_id is not None:
            self._reopened(question_id)
        else:
            self.notify(f"advisor has no question about {fact} to ask again.", title="Not changed")

    def _reopened(self, question_id: str) -> None:
        d = self.dialogue
        assert d is not None
        self.log_view.add("advisor", f"Let's change your answer to: {d.kb.questions[question_id].text}")
        self.advance()
        self.save_soon()

    def action_change_answer(self) -> None:
        from advisor.tui.screens.change_answer import ChangeAnswerScreen

        d = self.dialogue
        answers = _changeable(d) if d is not None else []
        if not answers:
            self.notify("No answers to change yet.")
            return

        def chosen(fact: str | None) -> None:
            if fact:
                self.change_answer(fact)

        self.app.push_screen(ChangeAnswerScreen(answers), chosen)

    def action_advice(self) -> None:
        d = self.dialogue
        shown = [a for a in d.inv.session.ranking.ranked if a.diagnosis.advice] if d is not None else []
        latest = self._latest_advice or (shown[0].id if shown else None)
        if latest is None:
            self.notify("No advice so far: it appears here when something you said is a known myth or log noise.")
            return
        self.show_diagnosis(latest)

    def action_toggle_evidence(self) -> None:
        self.evidence_shown = not self.evidence_shown

    def action_paste_log(self) -> None:
        from advisor.tui.screens.paste_log import PasteLogScreen

        def pasted(text: str | None) -> None:
            if text:
                self.ingest(evidence.pasted_lines(text))

        self.app.push_screen(PasteLogScreen(), pasted)

    def action_open_bundle(self) -> None:
        from advisor.tui.screens.open_bundle import OpenBundleScreen

        def chosen(path: str | None) -> None:
            if path:
                self.ingest(evidence.app_bundle(path))

        self.app.push_screen(OpenBundleScreen(), chosen)

    def action_run_checks(self) -> None:
        from advisor.tui.screens.consent import ConsentScreen, ProbeRequest

        d = self.dialogue
        if d is None:
            return
        if self.probing:
            self.notify("Checks are already running.")
            return
        planned = d.probes_for(None)
        if not planned:
            self.notify("No check can run here: the tools they need are not on PATH, or every fact they settle is known.")
            return

        def decided(run: bool | None) -> None:
            if run:
                self.run_probes(planned)
            else:
                d.decline(planned)
                self.save_soon()

        requests = [ProbeRequest(p.command_line, p.probe.why) for p in planned]
        self.app.push_screen(ConsentScreen("Run the checks I can run here?", requests), decided)

    # ---- showing and saving -----------------------------------------------------------------------
    def _refresh_panel(self) -> None:
        if self.dialogue is not None:
            self.panel.show(self.dialogue)

    def save_soon(self) -> None:
        """Save after the screen has painted, so saving never delays the next question."""
        self.call_after_refresh(self.save)

    def save(self) -> None:
        self.autosave.save(self.dialogue, self.finished)

    def _not_saved(self, error: str) -> None:
        if self.is_attached:
            self.notify(f"The session could not be saved: {error}", title="Not saved", severity="warning")

    @property
    def session_path(self) -> Path | None:
        return self.autosave.path


def _changeable(d: Dialogue) -> list[tuple[str, str, str]]:
    """(fact, question, value) the user can correct: their answers, and the facts read from
    their own description (asking the question again overrides what was read), oldest first."""
    session = d.inv.session
    out = [(a.fact, a.text, d.value_label(a.fact, a.answer)) for a in session.asked()]
    for fact, r in session.facts.resolved.items():
        question = d.kb.question_for_fact(fact)
        if str(r.source) == "describe" and r.known and fact not in session.answers and question is not None:
            out.append((fact, question.text, f"{d.value_label(fact, r.value)} (from your description)"))
    return out


def _check_line(turn: object) -> str:
    """The command that answers the question, when it needs a look rather than memory (the
    dialogue's AskQuestion.check and .cost); "" otherwise."""
    check = getattr(turn, "check", "")
    if not check:
        return ""
    where = CHECK_WHERE.get(getattr(turn, "cost", ""), "To find out, run")
    runnable = " · ctrl+r runs it here" if getattr(turn, "probes", None) else ""
    return f"{where}: `{check}`{runnable}"


def _leading_cause(ranked: list[Assessment]) -> Assessment | None:
    return next((a for a in ranked if not a.diagnosis.advice), None)


def _engine_classes() -> tuple[type[Dialogue], type[Investigation]]:
    import advisor.conversation.answer_matching  # noqa: F401  (rapidfuzz, for the first typed answer)
    from advisor.conversation.dialogue import Dialogue
    from advisor.investigation import Investigation

    return Dialogue, Investigation
