"""One door for every change to the investigation: an answer, a description, log lines, a
bundle, probe results.

Each step takes the engine lock (so a worker and an answer never touch the investigation at the
same time, and steps apply in the order they came), takes a snapshot, runs (slow steps on a
thread, so the UI keeps answering keys), and reports: the step's own lines, then what it changed
(facts learned, diagnoses moved). One evidence source failing never ends the session: its
failure is one "problem" line (with the traceback under ADVISOR_DEBUG, as on the command line).
"""

from __future__ import annotations

import asyncio
import os
import traceback
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING

from advisor.exit_status import UserError
from advisor.tui.widgets.message_log import Entry, MessageLog, change_entries

if TYPE_CHECKING:
    from advisor.conversation.dialogue import Dialogue

Step = Callable[["Dialogue"], list[Entry]]  # changes the investigation, returns its own lines


def problem_text(failure: str, exc: BaseException) -> str:
    text = f"{failure} ({type(exc).__name__}: {exc})"
    if os.environ.get("ADVISOR_DEBUG"):
        text += "\n" + "".join(traceback.format_exception(exc)).rstrip()
    return text


class Intake:
    def __init__(self, log: MessageLog) -> None:
        self.log = log
        self.lock = asyncio.Lock()
        self.dialogue: Dialogue | None = None

    async def apply(self, step: Step, failure: str, *, in_thread: bool = True, quiet: Collection[str] = ()) -> bool:
        """Run one step under the lock and show what came of it; False when it failed."""
        async with self.lock:
            d = self.dialogue
            if d is None:
                return False
            before = d.snapshot()
            try:
                entries = await asyncio.to_thread(step, d) if in_thread else step(d)
            except UserError as exc:
                self.log.add("error", exc.message)
                return False
            except Exception as exc:  # one evidence source failing must not end the session
                self.log.add("error", problem_text(failure, exc))
                entries, ok = [], False
            else:
                ok = True
            self.log.add_many(entries + change_entries(d.changes(before, d.snapshot(), set(quiet))))
            return ok
