"""`advisor kb check`: everything that makes a knowledge base unusable, as `file:line: message`."""

from __future__ import annotations

from pathlib import Path

from advisor.graph.decision_graph import ENTRY_KINDS, GraphParts, flow_graph, graph_parts
from advisor.knowledge.loader import gc_paused
from advisor.knowledge.model import KnowledgeBase, Location
from advisor.knowledge.yaml_source import YamlError, as_text, line_of, read_yaml


def _where(parts: GraphParts, node: str) -> str:
    loc: Location | None = parts.nodes[node].get("location")
    return str(loc) if loc is not None else "knowledge"


def _is_acyclic(edges: list[tuple[str, str]]) -> bool:
    """Kahn's algorithm: every node can be peeled off once all its predecessors are."""
    succ: dict[str, list[str]] = {}
    waiting: dict[str, int] = {}  # node -> edges into it not yet peeled off
    for u, v in edges:
        succ.setdefault(u, []).append(v)
        waiting[v] = waiting.get(v, 0) + 1
        waiting.setdefault(u, 0)
    ready = [n for n, count in waiting.items() if count == 0]
    peeled = 0
    while ready:
        node = ready.pop()
        peeled += 1
        for nxt in succ.get(node, ()):
            waiting[nxt] -= 1
            if waiting[nxt] == 0:
                ready.append(nxt)
    return peeled == len(waiting)


def graph_problems(kb: KnowledgeBase, parts: GraphParts | None = None) -> list[str]:
    """Unreachable questions and diagnoses, choices leading nowhere, question cycles. Walked on the
    graph's plain parts: building the networkx graph would cost more than the checks themselves."""
    parts = parts if parts is not None else graph_parts(kb)
    nodes = parts.nodes
    problems: list[str] = []
    succ: dict[str, list[str]] = {}
    for u, v in parts.edges:
        if u in succ:
            succ[u].append(v)
        else:
            succ[u] = [v]

    # One breadth-first sweep from every entry point at once.
    reachable: set[str] = {n for n, data in nodes.items() if data["kind"] in ENTRY_KINDS}
    frontier = list(reachable)
    while frontier:
        for nxt in succ.get(frontier.pop(), ()):
            if nxt not in reachable:
                reachable.add(nxt)
                frontier.append(nxt)
    for node, data in nodes.items():
        if data["kind"] in ("question", "diagnosis") and node not in reachable:
            what = "question" if data["kind"] == "question" else "diagnosis"
            problems.append(f"{_where(parts, node)}: {what} '{node[2:]}' cannot be reached from any entry point")

    weighed = parts.weighed_facts
    for q in kb.questions.values():
        if q.fact in weighed:
            continue  # a value outside every condition excludes the conditions naming the others
        for c in q.choices:
            node = f"c:{q.fact}={c.value}"
            if node in nodes and node not in succ:
                problems.append(
                    f"{q.location}: choice '{c.value}' of question '{q.id}' leads nowhere "
                    "(no diagnosis or question uses it)"
                )

    if not _is_acyclic(parts.flow_edges):
        import networkx as nx  # only to name the cycle, as it always has

        cycle = nx.find_cycle(flow_graph(parts.flow_edges))
        path = " -> ".join(u for u, _ in cycle) + f" -> {cycle[-1][1]}"
        first_q = next((u for u, _ in cycle if u.startswith("q:")), cycle[0][0])
        problems.append(f"{_where(parts, first_q)}: questions form a cycle: {path}")

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
