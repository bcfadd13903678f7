"""Fixtures for the probe tests: the knowledge base, and the seed thread's fake Mac."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.knowledge.loader import load_knowledge
from advisor.knowledge.model import KnowledgeBase
from tests.fake_mac import FakeMac, SeedMac, seed_mac


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    # Other parts of the knowledge base may be mid-edit; these tests need probes.yaml and facts.yaml.
    kb = load_knowledge(strict=False)
    problems = [p for p in kb.problems if "probes.yaml" in p or "facts.yaml" in p]
    assert not problems, problems
    return kb


@pytest.fixture
def seed(tmp_path: Path) -> SeedMac:
    return seed_mac(tmp_path / "mac")


@pytest.fixture
def fake_mac(seed: SeedMac, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeMac:
    mac = FakeMac(tmp_path / "tools", seed.scenario)
    mac.activate(monkeypatch)
    return mac
