"""The installed `advisor` in a real terminal (tmux), from launch to a diagnosis and quit.

Keys go in with `tmux send-keys`, the screen comes back with `tmux capture-pane`. A private
tmux server (its own socket) is used and removed, so a developer's tmux is never touched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.fake_mac import Reply
from tests.tui.conftest import SIP_DISABLED, fake_csrutil
from tests.tui.small_kb import QUESTIONS
from tests.tui.terminal import advisor_command

TMUX = shutil.which("tmux")  # looked up before the tests empty PATH
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")

KEYS = {"sip": "1", "platform": "1", "packaging": "1", "distribution": "2"}


class Tmux:
    def __init__(self, socket: str) -> None:
        self.socket = socket
        self.tmux = TMUX or "tmux"

    def run(self, *args: str) -> str:
        return subprocess.run([self.tmux, "-L", self.socket, *args], capture_output=True, text=True, check=True).stdout

    def screen(self) -> str:
        return self.run("capture-pane", "-p", "-t", "e2e")

    def wait_for(self, text: str, limit: float = 20.0) -> str:
        deadline = time.monotonic() + limit
        while True:
            screen = self.screen()
            if text in screen:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not on screen:\n{screen}")
            time.sleep(0.1)

    def keys(self, *keys: str) -> None:
        self.run("send-keys", "-t", "e2e", *keys)


def _current_question(screen: str) -> str | None:
    """The question on the card: the question text lowest on the screen."""
    found = {qid: screen.rfind(q["text"]) for qid, q in QUESTIONS.items()}
    qid, where = max(found.items(), key=lambda item: item[1])
    return qid if where >= 0 else None


WANTED = {
    "A macOS NE app extension only works in Mac App Store apps",
    "SIP need not be disabled to develop a Network Extension",
}


def test_launch_to_diagnosis_in_tmux(small_kb_root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mac = fake_csrutil(tmp_path, monkeypatch, Reply(SIP_DISABLED))
    tmux = Tmux(f"advisor-e2e-{os.getpid()}")
    command = " ".join([*advisor_command(), "tui", "--knowledge", str(small_kb_root)])
    env = {
        "PATH": mac.path,
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
    }
    env_args = [arg for name, value in env.items() for arg in ("-e", f"{name}={value}")]
    tmux.run(
        "-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", *env_args,
        f"cd {tmp_path} && {command}; echo EXIT=$?; read wait_for_the_test",
    )
    try:
        tmux.wait_for("What is going wrong?")
        tmux.keys("it works on my mac but not on other macs", "Enter")
        tmux.wait_for("you: it works on my mac")
        consented = False
        diagnoses: list[str] = []
        for _ in range(20):
            time.sleep(0.4)
            screen = tmux.screen()
            if "$ csrutil status" in screen:  # the consent dialog, before anything runs
                assert mac.calls() == []
                tmux.keys("y")
                consented = True
            elif "How to fix it" in screen or "What to do" in screen:  # a diagnosis (or advice) view
                title = screen.splitlines()[1].strip()
                if title not in diagnoses:
                    diagnoses.append(title)
                if len(set(diagnoses) & WANTED) == len(WANTED):
                    break
                tmux.keys("k")  # keep checking: the next question, or straight to the next diagnosis
                time.sleep(0.6)
            elif "Quit (the session is saved)" in screen:  # nothing left to ask
                break
            else:
                question = _current_question(screen)
                assert question is not None, screen
                tmux.keys(KEYS[question], "Enter")
        assert consented and [c.args for c in mac.calls()] == [["status"]]
        # Both problems of the story are found in one sitting, one after the other.
        assert set(diagnoses) >= WANTED, diagnoses
        tmux.keys("Escape")
        tmux.wait_for("Keep checking for other problems")
        tmux.keys("C-q")
        tmux.wait_for("EXIT=0")
    finally:
        subprocess.run([tmux.tmux, "-L", tmux.socket, "kill-server"], check=False, capture_output=True)
    sessions = list((tmp_path / "state" / "advisor" / "sessions").glob("session-*.yaml"))
    assert len(sessions) == 1
