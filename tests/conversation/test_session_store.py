"""Saved sessions: XDG location, atomic transcript files, finding and resuming the last one."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.conversation.dialogue import Dialogue
from advisor.conversation.session_store import SessionStore, state_dir
from advisor.exit_status import UserError
from advisor.investigation import Investigation
from advisor.knowledge.model import KnowledgeBase
from advisor.transcripts.format import load_transcript


def test_state_dir_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg"))
    assert state_dir() == tmp_path / "xdg" / "advisor"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/ignored")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert state_dir() == tmp_path / "home" / ".local" / "state" / "advisor"


def _session(kb: KnowledgeBase) -> Dialogue:
    d = Dialogue(Investigation.start(kb))
    d.describe("it works on my mac but not on other macs")
    d.answer("platform", "macos")
    d.answer("sip", "unknown")
    d.mark_presented("sip-not-required")
    return d


def test_saved_session_is_a_transcript_and_resumes(small_kb: KnowledgeBase, state_root: Path) -> None:
    store = SessionStore(state_root)
    d = _session(small_kb)
    path = store.new_path()
    store.save_later(path, store.snapshot(path, d.inv, d.state, finished=False))
    store.flush()
    t = load_transcript(path)  # the ordinary transcript reader accepts it
    assert t.answers == {"platform": "macos", "sip": "unknown"}
    assert t.describe == "it works on my mac but not on other macs"
    assert oct(state_root.stat().st_mode & 0o777) == oct(0o700)
    resumed = store.resume(small_kb)
    assert resumed.path == path
    assert dict(resumed.investigation.session.answers) == {"platform": "macos", "sip": "unknown"}
    assert resumed.state.described and resumed.state.presented == [("sip-not-required", 2)]
    assert [m.symptom for m in resumed.investigation.describe_matches] == ["works-on-one-mac-only"]


def test_finished_sessions_are_not_resumed(small_kb: KnowledgeBase, state_root: Path) -> None:
    store = SessionStore(state_root)
    d = _session(small_kb)
    path = store.new_path()
    store.save_now(path, store.snapshot(path, d.inv, d.state, finished=True))
    assert store.latest_unfinished() is None
    with pytest.raises(UserError, match="no unfinished session"):
        store.resume(small_kb)


def test_writes_are_atomic_and_in_order(small_kb: KnowledgeBase, state_root: Path) -> None:
    store = SessionStore(state_root)
    d = _session(small_kb)
    path = store.new_path()
    for value in ("macos", "ios", "macos", "ios"):
        d.answer("platform", value)
        store.save_later(path, store.snapshot(path, d.inv, d.state, finished=False))
    store.flush()
    assert load_transcript(path).answers["platform"] == "ios"
    leftovers = [p.name for p in path.parent.iterdir() if p.name.startswith(".")]
    assert leftovers == []  # no temporary file left behind


def test_unreadable_files_are_skipped_when_looking_for_a_session(small_kb: KnowledgeBase, state_root: Path) -> None:
    store = SessionStore(state_root)
    d = _session(small_kb)
    good = store.new_path()
    store.save_now(good, store.snapshot(good, d.inv, d.state, finished=False))
    bad = store.folder / "session-99999999-999999-zzzzzz.yaml"
    bad.write_text("not: [a transcript", encoding="utf-8")
    assert store.latest_unfinished() == good


def test_prune_keeps_the_newest(small_kb: KnowledgeBase, state_root: Path) -> None:
    store = SessionStore(state_root)
    store.folder.mkdir(parents=True)
    for i in range(5):
        (store.folder / f"session-2026010{i}-000000-aaaaaa.yaml").write_text("x")
    store.prune(keep=2)
    assert len(store.session_files()) == 2
