"""`kb check` walks the graph's plain parts; it must find what the networkx walk found, in order.

The reference below is the networkx implementation `graph_problems` had before it walked the
plain parts (kept here, verbatim in substance), run on the networkx graph `build_graph` makes.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pytest

from advisor.graph.checks import _is_acyclic, graph_problems
from advisor.graph.decision_graph import build_graph, entry_points, graph_parts
from advisor.knowledge.loader import load_knowledge
from advisor.knowledge.model import KnowledgeBase, Location
from tests.engine.tiny_kb import FILES, write_tiny_kb
from tests.knowledge_builder import copy_real_kb
from tests.synthetic_kb import write_synthetic_kb


def reference_graph_problems(kb: KnowledgeBase) -> list[str]:
    g = build_graph(kb)

    def where(node: str) -> str:
        loc: Location | None = g.nodes[node].get("location")
        return str(loc) if loc is not None else "knowledge"

    problems: list[str] = []
    reachable: set[str] = set(entry_points(g))
    for start in list(reachable):
        reachable |= nx.descendants(g, start)
    for node, data in g.nodes(data=True):
        if data["kind"] in ("question", "diagnosis") and node not in reachable:
            what = "question" if data["kind"] == "question" else "diagnosis"
            problems.append(f"{where(node)}: {what} '{node[2:]}' cannot be reached from any entry point")
    weighed = g.graph["weighed_facts"]
    for q in kb.questions.values():
        for c in q.choices:
            node = f"c:{q.fact}={c.value}"
            if node in g and g.out_degree(node) == 0 and q.fact not in weighed:
                problems.append(f"{q.location}: choice '{c.value}' of question '{q.id}' leads nowhere (no diagnosis or question uses it)")
    flow = g.graph["flow"]
    if not nx.is_directed_acyclic_graph(flow):
        cycle = nx.find_cycle(flow)
        path = " -> ".join(u for u, _ in cycle) + f" -> {cycle[-1][1]}"
        first_q = next((u for u, _ in cycle if u.startswith("q:")), cycle[0][0])
        problems.append(f"{where(first_q)}: questions form a cycle: {path}")
    return problems


def load(root: Path) -> KnowledgeBase:
    return load_knowledge(root, strict=False)


def test_the_real_base(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_NO_CACHE", "1")
    kb = load(copy_real_kb(tmp_path / "knowledge"))
    assert graph_problems(kb) == reference_graph_problems(kb) == []


def test_a_generated_base(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_NO_CACHE", "1")
    kb = load(write_synthetic_kb(tmp_path / "knowledge", questions=400, diagnoses=80))
    assert graph_problems(kb) == reference_graph_problems(kb)


BROKEN = {
    "cycle": {
        "questions.yaml": FILES["questions.yaml"].replace(
            "platform: {text: Which platform?, priority: 1.5}", "platform: {text: Which platform?, ask_if: {packaging: appex}}"
        )
    },
    "self-cycle": {
        "questions.yaml": FILES["questions.yaml"].replace("distribution: {text: How distributed?}", "distribution: {text: How distributed?, ask_if: {distribution: dev}}")
    },
    "unreachable and nowhere": {
        "facts.yaml": FILES["facts.yaml"] + "  colour: {values: [red, blue], help: Colour.}\n",
        "questions.yaml": FILES["questions.yaml"] + "  colour: {text: Colour?}\n  orphan: {fact: sip, text: Again?, ask_if: {colour: green}}\n",
    },
    "island diagnosis and unknown ids": {
        "diagnoses/more.yaml": (
            "diagnoses:\n  island:\n    title: t\n    summary: s\n    explanation: e\n    fix: [x]\n"
            "    references: [{title: t, url: 'https://example.com'}]\n"
            "  pointed:\n    title: t\n    summary: s\n    explanation: e\n    requires: {nofact: x}\n    fix: [x]\n"
            "    references: [{title: t, url: 'https://example.com'}]\n"
        ),
        "symptoms/s.yaml": "symptoms:\n  s1: {phrases: [p], points_to: [gone, pointed]}\n",
    },
}


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_bases_give_the_same_problems_in_the_same_order(tmp_path, monkeypatch, name):
    monkeypatch.setenv("ADVISOR_NO_CACHE", "1")
    kb = load(write_tiny_kb(tmp_path / "knowledge", BROKEN[name]))
    problems = graph_problems(kb)
    assert problems == reference_graph_problems(kb)
    assert problems  # each of these bases is broken in the graph


def test_acyclic_agrees_with_networkx():
    cases = [[], [("a", "b")], [("a", "a")], [("a", "b"), ("b", "c"), ("c", "a")], [("a", "b"), ("a", "b"), ("b", "c")], [("x", "y"), ("y", "z"), ("w", "z")]]
    for edges in cases:
        flow: nx.DiGraph = nx.DiGraph()
        flow.add_edges_from(edges)
        assert _is_acyclic(edges) == nx.is_directed_acyclic_graph(flow), edges


def test_the_graph_is_built_from_the_same_parts(tmp_path, monkeypatch):
    monkeypatch.setenv("ADVISOR_NO_CACHE", "1")
    kb = load(write_tiny_kb(tmp_path / "knowledge"))
    parts, g = graph_parts(kb), build_graph(kb)
    assert list(g.nodes) == list(parts.nodes)
    assert {(u, v): role for u, v, role in g.edges(data="role")} == parts.edges
    assert g.graph["weighed_facts"] == parts.weighed_facts
