"""Assertion shared by the probe tests: observations speak the facts.yaml vocabulary."""

from __future__ import annotations

from advisor.evidence import Observation, Source
from advisor.knowledge.model import KnowledgeBase


def check_vocabulary(kb: KnowledgeBase, observations: list[Observation]) -> None:
    """Every observation uses a fact and value from facts.yaml, as a probe, with a quote."""
    for o in observations:
        assert o.fact in kb.facts, o
        assert o.value in kb.facts[o.fact].values, o
        assert o.source is Source.PROBE
        assert o.detail, o
