"""Triage quality on a labelled set of real lines, variants, near-misses and unrelated lines.

Precision: of the lines triage matched, the share matched to the expected signature.
Recall: of the lines that should match, the share matched to the expected signature.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import yaml

LABELLED = Path(__file__).with_name("labelled_lines.yaml")
MIN_PRECISION = 0.98
MIN_RECALL = 0.97


def _entries() -> list[dict]:
    return yaml.safe_load(LABELLED.read_text(encoding="utf-8"))["lines"]


def _outcomes(triage) -> list[tuple[dict, str | None]]:
    out = []
    for entry in _entries():
        result = triage.triage_lines([entry["line"]])
        out.append((entry, result.matches[0].signature if result.matches else None))
    return out


def test_the_set_is_broad(kb):
    entries = _entries()
    groups = Counter(e["group"] for e in entries)
    assert groups["real"] >= 40 and groups["variant"] >= 40 and groups["near-miss"] >= 15 and groups["unrelated"] >= 25
    expected = {e["expect"] for e in entries if e["expect"]}
    assert expected <= set(kb.signatures)
    assert len(expected) >= 60


def test_precision_and_recall(triage):
    outcomes = _outcomes(triage)
    matched = [(e, got) for e, got in outcomes if got is not None]
    wanted = [(e, got) for e, got in outcomes if e["expect"] is not None]
    precision = sum(got == e["expect"] for e, got in matched) / len(matched)
    recall = sum(got == e["expect"] for e, got in wanted) / len(wanted)
    wrong = [f"{e['group']}: expected {e['expect']}, got {got}: {e['line'][:100]}" for e, got in outcomes if got != e["expect"]]
    assert precision >= MIN_PRECISION and recall >= MIN_RECALL, "\n".join(wrong)


def test_unrelated_lines_never_match(triage):
    false = [(e["line"], got) for e, got in _outcomes(triage) if e["group"] == "unrelated" and got is not None]
    assert false == []
