"""The conversation flow without a terminal: what comes next, back, why/how, what changed."""

from __future__ import annotations

import pytest

from advisor.conversation.dialogue import (
    AskQuestion,
    Dialogue,
    Finished,
    OfferProbes,
    ShowDiagnosis,
)
from advisor.investigation import Investigation
from advisor.knowledge.model import KnowledgeBase


def start(kb: KnowledgeBase) -> Dialogue:
    d = Dialogue(Investigation.start(kb))
    d.skip_description()
    return d


ANSWERS = {"sip": "enabled", "platform": "macos", "packaging": "appex", "distribution": "developer-id"}


def walk_to_diagnosis(d: Dialogue) -> ShowDiagnosis:
    for _ in range(10):
        turn = d.next_turn()
        if isinstance(turn, ShowDiagnosis):
            return turn
        assert isinstance(turn, AskQuestion), turn
        d.answer(turn.choice.question.id, ANSWERS[turn.choice.question.fact])
    raise AssertionError("no diagnosis reached")


def test_asks_until_a_diagnosis_is_confirmed(small_kb: KnowledgeBase) -> None:
    d = start(small_kb)
    turn = walk_to_diagnosis(d)
    assert turn.assessment.id == "appex-requires-mac-app-store"
    assert str(turn.assessment.status) == "confirmed"


def test_keep_checking_does_not_show_the_same_diagnosis_again(small_kb: KnowledgeBase) -> None:
    d = start(small_kb)
    shown = walk_to_diagnosis(d).assessment.id
    d.mark_presented(shown)
    turn = d.next_turn()
    assert not (isinstance(turn, ShowDiagnosis) and turn.assessment.id == shown)
    if isinstance(turn, Finished):
        assert shown in [a.id for a in turn.diagnoses]


def test_back_reopens_the_last_answer_and_the_walk_recomputes(small_kb: KnowledgeBase) -> None:
    d = start(small_kb)
    walk_to_diagnosis(d)
    last_fact = d.answered_facts()[-1]
    question_id = d.back()
    assert question_id is not None
    assert last_fact not in d.inv.session.answers
    turn = d.next_turn()
    assert isinstance(turn, AskQuestion) and turn.choice.question.id == question_id
    assert turn.previous == ANSWERS[last_fact]
    # A different answer now: the confirmed diagnosis is ruled out, so it is not shown.
    other = next(v for v in small_kb.facts[last_fact].values if v != ANSWERS[last_fact])
    d.answer(question_id, other)
    assert "appex-requires-mac-app-store" not in [a.id for a in d.inv.session.ranking.ranked if str(a.status) == "confirmed"]


def test_back_with_nothing_answered_does_nothing(small_kb: KnowledgeBase) -> None:
    assert start(small_kb).back() is None


def test_why_names_the_diagnoses_the_answer_separates(small_kb: KnowledgeBase) -> None:
    d = start(small_kb)
    turn = d.next_turn()
    assert isinstance(turn, AskQuestion)
    lines = d.why_lines(turn.choice)
    assert lines[0] == turn.choice.question.text
    titles = {a.title for a in small_kb.diagnoses.values()}
    assert any(line.startswith("• ") and line[2:] in titles for line in lines)


def test_how_shows_the_evidence_chain(small_kb: KnowledgeBase) -> None:
    d = start(small_kb)
    a = walk_to_diagnosis(d).assessment
    lines = d.how_lines(a)
    assert "Confirmed by: distribution=developer-id" in lines
    assert any(line.startswith("• [answer] distribution = Developer ID (direct)") for line in lines)


def test_changes_report_new_facts_and_status_moves(small_kb: KnowledgeBase) -> None:
    d = start(small_kb)
    for fact in ("platform", "packaging"):
        d.answer(fact, ANSWERS[fact])
    before = d.snapshot()
    d.answer("distribution", "developer-id")
    texts = [c.text for c in d.changes(before, d.snapshot(), {"distribution"})]
    assert any("confirmed: A macOS NE app extension only works in Mac App Store apps" in t for t in texts), texts
    assert not any(t.startswith("distribution =") for t in texts)


def test_an_available_probe_is_offered_before_its_question(small_kb: KnowledgeBase, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tests.conversation.conftest import SIP_DISABLED, fake_csrutil
    from tests.fake_mac import Reply

    fake_csrutil(tmp_path, monkeypatch, Reply(SIP_DISABLED))
    d = start(small_kb)
    turn = d.next_turn()
    assert isinstance(turn, OfferProbes)
    assert [p.command_line for p in turn.probes] == ["csrutil status"]
    d.decline(turn.probes)
    turn = d.next_turn()
    assert isinstance(turn, AskQuestion) and turn.choice.question.fact == "sip"


def test_the_description_prompt_comes_first(small_kb: KnowledgeBase) -> None:
    d = Dialogue(Investigation.start(small_kb))
    assert not d.state.described
    d.describe("it works on my mac but not on other macs")
    assert d.state.described
    assert [m.symptom for m in d.inv.describe_matches] == ["works-on-one-mac-only"]


# ---- listening: checks, advice, corrections ---------------------------------------------------
def test_i_dont_know_to_a_checkable_question_offers_the_check(small_kb: KnowledgeBase, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from tests.conversation.conftest import SIP_DISABLED, fake_csrutil
    from tests.fake_mac import Reply

    fake_csrutil(tmp_path, monkeypatch, Reply(SIP_DISABLED))
    d = start(small_kb)
    offer = d.next_turn()
    assert isinstance(offer, OfferProbes) and not offer.after_unknown
    d.decline(offer.probes)
    turn = d.next_turn()
    assert isinstance(turn, AskQuestion) and turn.choice.question.fact == "sip"
    d.answer("sip", "unknown")
    again = d.next_turn()
    assert isinstance(again, OfferProbes) and again.after_unknown
    assert again.choice.question.fact == "sip" and [p.command_line for p in again.probes] == ["csrutil status"]
    d.decline(again.probes)  # still no: "I don't know" stands and the walk moves on
    after = d.next_turn()
    assert not (isinstance(after, (AskQuestion, OfferProbes)) and after.choice.question.fact == "sip")


def test_i_dont_know_moves_on_when_nothing_here_can_check_it(small_kb: KnowledgeBase) -> None:
    d = start(small_kb)  # PATH is empty: csrutil cannot run here
    turn = d.next_turn()
    assert isinstance(turn, AskQuestion) and turn.choice.question.fact == "sip" and turn.probes == []
    d.answer("sip", "unknown")
    after = d.next_turn()
    assert not isinstance(after, OfferProbes)
    assert not (isinstance(after, AskQuestion) and after.choice.question.fact == "sip")


def test_a_question_that_needs_a_look_shows_the_command(kb: KnowledgeBase) -> None:
    d = start(kb)
    d.inv.answer("quarantined", "yes")
    assert d.reopen_fact("quarantined") == "quarantined"
    turn = d.next_turn()
    assert isinstance(turn, AskQuestion) and turn.previous == "yes"
    assert turn.cost == "failing-mac"
    assert turn.check == "xattr -p com.apple.quarantine /Applications/MyApp.app"
    lines = d.why_lines(turn.choice)
    assert "To find out on the Mac where it fails, run:" in lines
    assert "  $ xattr -p com.apple.quarantine /Applications/MyApp.app" in lines


def test_a_fact_from_the_description_is_corrected_by_answering_its_question(kb: KnowledgeBase) -> None:
    d = Dialogue(Investigation.start(kb))
    d.describe("Our macOS packet tunnel app extension never starts.")
    platform = d.inv.session.facts.get("platform")
    assert platform is not None and (platform.value, str(platform.source)) == ("macos", "describe")
    assert d.reopen_fact("platform") == "platform"
    turn = d.next_turn()
    assert isinstance(turn, AskQuestion) and turn.choice.question.id == "platform" and turn.previous == "macos"
    d.answer("platform", "ios")
    corrected = d.inv.session.facts.get("platform")
    assert corrected is not None and (corrected.value, str(corrected.source)) == ("ios", "answer")


@pytest.mark.parametrize(
    "text, advice",
    [
        ("We're moving to a system extension. Do I have to disable SIP to debug it?", "sip-not-required"),
        ('The log keeps saying "Provider is not signed with a Developer ID certificate". Is that why my macOS tunnel fails?', "log-noise-developer-id"),
    ],
)
def test_a_direct_question_matching_advice_is_answered_at_once_as_advice(kb: KnowledgeBase, text: str, advice: str) -> None:
    d = Dialogue(Investigation.start(kb))
    d.describe(text)
    first = d.next_turn()
    assert advice in [a.id for a in first.advice]
    assert not (isinstance(first, ShowDiagnosis) and first.assessment.diagnosis.advice)
    assert advice not in [a.id for a in d.next_turn().advice]  # said once
    assert all(not a.diagnosis.advice for a in d.causes())
    assert advice in [a.id for a in d.advice()]
    lines = d.advice_lines(next(a for a in first.advice if a.id == advice))
    assert lines[0] == kb.diagnoses[advice].title and "What to do:" in lines


def test_finished_lists_causes_and_advice_apart(small_kb: KnowledgeBase) -> None:
    d = start(small_kb)
    d.answer("sip", "disabled")
    for _ in range(10):
        turn = d.next_turn()
        if isinstance(turn, Finished):
            break
        if isinstance(turn, ShowDiagnosis):
            d.mark_presented(turn.assessment.id)
            continue
        assert isinstance(turn, AskQuestion)
        d.answer(turn.choice.question.id, "unknown")
    assert isinstance(turn, Finished)
    assert all(not a.diagnosis.advice for a in turn.diagnoses)
    assert [a.id for a in turn.all_advice] == ["sip-not-required"]
