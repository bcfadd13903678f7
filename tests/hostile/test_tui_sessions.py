"""Hostile family "TUI sessions": malformed session files under the state folder, then
`advisor tui --resume`.

Each case is the newest (usually the only) file in the sessions folder. The launcher checks it
before it takes the terminal: it must end in one line naming the file (exit 2, no traceback), or
pass the check. A session that passes is then resumed in the app itself, which must either
resume it cleanly or end with one line naming the file; never an internal error. Every run is
bounded in time (a FIFO or a link to /dev/zero must not hang it) and in memory (a 40 MB file or
an alias bomb must not be read whole into a huge structure).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from advisor.conversation.dialogue import Dialogue
from advisor.conversation.session_store import SessionStore
from advisor.investigation import Investigation
from advisor.knowledge.model import KnowledgeBase

NEWEST = "session-20990101-000000-hostil.yaml"
MEMORY_CAP = 1 << 30  # 1 GiB of address space for the launcher: an unbounded read fails the test
CONTROL_TEXT = "works on my mac\x1b[31m but\tnot\r on\x07 others\u202e\u2028 end"


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path, str], object]  # (path of the newest session, a good session's text) -> writes it
    # "named": one line naming the file; "resumes": passes and resumes cleanly; "resumes-or-named":
    # either (a stricter transcript reader may name it); "none": not a session file at all
    outcome: str


def _text(content: str) -> Callable[[Path, str], object]:
    return lambda path, _good: path.write_text(content, encoding="utf-8")


def _bytes(content: bytes) -> Callable[[Path, str], object]:
    return lambda path, _good: path.write_bytes(content)


def _edit(change: Callable[[dict], None]) -> Callable[[Path, str], object]:
    def make(path: Path, good: str) -> None:
        data = yaml.safe_load(good)
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    return make


def _tui(**values: object) -> Callable[[Path, str], object]:
    return _edit(lambda data: data["result"]["tui"].update(values))


def _top(key: str, value: object) -> Callable[[Path, str], object]:
    def change(data: dict) -> None:
        data[key] = value

    return _edit(change)


def _truncated(path: Path, good: str) -> None:
    path.write_text(good[: len(good) // 2], encoding="utf-8")  # may still be a (shorter) session


def _truncated_in_a_string(path: Path, good: str) -> None:
    path.write_text(good + 'notes: "a note cut short', encoding="utf-8")


def _sparse_huge(path: Path, _good: str) -> None:
    with path.open("wb") as fh:
        fh.truncate(40 << 20)  # 40 MB of NUL bytes, more than a session may hold


def _alias_bomb(path: Path, _good: str) -> None:
    lines = ["advisor_transcript: 1", 'a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    lines += [f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]" for i in range(1, 10)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _deep(path: Path, _good: str) -> None:
    path.write_text("advisor_transcript: 1\nnotes: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")


def _fifo(path: Path, _good: str) -> None:
    os.mkfifo(path)


def _link_to_dev_zero(path: Path, _good: str) -> None:
    path.symlink_to("/dev/zero")


def _folder(path: Path, _good: str) -> None:
    path.mkdir()


def _link_to_good(path: Path, good: str) -> None:
    elsewhere = path.parent.parent / "kept-elsewhere.yaml"
    elsewhere.write_text(good, encoding="utf-8")
    path.symlink_to(elsewhere)


def _control_characters(path: Path, good: str) -> None:
    data = yaml.safe_load(good)
    data["describe"] = CONTROL_TEXT
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


CASES = [
    Case("empty", _bytes(b""), "named"),
    Case("whitespace only", _text("  \n\n\t\n"), "named"),
    Case("truncated halfway", _truncated, "resumes-or-named"),
    Case("truncated in a string", _truncated_in_a_string, "named"),
    Case("binary", _bytes(bytes(range(256)) * 8), "named"),
    Case("not utf-8", _bytes("advisor_transcript: 1\ndescribe: caf\xe9\n".encode("latin-1")), "named"),
    Case("a list at the top", _text("- advisor_transcript: 1\n"), "named"),
    Case("a number at the top", _text("42\n"), "named"),
    Case("not a transcript", _text("title: my notes\n"), "named"),
    Case("newer format", _top("advisor_transcript", 99), "named"),
    Case("format as text", _top("advisor_transcript", "one"), "named"),
    Case("unknown top key", _top("sessions_v2", {"a": 1}), "named"),
    Case("answers as a list", _top("answers", ["platform", "macos"]), "named"),
    Case("probes as a number", _top("probes", 5), "named"),
    Case("result as text", _top("result", "finished"), "resumes-or-named"),
    Case("tui state as a list", _edit(lambda d: d["result"].update(tui=["finished"])), "named"),
    Case('finished: "no"', _tui(finished="no"), "named"),
    Case('finished: "yes"', _tui(finished="yes"), "named"),
    Case("described: 0", _tui(described=0), "named"),
    Case("presented: wrong shape", _tui(presented=[[1, 2, 3]]), "named"),
    Case("presented: negative count", _tui(presented=[["x", -1]]), "named"),
    Case("declined probes: numbers", _tui(declined_probes=[1, 2]), "named"),
    Case("reopen: a mapping", _tui(reopen={"a": "b"}), "named"),
    Case("app_path: a list", _tui(app_path=["/Applications/X.app"]), "named"),
    Case("larger than a session may hold", _sparse_huge, "named"),
    Case("alias bomb", _alias_bomb, "named"),
    Case("50,000 nested lists", _deep, "named"),
    Case("a FIFO", _fifo, "none"),
    Case("a link to /dev/zero", _link_to_dev_zero, "none"),
    Case("a folder", _folder, "none"),
    Case("control characters in the description", _control_characters, "resumes"),
    Case("a byte-order mark", lambda path, good: path.write_text("\ufeff" + good, encoding="utf-8"), "resumes"),
    Case("CRLF line ends", lambda path, good: path.write_bytes(good.replace("\n", "\r\n").encode()), "resumes"),
    Case("a link to a good session", _link_to_good, "resumes"),
    Case("reopen: a question that no longer exists", _tui(reopen="no-such-question"), "resumes"),
    Case("presented: diagnoses that no longer exist", _tui(presented=[["gone-diagnosis", 1]]), "resumes"),
    Case("finished: true", _tui(finished=True), "resumes"),
    Case("no tui state (a collect transcript)", _edit(lambda d: d["result"].pop("tui")), "resumes"),
    Case("an answer for a fact that does not exist", _edit(lambda d: d["answers"].update(no_such_fact="yes")), "resumes-or-named"),
    Case("an answer no choice allows", _edit(lambda d: d["answers"].update(platform="windows")), "resumes-or-named"),
]


@pytest.fixture(scope="module")
def good_session(small_kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> str:
    store = SessionStore(tmp_path_factory.mktemp("good") / "advisor")
    d = Dialogue(Investigation.start(small_kb))
    d.describe("it works on my mac but not on other macs")
    d.answer("platform", "macos")
    d.answer("sip", "unknown")
    d.mark_presented("sip-not-required")
    path = store.new_path()
    store.save_now(path, store.snapshot(path, d.inv, d.state, finished=False))
    store.close()
    return path.read_text(encoding="utf-8")


def _launch(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "ADVISOR_DEBUG"}
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    capped = f'ulimit -v {MEMORY_CAP >> 10} && exec "$0" "$@"'  # the shell's ulimit: no preexec_fn in a threaded test
    return subprocess.run(
        ["/bin/sh", "-c", capped, sys.executable, "-m", "advisor", "tui", "--resume"],
        check=False, capture_output=True, text=True, env=env, cwd=tmp_path, stdin=subprocess.DEVNULL, timeout=60,
    )


def _resume_in_the_app(kb: KnowledgeBase, state: Path) -> tuple[str | None, list[str]]:
    """Resume in the TUI itself: (the one-line error it ended with, or None; the conversation)."""
    from advisor.tui.app import AdvisorApp
    from advisor.tui.options import TuiOptions

    app = AdvisorApp(TuiOptions(resume=True, state_root=state), kb=kb)
    texts: list[str] = []

    async def run() -> None:
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(250):
                if app.user_error is not None or app.conversation.ready.is_set():
                    break
                await pilot.pause(0.02)
            await pilot.pause(0.1)
            if app.user_error is None:
                texts.extend(app.conversation.log_view.texts())

    asyncio.run(run())
    app.store.close()
    assert app.internal_error is None, f"internal error: {app.internal_error!r}"
    return (app.user_error.message if app.user_error else None), texts


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_malformed_session_is_named_or_resumed(case: Case, good_session: str, small_kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "state" / "advisor" / "sessions"
    folder.mkdir(parents=True)
    path = folder / NEWEST
    case.make(path, good_session)

    done = _launch(tmp_path)
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert done.returncode == 2 and done.stderr.endswith("\n") and done.stderr.count("\n") == 1, done.stderr
    line = done.stderr.rstrip("\n")
    if case.outcome == "none":
        assert line == f"advisor: tui: no saved session to resume (sessions are kept in {folder})"
        return
    if case.outcome == "named" or (case.outcome == "resumes-or-named" and "cannot resume" in line):
        assert line.startswith(f"advisor: tui: cannot resume {path}"), line
        return
    # It passed the launcher's check (only the missing terminal stopped it): resume it for real.
    assert line.startswith("advisor: tui: needs a terminal"), line
    error, texts = _resume_in_the_app(small_kb, tmp_path / "state" / "advisor")
    if error is not None:
        assert case.outcome == "resumes-or-named", error
        assert error.startswith(f"cannot resume {path}") and "\n" not in error
        return
    assert any(t.startswith("advisor: Welcome back") for t in texts), texts
    if case.make is _control_characters:
        assert f"note: your description: {CONTROL_TEXT}" in texts  # every character came back
