"""A generated knowledge base of 10,000 questions and 2,000 diagnoses.

Targets: cold load (no compiled cache: the YAML is parsed) + `kb check` <= 2 s; choosing the next
question <= 5 ms (median over a walk). Baselines in the same run, interleaved with the measures:
parsing the same YAML files with PyYAML's C loader alone, and loading them with the located
reader alone (every line kept: the path before the rapidyaml fast path, and its fallback).
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
from measure import PYTHON, REPO, interleaved_medians, report

sys.path.insert(0, str(REPO))

from advisor.engine import walk
from advisor.engine.session import Session
from advisor.engine.walk import _live_weights
from advisor.graph.checks import check_knowledge
from advisor.knowledge import fast_yaml
from advisor.knowledge.loader import _load_knowledge, gc_paused, load_knowledge
from tests.synthetic_kb import write_synthetic_kb


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=int, default=10_000)
    parser.add_argument("--diagnoses", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = write_synthetic_kb(Path(tempfile.mkdtemp()) / "knowledge", args.questions, args.diagnoses)
    files = sorted(root.rglob("*.yaml"))
    size_mb = sum(f.stat().st_size for f in files) / 1e6

    def raw_parse() -> None:
        with gc_paused():
            for f in files:
                yaml.load(f.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)

    def located_load() -> None:
        with gc_paused():
            _load_knowledge(root, strict=False)

    cache = Path(tempfile.mkdtemp())
    os.environ["XDG_CACHE_HOME"] = str(cache)  # a private cache: the first load is cold
    samples: dict[str, list[float]] = {name: [] for name in ("baseline", "located", "cold", "warm", "check")}
    kb = None
    for _ in range(args.runs):
        t0 = time.perf_counter()
        raw_parse()
        samples["baseline"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        located_load()
        samples["located"].append(time.perf_counter() - t0)
        os.environ["ADVISOR_NO_CACHE"] = "1"
        t0 = time.perf_counter()
        load_knowledge(root)
        samples["cold"].append(time.perf_counter() - t0)
        del os.environ["ADVISOR_NO_CACHE"]
        load_knowledge(root)  # makes sure the compiled cache exists
        t0 = time.perf_counter()
        kb = load_knowledge(root)
        samples["warm"].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        problems = check_knowledge(kb)
        samples["check"].append(time.perf_counter() - t0)
        assert not problems, problems[:3]
    assert kb is not None
    med = {name: statistics.median(values) for name, values in samples.items()}
    cold_check = statistics.median([a + b for a, b in zip(samples["cold"], samples["check"], strict=True)])
    warm_check = statistics.median([a + b for a, b in zip(samples["warm"], samples["check"], strict=True)])
    ryml = fast_yaml._rapidyaml()
    reader = f"rapidyaml {ryml.__version__} fast path" if ryml else "located reader (rapidyaml not installed)"

    # The command an author runs, whole process, cold (imports included), against `python -c pass`.
    cli = interleaved_medians(
        {
            "python": [PYTHON, "-c", "pass"],
            "kb check": [PYTHON, "-m", "advisor", "kb", "--knowledge", str(root), "check"],
        },
        max(3, args.runs // 2),
        env={"ADVISOR_NO_CACHE": "1"},
    )

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

    base = med["baseline"]
    report(
        f"knowledge base of {args.questions} questions, {args.diagnoses} diagnoses ({size_mb:.1f} MB of YAML), {args.runs} runs",
        [
            ("reader", reader),
            ("baseline: PyYAML C loader, same files", f"{base:.2f} s median"),
            ("located reader: load + validate", f"{med['located']:.2f} s median ({med['located'] / base:.2f}x the bare parse)"),
            ("load + validate, cold (parse YAML)", f"{med['cold']:.2f} s median ({med['cold'] / base:.2f}x the bare parse, {med['located'] / med['cold']:.1f}x faster than located)"),
            ("load, warm (compiled cache)", f"{med['warm']:.2f} s median"),
            ("kb check (graph + contract)", f"{med['check']:.2f} s median"),
            ("cold load + check (target <= 2 s)", f"{cold_check:.2f} s ({cold_check / base:.2f}x the bare parse)"),
            ("warm load + check", f"{warm_check:.2f} s"),
            ("advisor kb check, whole process, cold", f"{cli['kb check']:.2f} s median (python -c pass: {cli['python']:.2f} s)"),
            ("re-rank after an answer", f"{statistics.median(rerank) * 1000:.1f} ms median"),
            ("choose next question (target <= 5 ms)", f"{statistics.median(choose) * 1000:.2f} ms median over {len(choose)} steps"),
        ],
    )


if __name__ == "__main__":
    main()
