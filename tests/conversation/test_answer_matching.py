"""Free text to a choice: typos, keywords, numbers, "I don't know", and honest doubt."""

from __future__ import annotations

import pytest

from advisor.conversation.answer_matching import answer_options, match_answer
from advisor.knowledge.model import UNKNOWN

DISTRIBUTION = answer_options(
    [
        ("mac-app-store", "App Store (Mac App Store or iOS App Store)"),
        ("developer-id", "Directly, signed with Developer ID (website, DMG, pkg, Homebrew)"),
        ("development", "Development builds only (run from Xcode, Apple Development signing)"),
        ("testflight", "TestFlight"),
        ("enterprise", "Enterprise / in-house, or MDM-deployed"),
    ]
)
YES_NO = answer_options([("yes", "yes"), ("no", "no")])


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("dev id", "developer-id"),
        ("Developer ID", "developer-id"),
        ("dmg", "developer-id"),
        ("app store", "mac-app-store"),
        ("testfligt", "testflight"),
        ("in house", "enterprise"),
        ("xcode", "development"),
        ("2", "developer-id"),
        ("0", UNKNOWN),
        ("no idea", UNKNOWN),
        ("I don't know", UNKNOWN),
    ],
)
def test_understands_typical_answers(text: str, value: str) -> None:
    match = match_answer(text, DISTRIBUTION)
    assert match.option is not None, match.describe()
    assert match.option.value == value
    assert match.describe().startswith("understood: ")


def test_ambiguous_text_asks_instead_of_guessing() -> None:
    match = match_answer("dev", DISTRIBUTION)
    assert match.option is None
    assert {o.value for o in match.close} >= {"developer-id", "development"}
    assert match.describe().startswith("did you mean ")


def test_nonsense_matches_nothing_and_never_suggests_unknown() -> None:
    match = match_answer("banana", DISTRIBUTION)
    assert match.option is None
    assert all(o.value != UNKNOWN for o in match.close)


@pytest.mark.parametrize(("text", "value"), [("y", "yes"), ("yep", "yes"), ("nope", "no"), ("no idea", UNKNOWN), ("not sure", UNKNOWN)])
def test_yes_no_synonyms_and_no_idea_is_not_no(text: str, value: str) -> None:
    match = match_answer(text, YES_NO)
    assert match.option is not None and match.option.value == value


def test_number_out_of_range_is_not_an_answer() -> None:
    assert match_answer("9", YES_NO).option is None
    assert match_answer("", YES_NO).option is None


def test_unknown_is_always_offered_last() -> None:
    assert [o.value for o in YES_NO] == ["yes", "no", UNKNOWN]
