"""Run one command from an argv list: never a shell, bounded in time and memory.

The command runs in its own process group with `LC_ALL=C` (so tools print the English, C-locale
text the parsers expect). Its output is read in this thread, without blocking, until a hard
deadline: at the deadline the whole group is killed and reading stops, whatever the processes
do. A tool may leave a helper behind that escaped the group (`setsid sleep 30 &`) and still
holds the tool's stdout: once the tool itself has exited, its pipes get a short grace to drain
and are then closed, so such a helper cannot keep the run waiting. Each output stream is
capped; a tool that prints megabytes costs at most the cap in memory. A stream may be filtered
line by line while it is read (for `lsregister -dump`, whose full output is far larger than the
cap).
"""

from __future__ import annotations

import collections
import contextlib
import math
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

DEFAULT_MAX_BYTES = 4 * 1024 * 1024
_CHUNK = 64 * 1024
# After the tool exits, how long its pipes may stay open (a stray helper may hold them).
_DRAIN_GRACE_SECONDS = 0.5
# How often a silent, running tool is checked for having exited (its pipes may outlive it).
_EXIT_CHECK_SECONDS = 0.05
# How long to wait for a killed group's leader to be reaped before giving up on it.
_REAP_SECONDS = 1.0

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


class _StreamCapture:
    """What one pipe delivered, keeping at most `max_bytes` (head, tail, or filtered lines)."""

    def __init__(self, max_bytes: int, keep_tail: bool, line_filter: LineFilter | None) -> None:
        self.max_bytes = max_bytes
        self.keep_tail = keep_tail
        self.line_filter = line_filter
        self.chunks: collections.deque[bytes] = collections.deque()
        self.kept = 0
        self.truncated = False
        self._partial = b""

    def feed(self, chunk: bytes) -> None:
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

    def finish(self) -> None:
        """The stream ended (or reading stopped): a last line without a newline still counts."""
        if self._partial:
            self._take_line(self._partial)
            self._partial = b""

    def _take_line(self, line: bytes) -> None:
        assert self.line_filter is not None
        if self.line_filter(line.decode("utf-8", errors="replace")):
            self._keep(line)

    def _keep(self, data: bytes) -> None:
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
        return b"".join(self.chunks).decode("utf-8", errors="replace")


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
        os.killpg(pid, signal.SIGKILL)


def _has_exited(proc: subprocess.Popen[bytes]) -> bool:
    """Whether the tool has exited, without reaping it: while it is an unreaped zombie its pid,
    and so its process group id, cannot be reused, so killing the group stays safe."""
    if proc.returncode is not None:
        return True
    try:
        return os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
    except ChildProcessError:
        return True


def command_environment() -> dict[str, str]:
    """The caller's environment (PATH included) with the C locale forced."""
    env = dict(os.environ)
    env["LC_ALL"] = "C"
    return env


def _read_until(
    proc: subprocess.Popen[bytes], captures: dict[int, _StreamCapture], deadline: float
) -> bool:
    """Read the tool's pipes until both end, or the tool has exited and the grace is over, or
    the deadline. True when the deadline came while the tool was still running."""
    exited_at: float | None = None
    with selectors.DefaultSelector() as selector:
        for fd in captures:
            os.set_blocking(fd, False)
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            now = time.monotonic()
            if exited_at is None and _has_exited(proc):
                exited_at = now
            if exited_at is not None and now >= min(exited_at + _DRAIN_GRACE_SECONDS, deadline):
                return False  # only a stray helper keeps the pipes open: stop reading
            if now >= deadline:
                return True
            limit = deadline if exited_at is None else min(deadline, exited_at + _DRAIN_GRACE_SECONDS)
            for key, _ in selector.select(max(0.0, min(limit - now, _EXIT_CHECK_SECONDS))):
                fd = int(key.fd)
                try:
                    chunk = os.read(fd, _CHUNK)
                except BlockingIOError:
                    continue
                except OSError:
                    chunk = b""
                if chunk:
                    captures[fd].feed(chunk)
                else:
                    selector.unregister(fd)
    # Both pipes ended; a tool may still run after closing them (a daemon): wait for it too.
    # It usually exits a moment after closing them, so look again soon, then less often.
    pause = 0.001
    while not _has_exited(proc):
        now = time.monotonic()
        if now >= deadline:
            return True
        time.sleep(min(deadline - now, pause))
        pause = min(pause * 2, _EXIT_CHECK_SECONDS)
    return False


def run_command(
    argv: list[str],
    timeout: float,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdout_filter: LineFilter | None = None,
    keep_tail: bool = False,
) -> CommandResult:
    """Run `argv` (no shell) for at most `timeout` seconds, whatever the tool or its helpers
    do. Never raises for a failing, hanging or missing command."""
    start = time.monotonic()
    # NaN or a negative limit would disable the comparison below: no time at all instead.
    limit = timeout if timeout > 0 else 0.0
    deadline = start + limit if math.isfinite(limit) else math.inf

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
    out = _StreamCapture(max_bytes, keep_tail, stdout_filter)
    err = _StreamCapture(max_bytes, False, None)
    try:
        timed_out = _read_until(proc, {proc.stdout.fileno(): out, proc.stderr.fileno(): err}, deadline)
    finally:
        # Helpers the tool left behind in its group are not ours to keep alive either; the
        # leader is not reaped yet, so the group id still names this group.
        _kill_group(proc.pid)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=_REAP_SECONDS)
        for pipe in (proc.stdout, proc.stderr):
            with contextlib.suppress(OSError):
                pipe.close()
    out.finish()
    err.finish()

    exit_code: int | None = proc.returncode
    error: str | None = None
    if timed_out:
        exit_code = None
        error = f"timed out after {timeout:.3g} s (its process group was killed)"
    elif exit_code is None:
        error = "did not end after its process group was killed"
    elif exit_code < 0:
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
