"""Saved sessions: XDG location, atomic transcript files, reopening the newest one, and naming
one that cannot be resumed (damaged, empty, malformed TUI state, too large) instead of skipping it."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
import yaml

from advisor.conversation import session_store
from advisor.conversation.dialogue import Dialogue, DialogueState
from advisor.conversation.session_store import SessionError, SessionStore, state_dir
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


def _save(store: SessionStore, d: Dialogue, finished: bool, age: float = 0.0) -> Path:
    """Save a session; `age` seconds old (the newest session is the one --resume reopens)."""
    path = store.new_path()
    while path.exists():
        path = store.new_path()
    store.save_now(path, store.snapshot(path, d.inv, d.state, finished=finished))
    stamp = time.time() - age
    os.utime(path, (stamp, stamp))
    return path


def test_a_finished_session_reopens_at_its_result(small_kb: KnowledgeBase, state_root: Path) -> None:
    store = SessionStore(state_root)
    _save(store, _session(small_kb), finished=False, age=60)  # older, unfinished
    finished = _save(store, _session(small_kb), finished=True)
    assert store.newest() == finished and store.check(finished) is True
    resumed = store.resume(small_kb)
    assert resumed.path == finished and resumed.finished
    assert dict(resumed.investigation.session.answers) == {"platform": "macos", "sip": "unknown"}


def test_no_session_at_all_is_said_with_the_folder(state_root: Path, small_kb: KnowledgeBase) -> None:
    store = SessionStore(state_root)
    with pytest.raises(SessionError, match=f"no saved session to resume \\(sessions are kept in {re.escape(str(store.folder))}\\)"):
        store.resume(small_kb)


def test_a_damaged_newest_session_is_named_not_skipped(small_kb: KnowledgeBase, state_root: Path) -> None:
    store = SessionStore(state_root)
    _save(store, _session(small_kb), finished=False, age=60)
    bad = store.folder / "session-99999999-999999-zzzzzz.yaml"
    bad.write_text("not: [a transcript", encoding="utf-8")
    assert store.newest() == bad  # not an older, readable one
    with pytest.raises(SessionError) as caught:
        store.resume(small_kb)
    assert caught.value.message.startswith(f"cannot resume {bad}:") and "malformed YAML" in caught.value.message
    assert "\n" not in caught.value.message


def test_an_empty_session_is_named(state_root: Path, small_kb: KnowledgeBase) -> None:
    store = SessionStore(state_root)
    store.folder.mkdir(parents=True)
    empty = store.folder / "session-20260101-000000-aaaaaa.yaml"
    empty.write_bytes(b"")
    with pytest.raises(SessionError, match=f"cannot resume {re.escape(str(empty))}: the file is empty"):
        store.resume(small_kb)


@pytest.mark.parametrize(
    ("tui", "wanted"),
    [
        ({"finished": "no"}, "result.tui.finished must be true or false, not 'no'"),
        ({"finished": 1}, "result.tui.finished must be true or false, not 1"),
        ({"described": "yes"}, "result.tui.described must be true or false"),
        ({"presented": [["x", "2"]]}, "result.tui.presented must be a list of [name, count] pairs"),
        ({"declined_probes": "csrutil-status"}, "result.tui.declined_probes must be a list of names"),
        ({"reopen": 5}, "result.tui.reopen must be text or null, not 5"),
        ("finished", "result.tui must be a mapping, not 'finished'"),
    ],
)
def test_the_tui_part_is_checked_type_by_type(small_kb: KnowledgeBase, state_root: Path, tui: object, wanted: str) -> None:
    store = SessionStore(state_root)
    path = _save(store, _session(small_kb), finished=False)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["result"]["tui"] = tui
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(SessionError) as caught:
        store.resume(small_kb)
    assert caught.value.message.startswith(f"cannot resume {path}: {wanted}")


def test_a_session_larger_than_the_cap_is_refused_on_load_and_not_written(
    small_kb: KnowledgeBase, state_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SessionStore(state_root)
    d = _session(small_kb)
    path = _save(store, d, finished=False)
    monkeypatch.setattr(session_store, "MAX_SESSION_BYTES", 200)
    with pytest.raises(SessionError, match="is more than a session may hold"):
        store.check(path)
    before = path.read_bytes()
    d.answer("sip", "enabled")
    store.save_now(path, store.snapshot(path, d.inv, d.state, finished=False))
    assert path.read_bytes() == before  # the last good save is kept
    assert store.last_error is not None and "keeps the previous step" in store.last_error


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


def test_prune_keeps_the_newest(small_kb: KnowledgeBase, state_root: Path) -> None:
    store = SessionStore(state_root)
    store.folder.mkdir(parents=True)
    for i in range(5):
        (store.folder / f"session-2026010{i}-000000-aaaaaa.yaml").write_text("x")
    store.prune(keep=2)
    assert len(store.session_files()) == 2


def test_every_dialogue_state_field_is_saved_and_read_back(small_kb: KnowledgeBase, state_root: Path) -> None:
    """A field the dialogue gains is kept across a resume, checked by its type."""
    import dataclasses

    from advisor.conversation.session_store import READERS

    assert {str(f.type) for f in dataclasses.fields(DialogueState)} <= set(READERS)
    store = SessionStore(state_root)
    d = _session(small_kb)
    d.state.declined_probes.append("csrutil-status")
    d.state.app_path = "/Applications/My VPN.app"
    path = _save(store, d, finished=False)
    assert store.resume(small_kb, path).state == d.state
