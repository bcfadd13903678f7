"""The TUI's flows, driven with Textual's pilot on the small knowledge base.

Answering by key and by free text, the description prompt, pasted logs, back, why/how, probe
consent accepted and declined, a probe that times out (without freezing the UI), the
diagnosis view and keep checking, export by key and by palette, and resume.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
from pathlib import Path

import pytest

from advisor.tui.screens.consent import ConsentScreen
from advisor.tui.screens.diagnosis import DiagnosisScreen
from advisor.tui.screens.explain import ExplainScreen
from advisor.tui.screens.export import ExportScreen
from tests.fake_mac import HANG_SECONDS, Reply
from tests.tui.conftest import (
    SIP_DISABLED,
    current_question,
    fake_csrutil,
    skip_description,
    started,
    wait_until,
)

SIZE = (80, 24)
KEYS = {"sip": "1", "platform": "1", "packaging": "1", "distribution": "2"}  # enabled, macos, appex, developer-id


async def answer_until_diagnosis(pilot) -> DiagnosisScreen:  # type: ignore[no-untyped-def]
    app = pilot.app
    for _ in range(8):
        if isinstance(app.screen, DiagnosisScreen):
            return app.screen
        question = current_question(app)
        assert question is not None, f"neither a question nor a diagnosis: {app.screen}"
        await pilot.press(KEYS[question], "enter")  # a digit chooses, Enter confirms
        await wait_until(pilot, lambda q=question: current_question(app) != q, f"the step after {question}")
    raise AssertionError("no diagnosis reached")


async def test_answer_by_number_keys_reaches_the_diagnosis(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        screen = await answer_until_diagnosis(pilot)
        assert screen.assessment.id == "appex-requires-mac-app-store"
        texts = app.conversation.log_view.texts()
        assert "you: Developer ID (direct)" in texts
        assert "advisor: Found it: A macOS NE app extension only works in Mac App Store apps." in texts
        # The evidence panel lists the facts with their source, and the diagnosis as confirmed.
        facts = [str(o.prompt) for o in app.conversation.panel.query_one("#facts").options]
        assert "distribution Developer ID (direct) [answer]" in facts
        dx = [str(o.prompt) for o in app.conversation.panel.query_one("#diagnoses").options]
        assert dx[0] == "Causes (1)"  # the heading counts what it lists
        assert dx[1].startswith("● confirmed A macOS NE app extension")


async def test_free_text_is_matched_and_confirmed_before_answering(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        first = current_question(app)
        fact = app.conversation.dialogue.kb.questions[first].fact
        label = {"sip": "Enabled", "platform": "macOS", "distribution": "Developer ID (direct)"}[fact]
        typed = {"sip": "on", "platform": "mac os", "distribution": "dev id"}[fact]
        await pilot.press(*typed)
        hint = str(app.conversation.card.query_one("#card-hint").content)
        assert hint == f"understood: {label} · Enter: answer"
        assert current_question(app) == first  # nothing answered until Enter
        await pilot.press("enter")
        await wait_until(pilot, lambda: current_question(app) != first, "the next question")
        assert f'you: "{typed}" → understood as: {label}' in app.conversation.log_view.texts()


async def test_unmatched_free_text_is_not_taken_as_an_answer(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        first = current_question(app)
        await pilot.press(*"banana", "enter")
        await pilot.pause()
        assert current_question(app) == first
        assert app.conversation.dialogue.inv.session.answers == {}
        assert "no choice matches" in str(app.conversation.card.query_one("#card-hint").content)


async def test_arrow_keys_and_enter_pick_a_choice(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        first = current_question(app)
        fact = app.conversation.dialogue.kb.questions[first].fact
        await pilot.press("down")  # from nothing chosen: the first choice
        assert app.conversation.card.choice_list.chosen.id == app.conversation.dialogue.kb.questions[first].choices[0].value
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: current_question(app) != first, "the next question")
        second_value = app.conversation.dialogue.kb.questions[first].choices[1].value
        assert app.conversation.dialogue.inv.session.answers[fact] == second_value


async def test_description_is_read_and_shown(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press(*"it works on my mac but not on other macs", "enter")
        await wait_until(pilot, lambda: app.conversation.card.mode == "question", "the first question")
        texts = app.conversation.log_view.texts()
        assert 'understood: "works on my mac but not on other macs" (works-on-one-mac-only)' in texts
        assert "diagnosis: now possible: The Developer ID build is not notarised" in texts


async def test_pasted_log_lines_are_triaged(make_app) -> None:  # type: ignore[no-untyped-def]
    from textual import events

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        text = "noise\r2026-01-01 sysextd[1]: extension activation failed because the app is not in the Applications folder\rmore"
        app.conversation.card.answer_input.post_message(events.Paste(text))
        await wait_until(pilot, lambda: app.conversation.card.mode == "question", "the first question")
        texts = app.conversation.log_view.texts()
        assert "you: (pasted 3 log lines)" in texts
        assert any(t.startswith("log: line 2 [cause]") and "The container app must be in /Applications." in t for t in texts)
        assert app.conversation.card.answer_input.value == ""  # the paste did not become an answer


async def test_paste_area_and_log_file(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    log = tmp_path / "system.log"
    log.write_text("extension activation failed because the app is not in the Applications folder\n")
    app = make_app(log_path=str(log))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await wait_until(pilot, lambda: any(t.startswith("log: line 1") for t in app.conversation.log_view.texts()), "the --log file")
        await pilot.press("ctrl+l")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "PasteLogScreen", "the paste area")
        app.screen.query_one("#log-text").insert("line one\nextension activation failed because the app is not in the Applications folder\n")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: len(app.conversation.dialogue.inv.log_matches) == 2, "the pasted lines")
        assert app.conversation.dialogue.inv.log_lines_read >= 3


async def test_back_changes_an_earlier_answer(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        await answer_until_diagnosis(pilot)
        await pilot.press("escape")  # leave the diagnosis view
        await wait_until(pilot, lambda: app.screen is app.conversation, "the conversation")
        session = app.conversation.dialogue.inv.session
        last_fact = list(session.answers)[-1]
        await pilot.press("escape")  # back: reopen the last answer
        await wait_until(pilot, lambda: current_question(app) is not None, "the reopened question")
        question = app.conversation.dialogue.kb.questions[current_question(app)]
        assert question.fact == last_fact and last_fact not in session.answers
        assert str(app.conversation.card.query_one("#card-hint").content).startswith("your earlier answer: ")
        assert f"advisor: Let's change your answer to: {question.text}" in app.conversation.log_view.texts()
        await pilot.press("0", "enter")  # this time: I don't know
        await wait_until(pilot, lambda: session.answers.get(last_fact) == "unknown", "the new answer")
        ranked = {a.id: str(a.status) for a in session.ranking.ranked}
        assert ranked.get("appex-requires-mac-app-store") != "confirmed"


async def test_why_and_how(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        question = app.conversation.dialogue.kb.questions[current_question(app)]
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, ExplainScreen), "the why dialog")
        assert app.screen.title_text == "Why do you ask?"
        assert app.screen.lines[0] == question.text and "What your answer would change:" in app.screen.lines
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.conversation, "the conversation")
        assert current_question(app) == question.id  # asking why answered nothing
        screen = await answer_until_diagnosis(pilot)
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, ExplainScreen), "the how dialog")
        assert app.screen.title_text == "How do you know?"
        assert "Confirmed by: distribution=developer-id" in app.screen.lines
        await pilot.press("escape")
        assert app.screen is screen


async def test_keep_checking_then_finish(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        first = (await answer_until_diagnosis(pilot)).assessment.id
        await pilot.press("k")
        await wait_until(pilot, lambda: app.screen is app.conversation and app.conversation.card.mode in ("menu", "question"), "the next step")
        for _ in range(6):  # answer whatever else it asks ("I don't know")
            if app.conversation.card.mode != "question":
                break
            q = current_question(app)
            await pilot.press("0", "enter")
            await wait_until(pilot, lambda q=q: current_question(app) != q, "the next step")
        assert app.conversation.card.mode == "menu"
        actions = [o.id for o in app.conversation.card.choice_list.options]
        assert f"open:{first}" in actions and "export" in actions
        assert "advisor: Let me keep checking for other problems." in app.conversation.log_view.texts()


async def test_consent_accepted_runs_the_exact_command(make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    mac = fake_csrutil(tmp_path, monkeypatch, Reply(SIP_DISABLED))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        await wait_until(pilot, lambda: isinstance(app.screen, ConsentScreen), "the consent dialog")
        shown = [str(w.content) for w in app.screen.query(".command")]
        assert shown == ["$ csrutil status"]
        assert mac.calls() == []  # nothing runs before consent
        await pilot.press("y")
        await wait_until(pilot, lambda: "sip" in app.conversation.dialogue.inv.session.facts.values, "the probe result")
        assert [(c.tool, c.args) for c in mac.calls()] == [("csrutil", ["status"])]
        texts = app.conversation.log_view.texts()
        assert any(t.startswith("probe: csrutil status → sip = Disabled") for t in texts), texts
        assert app.conversation.dialogue.inv.session.facts.get("sip").source == "probe"
        await wait_until(pilot, lambda: current_question(app) not in (None, "sip"), "the next question")


async def test_consent_declined_falls_back_to_the_question(make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    mac = fake_csrutil(tmp_path, monkeypatch, Reply(SIP_DISABLED))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        await wait_until(pilot, lambda: isinstance(app.screen, ConsentScreen), "the consent dialog")
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is app.conversation, "the conversation")
        assert current_question(app) == "sip"
        await pilot.press("1", "enter")
        await wait_until(pilot, lambda: current_question(app) != "sip", "the next question")
        assert mac.calls() == []
        assert app.conversation.dialogue.inv.session.answers["sip"] == "enabled"
        assert not isinstance(app.screen, ConsentScreen)  # a declined probe is not offered again


def _kb_with_probe_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seconds: float):  # type: ignore[no-untyped-def]
    from advisor.knowledge.loader import load_knowledge
    from tests.tui.small_kb import write_small_kb

    monkeypatch.setenv("ADVISOR_NO_CACHE", "1")
    return load_knowledge(write_small_kb(tmp_path / "kb", probe_timeout=seconds))


async def test_probe_timeout_is_a_result_and_the_ui_stays_responsive(state_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from advisor.tui.app import AdvisorApp
    from advisor.tui.options import TuiOptions

    # Long enough for the test to act while the tool hangs, however loaded the machine.
    kb = _kb_with_probe_timeout(tmp_path, monkeypatch, 3.0)
    fake_csrutil(tmp_path, monkeypatch, Reply("", hang_seconds=HANG_SECONDS))
    app = AdvisorApp(TuiOptions(state_root=state_root), kb=kb)
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        await wait_until(pilot, lambda: isinstance(app.screen, ConsentScreen), "the consent dialog")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.conversation.probing and app.conversation.progress.display, "the progress view")
        # While the tool hangs, keys still work: open and close "why".
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, ExplainScreen), "the why dialog during the probe")
        await pilot.press("escape")
        await wait_until(pilot, lambda: bool(app.conversation.dialogue.inv.probe_runs), "the probe to time out")
        run = app.conversation.dialogue.inv.probe_runs[0]
        assert run.timed_out
        assert any("timed out" in t and t.startswith("probe: csrutil status") for t in app.conversation.log_view.texts())
        await wait_until(pilot, lambda: current_question(app) == "sip", "the question, asked instead")
        assert not app.conversation.probing and not app.conversation.progress.display and app.conversation.card.display


async def test_export_by_key_writes_and_shows_the_path(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        await answer_until_diagnosis(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        target = tmp_path / "out" / "report.md"
        app.screen.query_one("#export-path").value = str(target)
        await pilot.press("enter")
        await wait_until(pilot, lambda: target.exists(), "the report file")
        assert "A macOS NE app extension only works in Mac App Store apps" in target.read_text()
        assert f"advisor: Report written to {target}" in app.conversation.log_view.texts()


async def test_export_from_the_command_palette(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        await answer_until_diagnosis(pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.conversation, "the conversation")
        await pilot.press("ctrl+p")
        await pilot.press(*"Export report as JSON")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_until(pilot, lambda: list(tmp_path.glob("advisor-report-*.json")) != [], "the JSON report")
        report = json.loads(next(tmp_path.glob("advisor-report-*.json")).read_text())
        assert report["diagnoses"][0]["id"] == "appex-requires-mac-app-store"
        assert any(t.startswith("advisor: Report written to ") for t in app.conversation.log_view.texts())


async def test_every_step_is_saved_and_resumes(make_app, state_root: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        first = current_question(app)
        await pilot.press(KEYS[first], "enter")
        await wait_until(pilot, lambda: current_question(app) != first, "the second question")
        second = current_question(app)
        app.store.flush()
    files = list((state_root / "sessions").glob("session-*.yaml"))
    assert len(files) == 1
    resumed = make_app(resume=True)
    async with resumed.run_test(size=SIZE) as pilot:
        await started(pilot)
        await wait_until(pilot, lambda: current_question(resumed) is not None, "the resumed question")
        assert current_question(resumed) == second
        assert list(resumed.conversation.dialogue.inv.session.answers) == [resumed.conversation.dialogue.kb.questions[first].fact]
        assert resumed.conversation.log_view.texts()[1].startswith("advisor: Welcome back")


async def test_theme_toggle_and_evidence_panel(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+t")
        assert app.theme == "textual-light"
        assert app.conversation.query_one("#evidence").display
        await pilot.press("f2")
        assert not app.conversation.query_one("#evidence").display


async def test_no_color_is_honoured(make_app, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    assert app.no_color
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        await answer_until_diagnosis(pilot)
        await pilot.press("escape")
        # Statuses are words, not only colours.
        dx = [str(o.prompt) for o in app.conversation.panel.query_one("#diagnoses").options]
        assert dx[1].startswith("● confirmed ")


async def test_point_at_an_app_bundle(make_app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.fake_mac import seed_mac

    seed = seed_mac(tmp_path / "mac")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "OpenBundleScreen", "the bundle dialog")
        await pilot.press(*str(tmp_path / "nothing-here.app"), "enter")
        assert "no such file or folder" in str(app.screen.query_one("#dialog-hint").content)  # asked again, not crashed
        app.screen.query_one("#bundle-path").value = str(seed.app)
        await pilot.press("enter")
        session = app.conversation.dialogue.inv.session
        await wait_until(pilot, lambda: app.conversation.dialogue.inv.bundle is not None, "the bundle to be read")
        assert any(t.startswith(f"bundle: read {seed.app}") for t in app.conversation.log_view.texts())
        assert session.facts.get("platform").value == "macos" and str(session.facts.get("platform").source) == "bundle"
        # The bundle answered the platform question: it is not asked.
        await wait_until(pilot, lambda: current_question(app) != "platform", "a question the bundle did not answer")
        assert "platform" not in session.answers


async def test_change_an_earlier_answer_from_the_list(make_app) -> None:  # type: ignore[no-untyped-def]
    from advisor.tui.screens.change_answer import ChangeAnswerScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        first = current_question(app)
        await pilot.press(KEYS[first], "enter")
        await wait_until(pilot, lambda: current_question(app) != first, "the second question")
        second = current_question(app)
        await pilot.press(KEYS[second], "enter")
        await wait_until(pilot, lambda: current_question(app) != second, "the third step")
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, ChangeAnswerScreen), "the answers list")
        await pilot.press("1", "enter")  # the first answer
        await wait_until(pilot, lambda: current_question(app) == first, "the first question again")
        kb = app.conversation.dialogue.kb
        assert kb.questions[first].fact not in app.conversation.dialogue.inv.session.answers
        assert kb.questions[second].fact in app.conversation.dialogue.inv.session.answers  # later answers stay


async def test_escape_stops_waiting_for_a_slow_probe(state_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from advisor.tui.app import AdvisorApp
    from advisor.tui.options import TuiOptions

    slow_kb = _kb_with_probe_timeout(tmp_path, monkeypatch, 30.0)
    mac = fake_csrutil(tmp_path, monkeypatch, Reply("", hang_seconds=HANG_SECONDS))
    app = AdvisorApp(TuiOptions(state_root=state_root), kb=slow_kb)
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        await wait_until(pilot, lambda: isinstance(app.screen, ConsentScreen), "the consent dialog")
        await pilot.press("y")
        await wait_until(pilot, lambda: app.conversation.probing and app.conversation.progress.display, "the progress view")
        await pilot.press("escape")
        await wait_until(pilot, lambda: current_question(app) == "sip", "the question, asked instead")
        assert "you: Stop waiting; I'll answer myself." in app.conversation.log_view.texts()
        assert app.conversation.dialogue.inv.probe_runs == []
        await pilot.press("1", "enter")
        await wait_until(pilot, lambda: current_question(app) != "sip", "the next question")
        assert not isinstance(app.screen, ConsentScreen)  # the abandoned probe is not offered again
    for call in mac.calls():  # the hung fake tool would outlive the test
        with contextlib.suppress(ProcessLookupError):
            os.killpg(call.pid, signal.SIGKILL)
