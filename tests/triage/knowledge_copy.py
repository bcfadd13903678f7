"""A loadable copy of the real knowledge base for triage tests.

Triage needs only facts and signatures, but `load_knowledge` checks every file and every
diagnosis a signature names. While other parts of the knowledge base are still being written,
this copy fills what is missing (empty files, a minimal diagnosis per unknown id) so the triage
tests run against the real catalog. Nothing is filled once the real knowledge base is complete.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

REAL_KNOWLEDGE = Path(__file__).resolve().parents[2] / "knowledge"
_EMPTY_FILES = {"questions.yaml": "questions", "probes.yaml": "probes", "bundle-rules.yaml": "bundle_rules"}


def write_loadable_copy(dest: Path) -> Path:
    shutil.copytree(REAL_KNOWLEDGE, dest)
    for name, key in _EMPTY_FILES.items():
        if not (dest / name).exists():
            (dest / name).write_text(f"{key}: {{}}\n", encoding="utf-8")
    (dest / "diagnoses").mkdir(exist_ok=True)
    defined: set[str] = set()
    for path in (dest / "diagnoses").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        defined |= set((data.get("diagnoses") or {}).keys())
    wanted: set[str] = set()
    for path in (dest / "signatures").glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for sig in (data.get("signatures") or {}).values():
            wanted |= set((sig.get("points_to") or {}).keys())
    missing = sorted(wanted - defined)
    if missing:
        stub = {
            d: {
                "title": f"(placeholder for {d})",
                "summary": "placeholder",
                "explanation": "placeholder",
                "fix": ["placeholder"],
                "references": [{"title": "placeholder", "url": "https://example.com/placeholder"}],
            }
            for d in missing
        }
        (dest / "diagnoses" / "zz-triage-test-placeholders.yaml").write_text(
            yaml.safe_dump({"diagnoses": stub}, sort_keys=True), encoding="utf-8"
        )
    return dest
