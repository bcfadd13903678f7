"""`advisor triage [FILE|-] [--format text|json]`: classify log lines against the message catalog."""

from __future__ import annotations

import argparse
import json
import sys

from advisor.exit_status import ExitStatus


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "triage",
        help="classify log lines against the known message catalog",
        description=(
            "Read a log (log show / log stream output in any style, a Console or Xcode console copy, "
            "error-dialog text, a crash report) and name the lines that match known Network Extension "
            "messages: what each means, whether it is a cause, context or harmless noise, and which "
            "diagnoses it points to. Lines that match nothing are skipped."
        ),
    )
    p.add_argument("file", nargs="?", default="-", metavar="FILE", help="log file, or - for standard input (default)")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=run)


def run(ns: argparse.Namespace) -> int:
    from advisor.knowledge.loader import load_knowledge
    from advisor.triage import LogTriage

    if ns.file == "-":
        from advisor.cli.arguments import require_stdin

        require_stdin("triage")
    kb = load_knowledge()
    result = LogTriage(kb).triage_path(ns.file)
    if ns.format == "json":
        json.dump(result.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        from advisor.triage.text_report import render_triage

        sys.stdout.write(render_triage(result, kb))
    return int(ExitStatus.DONE)
