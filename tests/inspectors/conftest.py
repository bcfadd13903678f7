"""Shared fixtures for the bundle-inspector tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from advisor.knowledge.loader import load_knowledge
from advisor.knowledge.model import KnowledgeBase

REPO = Path(__file__).resolve().parents[2]
KNOWLEDGE = REPO / "knowledge"
REAL_ARTIFACTS = REPO / ".." / "shared" / "real-artifacts"


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    """The real knowledge base (its bundle rules are what the inspector evaluates)."""
    kb = load_knowledge(KNOWLEDGE, strict=False)
    assert kb.bundle_rules, "knowledge/bundle-rules.yaml did not load"
    return kb


@pytest.fixture(scope="session")
def minimal_kb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A strict-valid knowledge base holding the real facts and bundle rules, and a stub for each
    diagnosis they name: the CLI can load it whatever state the rest of the real base is in."""
    root = tmp_path_factory.mktemp("kb")
    for name in ("facts.yaml", "meta.yaml", "bundle-rules.yaml"):
        shutil.copy(KNOWLEDGE / name, root / name)
    (root / "questions.yaml").write_text("questions: {}\n")
    (root / "probes.yaml").write_text("probes: {}\n")
    for folder in ("diagnoses", "signatures", "symptoms"):
        (root / folder).mkdir()
    rules = yaml.safe_load((KNOWLEDGE / "bundle-rules.yaml").read_text())["bundle_rules"]
    diagnoses = {
        rule["diagnosis"]: {
            "title": rule["diagnosis"],
            "summary": "stub",
            "explanation": "stub",
            "fix": ["stub"],
            "references": [{"title": "stub", "url": "https://example.com"}],
        }
        for rule in rules.values()
    }
    (root / "diagnoses" / "stubs.yaml").write_text(yaml.safe_dump({"diagnoses": diagnoses}))
    load_knowledge(root)  # strict: fails here, not in the tests, if the stub base is invalid
    return root


@pytest.fixture(scope="session")
def real_artifacts() -> Path:
    folder = REAL_ARTIFACTS.resolve()
    if not folder.is_dir():
        pytest.skip("shared real artifacts are not available")
    return folder
