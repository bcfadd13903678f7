"""Saved TUI sessions: one transcript file per session under the XDG state directory.

A session is saved after every step, atomically (write to a temporary file, then rename), so a
crash, a kill or a quit loses nothing; `advisor tui --resume` reopens the newest one (an
unfinished one where it stopped, a finished one at its result). The file is an ordinary
transcript (transcripts/README.md), so `advisor report FILE` and `advisor replay FILE` read it
too. What only the TUI needs (diagnoses already shown, probes declined, whether the session is
finished) is kept under `result.tui`.

A session file is input like any other: one that cannot be resumed (damaged, empty, written by
a newer advisor, too large) is named in a one-line SessionError, never skipped in silence and
never a traceback (ADVISOR_DEBUG keeps the traceback of an unexpected failure).

Building the transcript touches the investigation, so it happens on the UI thread; turning it
into YAML and writing it happens on one background thread, in order, so a large log never
delays the next question.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor.exit_status import UserError
from advisor.plain_text import printable

if TYPE_CHECKING:  # the engine and YAML load after the first screen is painted (launch speed)
    from advisor.conversation.dialogue import DialogueState
    from advisor.investigation import Investigation, KnowledgeRuntime
    from advisor.knowledge.model import KnowledgeBase
    from advisor.transcripts.format import Transcript

SESSIONS_FOLDER = "sessions"
SESSION_GLOB = "session-*.yaml"
KEEP_SESSIONS = 50  # older session files are removed when a new session starts
TUI_KEY = "tui"
MAX_SESSION_BYTES = 32 * 1024 * 1024  # a session holds logs and probe output; far above any real one
RESUME_COMMAND = "advisor tui --resume"


def state_dir() -> Path:
    """`$XDG_STATE_HOME/advisor`, or `~/.local/state/advisor` (XDG: a relative value is ignored)."""
    base = os.environ.get("XDG_STATE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "state"
    return root / "advisor"


class SessionError(UserError):
    """A saved session that cannot be resumed, as one line naming its file."""

    def __init__(self, message: str) -> None:
        super().__init__(printable(message, 600))


@dataclass
class ResumedSession:
    path: Path
    investigation: Investigation
    state: DialogueState
    recorded: str
    finished: bool


# ---- the TUI's own part of a session file (result.tui) ---------------------------------------
# Every DialogueState field is saved under its own name and read back checked against its type,
# so a field the dialogue gains is saved and validated without a change here (a type not listed
# in READERS fails the tests, not a user's resume).
def _wrong(where: str, key: str, wanted: str, value: Any) -> SessionError:
    return SessionError(f"cannot resume {where}: result.tui.{key} must be {wanted}, not {printable(repr(value), 40)}")


def _flag(value: Any, key: str, where: str) -> bool:
    if not isinstance(value, bool):  # "no" is text, and text is not a yes/no here
        raise _wrong(where, key, "true or false", value)
    return value


def _text(value: Any, key: str, where: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise _wrong(where, key, "text or null", value)
    return value


def _texts(value: Any, key: str, where: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _wrong(where, key, "a list of names", value)
    return list(value)


def _pairs(value: Any, key: str, where: str) -> list[tuple[str, int]]:
    if value is None:
        return []
    out: list[tuple[str, int]] = []
    if isinstance(value, list):
        for item in value:
            if not (isinstance(item, list) and len(item) == 2 and isinstance(item[0], str)
                    and isinstance(item[1], int) and not isinstance(item[1], bool) and item[1] >= 0):
                break
            out.append((item[0], item[1]))
        else:
            return out
    raise _wrong(where, key, "a list of [name, count] pairs", value)


READERS: dict[str, Callable[[Any, str, str], Any]] = {
    "bool": _flag,
    "str | None": _text,
    "list[str]": _texts,
    "list[tuple[str, int]]": _pairs,
}
# What a saved session without the key means (older sessions): it was past the first prompt.
SAVED_DEFAULTS: dict[str, Any] = {"described": True}


def _state_to_data(state: DialogueState, finished: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"finished": finished}
    for f in dataclasses.fields(state):
        value = getattr(state, f.name)
        data[f.name] = [list(v) if isinstance(v, tuple) else v for v in value] if isinstance(value, list) else value
    return data


def tui_part(t: Transcript, where: str) -> tuple[DialogueState, bool]:
    """The dialogue state and the finished flag kept in a session (SessionError if malformed).
    A transcript without them (from `advisor collect`) resumes as an unfinished session."""
    from advisor.conversation.dialogue import DialogueState

    result = t.result if isinstance(t.result, dict) else {}
    data = result.get(TUI_KEY)
    if data is None:
        return DialogueState(described=True), False
    if not isinstance(data, dict):
        raise SessionError(f"cannot resume {where}: result.tui must be a mapping, not {printable(repr(data), 40)}")
    values: dict[str, Any] = {}
    for f in dataclasses.fields(DialogueState):
        if f.name in data:
            values[f.name] = READERS[str(f.type)](data[f.name], f.name, where)
        elif f.name in SAVED_DEFAULTS:
            values[f.name] = SAVED_DEFAULTS[f.name]
    finished = _flag(data.get("finished", False), "finished", where)
    return DialogueState(**values), finished


class SessionStore:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else state_dir()
        self.folder = self.root / SESSIONS_FOLDER
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="session-save")
        self._pending: list[Future[None]] = []
        self._lock = threading.Lock()
        self.last_error: str | None = None
        self.last_written: Path | None = None

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
            text = dump_transcript(transcript)
            if len(text.encode("utf-8")) > MAX_SESSION_BYTES:
                # What could not be read back must not replace the last good save.
                self.last_error = f"the session is larger than {MAX_SESSION_BYTES // (1024 * 1024)} MB; {path} keeps the previous step"
                return
            self.folder.mkdir(parents=True, exist_ok=True)
            os.chmod(self.root, 0o700)  # session files can hold paths, logs and device ids
            write_atomically(path, text)
            self.last_error = None
            self.last_written = path
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
        """Saved sessions, newest first (regular files only: a FIFO or a device is no session)."""
        if not self.folder.is_dir():
            return []
        files: list[tuple[float, str, Path]] = []
        for p in self.folder.glob(SESSION_GLOB):
            with contextlib.suppress(OSError):
                if p.is_file():
                    files.append((p.stat().st_mtime, p.name, p))
        return [p for _, _, p in sorted(files, reverse=True)]

    def newest(self) -> Path:
        """The session `--resume` reopens: the newest one, whatever its state (SessionError if none)."""
        files = self.session_files()
        if not files:
            raise SessionError(f"no saved session to resume (sessions are kept in {self.folder})")
        return files[0]

    def load(self, path: Path) -> tuple[Transcript, DialogueState, bool]:
        """Read a session file and its TUI state (SessionError naming the file if it cannot be)."""
        from advisor.transcripts.format import load_transcript

        where = str(path)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise SessionError(f"cannot resume {where}: {exc.strerror or exc}") from None
        if size == 0:
            raise SessionError(f"cannot resume {where}: the file is empty")
        if size > MAX_SESSION_BYTES:
            raise SessionError(
                f"cannot resume {where}: {size // (1024 * 1024)} MB is more than a session may hold "
                f"({MAX_SESSION_BYTES // (1024 * 1024)} MB)"
            )
        with _named_failures(where):
            t = load_transcript(path)
            state, finished = tui_part(t, where)
        return t, state, finished

    def check(self, path: Path) -> bool:
        """Whether the session at `path` is finished, after checking it can be resumed (SessionError)."""
        return self.load(path)[2]

    def resume(self, kb: KnowledgeBase, path: Path | None = None, runtime: KnowledgeRuntime | None = None) -> ResumedSession:
        """Rebuild the investigation and the dialogue state of a saved session (SessionError if
        there is none, or if it cannot be used)."""
        from advisor.conversation.recording import investigation_from_transcript

        path = Path(path) if path is not None else self.newest()
        t, state, finished = self.load(path)
        with _named_failures(str(path)):
            inv = investigation_from_transcript(kb, t, runtime)
        if state.reopen is not None and state.reopen not in kb.questions:
            state.reopen = None
        return ResumedSession(path, inv, state, t.recorded, finished)

    def prune(self, keep: int = KEEP_SESSIONS) -> None:
        for old in self.session_files()[keep:]:
            with contextlib.suppress(OSError):
                old.unlink()


@contextlib.contextmanager
def _named_failures(where: str) -> Iterator[None]:
    """Whatever reading a session raises becomes one line naming the file. An unexpected
    exception is a damaged file too (it is the user's file, not our bug), but ADVISOR_DEBUG
    keeps its traceback, as everywhere."""
    try:
        yield
    except SessionError:
        raise
    except UserError as exc:
        message = exc.message
        raise SessionError(f"cannot resume {message}" if message.startswith(where) else f"cannot resume {where}: {message}") from None
    except Exception as exc:
        if os.environ.get("ADVISOR_DEBUG"):
            raise
        raise SessionError(f"cannot resume {where}: the file is damaged ({type(exc).__name__}: {exc})") from None
