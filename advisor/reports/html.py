"""The self-contained HTML report: one file, no external assets, readable when printed.

Every value is escaped. Styles are inline; collapsible sections open for printing (CSS where
the browser supports it, plus a two-line `beforeprint` handler for the others), links print
their address, and code wraps instead of running off the page.
"""

from __future__ import annotations

from html import escape
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

_CSS = """
:root { color-scheme: light; }
body { font: 15px/1.5 -apple-system, BlinkMacSystemFont, "Helvetica Neue", Helvetica, Arial, sans-serif;
       color: #1d1d1f; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .3rem; } h2 { font-size: 1.25rem; margin-top: 2rem;
     border-bottom: 1px solid #d2d2d7; padding-bottom: .2rem; } h3 { font-size: 1.05rem; }
.summary { font-size: 1.05rem; background: #f5f5f7; border-left: 4px solid #0071e3; padding: .7rem 1rem; }
.status { display: inline-block; padding: 0 .5rem; border-radius: .6rem; font-size: .85rem; font-weight: 600;
          border: 1px solid currentColor; }
.status-confirmed { color: #1a7f37; } .status-likely { color: #9a6700; } .status-possible { color: #57606a; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85rem; }
code { background: #f0f0f3; padding: 0 .2rem; border-radius: 3px; }
pre { background: #f6f8fa; border: 1px solid #d2d2d7; padding: .6rem; overflow-x: auto;
      white-space: pre-wrap; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border: 1px solid #d2d2d7; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f5f5f7; }
details { margin: .5rem 0; } summary { cursor: pointer; }
.muted { color: #6e6e73; font-size: .9rem; }
footer { margin-top: 2rem; border-top: 1px solid #d2d2d7; padding-top: .5rem; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  details::details-content { content-visibility: visible; display: block; }
  summary { list-style: none; font-weight: 600; }
  pre, table, li { break-inside: avoid; }
  h2, h3 { break-after: avoid; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: .8em; color: #555; }
  .summary { border-left-color: #000; }
}
"""
# Browsers that cannot open <details> from CSS open them when printing.
_PRINT_SCRIPT = "addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){d.open=true;});});"


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _prose(value: Any) -> str:
    """Escaped text with its `code` spans as <code>."""
    return "".join(f"<code>{_e(part)}</code>" if is_code else _e(part) for is_code, part in prose_parts(str(value)))


def _status(status: str) -> str:
    return f'<span class="status status-{_e(status)}">{_e(status)}</span>'


def _details(summary_html: str, body_html: str) -> str:
    return f"<details>\n<summary>{summary_html}</summary>\n{body_html}\n</details>"


def _pre(text: str) -> str:
    return f"<pre>{_e(text)}</pre>"


def _diagnosis(d: DiagnosisEntry) -> list[str]:
    out = [
        f"<h2>Diagnosis: {_e(d['title'])}</h2>",
        f"<p><code>{_e(d['id'])}</code> {_status(str(d['status']))} score {float(d.get('score', 0)):.2f}</p>",
    ]
    out += [f"<p>{_prose(p)}</p>" for p in paragraphs(d.get("explanation") or d.get("summary") or "")]
    if d.get("evidence"):
        items = []
        for e in d["evidence"]:
            what, detail = evidence_phrase(e)
            items.append(f"<li><strong>{_e(what)}</strong> {_prose(detail)}</li>")
        out.append("<h3>Evidence</h3>\n<ul>\n" + "\n".join(items) + "\n</ul>")
    if d.get("unknown_required"):
        out.append(
            "<p class=\"muted\">Not yet known (would confirm or rule it out): "
            + ", ".join(f"<code>{_e(f)}</code>" for f in d["unknown_required"])
            + "</p>"
        )
    if d.get("fix"):
        out.append("<h3>Fix</h3>\n<ol>\n" + "\n".join(f"<li>{_prose(step)}</li>" for step in d["fix"]) + "\n</ol>")
    if d.get("references"):
        refs = []
        for r in d["references"]:
            url = str(r.get("url", ""))
            href = url if url.startswith(("https://", "http://")) else ""
            title = _e(r.get("title") or url)
            refs.append(f'<li><a href="{_e(href)}">{title}</a></li>' if href else f"<li>{title} ({_e(url)})</li>")
        out.append("<h3>References</h3>\n<ul>\n" + "\n".join(refs) + "\n</ul>")
    return out


def _raw_material(result: DiagnoseResult) -> list[str]:
    out: list[str] = []
    describe = result.get("describe")
    if describe and describe.get("text"):
        out.append(_details("The problem as described", _pre(str(describe["text"]).strip())))
    facts = result.get("facts") or {}
    if facts:
        rows = "\n".join(
            f"<tr><td><code>{_e(name)}</code></td><td>{_e(f.get('value'))}</td><td>{_e(f.get('source'))}</td><td>{_e(f.get('detail', ''))}</td></tr>"
            for name, f in facts.items()
        )
        table = f"<table>\n<tr><th>fact</th><th>value</th><th>source</th><th>detail</th></tr>\n{rows}\n</table>"
        out.append(_details(f"Facts established ({len(facts)})", table))
    matches = result.get("log_matches") or []
    if matches:
        kinds: dict[str, int] = {}
        for m in matches:
            kinds[str(m.get("kind"))] = kinds.get(str(m.get("kind")), 0) + 1
        counted = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        shown = "\n".join(log_match_line(m) for m in matches[:MAX_LOG_MATCHES])
        if len(matches) > MAX_LOG_MATCHES:
            shown += f"\n… {len(matches) - MAX_LOG_MATCHES} more matched line(s) not shown"
        out.append(_details(f"Matched log lines ({_e(counted)})", _pre(shown)))
    for p in result.get("probes") or []:
        body: list[str] = []
        for stream in ("stdout", "stderr"):
            if p.get(stream):
                clipped = clip_output(p[stream])
                text = clipped.text + (f"\n… {clipped.omitted_lines} more line(s) not shown" if clipped.omitted_lines else "")
                body.append(f'<p class="muted">{stream}</p>\n{_pre(text)}')
        summary = f"<code>{_e(probe_command(p))}</code>: {_e(probe_status(p))}"
        out.append(_details(summary, "\n".join(body) or '<p class="muted">(no output recorded)</p>'))
    findings = (result.get("bundle") or {}).get("findings") or []
    if findings:
        items = "\n".join(
            f"<li><code>{_e(f.get('id'))}</code> ({_e(f.get('severity'))}) {_e(f.get('detail'))}"
            + (f" at <code>{_e(f['path'])}</code>" if f.get("path") else "")
            + "</li>"
            for f in findings
        )
        out.append(_details(f"App bundle findings ({len(findings)})", f"<ul>\n{items}\n</ul>"))
    return out


def render_html(result: DiagnoseResult) -> str:
    diagnoses = result.get("diagnoses") or []
    title = f"advisor report: {report_title(result)}"
    body = [f"<h1>{_e(title)}</h1>", f'<p class="summary">{_prose(summary_paragraph(result))}</p>']
    full = shown_in_full(diagnoses)
    for i in sorted(full):
        body += _diagnosis(diagnoses[i])
    rest = [d for i, d in enumerate(diagnoses) if i not in full]
    if rest:
        items = [
            f"<li>{_e(d['title'])} (<code>{_e(d['id'])}</code>) {_status(str(d['status']))} score {float(d.get('score', 0)):.2f}</li>"
            for d in rest[:MAX_ALSO_CONSIDERED]
        ]
        if len(rest) > MAX_ALSO_CONSIDERED:
            items.append(f"<li>and {len(rest) - MAX_ALSO_CONSIDERED} more</li>")
        body.append("<h2>Also considered</h2>\n<ul>\n" + "\n".join(items) + "\n</ul>")
    ruled = result.get("ruled_out") or []
    if ruled:
        items = [f"<li>{_e(r['title'])} (<code>{_e(r['id'])}</code>): {_prose('; '.join(r.get('reasons') or []))}</li>" for r in ruled]
        body.append("<h2>Ruled out</h2>\n<ul>\n" + "\n".join(items) + "\n</ul>")
    unanswered = result.get("unanswered") or []
    if unanswered:
        items = [f"<li><code>{_e(q.get('fact'))}</code>: {_prose(q.get('text'))}</li>" for q in unanswered[:8]]
        body.append("<h2>Open questions</h2>\n<ul>\n" + "\n".join(items) + "\n</ul>")
    raw = _raw_material(result)
    if raw:
        body.append("<h2>Details</h2>")
        body += raw
    notes = result.get("notes") or []
    if notes:
        body.append("<h2>Notes</h2>\n<ul>\n" + "\n".join(f"<li>{_prose(n)}</li>" for n in notes) + "\n</ul>")
    body.append(f'<footer class="muted">{_e(footer(result))}</footer>')
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n<script>{_PRINT_SCRIPT}</script>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )
