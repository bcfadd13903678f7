"""Probes being run: a progress bar and one line per command (spinner, then its outcome).

The commands run on worker threads; this widget only shows their state, so the UI keeps
answering keys (scroll, why, Esc to stop waiting) while a slow tool runs.
"""

from __future__ import annotations

import time

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import ProgressBar, Static

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class ProbeProgress(Vertical):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._commands: list[str] = []
        self._outcomes: list[str | None] = []
        self._started = 0.0
        self._frame = 0
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="probe-title", markup=False)
        yield ProgressBar(id="probe-bar", show_eta=False)
        yield Static("", id="probe-lines", markup=False)

    def start(self, command_lines: list[str]) -> None:
        self._commands = list(command_lines)
        self._outcomes = [None] * len(command_lines)
        self._started = time.monotonic()
        n = len(command_lines)
        self.query_one("#probe-title", Static).update(
            f"Running {n} read-only check{'s' if n != 1 else ''}… (Esc: stop waiting and answer myself)"
        )
        self.query_one("#probe-bar", ProgressBar).update(total=n, progress=0)
        self._paint()
        if self._timer is None:
            self._timer = self.set_interval(0.1, self._tick)
        else:
            self._timer.resume()

    def finish_one(self, index: int, outcome: str) -> None:
        if 0 <= index < len(self._outcomes):
            self._outcomes[index] = outcome
            done = sum(1 for o in self._outcomes if o is not None)
            self.query_one("#probe-bar", ProgressBar).update(progress=done)
            self._paint()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.pause()

    def _tick(self) -> None:
        self._frame = (self._frame + 1) % len(SPINNER)
        self._paint()

    def _paint(self) -> None:
        elapsed = time.monotonic() - self._started
        lines = []
        for command, outcome in zip(self._commands, self._outcomes, strict=False):
            if outcome is None:
                lines.append(f"{SPINNER[self._frame]} {command}  ({elapsed:.0f} s)")
            else:
                lines.append(f"{outcome} {command}")
        self.query_one("#probe-lines", Static).update("\n".join(lines))
