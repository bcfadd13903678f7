"""`advisor collect`: gather everything on the failing Mac into one transcript, diagnose anywhere.

Runs every available read-only probe (no questions, no consent prompt: running the command is
the consent, and every probe only reads state), inspects the app bundle when --app is given,
and writes a transcript that `advisor diagnose --from` / `advisor report` / `advisor replay`
use on any machine.

Redaction is ON by default: a collected transcript is made to leave the machine (mailed to a
colleague, attached to a bug report), so device ids, serial numbers, e-mail addresses, user
and certificate holder names become numbered pseudonyms. Pseudonyms are consistent, so
equality survives ("this Mac's UDID is / is not in the profile"); Team IDs and bundle ids stay.
The recorded `result:` is what the written transcript itself diagnoses to, so replaying it
passes; when redaction (or replay) changes the ranking, a note on stderr says so and
--no-redact keeps everything.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.cli.arguments import probe_timeout
from advisor.exit_status import ExitStatus

if TYPE_CHECKING:
    from advisor.output_file import Output
    from advisor.probes import ProbeContext, ProbeRun


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "collect",
        help="run every available probe (read-only) and write a transcript to diagnose elsewhere",
        description="Run every available read-only probe on this Mac (and inspect the app with --app), then write "
        "a transcript to diagnose anywhere with `advisor diagnose --from FILE`. Personal identifiers are "
        "replaced by consistent numbered pseudonyms unless --no-redact is given.",
    )
    p.add_argument("--app", metavar="PATH", help="the container app bundle (or a provider inside it) to examine")
    p.add_argument("--output", metavar="FILE", help="where to write the transcript (default advisor-collect-<time>.yaml here; - for stdout)")
    p.add_argument("--describe", metavar="TEXT", help="the problem in your own words, saved with the transcript")
    p.add_argument("--log", metavar="FILE", help="log text to include (`log show` output, Console copy); - for stdin")
    p.add_argument("--no-redact", action="store_true", help="keep personal identifiers (UDIDs, names, e-mails) in the transcript")
    p.add_argument("--probe-timeout", metavar="SECONDS", type=probe_timeout, default=None, help="per-probe timeout, 0.1 to 600 (default: each probe's own)")
    p.add_argument("--knowledge", metavar="DIR", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def provisioning_udid(runs: list[ProbeRun]) -> str | None:
    """This Mac's provisioning UDID from `system_profiler`."""
    from advisor.probes.parsers.system import read_hardware_overview

    for run in runs:
        if run.parser == "hardware_overview" and run.exit_code == 0:
            overview = read_hardware_overview(run.stdout)
            if overview and overview.provisioning_udid:
                return overview.provisioning_udid
    return None


def udid_for_bundle(app: str, context: ProbeContext | None, runs: list[ProbeRun]) -> str | None:
    """This Mac's UDID, to check the app's profiles against, when the app is a macOS app: an
    iOS app's development profiles list the devices it runs on, never this Mac."""
    udid = provisioning_udid(runs)
    if udid is None:
        return None
    platform = context.platform if context is not None else None
    if platform is None:  # not read from disk (a .zip): ask the bundle itself
        from advisor.inspectors import open_bundle

        with open_bundle(Path(app)) as bundle:
            platform = bundle.platform
    return udid if platform == "macos" else None


def _default_output() -> str:
    return f"advisor-collect-{datetime.now(UTC):%Y%m%d-%H%M%S}.yaml"


def run(ns: argparse.Namespace) -> int:
    from advisor.cli.arguments import claimed_outputs, require_stdin

    if ns.log == "-":
        require_stdin("--log")
    output = _default_output() if ns.output is None else ns.output
    # Claimed before the probes run: refused at once if it is an input or another collect's output.
    with claimed_outputs([("--output", output)], [("--log", ns.log), ("--app", ns.app)]) as claimed:
        return _collect(ns, output, claimed["--output"])


def _collect(ns: argparse.Namespace, output: str, target: Output) -> int:
    from advisor.conversation.recording import investigation_from_transcript, transcript_from_investigation
    from advisor.investigation import Investigation
    from advisor.knowledge.loader import load_knowledge
    from advisor.output_file import write
    from advisor.transcripts.format import dump_transcript
    from advisor.transcripts.redaction import redact_transcript

    kb = load_knowledge(Path(ns.knowledge) if ns.knowledge else None)
    inv = Investigation.start(kb)
    # The context is recorded in the transcript, so replay reads the outputs as here.
    runs = inv.run_probe_rounds(inv.discover(ns.app), ns.probe_timeout, every=True)
    if ns.describe:
        inv.add_description(ns.describe)
    if ns.log:
        inv.add_log_path(ns.log)
    if ns.app:
        inv.add_bundle(ns.app, udid_for_bundle(ns.app, inv.probe_context, runs))
    live = [a.id for a in inv.diagnoses()]

    stem = Path(output).stem if output != "-" else "advisor-collect"
    transcript = transcript_from_investigation(inv, stem, title="advisor collect")
    transcript.source = "advisor collect"
    transcript.expected = None  # nobody has confirmed this diagnosis: replay checks the recorded result
    ran = {r.probe_id for r in runs}
    missing = sorted(pid for pid in kb.probes if pid not in ran)
    transcript.notes = " ".join(
        part
        for part in (
            f"Collected by advisor collect: {len(runs)} probe run(s).",
            f"Not available here (tool or subject missing): {', '.join(missing)}." if missing else "",
            transcript.notes,
        )
        if part
    )
    if not ns.no_redact:
        transcript = redact_transcript(transcript)
    # Record what the transcript itself diagnoses to: that is what every reader will get.
    replayed = investigation_from_transcript(kb, transcript)
    ranked = replayed.diagnoses()
    transcript.result = {"diagnoses": [{"id": a.id, "status": str(a.status), "score": a.score} for a in ranked]}
    if (live[:1] or None) != ([a.id for a in ranked][:1] or None):
        why = "redaction hid some evidence; --no-redact keeps it" if not ns.no_redact else "some evidence does not survive replay"
        print(
            f"advisor: note: on this Mac the first diagnosis is {live[0] if live else 'none'}, from the transcript it is "
            f"{ranked[0].id if ranked else 'none'} ({why})",
            file=sys.stderr,
        )
    text = dump_transcript(transcript)
    write(target, text, "transcript")
    if output != "-":
        print(
            f"advisor: wrote {output} ({len(runs)} probe run(s){'' if ns.no_redact else ', redacted'}); "
            f"diagnose it anywhere with: advisor diagnose --from {output}",
            file=sys.stderr,
        )
    return int(ExitStatus.DONE)
