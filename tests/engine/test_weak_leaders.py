"""A leader resting on hints is no conclusion: advisor keeps asking the cheapest question that
could confirm a cause the facts leave open, and a likely cause never ranks under a possible one."""

from __future__ import annotations

from advisor.engine.scoring import Status
from advisor.engine.walk import exploring_question, weak_leader
from tests.engine.stories import investigate


def test_a_cause_with_no_evidence_yet_gets_its_deciding_question(kb):
    # An iOS packet tunnel that "just stops": nothing points anywhere yet, so only a question that
    # could confirm some open cause can find it (its deciding fact moves too little weight to be
    # chosen by separation alone).
    inv = investigate(kb, None, {"platform": "ios", "provider_type": "packet-tunnel"}, describe="The VPN stops working on my iPhone.")
    session = inv.session
    assert weak_leader(session.ranking)
    facts = session.facts.values
    choice = exploring_question(kb, session.ranking, facts, set(facts), set(facts))
    assert choice is not None
    fact = choice.question.fact
    # Whatever it asks, some open cause is confirmed by one of that fact's values.
    confirms = [
        d.id
        for d in kb.diagnoses.values()
        if not session.ranking.all[d.id].ruled_out
        for c in d.confirmed_when
        if fact in dict(c.items())
    ]
    assert confirms, fact
    # ... and the conversation does not conclude on the weak leader while it can still ask.
    assert session.conclusion() is None
    assert session.unanswered()


def test_exploring_stops_after_the_developer_keeps_not_knowing(kb):
    inv = investigate(kb, None, {"platform": "ios", "provider_type": "packet-tunnel"}, describe="The VPN stops working on my iPhone.")
    for _ in range(6):
        plan = inv.session.unanswered(1)
        if not plan:
            break
        inv.answer(plan[0].question.fact, "unknown")
    assert not inv.session.unanswered(), "three unknowns in a row end the exploring"


def test_a_likely_cause_never_ranks_under_a_possible_one(kb):
    inv = investigate(
        kb,
        None,
        {"platform": "macos", "packaging": "sysex", "mdm_sysex_policy": "other-extensions-only", "build_origin": "downloaded"},
        describe="Our system extension never activates on the work Macs.",
    )
    ranked = inv.session.diagnoses()
    order = {Status.CONFIRMED: 0, Status.LIKELY: 1, Status.POSSIBLE: 2}
    assert [order[a.status] for a in ranked] == sorted(order[a.status] for a in ranked)


def test_console_memory_kills_and_missing_runpath_frameworks_are_recognised(kb):
    log = (
        "kernel: memorystatus: PacketTunnel [1879] exceeded mem limit: ActiveHard 50 MB (fatal)\n"
        "ReportSystemMemory: Process PacketTunnel [1879] killed by jetsam reason per-process-limit\n"
        "dyld[412]: Library not loaded: @rpath/Shared.framework/Versions/A/Shared\n"
    )
    inv = investigate(kb, None, {}, log=log)
    signatures = {m.signature for m in inv.log_matches}
    assert {"jetsam-exceeded-mem-limit", "jetsam-killed-per-process-limit", "dyld-library-not-loaded-rpath"} <= signatures
    ios = investigate(kb, None, {"platform": "ios", "provider_type": "packet-tunnel"}, log=log.split("dyld")[0])
    assert ios.session.diagnoses()[0].id == "ios-provider-memory-limit"
    mac = investigate(kb, None, {"platform": "macos", "packaging": "sysex"}, log="dyld[412]: Library not loaded: @rpath/Shared.framework/Versions/A/Shared\n")
    assert mac.session.diagnoses()[0].id == "sysex-framework-not-embedded"
    assert mac.session.diagnoses()[0].status is not Status.CONFIRMED  # dyld says a library is missing, not why


def test_update_required_also_means_a_provider_the_system_cannot_find(kb):
    inv = investigate(kb, None, {"platform": "ios"}, describe="Settings shows our VPN as Update Required and it never connects.")
    listed = [a.id for a in inv.session.diagnoses()]
    assert "provider-deployment-target-too-high" in listed
    not_embedded = inv.session.ranking.all["provider-not-embedded"]
    assert any(e.source == "describe" and e.weight > 0 for e in not_embedded.evidence), not_embedded.evidence
