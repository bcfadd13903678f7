"""`advisor tui` on the command line: bad input is one line and exit 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.tui.terminal import PtyApp, advisor_command


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "advisor", *args], check=False, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL, timeout=60)


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CACHE_HOME": str(tmp_path / "cache")}


def test_without_a_terminal_it_says_so(tmp_path: Path) -> None:
    for args in (["tui"], []):
        done = _run(*args, env=_env(tmp_path))
        assert done.returncode == 2
        assert done.stderr.strip().splitlines() == [
            "advisor: tui: needs a terminal; for scripts use `advisor diagnose` (see advisor diagnose --help)"
        ]
        assert done.stdout == ""


def test_missing_inputs_are_named(tmp_path: Path) -> None:
    cases = {
        ("tui", "--log", str(tmp_path / "nope.log")): f"advisor: tui: --log {tmp_path / 'nope.log'}: no such file",
        ("tui", "--app", str(tmp_path / "Nope.app")): f"advisor: tui: --app {tmp_path / 'Nope.app'}: no such file or folder",
        ("tui", "--resume"): f"advisor: tui: no saved session to resume (sessions are kept in {tmp_path / 'state' / 'advisor' / 'sessions'})",
    }
    for args, message in cases.items():
        done = _run(*args, env=_env(tmp_path))
        assert (done.returncode, done.stderr.strip()) == (2, message)


def test_a_broken_knowledge_base_ends_the_app_with_one_line(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "meta.yaml").write_text("knowledge: [not closed\n")
    env = {**_env(tmp_path), "PATH": str(tmp_path), "TERM": "xterm-256color", "HOME": str(tmp_path)}
    terminal = PtyApp([*advisor_command(), "tui", "--knowledge", str(kb)], env)
    try:
        terminal.read_until("advisor: tui: ")
        _, status = os.waitpid(terminal.pid, 0)
        terminal.drain()
    finally:
        terminal.kill()
    assert os.waitstatus_to_exitcode(status) == 2
    tail = terminal.text().split("advisor: tui: ", 1)[1]
    assert "meta.yaml" in tail and "Traceback" not in terminal.text()


def test_the_tui_module_runs_like_the_subcommand(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "advisor.tui", "--log", str(tmp_path / "nope.log")],
        check=False, capture_output=True, text=True, env=_env(tmp_path), stdin=subprocess.DEVNULL, timeout=60,
    )
    assert (done.returncode, done.stderr.strip()) == (2, f"advisor: tui: --log {tmp_path / 'nope.log'}: no such file")


BROKEN_TUI = """
import sys
from advisor.tui import launch
from advisor.tui.screens.conversation import ConversationScreen

def broken(self):
    raise RuntimeError("a bug in a handler")

ConversationScreen.on_mount = broken
raise SystemExit(launch.main(sys.argv[1:]))
"""


def _broken_tui(tmp_path: Path, small_kb_root: Path, debug: bool) -> tuple[int, str]:
    script = tmp_path / "broken_tui.py"
    script.write_text(BROKEN_TUI)
    env = {**_env(tmp_path), "PATH": str(tmp_path), "TERM": "xterm-256color", "HOME": str(tmp_path)}
    env.pop("ADVISOR_DEBUG", None)
    if debug:
        env["ADVISOR_DEBUG"] = "1"
    terminal = PtyApp([sys.executable, str(script), "--knowledge", str(small_kb_root)], env)
    try:
        terminal.read_until("a bug in a handler")
        _, status = os.waitpid(terminal.pid, 0)
        terminal.drain()
    finally:
        terminal.kill()
    return os.waitstatus_to_exitcode(status), terminal.text()


def test_an_internal_error_is_one_line_and_exit_3(tmp_path: Path, small_kb_root: Path) -> None:
    code, text = _broken_tui(tmp_path, small_kb_root, debug=False)
    assert code == 3
    assert "advisor: internal error: RuntimeError: a bug in a handler (set ADVISOR_DEBUG=1 for details)" in text
    assert "Traceback" not in text


def test_advisor_debug_keeps_the_traceback(tmp_path: Path, small_kb_root: Path) -> None:
    code, text = _broken_tui(tmp_path, small_kb_root, debug=True)
    assert code != 0
    assert "Traceback (most recent call last)" in text and "RuntimeError: a bug in a handler" in text
