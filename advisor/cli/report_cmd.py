"""`advisor report SESSION`: export a saved session or transcript as a shareable report.

The session is re-diagnosed with this advisor's knowledge (its probe outputs and logs are
re-read), then rendered. Personal identifiers are replaced by numbered pseudonyms unless
--no-redact is given. Exit 0 when the report is written, 2 on bad input (unreadable session,
unwritable output path).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.exit_status import ExitStatus

if TYPE_CHECKING:
    from advisor.output_file import Output
    from advisor.probes import ProbeRun
    from advisor.result_shape import DiagnoseResult, ProbeEntry

FORMATS = ("markdown", "html", "json", "text")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report",
        help="export a saved session or transcript as a report (Markdown, HTML or JSON)",
        description="Rebuild a saved session or transcript (probe outputs and logs come from the file) and "
        "export it: Markdown for a forum post or bug tracker, self-contained HTML, or the JSON of "
        "`diagnose --format json`. Device ids, serial numbers, e-mail addresses, user and certificate "
        "holder names are replaced by numbered pseudonyms unless --no-redact is given.",
    )
    p.add_argument("session", metavar="SESSION", help="a transcript or a saved TUI session file")
    p.add_argument("--format", choices=FORMATS, default="markdown", help="report format (default markdown)")
    p.add_argument("--output", metavar="FILE", help="write the report here instead of stdout (- is stdout)")
    p.add_argument("--no-redact", action="store_true", help="keep personal identifiers (UDIDs, names, e-mails) in the report")
    p.add_argument("--knowledge", metavar="DIR", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def with_probe_outputs(result: DiagnoseResult, runs: list[ProbeRun]) -> DiagnoseResult:
    """The result with each probe's stdout/stderr added (reports show them; the contract's
    `probes[]` entries carry only argv, exit code, duration and facts)."""
    probes: list[ProbeEntry] = []
    for entry, run in zip(result.get("probes") or [], runs, strict=False):
        probes.append({**entry, "stdout": run.stdout, "stderr": run.stderr})
    return {**result, "probes": probes} if probes else result


def run(ns: argparse.Namespace) -> int:
    from advisor.cli.arguments import claimed_outputs

    option = "--output" if ns.output is not None else "the report (standard output)"
    with claimed_outputs([(option, "-" if ns.output is None else ns.output)], [("the session", ns.session)]) as claimed:
        return _report(ns, claimed[option])


def _report(ns: argparse.Namespace, target: Output) -> int:
    from advisor.cli.replay_cmd import load_session
    from advisor.knowledge.loader import load_knowledge
    from advisor.output_file import write
    from advisor.reports import render_report

    kb = load_knowledge(Path(ns.knowledge) if ns.knowledge else None)
    transcript, inv = load_session(ns.session, kb)
    result = with_probe_outputs(inv.result(), inv.probe_runs)
    recorded = (transcript.result or {}).get("diagnoses") or []
    now = result["diagnoses"]
    if recorded and isinstance(recorded[0], dict) and now and recorded[0].get("id") != now[0]["id"]:
        print(
            f"advisor: note: the session recorded {recorded[0].get('id')} first; this knowledge base "
            f"({result['knowledge_version']}) ranks {now[0]['id']} first, which the report shows",
            file=sys.stderr,
        )
    text = render_report(result, ns.format, redact=not ns.no_redact)
    write(target, text, "report")
    return int(ExitStatus.DONE)
