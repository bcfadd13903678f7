"""Write a synthetic knowledge base of any size (for scale tests and benchmarks).

The shape mirrors the real one: facts with 2-5 values, one question per fact (some gated by
ask_if), diagnoses that require, support and rule out on random facts, symptoms and
signatures pointing at diagnoses. Deterministic for a given seed.
"""

from __future__ import annotations

import random
from pathlib import Path

from tests.knowledge_builder import write_knowledge


def write_synthetic_kb(root: Path, questions: int, diagnoses: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    facts = {}
    for i in range(questions):
        facts[f"f{i}"] = {"values": [f"v{j}" for j in range(rng.randint(2, 5))], "help": f"synthetic fact {i}"}
    qs = {}
    for i in range(questions):
        q = {"fact": f"f{i}", "text": f"Synthetic question {i}?"}
        if i >= 20 and rng.random() < 0.3:
            parent = rng.randrange(0, i)  # only earlier facts: no cycles
            q["ask_if"] = {f"f{parent}": facts[f"f{parent}"]["values"][0]}
        qs[f"q{i}"] = q
    diags = {}
    for i in range(diagnoses):
        picks = rng.sample(range(questions), 5)
        f = [f"f{k}" for k in picks]
        diags[f"d{i}"] = {
            "title": f"Synthetic diagnosis {i}",
            "summary": "synthetic",
            "explanation": "synthetic",
            "requires": {f[0]: facts[f[0]]["values"][0]},
            "supports": [
                {"when": {f[1]: facts[f[1]]["values"][-1]}, "weight": 2},
                {"when": {f[2]: facts[f[2]]["values"][0], f[3]: facts[f[3]]["values"][1]}, "weight": 3},
            ],
            "rules_out": [{"when": {f[4]: facts[f[4]]["values"][-1]}, "note": "synthetic"}],
            "confirmed_when": [{f[1]: facts[f[1]]["values"][-1]}],
            "fix": ["synthetic step"],
            "references": [{"title": "synthetic", "url": "https://example.com/synthetic"}],
        }
    # Every question's every choice must lead somewhere: give unused values a support.
    used = {(fa, v) for d in diags.values() for c in [d["requires"], *[s["when"] for s in d["supports"]], *[r["when"] for r in d["rules_out"]]] for fa, v in c.items()}
    used |= {(fa, v) for q in qs.values() for fa, v in (q.get("ask_if") or {}).items()}
    for fa, spec in facts.items():
        for v in spec["values"]:
            if (fa, v) not in used:
                target = diags[f"d{rng.randrange(diagnoses)}"]
                target["supports"].append({"when": {fa: v}, "weight": 1})
    return write_knowledge(
        root,
        {
            "meta.yaml": {"knowledge": {"version": "synthetic"}},
            "facts.yaml": {"facts": facts},
            "questions.yaml": {"questions": qs},
            "diagnoses/synthetic.yaml": {"diagnoses": diags},
            "symptoms/s.yaml": {"symptoms": {"s0": {"phrases": ["synthetic phrase"], "points_to": {"d0": 1}}}},
            "signatures/g.yaml": {"signatures": {"g0": {"text": "synthetic message", "kind": "cause", "meaning": "m", "points_to": {"d0": 1}}}},
            "probes.yaml": {"probes": {}},
            "bundle-rules.yaml": {"bundle_rules": {}},
            "contract.yaml": {"contract": {"facts": {}, "diagnoses": []}},
        },
    )
