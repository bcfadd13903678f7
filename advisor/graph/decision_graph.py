"""The decision graph (networkx) built from the knowledge base.

Nodes: the start node, questions, choices (fact=value), diagnoses, and the evidence entry
points that need no question (symptoms, log signatures, probes, bundle rules).
Edges say what leads where: start -> first questions -> their choices -> the questions those
choices open (ask_if) and the diagnoses they bear on; entry points -> the choices they settle
and the diagnoses they point to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from advisor.knowledge.model import Condition, KnowledgeBase

if TYPE_CHECKING:  # networkx is imported when a graph is built: `kb check` does without it
    import networkx as nx

START = "start"


def question_node(qid: str) -> str:
    return f"q:{qid}"


def choice_node(fact: str, value: str) -> str:
    return f"c:{fact}={value}"


def diagnosis_node(did: str) -> str:
    return f"d:{did}"


@dataclass(frozen=True)
class GraphParts:
    """The decision graph as plain data: what `kb check` walks, and what `build_graph` hands to
    networkx in bulk (adding nodes and edges one by one costs seconds on 10,000 questions)."""

    nodes: dict[str, dict[str, Any]]  # node -> attributes (kind, label, location...), in order
    edges: dict[tuple[str, str], str]  # (from, to) -> role; the first role given wins
    flow_edges: list[tuple[str, str]]  # the question flow alone, for the cycle check
    weighed_facts: frozenset[str]  # facts some diagnosis condition names


def graph_parts(kb: KnowledgeBase) -> GraphParts:
    nodes: dict[str, dict[str, Any]] = {START: {"kind": "start", "label": "start", "location": None}}
    edges: dict[tuple[str, str], str] = {}  # (from, to) -> role; the first role given wins
    flow_edges: list[tuple[str, str]] = []  # the question flow alone, for the cycle check

    def choice(fact: str, value: str) -> str:
        node = f"c:{fact}={value}"  # choice_node(), inlined: called for every condition value
        if node not in nodes:
            nodes[node] = {"kind": "choice", "label": f"{fact}={value}", "fact": fact, "value": value, "location": None}
        return node

    edge = edges.setdefault  # edge(from, to) = role, unless the pair has one already

    for q in kb.questions.values():
        qn = question_node(q.id)
        nodes[qn] = {"kind": "question", "label": q.text, "location": q.location}
        if q.ask_if is None:
            edge((START, qn), "asks")
            flow_edges.append((START, qn))
        else:
            for fact, values in q.ask_if.items():
                for v in values:
                    cn = choice(fact, v)
                    edge((cn, qn), "opens")
                    flow_edges.append((cn, qn))
        for c in q.choices:
            cn = choice(q.fact, c.value)
            edge((qn, cn), "answer")
            flow_edges.append((qn, cn))

    for f in kb.facts.values():
        for value, settled in f.implies.items():
            for other, other_value in settled:
                pair = (choice(f.id, value), choice(other, other_value))
                edge(pair, "implies")
                flow_edges.append(pair)

    # Facts a diagnosis weighs: every value of such a fact matters (a value outside a condition
    # excludes it), which `kb check` needs to tell a choice that leads nowhere.
    weighed: set[str] = set()

    def link(cond: Condition | None, dn: str, role: str) -> None:
        if cond is None:
            return
        for fact, values in cond.items():
            weighed.add(fact)
            for v in values:
                edge((choice(fact, v), dn), role)

    for d in kb.diagnoses.values():
        dn = diagnosis_node(d.id)
        nodes[dn] = {"kind": "diagnosis", "label": d.title, "location": d.location}
        link(d.requires, dn, "requires")
        for support in d.supports:
            link(support.condition, dn, "supports")
        for rule in d.rules_out:
            link(rule.condition, dn, "rules_out")
        for confirming in d.confirmed_when:
            link(confirming, dn, "confirms")

    for symptom in kb.symptoms.values():
        sn = f"s:{symptom.id}"
        nodes[sn] = {"kind": "symptom", "label": symptom.phrases[0] if symptom.phrases else symptom.id, "location": symptom.location}
        for did, _ in symptom.points_to:
            edge((sn, diagnosis_node(did)), "points_to")
        for fact, value in symptom.sets:
            edge((sn, choice(fact, value)), "sets")
    for sig in kb.signatures.values():
        gn = f"g:{sig.id}"
        nodes[gn] = {"kind": "signature", "label": sig.text, "location": sig.location}
        for did, _ in sig.points_to:
            edge((gn, diagnosis_node(did)), "points_to")
        for fact, value in sig.sets:
            edge((gn, choice(fact, value)), "sets")
    for p in kb.probes.values():
        pn = f"p:{p.id}"
        nodes[pn] = {"kind": "probe", "label": " ".join(p.argv), "location": p.location}
        for fact in p.settles:
            known = kb.facts.get(fact)
            for value in known.values if known else ():
                edge((pn, choice(fact, value)), "settles")
    for r in kb.bundle_rules.values():
        rn = f"r:{r.id}"
        nodes[rn] = {"kind": "bundle_rule", "label": r.message, "location": r.location}
        edge((rn, diagnosis_node(r.diagnosis)), "points_to")

    # Ids named but never defined (reported by the loader) still get a node, marked missing.
    for u, v in edges:
        for n in (u, v):
            if n not in nodes:
                nodes[n] = {"kind": "missing", "label": n, "location": None}
    return GraphParts(nodes, edges, flow_edges, frozenset(weighed))


def flow_graph(flow_edges: list[tuple[str, str]]) -> nx.DiGraph:
    import networkx as nx

    flow: nx.DiGraph[str] = nx.DiGraph()
    flow.add_edges_from(flow_edges)
    return flow


def build_graph(kb: KnowledgeBase) -> nx.DiGraph:
    import networkx as nx

    parts = graph_parts(kb)
    g: nx.DiGraph[str] = nx.DiGraph()
    g.add_nodes_from(parts.nodes.items())
    g.add_edges_from((u, v, {"role": role}) for (u, v), role in parts.edges.items())
    g.graph["flow"] = flow_graph(parts.flow_edges)
    g.graph["weighed_facts"] = parts.weighed_facts
    return g


ENTRY_KINDS = ("start", "symptom", "signature", "probe", "bundle_rule")


def entry_points(g: nx.DiGraph) -> list[str]:
    return [n for n, kind in g.nodes(data="kind") if kind in ENTRY_KINDS]
