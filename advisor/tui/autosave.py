"""Saving the session after every step, without delaying the step.

The transcript is built on the UI thread (it reads the investigation) and written by the store
on its own thread, in order. A session that never got past the first prompt is not written (no
file to trip over later); a failed write is said once, as a notification, and the session goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.conversation.session_store import SessionStore

if TYPE_CHECKING:
    from advisor.conversation.dialogue import Dialogue


class Autosave:
    def __init__(self, store: SessionStore, warn: Callable[[str], None]) -> None:
        self.store = store
        self.warn = warn  # how a write failure reaches the user
        self.path: Path | None = None
        self._written_once = False
        self._warned: str | None = None

    def new_session(self) -> None:
        self.path = self.store.new_path()

    def resumed(self, path: Path) -> None:
        self.path = path
        self._written_once = True  # the file exists: keep it up to date from the first step

    def save(self, d: Dialogue | None, finished: bool) -> None:
        if d is None or self.path is None:
            return
        if not self._written_once:
            if not worth_keeping(d):
                return
            self._written_once = True
            self.store.prune()
        self.store.save_later(self.path, self.store.snapshot(self.path, d.inv, d.state, finished))
        error = self.store.last_error  # from an earlier write (writes happen on a thread)
        if error and error != self._warned:
            self._warned = error
            self.warn(error)


def worth_keeping(d: Dialogue) -> bool:
    inv = d.inv
    return bool(d.state.described or inv.session.answers or inv.log_lines_read or inv.bundle or inv.probe_runs)
