"""What can confirm is stated in the knowledge: `confirmed_when` conditions that answers or probes
can meet, and `proves` on the few signatures whose verbatim message shows the fault itself.
The loader holds them to that; the engine honours them (implied facts never confirm)."""

from __future__ import annotations

import pytest

from advisor.engine.scoring import ProofRoute, Status
from advisor.investigation import Investigation
from advisor.knowledge.loader import load_knowledge
from tests.engine.tiny_kb import FILES, write_tiny_kb

SIG = "Signature check failed: code failed to satisfy specified code requirement(s)"


def tiny(tmp_path, **overrides: str):
    files = {name.replace("__", "/").replace("_yaml", ".yaml"): text for name, text in overrides.items()}
    return load_knowledge(write_tiny_kb(tmp_path / "knowledge", files), strict=False)


def signature_file(extra: str, kind: str = "cause") -> str:
    return f"""
        signatures:
          sig-check:
            text: "{SIG}"
            kind: {kind}
            meaning: m
            points_to: {{ios-copy-conflict: 2}}
            {extra}
    """


@pytest.mark.parametrize(
    ("extra", "kind", "problem"),
    [
        ("proves: no-such-diagnosis", "cause", "proves unknown diagnosis 'no-such-diagnosis'"),
        ("proves: appex-needs-store", "cause", "proves 'appex-needs-store' but does not point to it"),
        ("proves: ios-copy-conflict", "context", "so its kind must be 'cause'"),
        ("proves: {ios-copy-conflict: 1}", "cause", "'proves' must be a diagnosis id or a list of them"),
    ],
)
def test_the_loader_refuses_an_inconsistent_proof(tmp_path, extra, kind, problem):
    kb = tiny(tmp_path, signatures__g_yaml=signature_file(extra, kind))
    found = [p for p in kb.problems if problem in p]
    assert found and found[0].startswith("knowledge/signatures/g.yaml:"), kb.problems


def test_a_proving_signature_loads(tmp_path):
    kb = tiny(tmp_path, signatures__g_yaml=signature_file("proves: [ios-copy-conflict]"))
    assert kb.problems == []
    assert kb.signatures["sig-check"].proves == ("ios-copy-conflict",)


def test_a_verbatim_proving_line_confirms_without_setup_facts(tmp_path):
    kb = tiny(tmp_path, signatures__g_yaml=signature_file("proves: ios-copy-conflict"))
    inv = Investigation.start(kb)
    inv.add_log_text(f"nesessionmanager[371]: {SIG}")
    a = inv.session.ranking.all["ios-copy-conflict"]
    assert a.unknown_required == ["platform"]  # the message itself is the evidence
    assert a.status is Status.CONFIRMED and a.confirmation is not None
    assert a.confirmation.route is ProofRoute.LOG_MESSAGE
    # ...but not against a setup it contradicts.
    inv.answer("platform", "ios")
    assert inv.session.ranking.all["ios-copy-conflict"].status is not Status.CONFIRMED


def test_a_line_of_a_signature_that_does_not_prove_never_confirms(tmp_path):
    inv = Investigation.start(tiny(tmp_path))
    inv.answer("platform", "macos")
    inv.add_log_text(f"nesessionmanager[371]: {SIG}")
    assert inv.session.ranking.all["ios-copy-conflict"].status is not Status.CONFIRMED


def test_an_implied_fact_never_confirms(tmp_path):
    # ios_copy=yes implies other_copy=yes (facts.yaml of the tiny base); a condition on other_copy
    # met only by that implication rests on reasoning, not on evidence.
    diagnoses = FILES["diagnoses/main.yaml"].replace(
        'confirmed_when: [{ios_copy: "yes"}]', 'confirmed_when: [{other_copy: "yes"}]'
    )
    kb = tiny(tmp_path, diagnoses__main_yaml=diagnoses)
    assert kb.problems == []
    inv = Investigation.start(kb)
    inv.answer("platform", "macos")
    inv.answer("ios_copy", "yes")
    implied = inv.session.facts.get("other_copy")
    assert implied is not None and implied.inferred
    assert inv.session.ranking.all["ios-copy-conflict"].status is not Status.CONFIRMED
    inv.answer("other_copy", "yes")
    assert inv.session.ranking.all["ios-copy-conflict"].status is Status.CONFIRMED


# ---- the real knowledge base ----------------------------------------------------------------
def test_every_confirmed_when_can_be_met_by_answers_or_probes(kb):
    """A condition only the description, a log line or the bundle could meet would never confirm:
    its fault facts must be askable or settled by a probe."""
    reachable = {q.fact for q in kb.questions.values()} | {f for p in kb.probes.values() for f in p.settles}
    dead = [
        f"{c.location}: {fact}"
        for d in kb.diagnoses.values()
        for c in d.confirmed_when
        for fact, _ in c.items()
        if fact not in reachable
    ]
    assert dead == []


def test_proofs_are_few_and_point_where_they_prove(kb):
    proving = {s.id: s for s in kb.signatures.values() if s.proves}
    assert 0 < len(proving) <= len(kb.signatures) // 10, "proof is for the rare unmistakable message"
    for sig in proving.values():
        weights = dict(sig.points_to)
        assert all(weights[d] >= 3 for d in sig.proves), sig.id
