"""The question walk: gain per unit of cost, the developer's effort, when to stop, and one
order shared by the conversation and `diagnose`'s `unanswered`."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.engine.session import Session
from advisor.engine.walk import COSTS, Effort
from advisor.evidence import Pointer, Source
from advisor.investigation import Investigation
from advisor.knowledge.loader import load_knowledge
from advisor.knowledge.model import KnowledgeBase
from tests.engine.tiny_kb import FILES, write_tiny_kb

# Two causes, each settled by one yes/no fact; the two questions are equally useful.
TWIN_FACTS = FILES["facts.yaml"] + '  memo: {values: ["yes", "no"], help: M.}\n  looked: {values: ["yes", "no"], help: L.}\n'
TWIN_DIAGNOSES = """
diagnoses:
  cause-a:
    title: Cause A
    summary: s
    explanation: e
    supports: [{when: {memo: "yes"}, weight: 3}]
    rules_out: [{when: {memo: "no"}}]
    fix: [Fix A.]
    references: [{title: A, url: "https://developer.apple.com/a"}]
  cause-b:
    title: Cause B
    summary: s
    explanation: e
    supports: [{when: {looked: "yes"}, weight: 3}]
    rules_out: [{when: {looked: "no"}}]
    fix: [Fix B.]
    references: [{title: B, url: "https://developer.apple.com/b"}]
"""


def twin_kb(root: Path, memo_cost: str, looked_cost: str) -> KnowledgeBase:
    questions = (
        "questions:\n"
        f"  memo: {{text: Known offhand?, cost: {memo_cost}}}\n"
        f"  looked: {{text: Needs a look?, cost: {looked_cost}, check: 'csrutil status', probes: [csrutil-status]}}\n"
    )
    probes = "probes:\n  csrutil-status: {argv: [csrutil, status], settles: [sip, looked], why: W.}\n"
    files = {"facts.yaml": TWIN_FACTS, "questions.yaml": questions, "diagnoses/main.yaml": TWIN_DIAGNOSES, "probes.yaml": probes,
             "symptoms/s.yaml": "symptoms: {}\n", "signatures/g.yaml": "signatures: {}\n", "bundle-rules.yaml": "bundle_rules: {}\n"}
    return load_knowledge(write_tiny_kb(root, files))


def with_both_causes(kb: KnowledgeBase) -> Session:
    s = Session(kb)
    s.add_evidence(pointers=[Pointer("cause-a", 2.0, Source.LOG, "a line"), Pointer("cause-b", 2.0, Source.LOG, "b line")])
    return s


@pytest.mark.parametrize("memo_cost, looked_cost, first", [("memory", "look", "memo"), ("failing-mac", "memory", "looked")])
def test_at_equal_gain_the_cheaper_question_comes_first(tmp_path, memo_cost, looked_cost, first) -> None:  # type: ignore[no-untyped-def]
    s = with_both_causes(twin_kb(tmp_path / "k", memo_cost, looked_cost))
    q = s.next_question()
    assert q is not None and q.question.fact == first
    assert s.unanswered()[0].question.fact == first


def test_question_costs_and_checks_are_knowledge(tmp_path) -> None:  # type: ignore[no-untyped-def]
    kb = twin_kb(tmp_path / "k", "memory", "look")
    q = kb.questions["looked"]
    assert (q.cost, q.check, q.probes) == ("look", "csrutil status", ("csrutil-status",))
    bad = load_knowledge(write_tiny_kb(tmp_path / "b", {"questions.yaml": "questions:\n  sip: {text: S?, cost: cheap, probes: [nope]}\n"}), strict=False)
    assert any("cost must be one of memory, look, failing-mac, not 'cheap'" in p for p in bad.problems)
    assert any("question 'sip' names unknown probe 'nope'" in p for p in bad.problems)


def test_each_i_dont_know_makes_the_next_question_cost_more() -> None:
    effort = Effort()
    assert effort.factor("memory") == effort.factor("look") == 1.0
    look = type("Q", (), {"cost": "look"})()
    memory = type("Q", (), {"cost": "memory"})()
    after_look = effort.after_unknown(look)  # type: ignore[arg-type]
    assert after_look.factor("look") > after_look.factor("memory") > 1.0
    after_memory = effort.after_unknown(memory)  # type: ignore[arg-type]
    assert after_memory.factor("look") == after_memory.factor("memory") > 1.0
    assert COSTS["memory"] < COSTS["look"] < COSTS["failing-mac"]


def test_an_answered_unknown_is_never_asked_again(tiny) -> None:  # type: ignore[no-untyped-def]
    s = Session(tiny)
    s.answer("platform", "macos")
    first = s.next_question()
    assert first is not None
    s.answer(first.question.id, "unknown")
    assert first.question.fact not in [c.question.fact for c in s.unanswered()]
    assert first.question.fact in s.answers and s.answers[first.question.fact] == "unknown"


def test_a_confirmed_cause_concludes_and_a_clear_leader_dominates(tiny) -> None:  # type: ignore[no-untyped-def]
    s = Session(tiny)
    assert s.conclusion() is None  # nothing known yet: ask
    s.answer("platform", "macos")
    s.answer("packaging", "appex")
    s.add_evidence(pointers=[Pointer("appex-needs-store", 4.0, Source.LOG, "a decisive line", "sig-check")])
    c = s.conclusion()
    assert c is not None and (c.assessment.id, c.reason, str(c.assessment.status)) == ("appex-needs-store", "dominant", "likely")
    s.answer("distribution", "direct")
    c = s.conclusion()
    assert c is not None and (c.assessment.id, c.reason) == ("appex-needs-store", "confirmed")


def test_advice_is_never_the_conclusion(tiny) -> None:  # type: ignore[no-untyped-def]
    s = Session(tiny)
    s.answer("sip", "disabled")
    assert [a.id for a in s.diagnoses()] == ["sip-myth"]
    assert s.conclusion() is None


def test_unanswered_first_is_the_question_the_conversation_asks(kb) -> None:  # type: ignore[no-untyped-def]
    from advisor.conversation.dialogue import AskQuestion, Dialogue, OfferProbes

    for text in ("My VPN extension fails to start after the update.", "The tunnel connects but no traffic flows on iOS."):
        inv = Investigation.start(kb)
        inv.add_description(text)
        d = Dialogue(inv)
        d.state.described = True
        turn = d.next_turn()
        unanswered = inv.result()["unanswered"]
        if isinstance(turn, (AskQuestion, OfferProbes)):
            assert unanswered and unanswered[0]["question"] == turn.choice.question.id
        else:
            assert unanswered == []


@pytest.fixture
def tiny(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    return load_knowledge(write_tiny_kb(tmp_path_factory.mktemp("kb") / "knowledge"))
