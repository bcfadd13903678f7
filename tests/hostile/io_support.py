"""Running `advisor` as a user would, under limits, and checking it failed (or not) cleanly.

Every run is a fresh `python -m advisor` process in a folder of its own, with an address-space
limit (RLIMIT_AS) so that an unbounded read fails the run instead of the machine, and a
timeout. What a hostile-input test asserts about a run: its exit code, one line on stderr, no
traceback, no internal error; and, with `Snapshot`, that its inputs are unchanged.
"""

from __future__ import annotations

import hashlib
import os
import resource
import stat
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MEMORY_LIMIT = 1 << 30  # bytes of address space: a run needs about 100 MB
TIME_LIMIT = 60.0  # seconds: a run takes about half a second; this only catches hangs


@dataclass
class Run:
    args: list[str]
    returncode: int
    stdout: bytes
    stderr: str
    seconds: float

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    def describe(self) -> str:
        return f"advisor {' '.join(self.args)!r} -> {self.returncode}: {self.stderr!r}"


def _limits(memory: int, close_stdin: bool, close_stdout: bool) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        if close_stdin:
            os.close(0)
        if close_stdout:
            os.close(1)

    return apply


def advisor_env(**extra: str) -> dict[str, str]:
    """The environment for running this repository's advisor (an outer PYTHONPATH comes first, so
    the same tests can be pointed at another checkout to see them fail there)."""
    env = {k: v for k, v in os.environ.items() if k != "ADVISOR_DEBUG"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH", ""), str(REPO)) if p)
    env.update(extra)
    return env


def run_advisor(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    stdin: bytes | None = None,
    close_stdin: bool = False,
    close_stdout: bool = False,
    timeout: float = TIME_LIMIT,
    memory: int = MEMORY_LIMIT,
    python: Sequence[str] | None = None,
) -> Run:
    """`python -m advisor ARGS` in `cwd`, bounded in memory and time (TimeoutExpired fails the test)."""
    full_env = advisor_env(**(env or {}))
    command = list(python) if python else [sys.executable, "-m", "advisor"]
    started = time.monotonic()
    proc = subprocess.run(
        [*command, *args],
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        env=full_env,
        cwd=str(cwd),
        timeout=timeout,
        preexec_fn=_limits(memory, close_stdin, close_stdout),
    )
    return Run(list(args), proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace"), time.monotonic() - started)


def assert_clean(run: Run, *codes: int) -> None:
    """Exit code among `codes`; stderr empty or one line; never a traceback or internal error."""
    assert run.returncode in codes, run.describe()
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.describe()
    if run.returncode == 2:
        assert run.stderr.count("\n") == 1, run.describe()
        assert run.stderr[:-1].isprintable(), run.describe()


@dataclass(frozen=True)
class FileState:
    kind: str
    mode: int
    digest: str


def file_state(path: Path) -> FileState | None:
    try:
        st = path.lstat()
    except FileNotFoundError:
        return None
    if stat.S_ISLNK(st.st_mode):
        return FileState("link", st.st_mode, os.readlink(path))
    if stat.S_ISREG(st.st_mode):
        return FileState("file", st.st_mode, hashlib.sha256(path.read_bytes()).hexdigest())
    return FileState(stat.filemode(st.st_mode)[0], st.st_mode, "")


class Snapshot:
    """The state (type, mode, content) of some files, to show that a run changed none of them."""

    def __init__(self, *paths: Path) -> None:
        self.before = {p: file_state(p) for p in paths}

    def changed(self) -> list[Path]:
        return [p for p, state in self.before.items() if file_state(p) != state]


def hidden_leftovers(folder: Path) -> list[str]:
    """Temp and lock files a writer left in a folder (none should survive a finished run)."""
    return sorted(p for p in os.listdir(folder) if p.startswith(".") and ("advisor" in p or p.count(".") >= 2))
