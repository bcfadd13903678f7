"""Saved TUI sessions: one transcript file per session under the XDG state directory.

A session is saved after every step, atomically (write to a temporary file, then rename), so a
crash, a kill or a quit loses nothing; `advisor tui --resume` continues the newest unfinished
one. The file is an ordinary transcript (transcripts/README.md), so `advisor report FILE` and
`advisor replay FILE` read it too. What only the TUI needs (diagnoses already shown, probes
declined, whether the session is finished) is kept under `result.tui`.

Building the transcript touches the investigation, so it happens on the UI thread; turning it
into YAML and writing it happens on one background thread, in order, so a large log never
delays the next question.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.exit_status import UserError

if TYPE_CHECKING:  # the engine and YAML load after the first screen is painted (launch speed)
    from advisor.conversation.dialogue import DialogueState
    from advisor.investigation import Investigation, KnowledgeRuntime
    from advisor.knowledge.model import KnowledgeBase
    from advisor.transcripts.format import Transcript

SESSIONS_FOLDER = "sessions"
KEEP_SESSIONS = 50  # older session files are removed when a new session starts
TUI_KEY = "tui"


def state_dir() -> Path:
    """`$XDG_STATE_HOME/advisor`, or `~/.local/state/advisor` (XDG: a relative value is ignored)."""
    base = os.environ.get("XDG_STATE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "state"
    return root / "advisor"


@dataclass
class ResumedSession:
    path: Path
    investigation: Investigation
    state: DialogueState
    recorded: str


def _state_to_data(state: DialogueState, finished: bool) -> dict[str, Any]:
    return {
        "finished": finished,
        "described": state.described,
        "presented": [[d, n] for d, n in state.presented],
        "declined_probes": list(state.declined_probes),
        "app_path": state.app_path,
        "reopen": state.reopen,
        "reopen_previous": state.reopen_previous,
    }


def _state_from_data(data: Any) -> DialogueState:
    from advisor.conversation.dialogue import DialogueState

    if not isinstance(data, dict):
        return DialogueState(described=True)
    presented = []
    for item in data.get("presented") or []:
        if isinstance(item, list) and len(item) == 2 and isinstance(item[1], int):
            presented.append((str(item[0]), item[1]))
    def text(v):
        return str(v) if v is not None else None
    return DialogueState(
        described=bool(data.get("described", True)),
        presented=presented,
        declined_probes=[str(p) for p in data.get("declined_probes") or []],
        app_path=text(data.get("app_path")),
        reopen=text(data.get("reopen")),
        reopen_previous=text(data.get("reopen_previous")),
    )


def is_finished(t: Transcript) -> bool:
    tui = (t.result or {}).get(TUI_KEY)
    return bool(isinstance(tui, dict) and tui.get("finished"))


class SessionStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else state_dir()
        self.folder = self.root / SESSIONS_FOLDER
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="session-save")
        self._pending: list[Future[None]] = []
        self._lock = threading.Lock()
        self.last_error: str | None = None

    # ---- saving ---------------------------------------------------------------------------
    def new_path(self) -> Path:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        return self.folder / f"session-{stamp}-{secrets.token_hex(3)}.yaml"

    def snapshot(self, path: Path, inv: Investigation, state: DialogueState, finished: bool) -> Transcript:
        """The session as a transcript (UI thread: it reads the investigation)."""
        from advisor.conversation.recording import transcript_from_investigation

        t = transcript_from_investigation(inv, path.stem)
        t.source = "advisor tui"
        t.result = dict(t.result or {})
        t.result[TUI_KEY] = _state_to_data(state, finished)
        return t

    def save_later(self, path: Path, transcript: Transcript) -> None:
        """Queue the write; writes happen in the order queued, each one atomic."""
        with self._lock:
            self._pending = [f for f in self._pending if not f.done()]
            self._pending.append(self._writer.submit(self._write, path, transcript))

    def save_now(self, path: Path, transcript: Transcript) -> None:
        self.flush()
        self._write(path, transcript)

    def _write(self, path: Path, transcript: Transcript) -> None:
        from advisor.transcripts.format import dump_transcript, write_atomically

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            os.chmod(self.root, 0o700)  # session files can hold paths, logs and device ids
            write_atomically(path, dump_transcript(transcript))
            self.last_error = None
        except (UserError, OSError) as exc:  # a full disk must not take the session down
            self.last_error = str(exc)

    def flush(self, timeout: float | None = 10.0) -> None:
        """Wait for queued writes (on quit, and in tests)."""
        with self._lock:
            pending = list(self._pending)
        for future in pending:
            future.result(timeout=timeout)

    def close(self) -> None:
        self.flush()
        self._writer.shutdown(wait=True)

    # ---- finding and resuming ---------------------------------------------------------------
    def session_files(self) -> list[Path]:
        """Saved sessions, newest first."""
        if not self.folder.is_dir():
            return []
        files = [p for p in self.folder.glob("session-*.yaml") if p.is_file()]
        return sorted(files, key=lambda p: (p.stat().st_mtime, p.name), reverse=True)

    def latest_unfinished(self) -> Path | None:
        from advisor.transcripts.format import TranscriptError, load_transcript

        for path in self.session_files():
            try:
                t = load_transcript(path)
            except TranscriptError:
                continue  # unreadable (another tool's file, or a newer format): not ours to resume
            if not is_finished(t):
                return path
        return None

    def resume(self, kb: KnowledgeBase, path: Path | None = None, runtime: KnowledgeRuntime | None = None) -> ResumedSession:
        """Rebuild the investigation and the dialogue state of a saved session (UserError if none)."""
        from advisor.conversation.recording import investigation_from_transcript
        from advisor.transcripts.format import load_transcript

        if path is None:
            path = self.latest_unfinished()
            if path is None:
                raise UserError(f"no unfinished session to resume (sessions are kept in {self.folder})")
        t = load_transcript(path)
        inv = investigation_from_transcript(kb, t, runtime)
        state = _state_from_data((t.result or {}).get(TUI_KEY))
        if state.reopen is not None and state.reopen not in kb.questions:
            state.reopen = None
        return ResumedSession(Path(path), inv, state, t.recorded)

    def prune(self, keep: int = KEEP_SESSIONS) -> None:
        for old in self.session_files()[keep:]:
            with contextlib.suppress(OSError):
                old.unlink()
