"""Probes being run: a progress bar and one line per command (spinner, then its outcome).

The widget owns the run: each command runs on its own daemon thread (quitting, or Esc to stop
waiting, never waits for a tool that hangs; the runner's own timeout still ends the tool's
process group), so the UI keeps answering keys (scroll, why, Esc) while a slow tool runs. When
every command has ended it posts Done with the runs; `stop()` abandons the batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import ProgressBar, Static

if TYPE_CHECKING:
    from advisor.probes import PlannedProbe, ProbeRun

SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


class ProbeProgress(Vertical):
    running: reactive[bool] = reactive(False, init=False)

    class Done(Message):
        def __init__(self, planned: list[PlannedProbe], runs: list[ProbeRun], failures: list[tuple[str, BaseException]]) -> None:
            super().__init__()
            self.planned = planned
            self.runs = runs
            self.failures = failures  # (command line, what went wrong in advisor running it)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.planned: list[PlannedProbe] = []
        self._outcomes: list[str | None] = []
        self._started = 0.0
        self._frame = 0
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="probe-title", markup=False)
        yield ProgressBar(id="probe-bar", show_eta=False)
        yield Static("", id="probe-lines", markup=False)

    # ---- running -------------------------------------------------------------------------------
    def run(self, planned: list[PlannedProbe]) -> None:
        """Start the batch (one at a time: a new batch replaces a running one)."""
        self.planned = list(planned)
        self._outcomes = [None] * len(planned)
        self._started = time.monotonic()
        n = len(planned)
        self.query_one("#probe-title", Static).update(
            f"Running {n} read-only check{'s' if n != 1 else ''}… (Esc: stop waiting and answer myself)"
        )
        self.query_one("#probe-bar", ProgressBar).update(total=n, progress=0)
        self.running = True
        self._paint()
        self._run(self.planned)

    @work(group="probes", exclusive=True)
    async def _run(self, planned: list[PlannedProbe]) -> None:
        from advisor.probes import run_probe

        runs: list[ProbeRun | None] = [None] * len(planned)
        failures: list[tuple[str, BaseException]] = []

        async def one(index: int, probe: PlannedProbe) -> None:
            try:
                run = await in_daemon_thread(run_probe, probe)
            except Exception as exc:  # a runner bug: reported by the screen, the session goes on
                failures.append((probe.command_line, exc))
                self._finish_one(index, "✗")
                return
            runs[index] = run
            self._finish_one(index, _outcome_mark(run))

        await asyncio.gather(*(one(i, p) for i, p in enumerate(planned)))  # cancelled by stop()
        self.running = False
        self.post_message(self.Done(planned, [r for r in runs if r is not None], failures))

    def stop(self) -> list[PlannedProbe]:
        """Stop waiting: the batch is abandoned (its tools end on their own timeouts)."""
        abandoned = self.planned if self.running else []
        self.workers.cancel_group(self, "probes")
        self.running = False
        self.planned = []
        return abandoned

    def watch_running(self, running: bool) -> None:
        if running:
            if self._timer is None:
                self._timer = self.set_interval(0.1, self._tick)
            else:
                self._timer.resume()
        elif self._timer is not None:
            self._timer.pause()

    # ---- showing -------------------------------------------------------------------------------
    def _finish_one(self, index: int, outcome: str) -> None:
        if 0 <= index < len(self._outcomes):
            self._outcomes[index] = outcome
            done = sum(1 for o in self._outcomes if o is not None)
            self.query_one("#probe-bar", ProgressBar).update(progress=done)
            self._paint()

    def _tick(self) -> None:
        self._frame = (self._frame + 1) % len(SPINNER)
        self._paint()

    def _paint(self) -> None:
        elapsed = time.monotonic() - self._started
        lines = []
        for probe, outcome in zip(self.planned, self._outcomes, strict=False):
            if outcome is None:
                lines.append(f"{SPINNER[self._frame]} {probe.command_line}  ({elapsed:.0f} s)")
            else:
                lines.append(f"{outcome} {probe.command_line}")
        self.query_one("#probe-lines", Static).update("\n".join(lines))


def in_daemon_thread(func: Callable[..., Any], *args: Any) -> asyncio.Future[Any]:
    """Run `func` on its own daemon thread and await its result from the event loop."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[Any] = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():
            return  # nobody is waiting any more (stopped)
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def target() -> None:
        try:
            result, error = func(*args), None
        except BaseException as exc:  # handed to the awaiting task, not lost on this thread
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # the app has quit and its loop is closed
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=target, name="probe", daemon=True).start()
    return future


def _outcome_mark(run: ProbeRun) -> str:
    if run.timed_out:
        return "⏱"
    if run.error and not run.observations:
        return "✗"
    return "✓"
