"""Small timing tools for the benchmarks: medians of repeated runs, and peak memory of a child."""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def median_seconds(fn: Callable[[], object], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def run_process(argv: list[str], stdin: str | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run(argv, input=stdin, capture_output=True, text=True, cwd=str(REPO), env=full_env)


def interleaved_medians(commands: dict[str, list[str]], runs: int, env: dict[str, str] | None = None) -> dict[str, float]:
    """Run the commands in turn (A B A B ...) so machine noise hits them alike; medians in seconds."""
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            proc = run_process(argv, env=env)
            samples[name].append(time.perf_counter() - start)
            if proc.returncode not in (0, 1):
                raise SystemExit(f"{name} failed ({proc.returncode}): {proc.stderr[-500:]}")
    return {name: statistics.median(values) for name, values in samples.items()}


def peak_rss_mb_of(argv: list[str]) -> float:
    """Peak resident memory of one child process (Linux ru_maxrss is in KiB)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    proc = subprocess.run(argv, capture_output=True, cwd=str(REPO))
    after = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{argv} failed: {proc.stderr[-500:]!r}")
    return max(after, before) / 1024.0


def report(title: str, rows: list[tuple[str, str]]) -> None:
    print(f"== {title}")
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"  {key.ljust(width)}  {value}")
