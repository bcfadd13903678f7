"""The main screen: the conversation (log + question card), the evidence panel, and the flow.

This screen turns the user's actions into Dialogue calls and shows what came of them. Slow
evidence (the knowledge base, a bundle, a log file, probes) is handled by workers, so the UI
never freezes; every change to the investigation happens under one lock, so a worker and an
answer never touch it at the same time. The session is saved after every step.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Header

from advisor.conversation.session_store import SessionStore
from advisor.exit_status import UserError
from advisor.tui.options import TuiOptions
from advisor.tui.widgets.evidence_panel import EvidencePanel
from advisor.tui.widgets.message_log import MessageLog
from advisor.tui.widgets.question_card import AnswerInput, QuestionCard

if TYPE_CHECKING:  # the engine loads on a worker after the first paint (launch speed)
    from advisor.conversation.dialogue import (
        Dialogue,
        Finished,
        OfferProbes,
        ShowDiagnosis,
        Snapshot,
        Turn,
    )
    from advisor.investigation import Investigation
    from advisor.knowledge.model import KnowledgeBase
    from advisor.probes import PlannedProbe, ProbeRun
    from advisor.tui.widgets.probe_progress import ProbeProgress

INTRO = (
    "I'll ask only what I cannot find out myself (from your description, logs, the app bundle, "
    "or commands I may run with your permission). F1 or ? explains a question, Esc goes back, "
    "ctrl+p lists every command."
)
DESCRIBE_WHY = [
    "A few words about the symptom, or the exact error text, let advisor start from the causes",
    "that fit instead of asking about everything.",
    "",
    "Log lines you paste (several lines at once) are matched against the messages advisor knows;",
    "ctrl+l opens a bigger area for a long log, ctrl+o reads the app bundle.",
]
MAX_SHOWN_MATCHES = 12
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
        Binding("f2", "toggle_evidence", "Evidence", show=False),
    ]

    def __init__(self, options: TuiOptions, store: SessionStore, kb: KnowledgeBase | None = None) -> None:
        super().__init__()
        self.options = options
        self.store = store
        self.preloaded_kb = kb
        self.dialogue: Dialogue | None = None
        self.session_path: Path | None = None
        self.turn: Turn | None = None
        self.ready = asyncio.Event()
        self.engine_lock = asyncio.Lock()
        self._needs_advance = False
        self._asked: str | None = None  # question id last shown in the card
        self._probes: list[PlannedProbe] = []
        self._probe_worker: Any = None
        self._saved_once = False
        self._panel_mounted: Any = None
        self._save_error_shown: str | None = None

    # ---- layout ------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="body"):
            with Vertical(id="conversation"):
                yield MessageLog(id="log")
                yield QuestionCard(id="card")  # the probe progress view mounts above it when first needed
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
        return found.first() if found else None  # type: ignore[return-value]

    @property
    def panel(self) -> EvidencePanel:
        return self.query_one(EvidencePanel)

    def on_mount(self) -> None:
        self.log_view.add("advisor", INTRO)
        self.call_after_refresh(self._start)

    def _start(self) -> None:
        self._panel_mounted = self.query_one("#evidence").mount(EvidencePanel(id="evidence-panel"))
        self.run_worker(self._load(), name="load", group="load")

    def _in_worker(self, step: Any) -> None:
        """Run a step that touches the engine on a worker: message handlers never wait (the
        screen's queue keeps flowing), and steps take the engine lock in the order they came."""
        self.run_worker(step, group="engine")

    # ---- start: knowledge, resume, evidence given on the command line -----------------------------
    async def _load(self) -> None:
        await self._panel_mounted
        try:
            kb = self.preloaded_kb if self.preloaded_kb is not None else await asyncio.to_thread(self._read_knowledge)
            # The engine's modules are imported here, off the UI thread, after the first paint.
            Dialogue, Investigation = await asyncio.to_thread(_engine_classes)
            resumed = None
            if self.options.resume:
                resumed = await asyncio.to_thread(self.store.resume, kb)
        except UserError as exc:
            self.app.exit(result=exc.message, return_code=2)
            return
        if resumed is not None:
            self.dialogue = Dialogue(resumed.investigation, resumed.state)
            self.session_path = resumed.path
            self._saved_once = True
            self._show_resumed(resumed.recorded)
        else:
            self.dialogue = Dialogue(Investigation.start(kb))
            self.session_path = self.store.new_path()
        if self.options.app_path and self.dialogue.state.app_path is None:
            self.dialogue.set_app_path(self.options.app_path)
        self.ready.set()
        self._refresh_panel()
        if self.options.log_path:
            await self.ingest_log_file(self.options.log_path)
        if self.options.app_path:
            await self.ingest_bundle(self.options.app_path)
        if self.dialogue.state.described:
            self.advance()

    def _read_knowledge(self) -> KnowledgeBase:
        from advisor.knowledge.loader import load_knowledge

        return load_knowledge(self.options.knowledge_root)

    def _show_resumed(self, recorded: str) -> None:
        d = self.dialogue
        assert d is not None
        entries = [("advisor", f"Welcome back: this is the session saved {recorded or 'earlier'}.")]
        for asked in d.inv.session.asked():
            entries.append(("you", f"{asked.text} → {d.value_label(asked.fact, asked.answer)}"))
        if d.inv.describe:
            entries.append(("note", f"your description: {d.inv.describe[:200]}"))
        if d.inv.log_lines_read:
            entries.append(("note", f"{d.inv.log_lines_read} log lines read, {len(d.inv.log_matches)} recognised"))
        if d.inv.bundle:
            entries.append(("note", f"bundle read: {d.inv.bundle.get('path', '')}"))
        if d.inv.probe_runs:
            entries.append(("note", f"{len(d.inv.probe_runs)} probe results kept"))
        self.log_view.add_many(entries)

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
        if self.app.screen is not self or self._probe_worker is not None:
            self._needs_advance = True
            return
        self._needs_advance = False
        turn = d.next_turn()
        self.turn = turn
        for advice in turn.advice:  # the answer to the developer's own question, at once
            self.log_view.add("advisor", f"{advice.diagnosis.title}. {advice.diagnosis.summary}")
        if isinstance(turn, AskQuestion):
            self._ask(turn.choice.question.id, turn.previous)
        elif isinstance(turn, OfferProbes):
            self._offer_probes(turn)
        elif isinstance(turn, ShowDiagnosis):
            self._present(turn)
        else:
            self._finish(turn)
        self._update_subtitle()

    def _ask(self, question_id: str, previous: str | None) -> None:
        d = self.dialogue
        assert d is not None
        card = self.card
        if card.mode == "question" and card.question_id == question_id and previous is None:
            return  # still the same question: keep what the user may be typing
        question = d.kb.questions[question_id]
        card.show_question(question.id, question.text, d.choices(question), previous)
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
        self.log_view.add("advisor", "I can find this out myself, if you allow it.")
        requests = [ProbeRequest(p.command_line, p.probe.why) for p in turn.probes]

        def decided(run: bool | None) -> None:
            if run:
                self._in_worker(self.run_probes(turn.probes))
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
        lead = {"confirmed": "Found it", "likely": "Most likely"}.get(str(a.status), "My best explanation so far")
        self.log_view.add("advisor", f"{lead}: {a.diagnosis.title}.")
        self.card.show_menu(f"Diagnosis: {a.diagnosis.title}", AFTER_DIAGNOSIS_MENU)
        self._asked = None
        self.save_soon()
        self.show_diagnosis(a.id, presented=True)

    def _finish(self, turn: Finished) -> None:
        d = self.dialogue
        assert d is not None
        if turn.diagnoses:
            n = len(turn.diagnoses)
            text = f"That is all I can find: {n} cause{'s' if n != 1 else ''} fit the evidence. Open one below, or export the report."
        else:
            text = "I found no cause that the evidence supports. More evidence may help: a log, the app bundle, or checks I can run."
        if self._asked != "<finished>":
            self.log_view.add("advisor", text)
        self._asked = "<finished>"
        actions = [(f"open:{a.id}", f"Open: {a.diagnosis.title} ({a.status})") for a in turn.diagnoses[:5]]
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
        if self._needs_advance and self.dialogue is not None and self._probe_worker is None:
            self.call_after_refresh(self.advance)

    def _update_subtitle(self) -> None:
        d = self.dialogue
        if d is None:
            return
        ranked = d.inv.session.ranking.ranked
        answered = len(d.inv.session.answers)
        lead = f" · leading: {ranked[0].diagnosis.title}" if ranked else ""
        self.sub_title = f"{answered} answer{'s' if answered != 1 else ''}{lead}"

    # ---- answers ----------------------------------------------------------------------------------
    @on(QuestionCard.Described)
    def _described(self, message: QuestionCard.Described) -> None:
        self._in_worker(self._describe(message.text))

    async def _describe(self, text: str) -> None:
        await self.ready.wait()
        d = self.dialogue
        assert d is not None
        if d.state.described:
            return  # Enter pressed twice before the first question appeared
        if text:
            self.log_view.add("you", text)
            async with self.engine_lock:
                before = d.snapshot()
                symptoms = len(d.inv.describe_matches)
                quoted = len(d.inv.describe_log_matches)
                try:
                    await asyncio.to_thread(d.describe, text)
                except Exception as exc:  # one evidence source failing must not end the session
                    self._problem(f"could not read the description ({type(exc).__name__}: {exc})")
                else:
                    self._show_symptoms(d.inv.describe_matches[symptoms:])
                    if len(d.inv.describe_log_matches) > quoted:
                        self._show_log_matches(d.inv.describe_log_matches[quoted:], "in your description")
                self._show_changes(before)
        else:
            d.skip_description()
            self.log_view.add("you", "(no description)")
        self.save_soon()
        self.advance()

    @on(QuestionCard.Answered)
    def _answered(self, message: QuestionCard.Answered) -> None:
        self._in_worker(self._answer(message))

    async def _answer(self, message: QuestionCard.Answered) -> None:
        d = self.dialogue
        if d is None:
            return
        async with self.engine_lock:
            if message.question_id != self._asked:
                return  # a second key for a question already answered
            before = d.snapshot()
            try:
                d.answer(message.question_id, message.value)
            except UserError as exc:
                self._problem(exc.message)
                return
            echo = message.label if message.typed is None else f'"{message.typed}" → understood as: {message.label}'
            self.log_view.add("you", echo)
            self._show_changes(before, {d.kb.questions[message.question_id].fact})
        self.advance()
        self.save_soon()

    @on(AnswerInput.PastedLines)
    def _pasted(self, message: AnswerInput.PastedLines) -> None:
        self._in_worker(self.ingest_log_text(message.text, answers_first_prompt=True))

    @on(QuestionCard.WhyRequested)
    def _why_requested(self) -> None:
        self.action_why()

    @on(QuestionCard.MenuChosen)
    async def _menu(self, message: QuestionCard.MenuChosen) -> None:
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
        elif action == "change":
            self.action_change_answer()
        elif action == "export":
            self.app.action_export()  # type: ignore[attr-defined]
        elif action == "paste":
            self.action_paste_log()
        elif action == "bundle":
            self.action_open_bundle()
        elif action == "checks":
            self.action_run_checks()
        elif action == "quit":
            await self.app.action_quit()

    @on(EvidencePanel.FactChosen)
    def _fact_chosen(self, message: EvidencePanel.FactChosen) -> None:
        d = self.dialogue
        if d is None:
            return
        if message.fact in d.inv.session.answers:
            self._in_worker(self.change_answer(message.fact))
            return
        r = d.inv.session.facts.get(message.fact)
        if r is not None:
            self.notify(f"{message.fact} = {r.value} came from the {r.source}: {r.detail}", title="Not an answer")

    @on(EvidencePanel.DiagnosisChosen)
    def _diagnosis_chosen(self, message: EvidencePanel.DiagnosisChosen) -> None:
        self.show_diagnosis(message.diagnosis_id)

    # ---- actions ----------------------------------------------------------------------------------
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
        if self._probe_worker is not None:
            self.stop_probes()
            return
        card = self.card
        if card.mode == "question" and card.answer_input.value:
            card.answer_input.value = ""
            return
        d = self.dialogue
        if d is None or not d.state.described:
            self.notify("Nothing to go back to yet.")
            return
        self._in_worker(self._back())

    async def _back(self) -> None:
        d = self.dialogue
        assert d is not None
        async with self.engine_lock:
            question_id = d.back()
        if question_id is None:
            self.notify("Nothing to go back to: no answer given yet.")
            return
        self.log_view.add("advisor", f"Let's change your answer to: {d.kb.questions[question_id].text}")
        self.advance()
        self.save_soon()

    async def change_answer(self, fact: str) -> None:
        d = self.dialogue
        if d is None:
            return
        async with self.engine_lock:
            question_id = d.reopen_fact(fact)
        if question_id is None:
            return
        self.log_view.add("advisor", f"Let's change your answer to: {d.kb.questions[question_id].text}")
        self.advance()
        self.save_soon()

    def action_change_answer(self) -> None:
        from advisor.tui.screens.change_answer import ChangeAnswerScreen

        d = self.dialogue
        if d is None or not d.inv.session.answers:
            self.notify("No answers to change yet.")
            return
        answers = [(a.fact, a.text, d.value_label(a.fact, a.answer)) for a in d.inv.session.asked()]

        def chosen(fact: str | None) -> None:
            if fact:
                self._in_worker(self.change_answer(fact))

        self.app.push_screen(ChangeAnswerScreen(answers), chosen)

    def action_toggle_evidence(self) -> None:
        panel = self.query_one("#evidence")
        panel.display = not panel.display

    def action_paste_log(self) -> None:
        from advisor.tui.screens.paste_log import PasteLogScreen

        def pasted(text: str | None) -> None:
            if text:
                self._in_worker(self.ingest_log_text(text))

        self.app.push_screen(PasteLogScreen(), pasted)

    def action_open_bundle(self) -> None:
        from advisor.tui.screens.open_bundle import OpenBundleScreen

        def chosen(path: str | None) -> None:
            if path:
                self._in_worker(self.ingest_bundle(path))

        self.app.push_screen(OpenBundleScreen(), chosen)

    def action_run_checks(self) -> None:
        from advisor.tui.screens.consent import ConsentScreen, ProbeRequest

        d = self.dialogue
        if d is None:
            return
        if self._probe_worker is not None:
            self.notify("Checks are already running.")
            return
        planned = d.probes_for(None)
        if not planned:
            self.notify("No check can run here: the tools they need are not on PATH, or every fact they settle is known.")
            return

        def decided(run: bool | None) -> None:
            if run:
                self._in_worker(self.run_probes(planned))
            else:
                d.decline(planned)
                self.save_soon()

        requests = [ProbeRequest(p.command_line, p.probe.why) for p in planned]
        self.app.push_screen(ConsentScreen("Run the checks I can run here?", requests), decided)

    # ---- evidence in ------------------------------------------------------------------------------
    async def ingest_log_text(self, text: str, answers_first_prompt: bool = False) -> None:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        await self.ready.wait()
        d = self.dialogue
        assert d is not None
        if answers_first_prompt and not d.state.described:
            d.skip_description()  # pasted lines answer "what is going wrong?" too
        lines = len(text.splitlines())
        self.log_view.add("you", f"(pasted {lines} log line{'s' if lines != 1 else ''})")
        async with self.engine_lock:
            before = d.snapshot()
            first = len(d.inv.log_matches)
            try:
                await asyncio.to_thread(d.inv.add_log_text, text)
            except Exception as exc:  # one evidence source failing must not end the session
                self._problem(f"could not read the log lines ({type(exc).__name__}: {exc})")
            else:
                self._show_log_matches(d.inv.log_matches[first:], f"in {lines} lines")
            self._show_changes(before)
        self._after_evidence()

    async def ingest_log_file(self, path: str) -> None:
        d = self.dialogue
        assert d is not None
        self.log_view.add("advisor", f"Reading the log {path}…")
        async with self.engine_lock:
            before = d.snapshot()
            first = len(d.inv.log_matches)
            lines_before = d.inv.log_lines_read
            try:
                await asyncio.to_thread(d.inv.add_log_path, path)
            except Exception as exc:
                self._problem(f"could not read the log {path} ({type(exc).__name__}: {exc})")
            else:
                self._show_log_matches(d.inv.log_matches[first:], f"in {d.inv.log_lines_read - lines_before} lines of {path}")
            self._show_changes(before)
        self._after_evidence()

    async def ingest_bundle(self, path: str) -> None:
        await self.ready.wait()
        d = self.dialogue
        assert d is not None
        self.log_view.add("advisor", f"Reading the app bundle {path}…")
        async with self.engine_lock:
            before = d.snapshot()
            try:
                await asyncio.to_thread(d.inv.add_bundle, path)
            except UserError as exc:
                self._problem(exc.message)
            except Exception as exc:
                self._problem(f"could not read the bundle {path} ({type(exc).__name__}: {exc})")
            else:
                d.set_app_path(path)
                self._show_findings(d.inv.bundle or {})
            self._show_changes(before)
        self._after_evidence()

    def _after_evidence(self) -> None:
        self.save_soon()
        self.advance()

    # ---- probes -----------------------------------------------------------------------------------
    async def run_probes(self, planned: list[PlannedProbe]) -> None:
        from advisor.tui.widgets.probe_progress import ProbeProgress

        self._probes = list(planned)
        progress = self.progress
        if progress is None:
            progress = ProbeProgress(id="probes")
            await self.query_one("#conversation").mount(progress, before=self.card)
        self.card.display = False
        progress.display = True
        progress.start([p.command_line for p in planned])
        self.log_view.add("you", "Run it." if len(planned) == 1 else f"Run them ({len(planned)}).")
        self._probe_worker = self._run_probes(list(planned))

    @work(group="probes", exclusive=True)
    async def _run_probes(self, planned: list[PlannedProbe]) -> None:
        from advisor.probes import run_probe

        runs: list[ProbeRun | None] = [None] * len(planned)

        async def one(index: int, probe: PlannedProbe) -> None:
            run = await _in_daemon_thread(run_probe, probe)
            runs[index] = run
            if self.progress is not None:
                self.progress.finish_one(index, _outcome_mark(run))

        try:
            await asyncio.gather(*(one(i, p) for i, p in enumerate(planned)))
        except asyncio.CancelledError:
            return
        d = self.dialogue
        assert d is not None
        finished = [r for r in runs if r is not None]
        async with self.engine_lock:
            before = d.snapshot()
            first = len(d.inv.log_matches)
            try:
                d.add_probe_runs(finished)
            except Exception as exc:  # a parser or triage bug: show it, keep the session
                self._problem(f"could not use the probe results ({type(exc).__name__}: {exc})")
            self.log_view.add_many([("probe", self._probe_line(r)) for r in finished])
            if len(d.inv.log_matches) > first:
                self._show_log_matches(d.inv.log_matches[first:], "in the system log")
            self._show_changes(before)
        self._end_probes()
        self.save_soon()
        self.advance()

    def stop_probes(self) -> None:
        d = self.dialogue
        worker = self._probe_worker
        if worker is None:
            return
        worker.cancel()
        if d is not None:
            d.decline(self._probes)
        self.log_view.add("you", "Stop waiting; I'll answer myself.")
        self._end_probes()
        self.save_soon()
        self.advance()

    def _end_probes(self) -> None:
        self._probe_worker = None
        self._probes = []
        if self.progress is not None:
            self.progress.stop()
            self.progress.display = False
        self.card.display = True
        if self.card.mode == "question":
            self.card.answer_input.focus()

    def _probe_line(self, run: ProbeRun) -> str:
        d = self.dialogue
        assert d is not None
        command = " ".join(run.argv)
        if run.timed_out:
            return f"{command} → {run.error or 'timed out'}; I'll ask instead"
        if run.error and not run.observations:
            return f"{command} → did not answer: {run.error} ({run.duration_ms} ms)"
        facts = ", ".join(f"{o.fact} = {d.value_label(o.fact, o.value)}" for o in run.observations)
        return f"{command} → {facts or 'nothing conclusive'} ({run.duration_ms} ms)"

    # ---- showing evidence -------------------------------------------------------------------------
    def _problem(self, text: str) -> None:
        self.log_view.add("error", text)

    def _show_changes(self, before: Snapshot, quiet: set[str] | None = None) -> None:
        d = self.dialogue
        assert d is not None
        changes = d.changes(before, d.snapshot(), quiet or set())
        self.log_view.add_many([(c.kind, c.text) for c in changes])

    def _show_symptoms(self, matches: list[Any]) -> None:
        entries = [("describe", f'"{m.phrase}" ({m.symptom})') for m in matches[:MAX_SHOWN_MATCHES]]
        self.log_view.add_many(entries)

    def _show_log_matches(self, matches: list[Any], where: str) -> None:
        d = self.dialogue
        assert d is not None
        if not matches:
            self.log_view.add("log", f"no known message {where}")
            return
        entries = []
        for m in matches[:MAX_SHOWN_MATCHES]:
            data = m.to_json()
            signature = d.kb.signatures.get(str(data.get("signature", "")))
            meaning = f" -- {signature.meaning.strip()}" if signature is not None and signature.meaning else ""
            text = str(data.get("text", "")).strip()
            if len(text) > 160:
                text = text[:157] + "…"
            entries.append(("log", f"line {data.get('line')} [{data.get('kind')}] {text}{meaning}"))
        if len(matches) > MAX_SHOWN_MATCHES:
            entries.append(("log", f"(and {len(matches) - MAX_SHOWN_MATCHES} more recognised lines {where})"))
        self.log_view.add_many(entries)

    def _show_findings(self, record: dict[str, Any]) -> None:
        findings = record.get("findings") or []
        entries = [("bundle", f"read {record.get('path', 'the bundle')}: {len(findings)} finding(s)")]
        for f in findings[:MAX_SHOWN_MATCHES]:
            entries.append(("bundle", f"[{f.get('severity', '')}] {f.get('id', '')}: {f.get('detail', '')}"))
        self.log_view.add_many(entries)

    def _refresh_panel(self) -> None:
        if self.dialogue is not None:
            self.panel.show(self.dialogue)

    # ---- saving -----------------------------------------------------------------------------------
    def save_soon(self) -> None:
        """Save after the screen has painted, so saving never delays the next question."""
        self.call_after_refresh(self.save)

    def save(self) -> None:
        from advisor.conversation.dialogue import Finished

        d = self.dialogue
        if d is None or self.session_path is None:
            return
        if not self._saved_once:
            self._saved_once = True
            self.store.prune()
        transcript = self.store.snapshot(self.session_path, d.inv, d.state, isinstance(self.turn, Finished))
        self.store.save_later(self.session_path, transcript)
        error = self.store.last_error  # from an earlier write (writes happen on a thread)
        if error and error != self._save_error_shown and self.is_attached:
            self._save_error_shown = error
            self.notify(f"The session could not be saved: {error}", title="Not saved", severity="warning")


def _in_daemon_thread(func: Any, *args: Any) -> asyncio.Future[Any]:
    """Run a probe on its own daemon thread: quitting (or Esc, stop waiting) never waits for a
    tool that hangs; the runner's own timeout still ends the tool's process group."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():
            return  # nobody is waiting any more (stopped)
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def target() -> None:
        try:
            result, error = func(*args), None
        except BaseException as exc:  # handed to the awaiting task, not lost on this thread
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # the app has quit and its loop is closed
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=target, name="probe", daemon=True).start()
    return future


def _engine_classes() -> tuple[type[Dialogue], type[Investigation]]:
    import advisor.conversation.answer_matching  # noqa: F401  (rapidfuzz, for the first typed answer)
    from advisor.conversation.dialogue import Dialogue
    from advisor.investigation import Investigation

    return Dialogue, Investigation


def _outcome_mark(run: ProbeRun) -> str:
    if run.timed_out:
        return "⏱"
    if run.error and not run.observations:
        return "✗"
    return "✓"
