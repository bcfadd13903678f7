"""Drive the installed `advisor` as a black box over the frozen held-out stories.

For each story a simulated developer types the story's description, pastes its log
lines (an empty file when it quotes none), then answers advisor's own next question:

    advisor diagnose --describe TEXT --log FILE --format json [--answer fact=value ...]

takes ``unanswered[0]``, answers it from the story's ``facts`` (``fact=unknown`` when the
story does not state it), and runs again, until ``unanswered`` is empty or 8 questions
have been asked. The last report is scored: what is ranked first, the top 3, and every
``confirmed`` diagnosis that is not the story's expected (or an also-acceptable) answer.

A *correct-setup* story has ``expected.diagnosis: null``: the build and configuration were
right and the fault was elsewhere. It counts as right when nothing at all is ``confirmed``
(whatever is ranked, hedged); any ``confirmed`` verdict on it is reported separately, and is
wrong unless it is in the story's ``also_acceptable``.

Two passes are made:

* ``thread``: the developer knows everything the thread states (all of ``facts``);
* ``opening``: the developer knows only the opening report (``facts`` minus
  ``found_later``, the facts the thread established while resolving the problem).

Each held-out round (bench/unseen, bench/unseen2, ...) keeps its frozen stories, README and
REPORT; this one runner scores any of them:

    python bench/held_out.py bench/unseen3 [--advisor PATH] [--json OUT]
Nothing here reads advisor's code or knowledge; only its command line is used.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_QUESTIONS = 8


@dataclass
class Story:
    path: Path
    id: str
    source: str
    description: str
    log: str
    facts: dict[str, str]
    found_later: list[str]
    expected: str | None
    also_acceptable: list[str]

    @property
    def accepted(self) -> set[str]:
        return {x for x in (self.expected, *self.also_acceptable) if x is not None}

    @property
    def correct_setup(self) -> bool:
        return self.expected is None


@dataclass
class Outcome:
    story: str
    expected: str | None
    first: str | None
    first_status: str | None
    top3: list[str]
    asked: list[tuple[str, str]] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    wrong_confirmed: list[str] = field(default_factory=list)
    exit_code: int = 0
    stopped: str = ""

    @property
    def answered(self) -> int:
        return sum(1 for _, v in self.asked if v != "unknown")

    @property
    def unknown(self) -> int:
        return sum(1 for _, v in self.asked if v == "unknown")


def load_story(path: Path) -> Story:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    facts = {str(k): str(v) for k, v in (data.get("facts") or {}).items()}
    exp = data["expected"]
    return Story(
        path=path,
        id=str(data["id"]),
        source=str(data["source"]),
        description=" ".join(str(data["description"]).split()),
        log=str(data.get("log") or ""),
        facts=facts,
        found_later=[str(x) for x in (data.get("found_later") or [])],
        expected=None if exp.get("diagnosis") is None else str(exp["diagnosis"]),
        also_acceptable=[str(x) for x in (exp.get("also_acceptable") or [])],
    )


def run_advisor(advisor: str, story: Story, log_file: Path, answers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    argv = [advisor, "diagnose", "--describe", story.description, "--log", str(log_file), "--format", "json"]
    for fact, value in answers.items():
        argv += ["--answer", f"{fact}={value}"]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{story.id}: advisor exited {proc.returncode}: {proc.stderr.strip()}")
    return proc.returncode, json.loads(proc.stdout)


def evaluate(advisor: str, story: Story, known: dict[str, str], workdir: Path) -> Outcome:
    log_file = workdir / f"{story.id}.log"
    log_file.write_text(story.log, encoding="utf-8")
    answers: dict[str, str] = {}
    asked: list[tuple[str, str]] = []
    stopped = ""
    while True:
        code, report = run_advisor(advisor, story, log_file, answers)
        unanswered = report.get("unanswered") or []
        if not unanswered:
            stopped = "no questions left"
            break
        if len(asked) >= MAX_QUESTIONS:
            stopped = f"{MAX_QUESTIONS} questions asked"
            break
        fact = str(unanswered[0]["fact"])
        if fact in answers:  # advisor asked again for something already answered
            stopped = f"re-asked {fact}"
            break
        value = known.get(fact, "unknown")
        answers[fact] = value
        asked.append((fact, value))
    diagnoses = report.get("diagnoses") or []
    ids = [str(d["id"]) for d in diagnoses]
    confirmed = [str(d["id"]) for d in diagnoses if d.get("status") == "confirmed"]
    return Outcome(
        story=story.id,
        expected=story.expected,
        first=ids[0] if ids else None,
        first_status=str(diagnoses[0].get("status")) if diagnoses else None,
        top3=ids[:3],
        asked=asked,
        confirmed=confirmed,
        wrong_confirmed=[c for c in confirmed if c not in story.accepted],
        exit_code=code,
        stopped=stopped,
    )


def is_right(story: Story, o: Outcome) -> bool:
    if story.correct_setup:
        return not o.confirmed
    return o.first in story.accepted


def is_top3(story: Story, o: Outcome) -> bool:
    if story.correct_setup:
        return not o.confirmed
    return any(x in story.accepted for x in o.top3)


def print_pass(name: str, stories: list[Story], outcomes: list[Outcome]) -> dict[str, Any]:
    print(f"\n=== pass: {name} ===")
    for story, o in zip(stories, outcomes, strict=True):
        right = is_right(story, o)
        in3 = is_top3(story, o)
        verdict = "RIGHT" if right else ("top-3" if in3 else "MISS")
        expected = story.expected or f"nothing confirmed; acceptable {story.also_acceptable or '-'}"
        print(f"\n[{verdict}] {story.id}  (expected {expected})")
        print(f"  first:  {o.first} ({o.first_status})")
        print(f"  top-3:  {', '.join(o.top3) or '-'}")
        qa = ", ".join(f"{f}={v}" for f, v in o.asked) or "-"
        print(f"  asked {len(o.asked)} (answered {o.answered}, unknown {o.unknown}; {o.stopped}): {qa}")
        if o.confirmed:
            print(f"  confirmed: {', '.join(o.confirmed)}")
        if o.wrong_confirmed:
            print(f"  WRONG CONFIRMED: {', '.join(o.wrong_confirmed)}")
    n = len(outcomes)
    pairs = list(zip(stories, outcomes, strict=True))
    top1 = sum(1 for s, o in pairs if is_right(s, o))
    top3 = sum(1 for s, o in pairs if is_top3(s, o))
    diagnosed = [(s, o) for s, o in pairs if not s.correct_setup]
    setups = [(s, o) for s, o in pairs if s.correct_setup]
    d_top1 = sum(1 for s, o in diagnosed if is_right(s, o))
    d_top3 = sum(1 for s, o in diagnosed if is_top3(s, o))
    setup_confirmed = sum(1 for _, o in setups if o.confirmed)
    wrong = sum(len(o.wrong_confirmed) for o in outcomes)
    wrong_stories = sum(1 for o in outcomes if o.wrong_confirmed)
    questions = sum(len(o.asked) for o in outcomes)
    answered = sum(o.answered for o in outcomes)
    totals = {
        "pass": name,
        "stories": n,
        "top1": top1,
        "top3": top3,
        "wrong_confirmed": wrong,
        "stories_with_wrong_confirmed": wrong_stories,
        "mean_questions": round(questions / n, 2) if n else 0.0,
        "share_answerable": round(answered / questions, 3) if questions else 0.0,
        "empty_result": sum(1 for o in outcomes if o.first is None),
        "diagnosed_stories": len(diagnosed),
        "diagnosed_top1": d_top1,
        "diagnosed_top3": d_top3,
        "correct_setup_stories": len(setups),
        "correct_setup_with_confirmed": setup_confirmed,
    }
    print(f"\n--- totals ({name}) ---")
    print(f"  top-1: {top1}/{n}   top-3: {top3}/{n}   no diagnosis: {totals['empty_result']}/{n}")
    print(f"  stories with a diagnosis: top-1 {d_top1}/{len(diagnosed)}   top-3 {d_top3}/{len(diagnosed)}")
    print(f"  correct-setup stories with something confirmed: {setup_confirmed}/{len(setups)}")
    print(f"  wrong confirmed: {wrong} (in {wrong_stories} stories)")
    print(f"  mean questions: {totals['mean_questions']}   share of questions answerable: {totals['share_answerable']}")
    return totals


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("round", type=Path, help="a held-out round's folder (its stories/ are read)")
    parser.add_argument("--advisor", default=shutil.which("advisor") or "advisor")
    parser.add_argument("--json", type=Path, help="also write every outcome as JSON here")
    args = parser.parse_args(argv)

    folder = args.round / "stories" if (args.round / "stories").is_dir() else args.round
    stories = [load_story(p) for p in sorted(folder.glob("*.yaml"))]
    if not stories:
        print(f"no stories in {folder}", file=sys.stderr)
        return 2
    results: dict[str, Any] = {"totals": [], "outcomes": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("thread", "opening"):
            outcomes = []
            for story in stories:
                if name == "thread":
                    known = dict(story.facts)
                else:
                    known = {k: v for k, v in story.facts.items() if k not in story.found_later}
                outcomes.append(evaluate(args.advisor, story, known, Path(tmp)))
            results["totals"].append(print_pass(name, stories, outcomes))
            results["outcomes"][name] = [o.__dict__ for o in outcomes]
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
