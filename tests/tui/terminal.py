"""Drive a real `advisor` process in a pseudo-terminal (for the kill-and-resume test).

The screen is read from the raw output with escape sequences removed: enough to wait for a
text to be painted, without a terminal emulator.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

ESCAPES = re.compile(rb"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Z0-9]|\x1b[=>78]")


def advisor_command() -> list[str]:
    """The installed `advisor` script next to this Python, else `python -m advisor`."""
    script = Path(sys.executable).with_name("advisor")
    return [str(script)] if script.exists() else [sys.executable, "-m", "advisor"]


class PtyApp:
    def __init__(self, argv: list[str], env: dict[str, str], cols: int = 80, rows: int = 24) -> None:
        pid, fd = pty.fork()
        if pid == 0:  # the child: become the program
            os.execve(argv[0], argv, env)
        self.pid, self.fd = pid, fd
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.raw = b""
        self.mark = 0  # read_until looks at the output after the last send()

    def text(self, since_mark: bool = False) -> str:
        raw = self.raw[self.mark :] if since_mark else self.raw
        return ESCAPES.sub(b"", raw).decode("utf-8", errors="replace")

    def read_until(self, wanted: str, limit: float = 20.0) -> None:
        """Wait until `wanted` is painted after the last send() (bounded)."""
        deadline = time.monotonic() + limit
        while wanted not in self.text(since_mark=True):
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{wanted!r} never appeared; last output: {self.text()[-400:]!r}")
            ready, _, _ = select.select([self.fd], [], [], min(left, 0.5))
            if ready:
                try:
                    self.raw += os.read(self.fd, 65536)
                except OSError:
                    raise AssertionError(f"the program ended before {wanted!r} appeared: {self.text()[-400:]!r}") from None

    def drain(self) -> None:
        """Read what is waiting (a program blocks when nobody reads its terminal)."""
        while select.select([self.fd], [], [], 0)[0]:
            try:
                chunk = os.read(self.fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            self.raw += chunk

    def send(self, data: str) -> None:
        self.drain()
        self.mark = len(self.raw)
        os.write(self.fd, data.encode())

    def kill(self) -> None:
        try:
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        with contextlib.suppress(OSError):
            os.close(self.fd)
