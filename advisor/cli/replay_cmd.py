"""`advisor replay TRANSCRIPT...`: re-run recorded sessions and check their diagnoses.

Probe outputs come from the transcript (re-read by the current parsers) and logs are
re-triaged, so this runs on any OS. Each transcript prints one line, PASS, FAIL or ERROR,
with the reason. Exit 0 when every transcript passes, 1 when one reaches different
diagnoses, 2 when one cannot be read (newer format, truncated, corrupt).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from xml.parsers.expat import ExpatError

from advisor.exit_status import ExitStatus, UserError

# What reading malformed recorded material (probe output, plist text, log text) can raise.
# Anything else (an ImportError, an AttributeError in advisor) is an internal error, exit 3.
RECORDED_DATA_ERRORS: tuple[type[Exception], ...] = (ValueError, TypeError, KeyError, IndexError, OverflowError, ExpatError)

if TYPE_CHECKING:
    from advisor.investigation import Investigation, KnowledgeRuntime
    from advisor.knowledge.model import KnowledgeBase
    from advisor.transcripts.format import Expectation, Transcript


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "replay",
        help="re-run recorded transcripts on any OS and check their diagnoses",
        description="Re-run transcripts (probe outputs come from the transcript) and check that each reaches "
        "its expected diagnoses (its `expected:` block, or else the first diagnosis of its recorded `result:`). "
        "A folder stands for every .yaml file in it. Exit 0: all pass; 1: one reached different diagnoses; "
        "2: one could not be read.",
    )
    p.add_argument("transcripts", metavar="TRANSCRIPT", nargs="+", help="transcript files (or folders of them)")
    p.add_argument("--verbose", "-v", action="store_true", help="also print the full ranking of each transcript")
    p.add_argument("--knowledge", metavar="DIR", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


@dataclass
class ReplayOutcome:
    path: str
    status: str  # PASS | FAIL | ERROR
    reason: str
    ranked: list[str]


def transcript_paths(args: list[str]) -> list[Path]:
    """Files as given; a folder gives its *.yaml / *.yml files, sorted (README.md is not one)."""
    out: list[Path] = []
    for arg in args:
        path = Path(arg)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
            if not found:  # a folder named among others must not pass for replayed
                raise UserError(f"replay: no transcript files found in {arg}")
            out += found
        else:
            out.append(path)
    return out


def load_session(path: str | Path, kb: KnowledgeBase, runtime: KnowledgeRuntime | None = None) -> tuple[Transcript, Investigation]:
    """A transcript (or a saved TUI session: the same format) and the investigation it rebuilds.

    Any problem is a UserError naming the file, so callers print one line and exit 2."""
    from advisor.conversation.recording import investigation_from_transcript
    from advisor.transcripts.format import load_transcript

    transcript = load_transcript(path)
    try:
        return transcript, investigation_from_transcript(kb, transcript, runtime)
    except UserError as exc:
        raise UserError(f"{path}: {exc.message}") from None
    except RECORDED_DATA_ERRORS:  # recorded data the loader let through and a reader cannot digest
        if os.environ.get("ADVISOR_DEBUG"):
            raise
        raise UserError(f"{path}: cannot be replayed: some recorded data has a shape advisor cannot read (ADVISOR_DEBUG=1 shows where)") from None


def expectation_of(t: Transcript) -> Expectation | None:
    """`expected:` when present, else the first diagnosis its recorded `result:` reached."""
    from advisor.transcripts.format import Expectation

    if t.expected is not None:
        return t.expected
    if t.result is None:
        return None
    diagnoses = t.result.get("diagnoses") if isinstance(t.result, dict) else None
    if not isinstance(diagnoses, list):
        return None
    first = diagnoses[0].get("id") if diagnoses and isinstance(diagnoses[0], dict) else None
    return Expectation(first=str(first) if first else None)


def replay_one(path: Path, kb: KnowledgeBase, runtime: KnowledgeRuntime) -> ReplayOutcome:
    from advisor.conversation.recording import expectation_failures

    try:
        transcript, inv = load_session(path, kb, runtime)
    except UserError as exc:
        return ReplayOutcome(str(path), "ERROR", exc.message, [])
    expected = expectation_of(transcript)
    if expected is None:
        return ReplayOutcome(str(path), "ERROR", f"{path}: nothing to check (no 'expected:' and no recorded 'result:')", [])
    assessments = inv.diagnoses()
    ranked = [a.id for a in assessments]
    failures = expectation_failures(expected, ranked)
    if expected.first is None and transcript.expected is None and ranked:
        failures.append(f"ranked {ranked[0]} first, the recorded session reached no diagnosis")
    if failures:
        return ReplayOutcome(str(path), "FAIL", "; ".join(failures), ranked)
    if assessments:
        a = assessments[0]
        reason = f"{a.id} first ({a.status}, {a.score:.2f})"
    else:
        reason = "no diagnosis, as recorded"
    return ReplayOutcome(str(path), "PASS", reason, ranked)


def run(ns: argparse.Namespace) -> int:
    from advisor.investigation import KnowledgeRuntime
    from advisor.knowledge.loader import load_knowledge

    kb = load_knowledge(Path(ns.knowledge) if ns.knowledge else None)
    runtime = KnowledgeRuntime(kb)  # matchers compiled once for every transcript
    paths = transcript_paths(ns.transcripts)
    if not paths:
        raise UserError("replay: no transcript files found in " + ", ".join(ns.transcripts))
    counts = {"PASS": 0, "FAIL": 0, "ERROR": 0}
    for path in paths:
        outcome = replay_one(path, kb, runtime)
        counts[outcome.status] += 1
        # An ERROR reason already names the file (and the line, when known).
        line = f"ERROR {outcome.reason}" if outcome.status == "ERROR" else f"{outcome.status} {outcome.path}: {outcome.reason}"
        if outcome.status == "FAIL" or (ns.verbose and outcome.ranked):
            line += f" (ranking: {', '.join(outcome.ranked[:5]) or 'none'})"
        print(line, flush=True)
    print(f"{counts['PASS']} passed, {counts['FAIL']} failed, {counts['ERROR']} unreadable", file=sys.stderr)
    if counts["ERROR"]:
        return int(ExitStatus.BAD_INPUT)
    return int(ExitStatus.NO_DIAGNOSIS if counts["FAIL"] else ExitStatus.DONE)
