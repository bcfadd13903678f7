"""The decision graph (networkx) built from the knowledge base.

Nodes: the start node, questions, choices (fact=value), diagnoses, and the evidence entry
points that need no question (symptoms, log signatures, probes, bundle rules).
Edges say what leads where: start -> first questions -> their choices -> the questions those
choices open (ask_if) and the diagnoses they bear on; entry points -> the choices they settle
and the diagnoses they point to.
"""

from __future__ import annotations

import networkx as nx

from advisor.knowledge.model import Condition, KnowledgeBase, Location

START = "start"


def question_node(qid: str) -> str:
    return f"q:{qid}"


def choice_node(fact: str, value: str) -> str:
    return f"c:{fact}={value}"


def diagnosis_node(did: str) -> str:
    return f"d:{did}"


def build_graph(kb: KnowledgeBase) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_node(START, kind="start", label="start", location=None)
    # The question flow alone (start -> questions -> choices -> questions), kept apart so the
    # cycle check does not have to carve it out of the whole graph.
    flow = nx.DiGraph()
    g.graph["flow"] = flow

    def add_choice(fact: str, value: str) -> str:
        node = choice_node(fact, value)
        if node not in g:
            g.add_node(node, kind="choice", label=f"{fact}={value}", fact=fact, value=value, location=None)
        return node

    for q in kb.questions.values():
        qn = question_node(q.id)
        g.add_node(qn, kind="question", label=q.text, location=q.location)
        if q.ask_if is None:
            g.add_edge(START, qn, role="asks")
            flow.add_edge(START, qn)
        else:
            for fact, values in q.ask_if.items():
                for v in values:
                    g.add_edge(add_choice(fact, v), qn, role="opens")
                    flow.add_edge(choice_node(fact, v), qn)
        for c in q.choices:
            g.add_edge(qn, add_choice(q.fact, c.value), role="answer")
            flow.add_edge(qn, choice_node(q.fact, c.value))

    for f in kb.facts.values():
        for value, settled in f.implies.items():
            for other, other_value in settled:
                g.add_edge(add_choice(f.id, value), add_choice(other, other_value), role="implies")
                flow.add_edge(choice_node(f.id, value), choice_node(other, other_value))

    for d in kb.diagnoses.values():
        dn = diagnosis_node(d.id)
        g.add_node(dn, kind="diagnosis", label=d.title, location=d.location)

        def link(cond: Condition | None, role: str, other_role: str) -> None:
            """Accepted values lead to the diagnosis with `role`; every other value of the fact
            leads there too, with `other_role` (answering it excludes the condition)."""
            if cond is None:
                return
            for fact, values in cond.items():
                f = kb.facts.get(fact)
                for v in values:
                    g.add_edge(add_choice(fact, v), dn, role=role)
                for v in f.values if f else ():
                    if v not in values and not g.has_edge(choice_node(fact, v), dn):
                        g.add_edge(add_choice(fact, v), dn, role=other_role)

        link(d.requires, "requires", "rules_out")
        for s in d.supports:
            link(s.condition, "supports", "excludes_support")
        for s in d.rules_out:
            link(s.condition, "rules_out", "keeps_open")
        for c in d.confirmed_when:
            link(c, "confirms", "excludes_confirmation")

    def add_entry(node: str, kind: str, label: str, location: Location) -> None:
        g.add_node(node, kind=kind, label=label, location=location)

    for s in kb.symptoms.values():
        sn = f"s:{s.id}"
        add_entry(sn, "symptom", s.phrases[0] if s.phrases else s.id, s.location)
        for did, _ in s.points_to:
            g.add_edge(sn, diagnosis_node(did), role="points_to")
        for fact, value in s.sets:
            g.add_edge(sn, add_choice(fact, value), role="sets")
    for sig in kb.signatures.values():
        gn = f"g:{sig.id}"
        add_entry(gn, "signature", sig.text, sig.location)
        for did, _ in sig.points_to:
            g.add_edge(gn, diagnosis_node(did), role="points_to")
        for fact, value in sig.sets:
            g.add_edge(gn, add_choice(fact, value), role="sets")
    for p in kb.probes.values():
        pn = f"p:{p.id}"
        add_entry(pn, "probe", " ".join(p.argv), p.location)
        for fact in p.settles:
            f = kb.facts.get(fact)
            for value in f.values if f else ():
                g.add_edge(pn, add_choice(fact, value), role="settles")
    for r in kb.bundle_rules.values():
        rn = f"r:{r.id}"
        add_entry(rn, "bundle_rule", r.message, r.location)
        g.add_edge(rn, diagnosis_node(r.diagnosis), role="points_to")
    return g


ENTRY_KINDS = ("start", "symptom", "signature", "probe", "bundle_rule")


def entry_points(g: nx.DiGraph) -> list[str]:
    return [n for n, kind in g.nodes(data="kind") if kind in ENTRY_KINDS]
