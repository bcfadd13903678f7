"""How far advisor's statuses can be trusted: per status, how often the top diagnosis with that
status was right, over every story the project holds.

Stories: every scenario (tests/scenarios/*.yaml: answers, description, log), every transcript
(transcripts/*.yaml, replayed as `advisor replay` does) and every matrix case
(tests/matrix/bundle_cases.py and tests/matrix/mac_cases.py, when present: healthy setups and
single injected faults, run through `run_case`).

For each story and each status (confirmed, likely, possible), the highest-ranked diagnosis with
that status is "right" when it is the expected diagnosis or one of `also_acceptable`. On a healthy
matrix case nothing is right: any confirmed (or likely, or possible) diagnosis is wrong.

Targets (issue 10, section 3): confirmed >= 0.97, likely >= 0.70. Precision bought by never
confirming would show as a fall in "right first", printed next to it: that figure must not fall.

    .venv/bin/python bench/calibration.py                 # everything
    .venv/bin/python bench/calibration.py --only scenarios,transcripts
    .venv/bin/python bench/calibration.py --wrong         # also list every wrong top-of-status
"""

from __future__ import annotations

import argparse
import importlib
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from advisor.engine.scoring import Assessment  # noqa: E402
from advisor.investigation import Investigation, KnowledgeRuntime  # noqa: E402
from advisor.knowledge.loader import load_knowledge  # noqa: E402
from advisor.knowledge.model import KnowledgeBase  # noqa: E402

STATUSES = ("confirmed", "likely", "possible")
TARGETS = {"confirmed": 0.97, "likely": 0.70}
KINDS = ("scenario", "transcript", "matrix")
MATRIX_MODULES = ("tests.matrix.bundle_cases", "tests.matrix.mac_cases")


@dataclass
class Story:
    """One story's outcome: what would have been accepted, and the ranking with statuses."""

    kind: str
    name: str
    accepted: frozenset[str]  # empty for a healthy setup: nothing is right
    ranked: list[tuple[str, str]]  # (diagnosis id, status), best first
    confirmed_by: dict[str, str] = field(default_factory=dict)  # diagnosis id -> what confirmed it
    # A matrix outcome may not tell the status of every ranked diagnosis; then only the
    # confirmed ones and the top are known.
    statuses_known: bool = True

    @property
    def healthy(self) -> bool:
        return not self.accepted

    def top_with(self, status: str) -> str | None:
        return next((did for did, s in self.ranked if s == status), None)

    @property
    def right_first(self) -> bool:
        if self.healthy:
            return not any(s == "confirmed" for _, s in self.ranked)
        return bool(self.ranked) and self.ranked[0][0] in self.accepted


def _ranked(assessments: Iterable[Assessment]) -> tuple[list[tuple[str, str]], dict[str, str]]:
    items = list(assessments)
    return [(a.id, str(a.status)) for a in items], {a.id: a.confirmed_by for a in items if a.confirmed_by}


# ---- the sources -----------------------------------------------------------------------------
def scenario_stories(kb: KnowledgeBase, runtime: KnowledgeRuntime) -> Iterator[Story]:
    """As tests/engine/test_scenarios.py runs them: answers, then the description, then the log."""
    import yaml

    for path in sorted((REPO / "tests" / "scenarios").glob("*.yaml")):
        story = yaml.safe_load(path.read_text(encoding="utf-8"))
        inv = Investigation.start(kb, runtime)
        for fact, value in (story.get("facts") or {}).items():
            inv.answer(str(fact), str(value))
        inv.add_description(story.get("description") or "")
        inv.add_log_text(story.get("log") or "")
        expected = story["expected"]
        accepted = frozenset([expected["diagnosis"], *expected.get("also_acceptable", [])])
        ranked, confirmed_by = _ranked(inv.diagnoses())
        yield Story("scenario", path.stem, accepted, ranked, confirmed_by)


def transcript_stories(kb: KnowledgeBase, runtime: KnowledgeRuntime) -> Iterator[Story]:
    """As `advisor replay transcripts/` replays them; only those with an expected first diagnosis."""
    from advisor.cli.replay_cmd import expectation_of, load_session, transcript_paths

    for path in transcript_paths([str(REPO / "transcripts")]):
        transcript, inv = load_session(path, kb, runtime)
        expected = expectation_of(transcript)
        if expected is None or expected.first is None:
            continue
        accepted = frozenset([expected.first, *expected.also_acceptable])
        ranked, confirmed_by = _ranked(inv.diagnoses())
        yield Story("transcript", path.stem, accepted, ranked, confirmed_by)


def matrix_modules() -> list[ModuleType]:
    """The matrix case modules that exist on this branch (they arrive as their branches merge)."""
    found: list[ModuleType] = []
    for name in MATRIX_MODULES:
        try:
            found.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise  # the module exists but something it imports is missing: a real error
    return found


def matrix_stories(limit: int | None) -> Iterator[Story]:
    from tests.matrix.model import HEALTHY

    for module in matrix_modules():
        cases = list(module.all_cases())
        if limit is not None:
            cases = cases[:limit]
        for case in cases:
            with tempfile.TemporaryDirectory(prefix="calibration-") as work:
                outcome = module.run_case(case, Path(work))
            accepted = frozenset() if case.fault == HEALTHY else frozenset([case.fault])
            yield _matrix_story(case, outcome, accepted)


def _matrix_story(case: object, outcome: object, accepted: frozenset[str]) -> Story:
    """A MatrixOutcome holds the top id and every confirmed id; a `ranked` list of
    (id, status) pairs, when the outcome carries one, gives the other statuses too."""
    name = str(getattr(case, "name", case))
    full = getattr(outcome, "ranked", None)
    if full:
        ranked = [(str(did), str(status)) for did, status in full]
        return Story("matrix", name, accepted, ranked)
    confirmed = [str(c) for c in getattr(outcome, "confirmed", [])]
    top = getattr(outcome, "top", None)
    ranked = [(c, "confirmed") for c in confirmed]
    if top and top not in confirmed:
        ranked.insert(0, (str(top), "unknown"))
    elif top in confirmed:
        ranked.remove((top, "confirmed"))
        ranked.insert(0, (top, "confirmed"))
    return Story("matrix", name, accepted, ranked, statuses_known=False)


# ---- the figures ---------------------------------------------------------------------------
@dataclass
class Tally:
    right: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.right += int(ok)

    def text(self) -> str:
        if not self.total:
            return "   -   (0 stories)"
        return f"{self.right / self.total:6.3f} ({self.right}/{self.total})"


def status_tallies(stories: list[Story]) -> dict[str, Tally]:
    tallies = {s: Tally() for s in STATUSES}
    for story in stories:
        for status in STATUSES:
            if status != "confirmed" and not story.statuses_known:
                continue
            top = story.top_with(status)
            if top is not None:
                tallies[status].add(top in story.accepted)
    return tallies


def print_report(stories: list[Story], show_wrong: bool) -> bool:
    """Print the figures; True when the targets are met."""
    print("== status precision: the top diagnosis with each status, right or not")
    groups = [("all", stories)] + [(k, [s for s in stories if s.kind == k]) for k in KINDS]
    header = "  " + "source".ljust(12) + "".join(s.ljust(22) for s in STATUSES) + "right first"
    print(header)
    for label, group in groups:
        if not group:
            continue
        tallies = status_tallies(group)
        first = Tally()
        for story in group:
            first.add(story.right_first)
        row = "  " + f"{label} ({len(group)})".ljust(12) + "".join(tallies[s].text().ljust(22) for s in STATUSES)
        print(row + first.text())
    faults = [s for s in stories if not s.healthy]
    healthy = [s for s in stories if s.healthy]
    first_faults = Tally()
    for story in faults:
        first_faults.add(story.right_first)
    print(f"  right first, stories with a known cause: {first_faults.text()}")
    if healthy:
        clean = Tally()
        for story in healthy:
            clean.add(story.right_first)
        print(f"  healthy setups with nothing confirmed:   {clean.text()}")
    overall = status_tallies(stories)
    met = True
    for status, target in TARGETS.items():
        t = overall[status]
        value = t.right / t.total if t.total else 1.0
        ok = value >= target
        met &= ok
        print(f"  target {status} >= {target:.2f}: {'met' if ok else 'NOT met'} ({value:.3f})")
    if show_wrong:
        print("== wrong tops of status")
        for story in stories:
            for status in STATUSES:
                top = story.top_with(status)
                if top is None or top in story.accepted:
                    continue
                want = ", ".join(sorted(story.accepted)) or "nothing (healthy)"
                why = f" [confirmed by: {story.confirmed_by[top]}]" if top in story.confirmed_by else ""
                print(f"  {story.kind} {story.name}: {status} {top}, expected {want}{why}")
    return met


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(k + "s" for k in KINDS), help="scenarios,transcripts,matrix")
    parser.add_argument("--matrix-limit", type=int, default=None, help="at most this many cases per matrix module")
    parser.add_argument("--wrong", action="store_true", help="list every wrong top-of-status")
    args = parser.parse_args(argv)
    wanted = {w.strip().rstrip("s") for w in args.only.split(",") if w.strip()}
    kb = load_knowledge()
    runtime = KnowledgeRuntime(kb)
    stories: list[Story] = []
    if "scenario" in wanted:
        stories += scenario_stories(kb, runtime)
    if "transcript" in wanted:
        stories += transcript_stories(kb, runtime)
    if "matrix" in wanted:
        if not matrix_modules():
            print("(no matrix case modules on this branch: tests/matrix/bundle_cases.py, mac_cases.py)")
        stories += matrix_stories(args.matrix_limit)
    met = print_report(stories, args.wrong)
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
