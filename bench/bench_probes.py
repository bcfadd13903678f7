"""Probes run concurrently: 8 fake probes that each take 0.2 s, 4 workers vs one at a time.

Also: the seed thread's whole fake Mac (about 20 probes), and one hung tool among them, which
should cost about its timeout rather than add to everything else. Baseline in the same run:
the same probes run sequentially.

Worst cases (issue 12, #3), `advisor diagnose --app <seed app> --probe yes --probe-timeout 2`
as a user runs it, against the same command on the healthy fake Mac in the same run:
* csrutil answers and exits, leaving a helper escaped with setsid that holds its stdout 30 s;
* every tool hangs (about 20 probes): the session's probe budget (3 x 2 s) bounds the run;
* every tool hangs and each probe has its own timeout (10-60 s, no `--probe-timeout`): the
  default budget (45 s) bounds it. Run once (before the budget it took minutes).
`--against DIR` also runs them with the advisor checkout in DIR (say, main before the fix).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measure import REPO, report

sys.path.insert(0, str(REPO))

from advisor.knowledge.loader import load_knowledge
from advisor.knowledge.model import Location, Probe
from advisor.probes import PlannedProbe, ProbeContext, discover_context, planned_probes, run_probes
from tests.fake_mac import FakeMac, Reply, Scenario, always, broken, seed_mac


def _median(fn, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


ESCAPED_HELPER = """#!{python}
import os, sys, time
pid = os.fork()
if pid == 0:
    os.setsid()  # out of csrutil's process group, holding its stdout
    time.sleep(30)
    os._exit(0)
open(os.path.join({pids!r}, str(pid)), "w").close()
print("System Integrity Protection status: enabled.")
"""


def _diagnose_seconds(app: Path, path: str, checkout: Path, apps_dir: Path, timeout: str | None = "2") -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADVISOR_")}
    env.update(PATH=path, PYTHONPATH=str(checkout), ADVISOR_APPLICATIONS_DIR=str(apps_dir))
    argv = [sys.executable, "-m", "advisor", "diagnose", "--app", str(app), "--probe", "yes", "--format", "json"]
    argv += ["--probe-timeout", timeout] if timeout else []
    start = time.perf_counter()
    proc = subprocess.run(argv, capture_output=True, cwd=str(checkout), env=env, timeout=900)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise SystemExit(f"diagnose failed ({proc.returncode}): {proc.stderr[-400:]!r}")
    return elapsed


OWN_TIMEOUTS = "every tool hangs, no --probe-timeout (each probe's own, 10-60 s)"


def worst_cases(runs: int, against: Path | None) -> None:
    """Issue 12, #3: tools whose helpers hold their pipes, and a Mac where every tool hangs."""
    checkouts = {"this checkout": REPO} | ({"--against": against} if against else {})
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        seed = seed_mac(root / "seed")
        healthy = FakeMac(root / "healthy", seed.scenario)
        pids = root / "pids"
        pids.mkdir()
        escaped = FakeMac(root / "escaped", seed.scenario)
        (escaped.bin_dir / "csrutil").write_text(ESCAPED_HELPER.format(python=sys.executable, pids=str(pids)))
        hung = FakeMac(root / "hung", Scenario({tool: broken("hang") for tool in seed.scenario.tools}))
        cases = {"healthy tools (baseline)": healthy, "csrutil's helper holds its stdout 30 s": escaped, "every tool hangs": hung}
        samples: dict[str, list[float]] = {}
        try:
            for _ in range(runs):
                for case, mac in cases.items():
                    for label, checkout in checkouts.items():
                        seconds = _diagnose_seconds(seed.app, mac.path, checkout, seed.applications)
                        samples.setdefault(f"{case} ({label})", []).append(seconds)
            for label, checkout in checkouts.items():
                seconds = _diagnose_seconds(seed.app, hung.path, checkout, seed.applications, timeout=None)
                samples[f"{OWN_TIMEOUTS} ({label})"] = [seconds]
        finally:
            for entry in pids.iterdir():
                with contextlib.suppress(ProcessLookupError, ValueError):
                    os.kill(int(entry.name), signal.SIGKILL)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    rows = [("command", "diagnose --app <seed app> --probe yes --probe-timeout 2"), ("runs (interleaved)", str(runs))]
    for case in cases:
        for label in checkouts:
            value = medians[f"{case} ({label})"]
            base = medians[f"healthy tools (baseline) ({label})"]
            rows.append((f"{case}, {label}", f"{value:.2f} s median, {value / base:.1f}x healthy"))
        if against and case != "healthy tools (baseline)":
            ratio = medians[f"{case} (this checkout)"] / medians[f"{case} (--against)"]
            rows.append((f"{case}: this checkout / --against", f"{ratio:.2f} ({1 / ratio:.1f}x faster)"))
    for label in checkouts:
        rows.append((f"{OWN_TIMEOUTS}, {label}", f"{medians[f'{OWN_TIMEOUTS} ({label})']:.1f} s (one run)"))
    if against:
        ratio = medians[f"{OWN_TIMEOUTS} (this checkout)"] / medians[f"{OWN_TIMEOUTS} (--against)"]
        rows.append((f"{OWN_TIMEOUTS}: this checkout / --against", f"{ratio:.2f} ({1 / ratio:.1f}x faster)"))
    report("probes: tools that hang or whose helpers hold their pipes (issue 12, #3)", rows)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--worst-runs", type=int, default=3, help="runs of each worst case")
    parser.add_argument("--against", type=Path, help="another advisor checkout (e.g. main) to compare the worst cases with")
    parser.add_argument("--only-worst", action="store_true", help="skip the concurrency figures")
    args = parser.parse_args()
    worst_cases(args.worst_runs, args.against.resolve() if args.against else None)
    if args.only_worst:
        return
    rows: list[tuple[str, str]] = [("runs", str(args.runs))]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        tools = {f"slow{i}": always(Reply("ok\n", hang_seconds=0.2)) for i in range(8)}
        mac = FakeMac(root / "slow", Scenario(tools))
        os.environ["PATH"] = mac.path
        context = ProbeContext()
        planned = [
            PlannedProbe(Probe(f"slow-{i}", name, (name,), "log_show", (), "bench", 10.0, Location("bench", 1)), [name], context)
            for i, name in enumerate(tools)
        ]
        sequential = _median(lambda: run_probes(planned, max_workers=1), args.runs)
        concurrent = _median(lambda: run_probes(planned, max_workers=4), args.runs)
        rows += [
            ("8 probes x 0.2 s, sequential (baseline)", f"{sequential * 1000:.0f} ms median"),
            ("8 probes x 0.2 s, 4 workers", f"{concurrent * 1000:.0f} ms median"),
            ("speed-up (ideal 4x)", f"{sequential / concurrent:.2f}x"),
        ]

        kb = load_knowledge(strict=False)
        seed = seed_mac(root / "seed")
        seed_tools = FakeMac(root / "seed-tools", seed.scenario)
        os.environ.update(seed_tools.env())
        seed_planned = planned_probes(kb, discover_context(str(seed.app)))
        seq_seed = _median(lambda: run_probes(seed_planned, max_workers=1), args.runs)
        con_seed = _median(lambda: run_probes(seed_planned, max_workers=4), args.runs)
        seed_tools.set_tool("csrutil", broken("hang"))
        hung = _median(lambda: run_probes(seed_planned, timeout=2.0, max_workers=4), max(1, args.runs // 2))
        rows += [
            (f"seed Mac, {len(seed_planned)} probes, sequential (baseline)", f"{seq_seed * 1000:.0f} ms median"),
            (f"seed Mac, {len(seed_planned)} probes, 4 workers", f"{con_seed * 1000:.0f} ms median"),
            ("speed-up", f"{seq_seed / con_seed:.2f}x"),
            ("seed Mac with csrutil hung, timeout 2 s", f"{hung * 1000:.0f} ms median (target: about 2000 + the rest)"),
        ]
    report("probes: concurrency", rows)


if __name__ == "__main__":
    main()
