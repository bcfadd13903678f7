"""`advisor diagnose`: scripted, non-interactive diagnosis. Never reads a TTY."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from advisor.exit_status import ExitStatus, UserError


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
    p.add_argument("--probe-timeout", metavar="SECONDS", type=float, default=None, help="per-probe timeout (default 10 s)")
    p.add_argument("--format", choices=("text", "json", "markdown", "html"), default="text")
    p.add_argument("--output", metavar="FILE", help="write the report here instead of stdout")
    p.add_argument("--no-redact", action="store_true", help="keep personal identifiers (UDIDs, names, e-mails) in the output")
    p.add_argument("--transcript", metavar="FILE", help="also save this session as a transcript")
    p.add_argument("--from", dest="from_transcript", metavar="TRANSCRIPT", help="take the evidence from a transcript made elsewhere")
    p.add_argument("--knowledge", metavar="DIR", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def parse_answer_args(values: list[str]) -> list[tuple[str, str, str]]:
    out = []
    for raw in values:
        if "=" not in raw:
            raise UserError(f"--answer {raw!r}: expected FACT=VALUE")
        fact, value = raw.split("=", 1)
        out.append((fact.strip(), value.strip(), f"--answer {raw}"))
    return out


def read_answers_file(path: str) -> list[tuple[str, str, str]]:
    from advisor.knowledge.yaml_source import YamlError, as_text, line_of, read_yaml

    try:
        data = read_yaml(Path(path), path)
    except YamlError as exc:
        raise UserError(f"--answers {exc.message}") from None
    if data is None:
        return []
    if not isinstance(data, dict):
        raise UserError(f"--answers {path}:1: expected a mapping of FACT: VALUE")
    out = []
    for fact, value in data.items():
        if isinstance(value, (dict, list)):
            raise UserError(f"--answers {path}:{line_of(data, fact)}: the value of '{fact}' must be plain text")
        out.append((str(fact), as_text(value), f"--answers {path}:{line_of(data, fact)}"))
    return out


def run(ns: argparse.Namespace) -> int:
    from advisor.investigation import Investigation
    from advisor.knowledge.loader import load_knowledge
    from advisor.reports import render_report

    answers = parse_answer_args(ns.answer)
    if ns.answers:
        answers = read_answers_file(ns.answers) + answers  # command-line answers win
    kb = load_knowledge(Path(ns.knowledge) if ns.knowledge else None)

    if ns.from_transcript:
        from advisor.conversation.recording import investigation_from_transcript
        from advisor.transcripts.format import load_transcript

        inv = investigation_from_transcript(kb, load_transcript(ns.from_transcript))
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

    result = inv.result()
    from advisor.transcripts.format import write_keeping_on_failure

    if ns.transcript:
        from advisor.conversation.recording import transcript_from_investigation
        from advisor.transcripts.format import dump_transcript

        transcript = transcript_from_investigation(inv, Path(ns.transcript).stem)
        if not ns.no_redact:  # a transcript is an export too: it leaves this machine
            from advisor.transcripts.redaction import redact_transcript

            transcript = redact_transcript(transcript)
        write_keeping_on_failure(ns.transcript, dump_transcript(transcript), "transcript")
    text = render_report(result, ns.format, redact=not ns.no_redact)
    if ns.output:
        write_keeping_on_failure(ns.output, text, "report")
    else:
        sys.stdout.write(text)
    return int(ExitStatus.DONE if result["diagnoses"] else ExitStatus.NO_DIAGNOSIS)
