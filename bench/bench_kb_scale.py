"""A generated knowledge base of 10,000 questions and 2,000 diagnoses.

Targets: load + `kb check` <= 2 s; choosing the next question <= 5 ms (median over a walk).
Baseline in the same run: parsing the same YAML files with PyYAML's C loader alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml
from measure import REPO, report

sys.path.insert(0, str(REPO))

from advisor.engine import walk
from advisor.engine.session import Session
from advisor.engine.walk import _live_weights
from advisor.graph.checks import check_knowledge
from advisor.knowledge.loader import gc_paused, load_knowledge
from tests.synthetic_kb import write_synthetic_kb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--diagnoses", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = write_synthetic_kb(Path(tempfile.mkdtemp()) / "knowledge", args.questions, args.diagnoses)
    files = sorted(root.rglob("*.yaml"))
    size_mb = sum(f.stat().st_size for f in files) / 1e6

    def raw_parse() -> None:
        with gc_paused():
            for f in files:
                yaml.load(f.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)

    cache = Path(tempfile.mkdtemp())
    os.environ["XDG_CACHE_HOME"] = str(cache)  # a private cache: the first load is cold
    loads, cold, checks, baselines = [], [], [], []
    kb = None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        raw_parse()
        baselines.append(time.perf_counter() - t0)
        os.environ["ADVISOR_NO_CACHE"] = "1"
        t0 = time.perf_counter()
        load_knowledge(root)
        cold.append(time.perf_counter() - t0)
        del os.environ["ADVISOR_NO_CACHE"]
        load_knowledge(root)  # makes sure the compiled cache exists
        t0 = time.perf_counter()
        kb = load_knowledge(root)
        loads.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        problems = check_knowledge(kb)
        checks.append(time.perf_counter() - t0)
        assert not problems, problems[:3]
    assert kb is not None

    # Measure the cost of choosing over a whole walk: with 2,000 equally plausible synthetic
    # diagnoses no single answer moves 5% of the weight, so the walk's stopping rules are lifted.
    walk.MIN_GAIN = 0.0
    walk.MIN_VALUE = 0.0
    session = Session(kb)
    choose, rerank = [], []
    for _ in range(25):
        t0 = time.perf_counter()
        _live_weights(session.ranking, session.index)  # re-rank after the last answer
        rerank.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        choice = session.next_question()
        choose.append(time.perf_counter() - t0)
        if choice is None:
            break
        session.answer(choice.question.fact, kb.facts[choice.question.fact].values[0])

    load_check = statistics.median([a + b for a, b in zip(loads, checks, strict=False)])
    report(
        f"knowledge base of {args.questions} questions, {args.diagnoses} diagnoses ({size_mb:.1f} MB of YAML)",
        [
            ("baseline: PyYAML C loader, same files", f"{statistics.median(baselines):.2f} s median"),
            ("load + validate, cold (parse YAML)", f"{statistics.median(cold):.2f} s median ({statistics.median(cold) / statistics.median(baselines):.2f}x the bare parse)"),
            ("load, warm (compiled cache)", f"{statistics.median(loads):.2f} s median"),
            ("kb check (graph + contract)", f"{statistics.median(checks):.2f} s median"),
            ("warm load + check (target <= 2 s)", f"{load_check:.2f} s"),
            ("cold load + check", f"{statistics.median([a + b for a, b in zip(cold, checks, strict=False)]):.2f} s"),
            ("re-rank after an answer", f"{statistics.median(rerank) * 1000:.1f} ms median"),
            ("choose next question (target <= 5 ms)", f"{statistics.median(choose) * 1000:.2f} ms median over {len(choose)} steps"),
        ],
    )


if __name__ == "__main__":
    main()
