"""`advisor kb check`: everything that makes a knowledge base unusable, as `file:line: message`."""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from advisor.graph.decision_graph import build_graph, entry_points
from advisor.knowledge.loader import gc_paused
from advisor.knowledge.model import KnowledgeBase, Location
from advisor.knowledge.yaml_source import YamlError, as_text, line_of, read_yaml


def _where(g: nx.DiGraph, node: str) -> str:
    loc: Location | None = g.nodes[node].get("location")
    return str(loc) if loc is not None else "knowledge"


def graph_problems(kb: KnowledgeBase, g: nx.DiGraph | None = None) -> list[str]:
    g = g if g is not None else build_graph(kb)
    problems: list[str] = []

    # One breadth-first sweep from every entry point at once.
    reachable: set[str] = set(entry_points(g))
    frontier = list(reachable)
    succ = g.succ
    while frontier:
        node = frontier.pop()
        for nxt in succ[node]:
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    for node, data in g.nodes(data=True):
        if data["kind"] in ("question", "diagnosis") and node not in reachable:
            what = "question" if data["kind"] == "question" else "diagnosis"
            problems.append(f"{_where(g, node)}: {what} '{node[2:]}' cannot be reached from any entry point")

    weighed: frozenset[str] = g.graph["weighed_facts"]
    for q in kb.questions.values():
        for c in q.choices:
            node = f"c:{q.fact}={c.value}"
            # A value outside every condition still leads somewhere when its fact is weighed:
            # answering it excludes the conditions that name the other values.
            if node in g and g.out_degree(node) == 0 and q.fact not in weighed:
                problems.append(
                    f"{q.location}: choice '{c.value}' of question '{q.id}' leads nowhere "
                    "(no diagnosis or question uses it)"
                )

    flow: nx.DiGraph = g.graph["flow"]
    cycle = []
    if not nx.is_directed_acyclic_graph(flow):
        cycle = nx.find_cycle(flow)
    if cycle:
        path = " -> ".join(u for u, _ in cycle) + f" -> {cycle[-1][1]}"
        first_q = next((u for u, _ in cycle if u.startswith("q:")), cycle[0][0])
        problems.append(f"{_where(g, first_q)}: questions form a cycle: {path}")

    for d in kb.diagnoses.values():
        if not d.fix:
            problems.append(f"{d.location}: diagnosis '{d.id}' has no fix steps")
        if not d.references:
            problems.append(f"{d.location}: diagnosis '{d.id}' has no reference")
        if not d.explanation:
            problems.append(f"{d.location}: diagnosis '{d.id}' has no explanation")
    return problems


def contract_problems(kb: KnowledgeBase) -> list[str]:
    """Every public fact, value and diagnosis id (knowledge/contract.yaml) must exist."""
    path = Path(kb.root) / "contract.yaml"
    name = "knowledge/contract.yaml"
    try:
        data = read_yaml(path, name)
    except YamlError as exc:
        return [exc.message]
    contract = (data or {}).get("contract") or {}
    problems = []
    for fact, values in (contract.get("facts") or {}).items():
        line = line_of(contract["facts"], fact)
        known = kb.facts.get(fact)
        if known is None:
            problems.append(f"{name}:{line}: contract fact '{fact}' is missing from facts.yaml")
            continue
        for v in values:
            if as_text(v) not in known.values:
                problems.append(f"{name}:{line}: contract value '{as_text(v)}' of fact '{fact}' is missing")
    diagnoses = contract.get("diagnoses") or []
    for i, did in enumerate(diagnoses):
        if did not in kb.diagnoses:
            problems.append(f"{name}:{line_of(diagnoses, i)}: contract diagnosis '{did}' is missing")
    return problems


def unconfirmed_problems(kb: KnowledgeBase) -> list[str]:
    """An item marked `unconfirmed` must never make a diagnosis `confirmed`.

    Confirmation comes from a `confirmed_when` condition (answers and probe outputs), an `error`
    bundle finding, or a log message that `proves` a diagnosis; each is refused for unconfirmed
    knowledge. (Facts a log line `sets` never confirm, so they need no check here.)
    """
    problems: list[str] = []
    for d in kb.diagnoses.values():
        if d.unconfirmed and d.confirmed_when:
            problems.append(f"{d.location}: diagnosis '{d.id}' is unconfirmed, so it may not have 'confirmed_when'")
    for rule in kb.bundle_rules.values():
        target = kb.diagnoses.get(rule.diagnosis)
        if target is not None and target.unconfirmed and rule.severity == "error":
            problems.append(
                f"{rule.location}: bundle rule '{rule.id}' is an error for unconfirmed diagnosis '{target.id}' "
                "(an error finding confirms); make it a warning"
            )
    for sig in kb.signatures.values():
        if sig.unconfirmed and sig.proves:
            problems.append(f"{sig.location}: unconfirmed signature '{sig.id}' may not prove a diagnosis ({', '.join(sig.proves)})")
        for did in sig.proves:
            target = kb.diagnoses.get(did)
            if target is not None and target.unconfirmed:
                problems.append(f"{sig.location}: signature '{sig.id}' proves unconfirmed diagnosis '{did}'")
    return problems


def unconfirmed_notes(kb: KnowledgeBase) -> list[str]:
    """Knowledge not confirmed by Apple documentation or a DTS post: listed, not a failure."""
    notes = [f"{d.location}: diagnosis '{d.id}' is unconfirmed: {d.unconfirmed}" for d in kb.diagnoses.values() if d.unconfirmed]
    notes += [f"{s.location}: signature '{s.id}' is unconfirmed: {s.unconfirmed}" for s in kb.signatures.values() if s.unconfirmed]
    return notes


def check_knowledge(kb: KnowledgeBase) -> list[str]:
    with gc_paused():
        return [*kb.problems, *contract_problems(kb), *graph_problems(kb), *unconfirmed_problems(kb)]
