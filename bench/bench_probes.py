"""Probes run concurrently: 8 fake probes that each take 0.2 s, 4 workers vs one at a time.

Also: the seed thread's whole fake Mac (about 20 probes), and one hung tool among them, which
should cost about its timeout rather than add to everything else. Baseline in the same run:
the same probes run sequentially.
"""

from __future__ import annotations

import argparse
import os
import statistics
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
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
