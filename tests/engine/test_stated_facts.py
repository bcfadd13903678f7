"""Facts a developer states in their description: the real phrasings of knowledge/facts.yaml,
read with negation, contrast, questions and quotes in mind."""

from __future__ import annotations

import pytest

from advisor.engine.stated_facts import StatementReader
from advisor.knowledge.loader import load_knowledge
from advisor.knowledge.model import KnowledgeBase
from tests.engine.tiny_kb import write_tiny_kb


@pytest.fixture(scope="module")
def reader(kb: KnowledgeBase) -> StatementReader:
    return StatementReader(kb)


def read(reader: StatementReader, text: str) -> dict[str, str]:
    return {s.fact: s.value for s in reader.read(text)}


def test_the_issue_example_states_five_facts(reader: StatementReader) -> None:
    text = "My macOS packet tunnel app extension fails to start on a colleague's Mac; it is a development build I copied over"
    assert read(reader, text) == {
        "platform": "macos",
        "provider_type": "packet-tunnel",
        "packaging": "appex",
        "distribution": "development",
        "build_origin": "copied-from-another-mac",
    }


@pytest.mark.parametrize(
    "text, fact, value",
    [
        ("The app is notarized.", "notarized", "yes"),
        ("The app is not notarized.", "notarized", "no"),
        ("It hasn't been notarised yet.", "notarized", "no"),
        ("I did not disable SIP.", "sip", "enabled"),
        ("SIP is not disabled on that Mac.", "sip", "enabled"),
        ("SIP is disabled on my dev Mac and activation fails.", "sip", "disabled"),
        ("The app isn't in /Applications when it activates.", "app_location", "elsewhere"),
        ("It runs from /Applications/Wirehop.app and activation fails.", "app_location", "applications"),
        ("This is on a real device, not the simulator.", "running_in_simulator", "no"),
        ("Our content filter system extension won't activate.", "packaging", "sysex"),
        ("Our content filter system extension won't activate.", "provider_type", "content-filter"),
        ("Installed through TestFlight, it fails to connect.", "distribution", "testflight"),
        ("We ship it outside the Mac App Store with Developer ID.", "distribution", "developer-id"),
    ],
)
def test_values_and_their_negations(reader: StatementReader, text: str, fact: str, value: str) -> None:
    assert read(reader, text).get(fact) == value


@pytest.mark.parametrize(
    "text, fact, value",
    [
        # the working setup is not the failing one
        ("It works on iOS but not on macOS.", "platform", "macos"),
        ("Works fine on my Mac with SIP off, but on the tester's Mac with SIP enabled it crashes.", "sip", "enabled"),
        ("On my dev Mac (SIP turned off) everything works. On the tester's Mac it dies.", "sip", None),
        ("It works from Xcode, but the notarized Developer ID build never starts.", "distribution", "developer-id"),
        # what the provider is holds on both sides when nothing else is said
        ("Our packet tunnel runs fine on my MacBook; on his Mac it exits at once.", "provider_type", "packet-tunnel"),
        ("Our packet tunnel runs fine on my MacBook; on his Mac it exits at once.", "platform", "macos"),
        # "like there is with the App Store version" is another build
        ("The sideloaded app shows no prompt, like there is with the App Store version.", "distribution", None),
    ],
)
def test_contrast_with_a_working_setup(reader: StatementReader, text: str, fact: str, value: str | None) -> None:
    assert read(reader, text).get(fact) == value


@pytest.mark.parametrize(
    "text",
    [
        "Do I have to disable SIP to debug my system extension?",
        "Is it really necessary to disable SIP?",
        "We would like to support a system extension eventually.",
        "If I disable SIP, does it work?",
        'The log says "Provider is not signed with a Developer ID certificate" every time.',
        "Provider is not signed with a Developer ID certificate",
    ],
)
def test_questions_plans_and_quotes_state_nothing_about_them(reader: StatementReader, text: str) -> None:
    found = read(reader, text)
    assert "sip" not in found and "packaging" not in found
    assert "distribution" not in found and "signing_identity" not in found


def test_two_values_for_the_failing_setup_settle_nothing(reader: StatementReader) -> None:
    assert "distribution" not in read(reader, "We ship it through TestFlight and from our website, and it fails.")
    # a clause naming two platforms relates two setups: its other facts are not pinned on either
    seed = "Later we found an iOS build of this app, installed through TestFlight, sitting in /Applications on the failing Mac."
    found = read(reader, seed)
    assert "distribution" not in found and "app_location" not in found and "platform" not in found


def test_each_fact_says_where_it_was_read(reader: StatementReader) -> None:
    [stated] = [s for s in reader.read("The app is not notarized.") if s.fact == "notarized"]
    assert stated.how == "ruled out the other value"
    assert stated.detail.startswith('description says "The app is not notarized')


def test_phrases_are_knowledge_and_validated(tmp_path) -> None:  # type: ignore[no-untyped-def]
    facts = (
        "facts:\n"
        "  platform: {values: [macos, ios], help: P., same_where_it_works: true, phrases: {macos: [on my Mac], ios: [iPhone]}}\n"
        "  packaging: {values: [appex, sysex], help: P.}\n"
        "  distribution: {values: [store, direct, dev], help: D., phrases: {direct: [Developer ID]}}\n"
        "  sip: {values: [enabled, disabled], help: S., phrases: {disabled: [SIP off]}}\n"
        '  ios_copy: {values: ["yes", "no"], help: I., implies: {"yes": {other_copy: "yes"}}}\n'
        '  other_copy: {values: ["yes", "no"], help: O.}\n'
    )
    tiny = load_knowledge(write_tiny_kb(tmp_path / "k", {"facts.yaml": facts}))
    assert read(StatementReader(tiny), "It fails on my iPhone; the Developer ID build. SIP off.") == {
        "platform": "ios",
        "distribution": "direct",
        "sip": "disabled",
    }
    bad = facts.replace("phrases: {direct: [Developer ID]}", "phrases: {linux: [penguin]}")
    broken = load_knowledge(write_tiny_kb(tmp_path / "b", {"facts.yaml": bad}), strict=False)
    assert any("phrases for unknown value 'linux'" in p for p in broken.problems)
