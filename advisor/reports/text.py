"""The terminal report: the cause first, then why, then what to do."""

from __future__ import annotations

from typing import TYPE_CHECKING

from advisor.plain_text import fill, fill_paragraphs
from advisor.reports.summary import shown_in_full

if TYPE_CHECKING:  # annotations only (the result is plain dictionaries)
    from advisor.result_shape import DiagnoseResult, DiagnosisEntry, EvidenceEntry

WIDTH = 100


def _evidence_line(e: EvidenceEntry) -> str:
    if e["fact"] in ("log", "bundle", "describe", "probe", "answer"):
        return f"[{e['source']}] {e['detail']}"
    return f"{e['fact']}={e['value']} [{e['source']}] {e['detail']}".rstrip()


def _full_diagnosis(i: int, d: DiagnosisEntry) -> list[str]:
    out = ["", f"{'Most likely cause' if i == 0 else f'#{i + 1}'}: {d['title']}", f"  [{d['id']}] {d['status']}, score {d['score']:.2f}", ""]
    out.append(fill_paragraphs(d.get("explanation") or d.get("summary", ""), WIDTH, "  "))
    out += ["", "  Why advisor thinks so:"]
    for e in d["evidence"]:
        if e.get("weight", 1) or e["fact"] not in ("log", "bundle", "describe"):
            out.append(fill(_evidence_line(e), WIDTH, initial_indent="    - ", subsequent_indent="      "))
    out += ["", "  What to do:"]
    for n, step in enumerate(d["fix"], 1):
        out.append(fill(step, WIDTH, initial_indent=f"    {n}. ", subsequent_indent="       "))
    out += ["", "  References:"]
    out += [f"    - {r['title']}: {r['url']}" for r in d["references"]]
    return out


def render_text(result: DiagnoseResult, verbose: bool = False) -> str:
    out: list[str] = []
    diagnoses = result.get("diagnoses", [])
    if not diagnoses:
        out.append("No diagnosis yet: the evidence does not point to a known cause.")
    full = set(range(len(diagnoses))) if verbose else shown_in_full(diagnoses)
    for i, d in enumerate(diagnoses):
        if i in full:
            out += _full_diagnosis(i, d)
    rest = [(i, d) for i, d in enumerate(diagnoses) if i not in full]
    if rest:
        out.append("")
        out.append("Also considered:")
        for i, d in rest:
            out.append(f"  {i + 1}. {d['title']} [{d['id']}] {d['status']}, score {d['score']:.2f}")
    ruled = result.get("ruled_out") or []
    if ruled:
        out.append("")
        out.append("Ruled out:")
        for r in ruled:
            out.append(f"  - {r['title']} [{r['id']}]: {'; '.join(r['reasons'])}")
    noise = [m for m in result.get("log_matches", []) if m.get("kind") == "noise"]
    if noise:
        out.append("")
        out.append("Harmless log lines (noise):")
        for m in noise:
            out.append(f"  - line {m['line']}: {m['text'][:90]}")
    failed = [p for p in result.get("probes", []) if p.get("error") or p.get("timed_out")]
    if failed:
        out.append("")
        out.append("Probes that did not complete:")
        for p in failed:
            out.append(f"  - {' '.join(p['argv'])}: {p.get('error') or 'timed out'}")
    # What advisor left out or cut short (a long description, the probe budget); a failed
    # probe's own note is already in the list above.
    listed = {f"probe {p.get('id')}:" for p in failed}
    notes = [n for n in result.get("notes") or [] if not any(n.startswith(prefix) for prefix in listed)]
    if notes:
        out.append("")
        out.append("Notes:")
        for note in notes:
            out.append(fill(note, WIDTH, initial_indent="  - ", subsequent_indent="    "))
    unanswered = result.get("unanswered") or []
    if unanswered:
        out.append("")
        out.append("Questions that would narrow it down (give them with --answer FACT=VALUE):")
        for q in unanswered[:8]:
            out.append(fill(f"{q['fact']}: {q['text']}", WIDTH, initial_indent="  - ", subsequent_indent="    "))
    return "\n".join(out).strip("\n") + "\n"
