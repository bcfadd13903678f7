"""The forum-ready Markdown report (GitHub / Apple Developer Forums flavoured).

Prose is escaped so nothing in a log line or a pseudonym (`<udid-1>`) turns into markup; raw
material (probe outputs, matched log lines, facts) sits in fenced blocks inside collapsible
`<details>` sections so the post stays short until a reader opens them.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any

from advisor.reports.summary import (
    MAX_ALSO_CONSIDERED,
    MAX_LOG_MATCHES,
    clip_output,
    evidence_phrase,
    footer,
    log_match_line,
    paragraphs,
    probe_command,
    probe_status,
    prose_parts,
    report_title,
    shown_in_full,
    summary_paragraph,
)

if TYPE_CHECKING:  # annotations only (the result is plain dictionaries)
    from advisor.result_shape import DiagnoseResult, DiagnosisEntry

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")


def md_text(text: Any) -> str:
    """Text as Markdown prose on one line: markup characters escaped, `code` kept as code."""
    s = " ".join(str(text).split())
    return "".join(md_code(part) if is_code else _md_plain(part) for is_code, part in prose_parts(s))


def _md_plain(s: str) -> str:
    s = html.escape(s, quote=False)  # &, <, > (a pseudonym like <udid-1> is not an HTML tag)
    return _MD_SPECIAL.sub(r"\\\1", s)


def md_code(text: Any) -> str:
    """An inline code span that survives any backticks inside it."""
    s = " ".join(str(text).split())
    longest = max((len(run) for run in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def md_fence(text: str, info: str = "text") -> list[str]:
    """A fenced block longer than any backtick run in `text`, so the text cannot close it."""
    longest = max((len(run) for run in re.findall(r"`{3,}", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{info}", text, fence]


def _details(summary_html: str, body: list[str]) -> list[str]:
    # The blank line after <summary> lets GitHub render the Markdown inside.
    while body and not body[-1]:
        body = body[:-1]
    return ["<details>", f"<summary>{summary_html}</summary>", "", *body, "", "</details>", ""]


def _cell(text: Any) -> str:
    return md_text(text) or " "


def _diagnosis(d: DiagnosisEntry) -> list[str]:
    out = [
        f"## Diagnosis: {md_text(d['title'])}",
        "",
        f"{md_code(d['id'])}: **{md_text(d['status'])}**, score {float(d.get('score', 0)):.2f}",
        "",
    ]
    for p in paragraphs(d.get("explanation") or d.get("summary") or ""):
        out += [md_text(p), ""]
    if d.get("evidence"):
        out += ["### Evidence", ""]
        for e in d["evidence"]:
            what, detail = evidence_phrase(e)
            out.append(f"- **{md_text(what)}** {md_text(detail)}".rstrip())
        out.append("")
    if d.get("unknown_required"):
        out += [f"Not yet known (would confirm or rule it out): {', '.join(md_code(f) for f in d['unknown_required'])}", ""]
    if d.get("fix"):
        out += ["### Fix", ""]
        out += [f"{n}. {md_text(step)}" for n, step in enumerate(d["fix"], 1)]
        out.append("")
    if d.get("references"):
        out += ["### References", ""]
        for r in d["references"]:
            url = str(r.get("url", "")).replace("(", "%28").replace(")", "%29").replace(" ", "%20")
            out.append(f"- [{md_text(r.get('title') or url)}]({url})")
        out.append("")
    return out


def _raw_material(result: DiagnoseResult) -> list[str]:
    out: list[str] = []
    describe = result.get("describe")
    if describe and describe.get("text"):
        out += _details("The problem as described", md_fence(str(describe["text"]).strip()))
    facts = result.get("facts") or {}
    if facts:
        rows = ["| fact | value | source | detail |", "|---|---|---|---|"]
        for name, f in facts.items():
            rows.append(f"| {_cell(name)} | {_cell(f.get('value'))} | {_cell(f.get('source'))} | {_cell(f.get('detail', ''))} |")
        out += _details(f"Facts established ({len(facts)})", rows)
    matches = result.get("log_matches") or []
    if matches:
        kinds: dict[str, int] = {}
        for m in matches:
            kinds[str(m.get("kind"))] = kinds.get(str(m.get("kind")), 0) + 1
        counted = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        shown = "\n".join(log_match_line(m) for m in matches[:MAX_LOG_MATCHES])
        if len(matches) > MAX_LOG_MATCHES:
            shown += f"\n… {len(matches) - MAX_LOG_MATCHES} more matched line(s) not shown"
        out += _details(f"Matched log lines ({html.escape(counted)})", md_fence(shown))
    for p in result.get("probes") or []:
        body: list[str] = []
        for stream in ("stdout", "stderr"):
            if p.get(stream):
                clipped = clip_output(p[stream])
                text = clipped.text + (f"\n… {clipped.omitted_lines} more line(s) not shown" if clipped.omitted_lines else "")
                body += [f"{stream}:", "", *md_fence(text), ""]
        if not body:
            body = ["(no output recorded)"]
        summary = f"<code>{html.escape(probe_command(p))}</code>: {html.escape(probe_status(p))}"
        out += _details(summary, body)
    bundle = result.get("bundle") or {}
    findings = bundle.get("findings") or []
    if findings:
        rows = [
            f"- {md_code(f.get('id'))} ({md_text(f.get('severity'))}) {md_text(f.get('detail'))}"
            + (f" at {md_code(f['path'])}" if f.get("path") else "")
            for f in findings
        ]
        out += _details(f"App bundle findings ({len(findings)})", rows)
    return out


def render_markdown(result: DiagnoseResult) -> str:
    diagnoses = result.get("diagnoses") or []
    out = [f"# advisor report: {md_text(report_title(result))}", "", md_text(summary_paragraph(result)), ""]
    full = shown_in_full(diagnoses)
    for i in sorted(full):
        out += _diagnosis(diagnoses[i])
    rest = [d for i, d in enumerate(diagnoses) if i not in full]
    if rest:
        out += ["## Also considered", ""]
        for d in rest[:MAX_ALSO_CONSIDERED]:
            out.append(f"- {md_text(d['title'])} ({md_code(d['id'])}): {md_text(d['status'])}, score {float(d.get('score', 0)):.2f}")
        if len(rest) > MAX_ALSO_CONSIDERED:
            out.append(f"- and {len(rest) - MAX_ALSO_CONSIDERED} more")
        out.append("")
    ruled = result.get("ruled_out") or []
    if ruled:
        out += ["## Ruled out", ""]
        out += [f"- {md_text(r['title'])} ({md_code(r['id'])}): {md_text('; '.join(r.get('reasons') or []))}" for r in ruled]
        out.append("")
    unanswered = result.get("unanswered") or []
    if unanswered:
        out += ["## Open questions", ""]
        out += [f"- {md_code(q.get('fact'))}: {md_text(q.get('text'))}" for q in unanswered[:8]]
        out.append("")
    raw = _raw_material(result)
    if raw:
        out += ["## Details", "", *raw]
    notes = result.get("notes") or []
    if notes:
        out += ["## Notes", ""] + [f"- {md_text(n)}" for n in notes] + [""]
    out += ["---", "", f"*{md_text(footer(result))}*", ""]
    return "\n".join(out)
