from pathlib import Path

import pytest

from advisor.engine.session import Session
from advisor.evidence import Observation, Pointer, Source
from advisor.exit_status import UserError
from advisor.knowledge.loader import load_knowledge
from tests.engine.tiny_kb import write_tiny_kb


@pytest.fixture
def tiny(tmp_path: Path):
    return load_knowledge(write_tiny_kb(tmp_path / "knowledge"))


def ids(session: Session) -> list[str]:
    return [a.id for a in session.diagnoses()]


def test_nothing_known_lists_nothing_and_asks_the_most_separating_question(tiny):
    s = Session(tiny)
    assert ids(s) == []
    first = s.next_question()
    assert first is not None and first.question.id in {"platform", "other_copy"}
    assert first.why(), "a question explains which diagnoses it separates"


def test_direct_appex_is_confirmed_with_its_evidence_chain(tiny):
    s = Session(tiny)
    for fact, value in (("platform", "macos"), ("packaging", "appex"), ("distribution", "direct")):
        s.answer(fact, value)
    top = s.diagnoses()[0]
    assert top.id == "appex-needs-store"
    assert top.status == "confirmed" and top.score >= 0.9
    facts = {(e.fact, e.value) for e in top.evidence}
    assert ("distribution", "direct") in facts and ("platform", "macos") in facts


def test_contradicting_answer_rules_out_with_reason_and_changing_it_recomputes(tiny):
    s = Session(tiny)
    s.answer("platform", "macos")
    s.answer("packaging", "appex")
    s.answer("distribution", "store")
    assert "appex-needs-store" not in ids(s)
    ruled = s.ranking.all["appex-needs-store"]
    assert ruled.ruled_out == ["store apps may use an appex"]
    s.answer("distribution", "direct")  # change an earlier answer
    assert ids(s)[0] == "appex-needs-store"
    s.answer("platform", "ios")
    assert "appex-needs-store" not in ids(s)
    assert any("needs platform macos, but it is ios" in r for r in s.ranking.all["appex-needs-store"].ruled_out)


def test_never_asks_what_evidence_already_settled_and_records_the_skip(tiny):
    s = Session(tiny)
    s.add_evidence([Observation("platform", "macos", Source.PROBE, "sw_vers: macOS 15.5", "sw-vers")])
    s.add_evidence([Observation("sip", "enabled", Source.PROBE, "csrutil status", "csrutil-status")])
    asked = set()
    while (q := s.next_question()) is not None:
        asked.add(q.question.fact)
        s.answer(q.question.fact, "unknown")
    assert "platform" not in asked and "sip" not in asked
    skipped = {k.fact: k.source for k in s.skipped()}
    assert skipped["platform"] == "probe" and skipped["sip"] == "probe"


def test_unknown_is_always_accepted_and_the_walk_goes_around_it(tiny):
    s = Session(tiny)
    s.answer("platform", "unknown")
    q = s.next_question()
    assert q is not None and q.question.fact != "platform"
    # ask_if on an "unknown" fact does not block the questions behind it
    s.add_evidence(pointers=[Pointer("appex-needs-store", 2.0, Source.LOG, "a line")])
    assert "packaging" in [c.question.fact for c in s.question_plan()]


def test_bad_answers_are_user_errors(tiny):
    s = Session(tiny)
    with pytest.raises(UserError, match="unknown fact 'nope'"):
        s.answer("nope", "x")
    with pytest.raises(UserError, match="unknown value 'linux' for fact 'platform'"):
        s.answer("platform", "linux")
    s.answer("platform", "MACOS")  # case-insensitive
    assert s.facts.value("platform") == "macos"


def test_stronger_source_wins_and_conflict_is_kept(tiny):
    s = Session(tiny)
    s.answer("sip", "disabled")
    s.add_evidence([Observation("sip", "enabled", Source.PROBE, "System Integrity Protection status: enabled.", "csrutil-status")])
    r = s.facts.get("sip")
    assert r.value == "enabled" and r.source == Source.PROBE
    assert [c.value for c in r.conflicts] == ["disabled"]


def test_implied_facts_and_pointers(tiny):
    s = Session(tiny)
    s.answer("platform", "macos")
    s.answer("ios_copy", "yes")
    assert s.facts.value("other_copy") == "yes"
    assert ids(s)[0] == "ios-copy-conflict"
    assert s.diagnoses()[0].status == "confirmed"
    s2 = Session(tiny)
    s2.add_evidence([], [Pointer("ios-copy-conflict", 2.0, Source.LOG, "Signature check failed", "sig-check")])
    assert ids(s2) == ["ios-copy-conflict"]
    assert s2.diagnoses()[0].status == "possible"  # platform still unknown


def test_advice_ranks_after_causes(tiny):
    s = Session(tiny)
    s.answer("platform", "macos")
    s.answer("sip", "disabled")
    s.add_evidence([], [Pointer("ios-copy-conflict", 2.0, Source.DESCRIBE, "hint", "x")])
    assert ids(s) == ["ios-copy-conflict", "sip-myth"]


def test_unanswered_lists_open_questions_in_walk_order(tiny):
    s = Session(tiny)
    s.answer("platform", "macos")
    open_facts = [c.question.fact for c in s.unanswered()]
    assert open_facts and "platform" not in open_facts
    assert set(open_facts) <= {"packaging", "distribution", "ios_copy", "other_copy", "sip"}
    assert s.next_question().question.fact == open_facts[0]


def test_boolean_spellings_are_accepted_for_two_valued_facts(tiny):
    s = Session(tiny)
    s.answer("ios_copy", "True")
    s.answer("sip", "off")
    assert s.facts.value("ios_copy") == "yes"
    assert s.facts.value("sip") == "disabled"
    with pytest.raises(UserError):
        s.answer("platform", "true")  # not a two-valued yes/no fact


def test_a_fact_read_best_from_the_bundle_keeps_the_bundles_reading_over_a_probe(kb):
    """codesign shows that the NE key is there; the inspector sees that the provider's own value
    is missing: for what the code is signed with, the closer reading wins (and the probe's is kept
    as a conflict). Facts without `read_best_from` keep the usual order (a probe wins)."""
    assert kb.facts["ne_entitlement_present"].read_best_from == "bundle"
    assert kb.facts["sip"].read_best_from is None
    s = Session(kb)
    s.add_evidence([
        Observation("ne_entitlement_present", "no", Source.BUNDLE, "lacks 'packet-tunnel-provider' on PacketTunnel.appex", "inspect"),
        Observation("ne_entitlement_present", "yes", Source.PROBE, "present on all 2 bundles examined", "entitlements-app"),
    ])
    r = s.facts.get("ne_entitlement_present")
    assert r.value == "no" and r.source == Source.BUNDLE
    assert [c.value for c in r.conflicts] == ["yes"]


def test_read_best_from_names_only_the_bundle(tmp_path):
    from advisor.knowledge.loader import KnowledgeError, load_knowledge
    from tests.knowledge_builder import copy_real_kb

    root = copy_real_kb(tmp_path / "kb")
    facts = root / "facts.yaml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("    read_best_from: bundle\n", "    read_best_from: probe\n", 1), encoding="utf-8")
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(root)
    assert "facts.yaml:" in str(raised.value) and "'read_best_from' may only be 'bundle'" in str(raised.value)
