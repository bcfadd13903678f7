"""TUI speed, measured in a real pseudo-terminal (80x24), against a baseline in the same run.

1. Launch to first question painted: `advisor tui` (the installed script) until its first
   prompt is on screen, versus a minimal Textual app (Header, Static, Input) started the same
   way. Target: median ratio <= 1.1.
2. Answer to next question painted: a running `advisor tui` at a question; a digit chooses a
   choice (its ▶ mark is waited for, untimed), then Enter confirms it: the time from Enter until
   the next question's text is on screen. The next question is predicted with the same flow code
   (advisor.conversation.dialogue) on the same knowledge base. Target: median <= 17 ms (one
   frame at 60 Hz).

    .venv/bin/python bench/bench_tui.py [--runs 9] [--answers 30] [--knowledge DIR]

Prints medians and the ratio; exits 1 when a target is missed (so CI can run it if wanted).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time
from pathlib import Path

ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Z0-9]|\x1b[=>78]")
FIRST_PROMPT = "What is going wrong?"
MINIMAL_APP = f'''
from textual.app import App
from textual.widgets import Header, Input, Static

class Minimal(App):
    def compose(self):
        yield Header()
        yield Static({FIRST_PROMPT!r})
        yield Input(placeholder="describe the problem")

Minimal().run()
'''
LAUNCH_TARGET = 1.1
ANSWER_TARGET_MS = 17.0
CHOSEN_MARK = "▶"


class Terminal:
    """One program in a pseudo-terminal; the screen read as text with escapes removed."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.started = time.perf_counter()
        pid, fd = pty.fork()
        if pid == 0:
            os.execve(argv[0], argv, env)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.pid, self.fd = pid, fd
        self.raw = b""
        self.mark = 0  # where "new output" starts

    def wait_for(self, text: str, limit: float = 20.0) -> float:
        """Seconds from now (or from the last send) until `text` appears in new output."""
        wanted = text.encode()
        deadline = time.perf_counter() + limit
        while True:
            if wanted in ESCAPES.sub(b"", self.raw[self.mark:]):
                return time.perf_counter()
            left = deadline - time.perf_counter()
            if left <= 0:
                raise SystemExit(f"bench: {text!r} never appeared")
            if select.select([self.fd], [], [], left)[0]:
                self.raw += os.read(self.fd, 65536)

    def send(self, keys: str) -> float:
        self.mark = len(self.raw)
        sent = time.perf_counter()
        os.write(self.fd, keys.encode())
        return sent

    def drain(self, quiet: float = 0.15) -> None:
        """Read until the program has been quiet for a moment (a frame finished)."""
        while select.select([self.fd], [], [], quiet)[0]:
            self.raw += os.read(self.fd, 65536)

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        os.close(self.fd)


def advisor_argv(knowledge: str | None) -> list[str]:
    script = Path(sys.executable).with_name("advisor")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "advisor"]
    argv.append("tui")
    return argv + (["--knowledge", knowledge] if knowledge else [])


def environment(state: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TEXTUAL")}
    env.update(TERM="xterm-256color", XDG_STATE_HOME=state, COLUMNS="80", LINES="24")
    env["PATH"] = os.path.join(state, "no-tools")  # no probe tool: every question is asked
    os.makedirs(env["PATH"], exist_ok=True)
    return env


def launch_time(argv: list[str], env: dict[str, str]) -> float:
    terminal = Terminal(argv, env)
    try:
        return terminal.wait_for(FIRST_PROMPT) - terminal.started
    finally:
        terminal.close()


def tui_module_argv(knowledge: str | None) -> list[str]:
    """The TUI without the command-line dispatcher (to show what the dispatcher costs)."""
    return [sys.executable, "-m", "advisor.tui"] + (["--knowledge", knowledge] if knowledge else [])


def bench_launch(runs: int, knowledge: str | None, env: dict[str, str]) -> tuple[float, float, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as fh:
        fh.write(MINIMAL_APP)
        minimal = fh.name
    programs = ([sys.executable, minimal], advisor_argv(knowledge), tui_module_argv(knowledge))
    times: list[list[float]] = [[] for _ in programs]
    try:
        for argv in programs:
            launch_time(argv, env)  # warm the file cache and the bytecode for each
        for _ in range(runs):  # interleaved, so machine noise hits all alike
            for argv, out in zip(programs, times, strict=False):
                out.append(launch_time(argv, env))
    finally:
        os.unlink(minimal)
    baseline, ours, module = (statistics.median(t) for t in times)
    return baseline, ours, module


def bench_answers(count: int, knowledge: str | None, env: dict[str, str]) -> list[float]:
    from advisor.conversation.dialogue import AskQuestion, Dialogue
    from advisor.investigation import Investigation
    from advisor.knowledge.loader import load_knowledge

    os.environ["PATH"] = env["PATH"]  # the prediction must see the same (absent) probe tools
    kb = load_knowledge(Path(knowledge) if knowledge else None)
    times: list[float] = []
    while len(times) < count:
        dialogue = Dialogue(Investigation.start(kb))
        dialogue.skip_description()
        terminal = Terminal(advisor_argv(knowledge), env)
        try:
            terminal.wait_for(FIRST_PROMPT)
            terminal.drain()
            turn = dialogue.next_turn()
            terminal.send("0")  # nothing is chosen until the user chooses: "0 No description"
            terminal.wait_for(CHOSEN_MARK)
            terminal.send("\r")
            if not isinstance(turn, AskQuestion):
                raise SystemExit("bench: the knowledge base asks no question")
            terminal.wait_for(turn.choice.question.text.replace("`", "")[:30])
            for step in range(count):
                if len(times) >= count:
                    break
                terminal.drain()
                question = turn.choice.question
                key = "1" if step % 2 == 0 else "0"
                value = question.choices[0].value if key == "1" else "unknown"
                dialogue.answer(question.id, value)
                turn = dialogue.next_turn()
                if key == "1" and not isinstance(turn, AskQuestion):
                    dialogue.inv.session.forget_answer(question.fact)  # stay in the questions
                    key, value = "0", "unknown"
                    dialogue.answer(question.id, value)
                    turn = dialogue.next_turn()
                if not isinstance(turn, AskQuestion):
                    break
                terminal.send(key)
                terminal.wait_for(CHOSEN_MARK)
                terminal.drain()
                sent = terminal.send("\r")
                times.append((terminal.wait_for(turn.choice.question.text.replace("`", "")[:30]) - sent) * 1000)
        finally:
            terminal.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=9, help="launches of each program (default 9)")
    parser.add_argument("--answers", type=int, default=30, help="answers to time (default 30)")
    parser.add_argument("--knowledge", metavar="DIR", help="knowledge folder (default: the real one)")
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-tui-") as state:
        env = environment(state)
        baseline, ours, module = bench_launch(ns.runs, ns.knowledge, env)
        ratio = ours / baseline
        print(f"launch to first question painted: minimal Textual app {baseline * 1000:.0f} ms, "
              f"advisor {ours * 1000:.0f} ms (medians of {ns.runs}); ratio {ratio:.2f} (target <= {LAUNCH_TARGET})")
        print(f"  of which the command-line dispatcher: python -m advisor.tui {module * 1000:.0f} ms, "
              f"ratio {module / baseline:.2f}")
        answers = bench_answers(ns.answers, ns.knowledge, env)
        median = statistics.median(answers)
        print(f"answer to next question painted: median {median:.1f} ms, p90 {sorted(answers)[int(len(answers) * 0.9) - 1]:.1f} ms, "
              f"max {max(answers):.1f} ms over {len(answers)} answers (target median <= {ANSWER_TARGET_MS:.0f} ms)")
    return 0 if ratio <= LAUNCH_TARGET and median <= ANSWER_TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
