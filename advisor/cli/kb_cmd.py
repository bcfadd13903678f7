"""`advisor kb check | stats | graph | list`: tools for knowledge-base authors."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from advisor.exit_status import ExitStatus, UserError

LISTABLE = ("diagnoses", "facts", "questions", "probes", "signatures", "symptoms")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("kb", help="knowledge-base tools for authors (check, stats, graph, list)")
    p.add_argument("--knowledge", metavar="DIR", help="knowledge folder (default: the bundled one)")
    kb_sub = p.add_subparsers(dest="kb_command", metavar="ACTION")
    kb_sub.required = True
    kb_sub.add_parser("check", help="validate the knowledge base; exit 1 with file:line messages on problems")
    kb_sub.add_parser("stats", help="counts of facts, questions, diagnoses, signatures...")
    g = kb_sub.add_parser("graph", help="print the decision graph")
    g.add_argument("--format", choices=("dot", "mermaid"), default="dot")
    ls = kb_sub.add_parser("list", help="list diagnoses, facts, questions, probes or signatures")
    ls.add_argument("what", choices=LISTABLE)
    ls.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run)


def _load(ns: argparse.Namespace, strict: bool):  # -> KnowledgeBase
    from advisor.knowledge.loader import load_knowledge

    return load_knowledge(Path(ns.knowledge) if ns.knowledge else None, strict=strict)


def run(ns: argparse.Namespace) -> int:
    if ns.kb_command == "check":
        return _check(ns)
    kb = _load(ns, strict=True)
    if ns.kb_command == "stats":
        from advisor.graph.decision_graph import build_graph

        g = build_graph(kb)
        rows = [
            ("knowledge version", kb.version),
            ("facts", len(kb.facts)),
            ("questions", len(kb.questions)),
            ("diagnoses", len(kb.diagnoses)),
            ("symptoms", len(kb.symptoms)),
            ("symptom phrases", sum(len(s.phrases) for s in kb.symptoms.values())),
            ("log signatures", len(kb.signatures)),
            ("probes", len(kb.probes)),
            ("bundle rules", len(kb.bundle_rules)),
            ("graph nodes", g.number_of_nodes()),
            ("graph edges", g.number_of_edges()),
        ]
        width = max(len(k) for k, _ in rows)
        for key, value in rows:
            print(f"{key.ljust(width)}  {value}")
        return int(ExitStatus.DONE)
    if ns.kb_command == "graph":
        from advisor.graph.decision_graph import build_graph
        from advisor.graph.export import to_dot, to_mermaid

        g = build_graph(kb)
        sys.stdout.write(to_dot(g) if ns.format == "dot" else to_mermaid(g))
        return int(ExitStatus.DONE)
    if ns.kb_command == "list":
        return _list(kb, ns.what, ns.format)
    raise UserError(f"kb: unknown action {ns.kb_command}")


def _check(ns: argparse.Namespace) -> int:
    from advisor.graph.checks import check_knowledge, unconfirmed_notes
    from advisor.knowledge.loader import KnowledgeError, default_root

    root = Path(ns.knowledge) if ns.knowledge else default_root()
    if not root.is_dir():  # nothing to check: a wrong path is bad usage, not a problem found
        raise UserError(f"{root}: knowledge folder not found")
    try:
        kb = _load(ns, strict=False)
    except KnowledgeError as exc:
        problems = exc.problems
    else:
        problems = check_knowledge(kb)
    if problems:
        for line in problems:
            print(line)
        print(f"{len(problems)} problem(s) found", file=sys.stderr)
        return int(ExitStatus.NO_DIAGNOSIS)
    print(
        f"knowledge base {kb.version}: ok ({len(kb.facts)} facts, {len(kb.questions)} questions, "
        f"{len(kb.diagnoses)} diagnoses, {len(kb.signatures)} signatures, {len(kb.probes)} probes)"
    )
    # Notes, not failures: what Apple documentation or a DTS post does not confirm.
    notes = unconfirmed_notes(kb)
    if notes:
        print(f"{len(notes)} unconfirmed item(s) (notes, not failures):")
        for line in notes:
            print(f"note: {line}")
    return int(ExitStatus.DONE)


def _list(kb, what: str, fmt: str) -> int:
    if what == "diagnoses":
        rows = [
            {"id": d.id, "title": d.title, "category": d.category, "summary": d.summary,
             "references": [r.url for r in d.references], "location": str(d.location),
             "unconfirmed": d.unconfirmed}
            for d in kb.diagnoses.values()
        ]
    elif what == "facts":
        rows = [{"id": f.id, "values": list(f.values), "help": f.help} for f in kb.facts.values()]
    elif what == "questions":
        rows = [
            {"id": q.id, "fact": q.fact, "text": q.text, "choices": [c.value for c in q.choices],
             "ask_if": q.ask_if.describe() if q.ask_if else ""}
            for q in kb.questions.values()
        ]
    elif what == "probes":
        rows = [{"id": p.id, "argv": list(p.argv), "settles": list(p.settles), "why": p.why} for p in kb.probes.values()]
    elif what == "symptoms":
        rows = [{"id": s.id, "phrases": list(s.phrases), "points_to": [d for d, _ in s.points_to]} for s in kb.symptoms.values()]
    else:
        rows = [
            {"id": s.id, "text": s.text, "kind": s.kind, "meaning": s.meaning, "points_to": [d for d, _ in s.points_to],
             "unconfirmed": s.unconfirmed}
            for s in kb.signatures.values()
        ]
    if fmt == "json":
        print(json.dumps({what: rows}, indent=2, ensure_ascii=False))
        return int(ExitStatus.DONE)
    for row in rows:
        rest = {k: v for k, v in row.items() if k != "id"}
        first = next(iter(rest.values()), "")
        if isinstance(first, list):
            first = ", ".join(map(str, first))
        print(f"{row['id']}\t{first}")
    return int(ExitStatus.DONE)
