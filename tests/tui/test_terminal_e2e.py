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
pytestmark = [pytest.mark.e2e, pytest.mark.skipif(TMUX is None, reason="tmux is not installed")]

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


WANTED = {"A macOS NE app extension only works in Mac App Store apps"}
# Advice is answered in the conversation, not shown as a cause.
ADVICE = "SIP need not be disabled to develop a Network Extension"
ADVICE_SAID = "advice: SIP need not be disabled"  # its first words in the conversation (wrapped at 80 columns)


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
        advised = False
        for _ in range(20):
            time.sleep(0.4)
            screen = tmux.screen()
            advised = advised or ADVICE_SAID in screen
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
        # Both problems of the story are found in one sitting: the cause, and the SIP advice.
        assert set(diagnoses) >= WANTED, diagnoses
        tmux.keys("Escape")
        tmux.wait_for("Keep checking for other problems")
        assert ADVICE not in diagnoses and (advised or ADVICE_SAID in tmux.screen()), tmux.screen()
        tmux.keys("C-q")
        tmux.wait_for("EXIT=0")
    finally:
        subprocess.run([tmux.tmux, "-L", tmux.socket, "kill-server"], check=False, capture_output=True)
    sessions = list((tmp_path / "state" / "advisor" / "sessions").glob("session-*.yaml"))
    assert len(sessions) == 1


def _start(tmux: Tmux, small_kb_root: Path, tmp_path: Path, path: str, **extra: str) -> None:
    command = " ".join([*advisor_command(), "tui", "--knowledge", str(small_kb_root)])
    env = {
        "PATH": path,
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "HOME": str(tmp_path),
        "TERM": "xterm-256color",
        **extra,
    }
    env_args = [arg for name, value in env.items() for arg in ("-e", f"{name}={value}")]
    tmux.run(
        "-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", *env_args,
        f"cd {tmp_path} && {command}; echo EXIT=$?; read wait_for_the_test",
    )


def test_enter_on_an_untouched_question_records_nothing_in_tmux(small_kb_root: Path, tmp_path: Path) -> None:
    """A new user's first keys, at 80x24 without colour: Enter on the description, 0 and Enter,
    then Enter on the first question. Nothing is answered; the screen says what to do; the chosen
    line is marked without colour; the footer fits; quitting says where the session is."""
    (tmp_path / "no-tools").mkdir()
    tmux = Tmux(f"advisor-keys-{os.getpid()}")
    _start(tmux, small_kb_root, tmp_path, str(tmp_path / "no-tools"), NO_COLOR="1")
    try:
        tmux.wait_for("What is going wrong?")
        footer = next(line for line in tmux.wait_for("^p palette").splitlines() if "^p palette" in line)
        assert footer.rstrip().endswith("^p palette") and "Quit" in footer and "Checks" in footer  # fits 80 columns
        tmux.keys("Enter")
        tmux.wait_for("Nothing typed yet")
        tmux.keys("0")
        tmux.wait_for("▶ 0 No description")
        tmux.keys("Enter")
        screen = tmux.wait_for("I don't know")
        question = _current_question(screen)
        assert question is not None
        tmux.keys("Enter")
        screen = tmux.wait_for("Nothing chosen yet")
        answers = [line for line in screen.splitlines() if line.lstrip().startswith("you: ") and "(no description)" not in line]
        assert _current_question(screen) == question and answers == []
        tmux.keys("2")
        tmux.wait_for("▶ 2 ")
        tmux.keys("C-q")
        screen = tmux.wait_for("EXIT=0")
        assert "The session is saved in" in screen and "Continue it with: advisor tui --resume" in screen
    finally:
        subprocess.run([tmux.tmux, "-L", tmux.socket, "kill-server"], check=False, capture_output=True)
    sessions = list((tmp_path / "state" / "advisor" / "sessions").glob("session-*.yaml"))
    assert len(sessions) == 1
    from advisor.transcripts.format import load_transcript

    assert load_transcript(sessions[0]).answers == {}  # the untouched Enter recorded nothing
