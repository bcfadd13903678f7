"""How well the conversation listens: a simulated developer over every story in the repository.

Each story (transcripts/*.yaml and tests/scenarios/*.yaml) carries a description, a log, the facts
the developer states and the diagnosis an expert confirmed. The simulated developer types the
description, pastes the log, then answers advisor's own next question from the facts the story
states, and says "I don't know" to anything else; up to 8 questions, no app bundle, no probes
(PATH is emptied, so no command is ever offered). Two drivers are measured:

* dialogue: the conversation the TUI runs (advisor.conversation.Dialogue); it ends when advisor
  shows a diagnosis or has nothing left to ask.
* diagnose: a script driving `advisor diagnose` as a black box: run it, answer unanswered[0] (or
  say unknown), run again, until nothing is left unanswered.

Printed per driver: top-1 and top-3 (the expected diagnosis, or one the story accepts, first /
among the first three), mean questions asked, and the share of questions the developer could
answer. Targets: top-1 >= 85 %, mean <= 4 questions, >= 60 % answerable. `--verbose` lists each
story's walk.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
MAX_QUESTIONS = 8


@dataclass(frozen=True)
class Story:
    id: str
    description: str
    log: str
    facts: dict[str, str]
    accepted: tuple[str, ...]


@dataclass
class Walk:
    story: Story
    asked: list[tuple[str, str]] = field(default_factory=list)  # (fact, answer given)
    ranked: list[str] = field(default_factory=list)

    @property
    def answerable(self) -> int:
        return sum(1 for _, value in self.asked if value != "unknown")

    @property
    def top1(self) -> bool:
        return bool(self.ranked) and self.ranked[0] in self.story.accepted

    @property
    def top3(self) -> bool:
        return any(d in self.story.accepted for d in self.ranked[:3])


def load_stories(root: Path) -> list[Story]:
    stories = []
    for path in sorted((root / "transcripts").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        expected = data.get("expected") or {}
        if not expected.get("first"):
            continue
        stories.append(
            Story(
                str(data.get("id") or path.stem),
                str(data.get("describe") or ""),
                str(data.get("log") or ""),
                {str(k): str(v) for k, v in (data.get("answers") or {}).items()},
                (str(expected["first"]), *map(str, expected.get("also_acceptable") or ())),
            )
        )
    for path in sorted((root / "tests" / "scenarios").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        expected = data["expected"]
        stories.append(
            Story(
                str(data.get("id") or path.stem),
                str(data.get("description") or ""),
                str(data.get("log") or ""),
                {str(k): str(v) for k, v in (data.get("facts") or {}).items()},
                (str(expected["diagnosis"]), *map(str, expected.get("also_acceptable") or ())),
            )
        )
    return stories


def reply(story: Story, fact: str) -> str:
    """What the developer says: the fact as the story states it, else "I don't know"."""
    return story.facts.get(fact, "unknown")


def walk_dialogue(kb: Any, runtime: Any, story: Story) -> Walk:
    from advisor.conversation.dialogue import Dialogue, Finished, ShowDiagnosis
    from advisor.investigation import Investigation

    walk = Walk(story)
    d = Dialogue(Investigation.start(kb, runtime))
    if story.description:
        d.describe(story.description)
    else:
        d.skip_description()
    if story.log:
        d.inv.add_log_text(story.log)
    for _ in range(4 * MAX_QUESTIONS):  # offers and advice do not count as questions
        turn = d.next_turn()
        if isinstance(turn, (ShowDiagnosis, Finished)) or len(walk.asked) >= MAX_QUESTIONS:
            break
        probes = getattr(turn, "probes", None)
        if probes and not hasattr(turn, "previous"):
            d.decline(probes)  # an offer to run a command: this developer has no Mac at hand
            continue
        choice = getattr(turn, "choice", None)
        if choice is None:
            break
        value = reply(story, choice.question.fact)
        walk.asked.append((choice.question.fact, value))
        d.answer(choice.question.id, value)
    walk.ranked = [a.id for a in d.inv.session.ranking.ranked]
    return walk


def walk_diagnose(kb: Any, runtime: Any, story: Story) -> Walk:
    """`advisor diagnose --describe ... --log ... --answer ...` as the command runs it, in process."""
    from advisor.investigation import Investigation

    walk = Walk(story)
    result: dict[str, Any] = {}
    for _ in range(MAX_QUESTIONS + 1):
        inv = Investigation.start(kb, runtime)
        for fact, value in walk.asked:
            inv.answer(fact, value)
        if story.description:
            inv.add_description(story.description)
        if story.log:
            inv.add_log_text(story.log)
        result = inv.result()
        unanswered = result.get("unanswered") or []
        if not unanswered or len(walk.asked) >= MAX_QUESTIONS:
            break
        fact = str(unanswered[0]["fact"])
        walk.asked.append((fact, reply(story, fact)))
    walk.ranked = [str(d["id"]) for d in result.get("diagnoses", [])]
    return walk


def summary(walks: list[Walk]) -> list[tuple[str, str]]:
    n = len(walks)
    asked = [len(w.asked) for w in walks]
    total = sum(asked)
    answerable = sum(w.answerable for w in walks)
    top1 = sum(w.top1 for w in walks)
    top3 = sum(w.top3 for w in walks)
    return [
        ("stories", str(n)),
        ("top-1 (target >= 85 %)", f"{100 * top1 / n:.1f} % ({top1}/{n})"),
        ("top-3", f"{100 * top3 / n:.1f} % ({top3}/{n})"),
        ("mean questions (target <= 4)", f"{statistics.mean(asked):.2f} (median {statistics.median(asked):g}, max {max(asked)})"),
        ("answerable (target >= 60 %)", f"{100 * answerable / total:.1f} % ({answerable}/{total})" if total else "no questions"),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=REPO, help="the repository whose stories to walk")
    parser.add_argument("--driver", choices=("dialogue", "diagnose", "both"), default="both")
    parser.add_argument("--verbose", action="store_true", help="one line per story")
    parser.add_argument(
        "--without-symptom-phrases",
        action="store_true",
        help="as if every description were worded unlike the symptom phrases (as unseen stories often are): "
        "only the facts it states, its resemblance to the diagnoses and quoted messages count",
    )
    args = parser.parse_args()

    # No probes: nothing on PATH can answer, whatever machine this runs on.
    os.environ["PATH"] = tempfile.mkdtemp(prefix="advisor-bench-empty-path-")
    from advisor.investigation import KnowledgeRuntime
    from advisor.knowledge.loader import load_knowledge

    kb = load_knowledge()
    runtime = KnowledgeRuntime(kb)
    if args.without_symptom_phrases:
        runtime.describe.match = lambda text: []  # type: ignore[method-assign]
    stories = load_stories(args.root)
    drivers = {"dialogue": walk_dialogue, "diagnose": walk_diagnose}
    for name, drive in drivers.items():
        if args.driver not in (name, "both"):
            continue
        walks = [drive(kb, runtime, s) for s in stories]
        if args.verbose:
            for w in walks:
                mark = "ok " if w.top1 else ("top3" if w.top3 else "MISS")
                asked = ", ".join(f"{f}={v}" for f, v in w.asked)
                print(f"  {mark} {w.story.id:<52} first={w.ranked[0] if w.ranked else '-'}  asked: {asked}")
        print(f"== conversation bench, {name} driver (no bundle, no probes, up to {MAX_QUESTIONS} questions)")
        rows = summary(walks)
        width = max(len(k) for k, _ in rows)
        for key, value in rows:
            print(f"  {key.ljust(width)}  {value}")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
