"""Run advisor as a user would, bounded, and judge how it behaved on hostile input.

Each run is a real `python -m advisor` subprocess under an address-space cap (RLIMIT_AS), so an
unbounded read fails with MemoryError (an internal error, exit 3) instead of taking the machine,
and under a time ceiling: a generous limit per run, asserted as a ceiling, not a benchmark.
`assert_well_behaved` checks what every run owes its user: an expected exit code, at most one
line on stderr (exactly one, naming the culprit, for bad input), never a traceback.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

# Far above what advisor needs (about 200 MB of address space), far below an unbounded read.
MEMORY_CAP_BYTES = 1024 * 1024 * 1024
DEFAULT_CEILING_SECONDS = 60.0
REPO = Path(__file__).resolve().parents[2]


@dataclass
class Outcome:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def describe(self) -> str:
        return f"advisor {' '.join(a if len(a) < 80 else a[:77] + '...' for a in self.args)} -> exit {self.returncode} in {self.seconds:.1f} s; stderr: {self.stderr[-600:]!r}"


def _cap_memory() -> None:  # runs in the child, before exec
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))


def advisor_env(path: str | None = None, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The caller's environment without advisor's own switches (debug tracebacks, tool
    overrides), with PATH replaced when given (a folder of fake tools)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
    env["PYTHONPATH"] = str(REPO)
    if path is not None:
        env["PATH"] = path
    env.update(extra or {})
    return env


def run_advisor(
    args: Iterable[str],
    *,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
    ceiling: float = DEFAULT_CEILING_SECONDS,
    cwd: Path | None = None,
) -> Outcome:
    argv = [str(a) for a in args]
    start = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "advisor", *argv],
            input=stdin if stdin is not None else b"",
            capture_output=True,
            env=dict(env) if env is not None else advisor_env(),
            timeout=ceiling,
            preexec_fn=_cap_memory,
            cwd=str(cwd or REPO),
        )
    except subprocess.TimeoutExpired:
        raise AssertionError(f"advisor {' '.join(argv)[:300]} took longer than the {ceiling:g} s ceiling") from None
    return Outcome(
        argv,
        proc.returncode,
        proc.stdout.decode("utf-8", errors="replace"),
        proc.stderr.decode("utf-8", errors="replace"),
        time.monotonic() - start,
    )


def assert_well_behaved(outcome: Outcome, codes: Iterable[int], names: str | None = None) -> None:
    """Exit code expected, never an internal error or a traceback, one stderr line at most;
    for bad input (exit 2) exactly one line, naming `names` when given."""
    allowed = set(codes)
    what = outcome.describe()
    assert outcome.returncode in allowed, what
    assert "Traceback" not in outcome.stderr and "internal error" not in outcome.stderr, what
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    assert len(lines) <= 1, what
    if outcome.returncode == 2:
        assert len(lines) == 1 and lines[0].startswith("advisor: "), what
        if names is not None:
            assert names in lines[0], what
