"""Real public stories run with the bundle and the Mac they imply (tests/story_bundles/stories).

For every story its app bundle is built (real plists, CMS profiles, signed Mach-O) and its Mac
declared (fake macOS tools first on PATH), then `advisor diagnose` runs three ways:

* bundle+mac:      --app APP --probe yes                        (no description, no log)
* bundle+mac+text: --app APP --probe yes --describe TEXT --log FILE
* text:            --describe TEXT --log FILE                   (no bundle, no probes; no answers)

Per mode it prints top-1, top-3, wrong `confirmed` (a confirmed diagnosis the story does not
accept), confirmed on correct-setup stories (expected diagnosis null: nothing may be confirmed
but what the story also accepts), no diagnosis; then every story where the bundle made the
verdict worse than text alone (the right answer demoted, or a wrong one confirmed).

    .venv/bin/python bench/story_bundles.py [--verbose] [--only ID-SUBSTRING] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.story_bundles.story import MODE_BUNDLE, MODE_FULL, MODE_TEXT, MODES, Outcome, Story, all_stories, build_story, run_mode  # noqa: E402


def totals(outcomes: list[Outcome]) -> dict[str, int]:
    healthy = [o for o in outcomes if o.story.expected is None]
    return {
        "stories": len(outcomes),
        "top1": sum(o.right for o in outcomes),
        "top3": sum(o.in_top3 for o in outcomes),
        "wrong_confirmed": sum(len(o.wrong_confirmed) for o in outcomes),
        "stories_with_wrong_confirmed": sum(bool(o.wrong_confirmed) for o in outcomes),
        "confirmed_on_correct_setups": sum(bool(o.wrong_confirmed) for o in healthy),
        "correct_setups": len(healthy),
        "no_diagnosis": sum(o.first is None for o in outcomes),
        "errors": sum(bool(o.error) for o in outcomes),
        "visible_first": sum(o.right for o in outcomes if o.story.visible),
        "visible": sum(o.story.visible for o in outcomes),
    }


def _line(o: Outcome) -> str:
    shown = ", ".join(f"{d}({s[:4]})" for d, s in o.ranked[:3]) or "-"
    mark = "RIGHT" if o.right else ("top3 " if o.in_top3 else "miss ")
    wrong = f"  WRONG CONFIRMED {o.wrong_confirmed}" if o.wrong_confirmed else ""
    return f"    {o.mode:<16} {mark} {shown}{wrong}{('  ERROR ' + o.error) if o.error else ''}"


def worse(with_bundle: Outcome, text: Outcome) -> str:
    """Why the bundle made the verdict worse than text alone ('' when it did not)."""
    if with_bundle.wrong_confirmed and not set(with_bundle.wrong_confirmed) <= set(text.wrong_confirmed):
        return f"confirms {sorted(set(with_bundle.wrong_confirmed) - set(text.wrong_confirmed))}"
    a, b = with_bundle.rank_of_expected(), text.rank_of_expected()
    if b is not None and (a is None or a > b):
        return f"expected rank {b} -> {a}"
    return ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="print every story's top 3 in each mode")
    parser.add_argument("--only", help="run only stories whose id contains this")
    parser.add_argument("--json", type=Path, help="also write every outcome here")
    args = parser.parse_args(argv)
    stories: list[Story] = [s for s in all_stories() if not args.only or args.only in s.id]
    results: dict[str, list[Outcome]] = {m: [] for m in MODES}
    with tempfile.TemporaryDirectory(prefix="story-bundles-") as tmp:
        for story in stories:
            built = build_story(story, Path(tmp))
            outs = [run_mode(built, m) for m in MODES]
            for o in outs:
                results[o.mode].append(o)
            if args.verbose:
                print(f"[{'visible' if story.visible else 'hidden '}] {story.id}  (expected {story.expected or 'null'}"
                      f"{' / ' + ', '.join(story.also_acceptable) if story.also_acceptable else ''})")
                for o in outs:
                    print(_line(o))
    print(f"\n{len(stories)} stories ({sum(s.visible for s in stories)} whose bundle or Mac shows the fault, "
          f"{sum(s.expected is None for s in stories)} with a correct setup)\n")
    print(f"  {'mode':<16} {'top-1':>6} {'top-3':>6} {'wrong-conf':>10} {'conf-on-ok':>10} {'none':>5} {'visible-first':>14}")
    summary: dict[str, Any] = {}
    for mode in MODES:
        t = totals(results[mode])
        summary[mode] = t
        print(f"  {mode:<16} {t['top1']:>6} {t['top3']:>6} {t['wrong_confirmed']:>10} {t['confirmed_on_correct_setups']:>10} "
              f"{t['no_diagnosis']:>5} {t['visible_first']:>8}/{t['visible']}")
    print("\nwhere the bundle made it worse than text alone:")
    any_worse = False
    for full, text in zip(results[MODE_FULL], results[MODE_TEXT], strict=True):
        why = worse(full, text)
        if why:
            any_worse = True
            print(f"  {full.story.id}: {why}\n{_line(text)}\n{_line(full)}")
    print("  (none)" if not any_worse else "")
    print("wrong confirmed, bundle+mac only:")
    for o in results[MODE_BUNDLE]:
        if o.wrong_confirmed:
            print(f"  {o.story.id}: {o.wrong_confirmed}")
    if args.json:
        args.json.write_text(json.dumps({"totals": summary, "outcomes": {m: [{"story": o.story.id, "ranked": o.ranked, "error": o.error} for o in results[m]] for m in MODES}}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
