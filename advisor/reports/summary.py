"""What an exported report says, whatever its markup (Markdown and HTML share this).

Everything here reads the contract's result dictionary (Investigation.result()) and returns
plain text: the one-paragraph summary, how each piece of evidence is worded, probe headings
and the clipping of long outputs. The renderers only escape and lay it out.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only (the result is plain dictionaries)
    from advisor.result_shape import DiagnoseResult, DiagnosisEntry, EvidenceEntry, LogMatchEntry, ProbeEntry


# Knowledge-base prose marks commands and identifiers as `code`, Markdown style.
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
POINTER_LABELS = {"answer": "Answer", "probe": "Probe", "bundle": "Bundle", "log": "Log", "describe": "Description"}
SOURCE_NAMES = {
    "answer": "your answer",
    "probe": "a probe on the Mac",
    "bundle": "the app bundle",
    "log": "the log",
    "describe": "the description",
}
# Evidence entries whose `fact` names the source are direct pointers (a log line, a finding).
POINTER_FACTS = set(SOURCE_NAMES)
# Long probe outputs are shown up to here in a report; the transcript keeps all of it.
MAX_OUTPUT_LINES = 120
MAX_OUTPUT_CHARS = 12_000
MAX_LOG_MATCHES = 60
MAX_ALSO_CONSIDERED = 6


@dataclass(frozen=True)
class ClippedOutput:
    text: str
    omitted_lines: int


def shown_in_full(diagnoses: list[DiagnosisEntry]) -> set[int]:
    """Positions of the diagnoses a report shows with their explanation, evidence and fix: the
    first, and every confirmed one (each confirmed cause needs its own fix)."""
    return {i for i, d in enumerate(diagnoses) if i == 0 or d.get("status") == "confirmed"}


def report_title(result: DiagnoseResult) -> str:
    diagnoses = result.get("diagnoses") or []
    return diagnoses[0]["title"] if diagnoses else "no diagnosis reached"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def evidence_sources(result: DiagnoseResult) -> list[str]:
    """Where the evidence came from, in a fixed order, for the summary sentence."""
    found: list[str] = []
    facts = result.get("facts") or {}
    sources = {str(f.get("source")) for f in facts.values() if isinstance(f, dict)}
    if result.get("describe"):
        sources.add("describe")
    if result.get("log_matches"):
        sources.add("log")
    if result.get("probes"):
        sources.add("probe")
    if result.get("bundle"):
        sources.add("bundle")
    wording = {
        "answer": "answers",
        "describe": "the problem description",
        "log": "log lines",
        "bundle": "the app bundle",
        "probe": f"{len(result.get('probes') or [])} probe command(s)",
    }
    for source in ("answer", "describe", "log", "bundle", "probe"):
        if source in sources:
            found.append(wording[source])
    return found


def summary_paragraph(result: DiagnoseResult) -> str:
    """One paragraph a forum reader can take in at a glance."""
    diagnoses = result.get("diagnoses") or []
    sources = evidence_sources(result)
    from_where = f" from {_join(sources)}" if sources else ""
    if not diagnoses:
        open_count = len(result.get("unanswered") or [])
        tail = f" {open_count} question(s) that would narrow it down are listed below." if open_count else ""
        return f"advisor examined the evidence{from_where} and found no known cause it supports.{tail}"
    first = diagnoses[0]
    text = (
        f"Most likely cause: {first['title']} [{first['id']}], {first['status']} "
        f"(score {float(first.get('score', 0)):.2f}), judged{from_where}."
    )
    if first.get("summary"):
        text += f" {' '.join(str(first['summary']).split())}"
    others = [d for d in diagnoses[1:] if d.get("status") in ("confirmed", "likely")]
    if others:
        text += " Also supported: " + "; ".join(f"{d['title']} ({d['status']})" for d in others[:3]) + "."
    return text


def paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, each on one line."""
    return [" ".join(p.split()) for p in str(text or "").split("\n\n") if p.strip()]


def prose_parts(text: str) -> list[tuple[bool, str]]:
    """Text split into (is_code, part): `quoted` spans are code, the rest is prose."""
    parts: list[tuple[bool, str]] = []
    pos = 0
    for m in _CODE_SPAN.finditer(text):
        if m.start() > pos:
            parts.append((False, text[pos : m.start()]))
        parts.append((True, m.group(1)))
        pos = m.end()
    if pos < len(text):
        parts.append((False, text[pos:]))
    return parts


def evidence_phrase(e: EvidenceEntry) -> tuple[str, str]:
    """(what, detail) for one evidence entry: ("distribution = developer-id", "from your
    answer: ...") for a fact, ("Log:", "log line 3: ...") for a direct pointer."""
    source = SOURCE_NAMES.get(str(e.get("source")), str(e.get("source")))
    if e.get("fact") in POINTER_FACTS:
        return POINTER_LABELS.get(str(e.get("source")), source) + ":", str(e.get("detail") or "")
    detail = str(e.get("detail") or "")
    what = f"{e.get('fact')} = {e.get('value')}"
    return what, f"from {source}" + (f": {detail}" if detail else "")


def probe_command(p: ProbeEntry) -> str:
    return shlex.join(str(a) for a in p.get("argv") or [])


def probe_status(p: ProbeEntry) -> str:
    if p.get("timed_out"):
        state = "timed out"
    elif p.get("exit_code") is None:
        state = "did not run"
    else:
        state = f"exit {p['exit_code']}"
    parts = [state, f"{int(p.get('duration_ms') or 0)} ms"]
    facts = p.get("facts") or {}
    if facts:
        parts.append(", ".join(f"{k}={v}" for k, v in facts.items()))
    if p.get("error"):
        parts.append(str(p["error"]))
    return " · ".join(parts)


def clip_output(text: str) -> ClippedOutput:
    text = str(text or "").rstrip("\n")
    lines = text.split("\n") if text else []
    kept: list[str] = []
    size = 0
    for line in lines[:MAX_OUTPUT_LINES]:
        if size + len(line) > MAX_OUTPUT_CHARS:
            break
        kept.append(line)
        size += len(line) + 1
    return ClippedOutput("\n".join(kept), len(lines) - len(kept))


def log_match_line(m: LogMatchEntry) -> str:
    count = int(m.get("count") or 1)
    repeat = f" (x{count})" if count > 1 else ""
    return f"line {m.get('line')} [{m.get('kind')}] {m.get('signature')}{repeat}: {m.get('text')}"


def footer(result: DiagnoseResult) -> str:
    text = f"Generated by advisor {result.get('advisor_version', '?')} (knowledge base {result.get('knowledge_version', '?')})."
    if result.get("redacted"):
        text += (
            " Personal identifiers (device ids, serial numbers, e-mail addresses, user and certificate holder"
            " names) are replaced by numbered pseudonyms: <udid-1> is the same device everywhere."
        )
    return text
