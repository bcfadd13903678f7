"""A session survives `kill -9`: the real program in a pseudo-terminal, then --resume."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from advisor.transcripts.format import TranscriptError, load_transcript
from advisor.tui.app import AdvisorApp
from advisor.tui.options import TuiOptions
from tests.tui.conftest import current_question, started, wait_until
from tests.tui.terminal import PtyApp, advisor_command

pytestmark = pytest.mark.e2e  # a real process in a pseudo-terminal, killed mid-session


def _answers_saved(terminal: PtyApp, folder: Path, count: int, limit: float = 20.0) -> Path:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        terminal.drain()
        for path in folder.glob("session-*.yaml"):
            try:
                if len(load_transcript(path).answers) >= count:
                    return path
            except TranscriptError:
                pass  # never half-written (atomic), but the folder may hold other files
        time.sleep(0.05)
    raise AssertionError(f"no session with {count} answers saved in {folder}")


def _answer_twice_then_kill(small_kb_root: Path, tmp_path: Path) -> Path:
    """Describe, answer two questions ("I don't know"), wait for the save, then kill -9."""
    env = {
        "PATH": str(tmp_path / "empty-bin"),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "LANG": "C.UTF-8",
    }
    sessions = tmp_path / "state" / "advisor" / "sessions"
    terminal = PtyApp([*advisor_command(), "tui", "--knowledge", str(small_kb_root)], env)
    try:
        terminal.read_until("What is going wrong?")
        terminal.send("works on my mac but not on other macs\r")
        terminal.read_until("I don't know")  # the first question's card
        terminal.send("0\r")
        terminal.read_until("I don't know")  # the second question's card
        _answers_saved(terminal, sessions, 1)
        terminal.send("0\r")
        return _answers_saved(terminal, sessions, 2)
    finally:
        terminal.kill()


async def test_resume_after_the_process_is_killed(small_kb, small_kb_root: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    saved = _answer_twice_then_kill(small_kb_root, tmp_path)
    answers = load_transcript(saved).answers
    assert list(answers.values()) == ["unknown", "unknown"]

    app = AdvisorApp(TuiOptions(resume=True, state_root=tmp_path / "state" / "advisor"), kb=small_kb)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await wait_until(pilot, lambda: app.conversation.card.mode != "describe", "the resumed session")
        dialogue = app.conversation.dialogue
        assert dict(dialogue.inv.session.answers) == answers
        assert dialogue.inv.describe == "works on my mac but not on other macs"
        asked = current_question(app)
        # the next question, not a repeat; or, when nothing is left worth asking, the best explanation
        assert (asked is not None and dialogue.kb.questions[asked].fact not in answers) or dialogue.presented_ids()
        assert any(t.startswith("advisor: Welcome back") for t in app.conversation.log_view.texts())
