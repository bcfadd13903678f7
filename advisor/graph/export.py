"""Render the decision graph as Graphviz DOT or Mermaid for authors to look at."""

from __future__ import annotations

import networkx as nx

SHAPES_DOT = {
    "start": "doublecircle",
    "question": "box",
    "choice": "ellipse",
    "diagnosis": "octagon",
    "symptom": "note",
    "signature": "note",
    "probe": "component",
    "bundle_rule": "folder",
}


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_dot(g: nx.DiGraph) -> str:
    lines = ["digraph advisor {", "  rankdir=LR;", "  node [fontsize=10];"]
    for node, data in sorted(g.nodes(data=True)):
        label = node if data["kind"] in ("choice", "start") else f"{node}\\n{_short(data.get('label', ''))}"
        lines.append(f"  {_dot_quote(node)} [shape={SHAPES_DOT.get(data['kind'], 'box')}, label={_dot_quote(label)}];")
    for u, v, data in sorted(g.edges(data=True)):
        lines.append(f"  {_dot_quote(u)} -> {_dot_quote(v)} [label={_dot_quote(data.get('role', ''))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(g: nx.DiGraph) -> str:
    ids = {node: f"n{i}" for i, node in enumerate(sorted(g.nodes))}

    def label(node: str) -> str:
        return node.replace('"', "'")

    shapes = {"question": ('["', '"]'), "diagnosis": ('{{"', '"}}'), "choice": ('("', '")')}
    lines = ["flowchart LR"]
    for node, data in sorted(g.nodes(data=True)):
        left, right = shapes.get(data["kind"], ('["', '"]'))
        lines.append(f"  {ids[node]}{left}{label(node)}{right}")
    for u, v, data in sorted(g.edges(data=True)):
        lines.append(f"  {ids[u]} -->|{data.get('role', '')}| {ids[v]}")
    return "\n".join(lines) + "\n"
