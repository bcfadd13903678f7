"""Plain-text rendering of a triage result for `advisor triage`."""

from __future__ import annotations

from collections import Counter

from advisor.knowledge.model import KnowledgeBase
from advisor.plain_text import fill, plural
from advisor.triage.triage import LogMatch, TriageResult

_KIND_LABEL = {"cause": "CAUSE", "context": "CONTEXT", "noise": "NOISE"}
_PLURAL = {"cause": "causes", "context": "context", "noise": "noise"}
_WIDTH = 100


def _summary(result: TriageResult) -> str:
    lines = plural(result.lines_read, "line")
    if not result.matches:
        return f"Read {lines}: no known Network Extension messages found.\n"
    kinds = Counter(m.kind for m in result.matches)
    parts = ", ".join(f"{kinds[k]} {_PLURAL[k] if kinds[k] != 1 else k}" for k in ("cause", "context", "noise") if kinds[k])
    repeats = sum(m.count - 1 for m in result.matches)
    repeat_note = f"; {plural(repeats, 'repeated line')} folded in" if repeats else ""
    return f"Read {lines}: {plural(len(result.matches), 'known message')} ({parts}){repeat_note}.\n"


def _diagnosis_line(kb: KnowledgeBase, diagnosis: str, weight: float) -> str:
    found = kb.diagnoses.get(diagnosis)
    title = f": {found.title}" if found is not None and found.title else ""
    return f"    - {diagnosis} (weight {weight:g}){title}"


def _match_block(m: LogMatch, kb: KnowledgeBase) -> list[str]:
    sig = kb.signatures.get(m.signature)
    repeat = f", seen {m.count} times" if m.count > 1 else ""
    out = [f"line {m.line}  {_KIND_LABEL.get(m.kind, m.kind.upper())}  {m.signature}  (score {m.score:g}{repeat})", f"  {m.text}"]
    if sig is None:
        return out
    label = "Harmless noise: " if m.kind == "noise" else "Means: "
    out.append(fill(sig.meaning, _WIDTH, initial_indent="  " + label, subsequent_indent="    "))
    weights = sorted(sig.points_to, key=lambda p: -p[1])
    if weights:
        out.append("  Explained by:" if m.kind == "noise" else "  Points to:")
        out.extend(_diagnosis_line(kb, d, w) for d, w in weights)
    if sig.sets:
        out.append("  Establishes: " + ", ".join(f"{f}={v}" for f, v in sig.sets))
    if m.captures:
        out.append("  Captured: " + ", ".join(f"{k}={v}" for k, v in m.captures.items()))
    return out


def render_triage(result: TriageResult, kb: KnowledgeBase) -> str:
    out = [_summary(result).rstrip("\n")]
    for m in result.matches:
        out.append("")
        out.extend(_match_block(m, kb))
    if result.omitted:
        out.append("")
        out.append(f"({result.omitted} more matched lines not listed: at most {len(result.matches)} distinct matches are kept.)")
    return "\n".join(out) + "\n"
