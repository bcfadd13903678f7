"""Run one command from an argv list: never a shell, bounded in time and memory.

The command runs in its own process group with `LC_ALL=C` (so tools print the English, C-locale
text the parsers expect). On timeout the whole group is killed, so a tool that forked helpers
cannot keep the run waiting. Each output stream is capped; a tool that prints megabytes costs
at most the cap in memory. A stream may be filtered line by line while it is read (for
`lsregister -dump`, whose full output is far larger than the cap).
"""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO

DEFAULT_MAX_BYTES = 4 * 1024 * 1024
_CHUNK = 64 * 1024
# After the process ends, how long to wait for its pipes to close (a stray grandchild may hold them).
_DRAIN_GRACE_SECONDS = 1.0

LineFilter = Callable[[str], bool]


@dataclass
class CommandResult:
    argv: list[str]
    exit_code: int | None  # None when the command did not finish by itself
    stdout: str
    stderr: str
    duration_ms: int
    timed_out: bool = False
    error: str | None = None
    truncated: bool = False  # some output was dropped to respect the cap


class _StreamCapture(threading.Thread):
    """Reads one pipe to its end, keeping at most `max_bytes` (head, tail, or filtered lines)."""

    def __init__(self, pipe: IO[bytes], max_bytes: int, keep_tail: bool, line_filter: LineFilter | None) -> None:
        super().__init__(daemon=True)
        self.pipe = pipe
        self.max_bytes = max_bytes
        self.keep_tail = keep_tail
        self.line_filter = line_filter
        self.chunks: collections.deque[bytes] = collections.deque()
        self.kept = 0
        self.truncated = False
        self._partial = b""
        self._lock = threading.Lock()

    def run(self) -> None:
        try:
            while True:
                chunk = self.pipe.read1(_CHUNK) if hasattr(self.pipe, "read1") else self.pipe.read(_CHUNK)
                if not chunk:
                    break
                self._take(chunk)
            if self._partial:
                self._take_line(self._partial)
                self._partial = b""
        except (OSError, ValueError):  # pipe closed under us after a kill
            pass

    def _take(self, chunk: bytes) -> None:
        if self.line_filter is None:
            self._keep(chunk)
            return
        data = self._partial + chunk
        lines = data.split(b"\n")
        self._partial = lines.pop()
        if len(self._partial) > self.max_bytes:  # one endless "line": drop it
            self._partial = b""
            self.truncated = True
        for line in lines:
            self._take_line(line + b"\n")

    def _take_line(self, line: bytes) -> None:
        assert self.line_filter is not None
        if self.line_filter(line.decode("utf-8", errors="replace")):
            self._keep(line)

    def _keep(self, data: bytes) -> None:
        with self._lock:
            if self.keep_tail:
                self.chunks.append(data)
                self.kept += len(data)
                while self.kept > self.max_bytes and self.chunks:
                    excess = self.kept - self.max_bytes
                    first = self.chunks[0]
                    self.truncated = True
                    if len(first) <= excess:
                        self.chunks.popleft()
                        self.kept -= len(first)
                    else:
                        self.chunks[0] = first[excess:]
                        self.kept -= excess
                return
            room = self.max_bytes - self.kept
            if room <= 0:
                self.truncated = True
                return
            if len(data) > room:
                data = data[:room]
                self.truncated = True
            self.chunks.append(data)
            self.kept += len(data)

    def text(self) -> str:
        with self._lock:
            return b"".join(self.chunks).decode("utf-8", errors="replace")


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        os.killpg(pid, signal.SIGKILL)


def command_environment() -> dict[str, str]:
    """The caller's environment (PATH included) with the C locale forced."""
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    return env


def run_command(
    argv: list[str],
    timeout: float,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdout_filter: LineFilter | None = None,
    keep_tail: bool = False,
) -> CommandResult:
    """Run `argv` (no shell). Never raises for a failing, hanging or missing command."""
    start = time.monotonic()

    def elapsed_ms() -> int:
        return int((time.monotonic() - start) * 1000)

    try:
        proc = subprocess.Popen(  # noqa: S603 (an argv list from the probe catalog, never a shell)
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=command_environment(),
            start_new_session=True,  # its own process group, so a timeout kills helpers too
            close_fds=True,
        )
    except FileNotFoundError:
        return CommandResult(list(argv), None, "", "", elapsed_ms(), error=f"command not found: {argv[0]}")
    except OSError as exc:
        return CommandResult(list(argv), None, "", "", elapsed_ms(), error=f"cannot run {argv[0]}: {exc.strerror or exc}")

    assert proc.stdout is not None and proc.stderr is not None
    out = _StreamCapture(proc.stdout, max_bytes, keep_tail, stdout_filter)
    err = _StreamCapture(proc.stderr, max_bytes, False, None)
    out.start()
    err.start()
    timed_out = False
    try:
        proc.wait(timeout=max(timeout, 0.0))
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc.pid)
        proc.wait()
    # Helpers the tool left behind in its group are not ours to keep alive either.
    _kill_group(proc.pid)
    out.join(_DRAIN_GRACE_SECONDS)
    err.join(_DRAIN_GRACE_SECONDS)
    for pipe in (proc.stdout, proc.stderr):
        with contextlib.suppress(OSError):
            pipe.close()

    exit_code: int | None = proc.returncode
    error: str | None = None
    if timed_out:
        exit_code = None
        error = f"timed out after {timeout:g} s (its process group was killed)"
    elif exit_code is not None and exit_code < 0:
        error = f"killed by signal {-exit_code}"
        exit_code = None
    return CommandResult(
        argv=list(argv),
        exit_code=exit_code,
        stdout=out.text(),
        stderr=err.text(),
        duration_ms=elapsed_ms(),
        timed_out=timed_out,
        error=error,
        truncated=out.truncated or err.truncated,
    )
