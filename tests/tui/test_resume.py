"""`advisor tui --resume`: the newest session reopens (a finished one at its result), and one that
cannot be resumed is named in one line (exit 2) instead of an older one being resumed silently."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from advisor.conversation.dialogue import Dialogue
from advisor.conversation.session_store import SessionStore
from advisor.investigation import Investigation
from advisor.knowledge.model import KnowledgeBase
from advisor.tui.app import AdvisorApp
from advisor.tui.options import TuiOptions
from advisor.tui.screens.diagnosis import DiagnosisScreen
from advisor.tui.widgets.question_card import CardMode
from tests.tui.conftest import started, wait_until


def _finished_session(kb: KnowledgeBase, store: SessionStore, age: float = 0.0) -> Path:
    d = Dialogue(Investigation.start(kb))
    d.skip_description()
    for fact, value in {"platform": "macos", "packaging": "appex", "distribution": "developer-id", "sip": "enabled"}.items():
        d.answer(fact, value)
    d.mark_presented("appex-requires-mac-app-store")
    path = store.new_path()
    store.save_now(path, store.snapshot(path, d.inv, d.state, finished=True))
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


async def test_a_finished_session_reopens_at_its_result(small_kb: KnowledgeBase, state_root: Path) -> None:
    saved = _finished_session(small_kb, SessionStore(state_root))
    app = AdvisorApp(TuiOptions(resume=True, state_root=state_root), kb=small_kb)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        await wait_until(pilot, lambda: isinstance(app.screen, DiagnosisScreen), "the result")
        assert app.screen.assessment.id == "appex-requires-mac-app-store"
        assert app.conversation.session_path == saved
        assert app.conversation.log_view.texts()[1].startswith("advisor: Welcome back: this is the finished session saved")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.conversation, "the conversation")
        card = app.conversation.card
        assert card.mode is CardMode.MENU
        assert "open:appex-requires-mac-app-store" in [c.id for c in card.choice_list.choices]


def _resume(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    return subprocess.run(
        [sys.executable, "-m", "advisor", "tui", "--resume"],
        check=False, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=60, cwd=tmp_path,
    )


def test_a_damaged_newest_session_is_named_not_skipped(small_kb: KnowledgeBase, tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "state" / "advisor")
    _finished_session(small_kb, store, age=120)  # an older, good one
    bad = store.folder / "session-20990101-000000-badbad.yaml"
    bad.write_text("advisor_transcript: 1\nanswers: [not, a, mapping]\n", encoding="utf-8")
    done = _resume(tmp_path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"advisor: tui: cannot resume {bad}")


def test_only_an_empty_session_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "state" / "advisor" / "sessions"
    folder.mkdir(parents=True)
    empty = folder / "session-20260101-000000-aaaaaa.yaml"
    empty.touch()
    done = _resume(tmp_path)
    assert (done.returncode, done.stderr) == (2, f"advisor: tui: cannot resume {empty}: the file is empty\n")


def test_finished_no_is_not_read_as_finished(small_kb: KnowledgeBase, tmp_path: Path) -> None:
    path = _finished_session(small_kb, SessionStore(tmp_path / "state" / "advisor"))
    path.write_text(path.read_text(encoding="utf-8").replace("finished: true", 'finished: "no"'), encoding="utf-8")
    done = _resume(tmp_path)
    assert done.returncode == 2
    assert done.stderr == f"advisor: tui: cannot resume {path}: result.tui.finished must be true or false, not 'no'\n"


def test_a_good_session_passes_the_check_before_the_terminal_is_needed(small_kb: KnowledgeBase, tmp_path: Path) -> None:
    _finished_session(small_kb, SessionStore(tmp_path / "state" / "advisor"))
    done = _resume(tmp_path)
    assert done.returncode == 2 and done.stderr.startswith("advisor: tui: needs a terminal")


async def test_leaving_at_the_first_prompt_leaves_no_session_file(make_app, state_root: Path) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
    app.conversation.save()  # what the launcher does on the way out
    app.store.close()
    assert not (state_root / "sessions").exists() or list((state_root / "sessions").iterdir()) == []
