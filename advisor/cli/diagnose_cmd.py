"""`advisor diagnose`: scripted, non-interactive diagnosis. Never reads a TTY."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.cli.arguments import probe_timeout
from advisor.exit_status import ExitStatus, UserError

if TYPE_CHECKING:
    from advisor.investigation import Investigation


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "diagnose",
        help="scripted, non-interactive diagnosis",
        description="Diagnose from what you know (answers, description, logs, the app bundle, probes). "
        "Questions no evidence answers are not asked: they are listed as unanswered, in the order advisor "
        "would ask them (answer the first and run again; FACT=unknown means you cannot tell). Once a cause "
        "is confirmed or clearly leads, none are: the rest are listed under keep_checking.",
    )
    p.add_argument("--app", metavar="PATH", help="the container app bundle (or a provider, or a .zip of one)")
    p.add_argument("--udid", metavar="UDID", help="this Mac's (or device's) provisioning UDID, to check profiles")
    p.add_argument("--log", metavar="FILE", help="log text: `log show`/`log stream` output, Console copy, crash text; - for stdin")
    p.add_argument("--describe", metavar="TEXT", help="the problem in your own words")
    p.add_argument("--answer", metavar="FACT=VALUE", action="append", default=[], help="a known fact (repeatable)")
    p.add_argument("--answers", metavar="FILE", help="YAML mapping of FACT: VALUE")
    p.add_argument("--probe", choices=("yes", "no"), default="no", help="run the read-only probes it needs without asking (yes) or none (no; default)")
    p.add_argument("--probe-timeout", metavar="SECONDS", type=probe_timeout, default=None, help="per-probe timeout, 0.1 to 600 (default: each probe's own)")
    p.add_argument("--format", choices=("text", "json", "markdown", "html"), default="text")
    p.add_argument("--output", metavar="FILE", help="write the report here instead of stdout (- is stdout)")
    p.add_argument("--no-redact", action="store_true", help="keep personal identifiers (UDIDs, names, e-mails) in the output")
    p.add_argument("--transcript", metavar="FILE", help="also save this session as a transcript (- is stdout, with --output FILE)")
    p.add_argument("--from", dest="from_transcript", metavar="TRANSCRIPT", help="take the evidence from a transcript made elsewhere")
    p.add_argument("--knowledge", metavar="DIR", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def run(ns: argparse.Namespace) -> int:
    from advisor.cli.arguments import claimed_outputs, parse_answer_args, read_answers_file, require_stdin
    from advisor.output_file import write
    from advisor.reports import render_report

    answers = parse_answer_args(ns.answer)
    if ns.log == "-":
        require_stdin("--log")
    # Outputs are checked and locked before any work: none may be an input or another output.
    report_option = "--output" if ns.output is not None else "the report (standard output)"
    outputs = [(report_option, "-" if ns.output is None else ns.output), ("--transcript", ns.transcript)]
    inputs = [("--log", ns.log), ("--from", ns.from_transcript), ("--answers", ns.answers), ("--app", ns.app)]
    with claimed_outputs(outputs, inputs) as claimed:
        if ns.answers:
            answers = read_answers_file(ns.answers) + answers  # command-line answers win
        inv = _investigate(ns, answers)
        result = inv.result()
        # Everything is rendered (and redacted) before anything is written: a failure writes nothing.
        transcript_text = _transcript_text(inv, ns) if ns.transcript else None
        report_text = render_report(result, ns.format, redact=not ns.no_redact)
        if transcript_text is not None:
            write(claimed["--transcript"], transcript_text, "transcript")
        write(claimed[report_option], report_text, "report")
    return int(ExitStatus.DONE if result["diagnoses"] else ExitStatus.NO_DIAGNOSIS)


def _investigate(ns: argparse.Namespace, answers: list[tuple[str, str, str]]) -> Investigation:
    from advisor.investigation import Investigation
    from advisor.knowledge.loader import load_knowledge

    kb = load_knowledge(Path(ns.knowledge) if ns.knowledge else None)
    if ns.from_transcript:
        from advisor.cli.replay_cmd import load_session

        inv = load_session(ns.from_transcript, kb)[1]
    else:
        inv = Investigation.start(kb)
    for fact, value, where in answers:
        try:
            inv.answer(fact, value)
        except UserError as exc:
            raise UserError(f"{where}: {exc.message}") from None
    if ns.describe:
        inv.add_description(ns.describe)
    if ns.log:
        inv.add_log_path(ns.log)
    if ns.app:
        inv.add_bundle(ns.app, ns.udid)
    if ns.probe == "yes":
        inv.run_probe_rounds(inv.discover(ns.app), timeout=ns.probe_timeout)
    return inv


def _transcript_text(inv: Investigation, ns: argparse.Namespace) -> str:
    from advisor.conversation.recording import transcript_from_investigation
    from advisor.transcripts.format import dump_transcript

    name = Path(ns.transcript).stem if ns.transcript != "-" else "advisor-diagnose"
    transcript = transcript_from_investigation(inv, name)
    if not ns.no_redact:  # a transcript is an export too: it leaves this machine
        from advisor.transcripts.redaction import redact_transcript

        transcript = redact_transcript(transcript)
    return dump_transcript(transcript)
