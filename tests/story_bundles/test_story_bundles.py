"""Real public stories run with the bundle and the Mac they imply (tests/story_bundles/stories).

For each story its bundle is built once (real plists, CMS profiles, signed Mach-O), its Mac is
declared as fake macOS tools, and `advisor diagnose` runs in the three modes of
tests/story_bundles/story.py. Asserted per story:

* no mode confirms a diagnosis the story does not accept (on a correct setup: nothing);
* where the bundle or the Mac shows the fault (`visible: true`), the expected diagnosis (or an
  also-acceptable one) ranks first from the bundle and the Mac alone, and still with the
  description and log added;
* adding the bundle and the Mac to the description and log never demotes the right answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.story_bundles.story import MODE_BUNDLE, MODE_FULL, MODE_TEXT, MODES, STORIES, Story, all_stories, build_story, run_mode

REPO = Path(__file__).resolve().parents[2]
ALL = all_stories()


@pytest.mark.parametrize("story", ALL, ids=[s.id for s in ALL])
def test_story_with_its_bundle_and_mac(story: Story, tmp_path: Path) -> None:
    built = build_story(story, tmp_path)
    outcomes = {mode: run_mode(built, mode) for mode in MODES}
    for mode, outcome in outcomes.items():
        assert not outcome.error, f"{mode}: {outcome.error}"
        assert not outcome.wrong_confirmed, f"{mode}: confirms {outcome.wrong_confirmed}; ranked {outcome.ranked[:4]}"
    with_bundle, text = outcomes[MODE_FULL].rank_of_expected(), outcomes[MODE_TEXT].rank_of_expected()
    if text is not None:
        assert with_bundle is not None and with_bundle <= text, (
            f"the bundle demotes the right answer from rank {text} to {with_bundle}: {outcomes[MODE_FULL].ranked[:4]}"
        )
    if story.visible:
        for mode in (MODE_BUNDLE, MODE_FULL):
            outcome = outcomes[mode]
            assert outcome.right, f"{mode}: expected {sorted(story.accepted)} first; ranked {outcome.ranked[:4]}"


def test_every_held_out_story_has_a_bundle() -> None:
    """Each story of bench/unseen*/stories is encoded once; ids are unique; visible stories
    name the diagnosis their bundle or Mac shows."""
    held_out = {f"{p.parent.parent.name}-{p.stem}" for p in REPO.glob("bench/unseen*/stories/*.yaml")}
    ids = [s.id for s in ALL]
    assert len(ids) == len(set(ids))
    assert held_out and held_out <= set(ids), sorted(held_out - set(ids))
    assert len([i for i in ids if i.startswith("d")]) == 18  # the shared cases, re-encoded
    for story in ALL:
        assert story.expected or not story.visible, story.id
        raw = yaml.safe_load((STORIES / story.path.name).read_text(encoding="utf-8"))
        assert raw["why"], story.id


def test_a_simulator_build_is_not_a_provisioning_fault(tmp_path: Path) -> None:
    """A Simulator build (ad hoc, no profile, claims restricted entitlements) shows the
    Simulator, never a profile that fails to authorise its entitlements."""
    story = next(s for s in ALL if s.bundle.get("signing") == "ad-hoc")
    outcome = run_mode(build_story(story, tmp_path), MODE_BUNDLE)
    assert outcome.first == "ne-on-simulator", outcome.ranked
    assert "profile-entitlements-mismatch" not in outcome.confirmed
