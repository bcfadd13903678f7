"""The signature catalog (knowledge/signatures): complete, well-formed, and every message matches itself."""

from __future__ import annotations

import re

import pytest

from advisor.knowledge.loader import load_knowledge
from advisor.triage.signature_index import SignatureIndex

SIGNATURE_IDS = sorted(load_knowledge().signatures)

# A realistic value for each placeholder a signature text may use.
FILLERS = {
    "<id>": "com.acme.vpn.tunnel",
    "<uuid>": "1F2E3D4C-5B6A-4978-8A9B-0C1D2E3F4A5B",
    "<path>": "/Applications/Acme VPN.app/Contents/Library/SystemExtensions/com.acme.vpn.sysex.systemextension",
    "<hex>": "0x600000c1c000",
    "<n>": "4567",
    "<class>": "NEPacketTunnelProvider",
}


def filled(text: str) -> str:
    for placeholder, value in FILLERS.items():
        text = text.replace(placeholder, value)
    return text


def test_the_catalog_is_large_and_covers_every_area(kb):
    files = {sig.location.file.rsplit("/", 1)[-1] for sig in kb.signatures.values()}
    assert len(kb.signatures) >= 40
    assert {"sysex-activation.yaml", "ne-runtime.yaml", "configuration-errors.yaml", "signing-profiles.yaml"} <= files
    kinds = {sig.kind for sig in kb.signatures.values()}
    assert kinds == {"cause", "context", "noise"}


@pytest.mark.parametrize("field", ["text", "meaning", "process"])
def test_every_signature_has_its_descriptive_fields(kb, field):
    missing = [sig.id for sig in kb.signatures.values() if not getattr(sig, field)]
    assert missing == []


def test_every_signature_cites_a_source_or_says_why_it_cannot(kb):
    # A page that does not contain the message is worse than no page: without a real source
    # the signature must be marked `unconfirmed` with the reason.
    missing = [sig.id for sig in kb.signatures.values() if not sig.source and not sig.unconfirmed]
    assert missing == []


def test_sources_are_public_https_addresses(kb):
    bad = [sig.id for sig in kb.signatures.values() if sig.source and not re.match(r"^https://\S+$", sig.source)]
    assert bad == []


def test_pointers_name_real_diagnoses_with_weights_one_to_five(kb):
    problems = [
        f"{sig.id} -> {diagnosis} ({weight})"
        for sig in kb.signatures.values()
        for diagnosis, weight in sig.points_to
        if diagnosis not in kb.diagnoses or not 1 <= weight <= 5
    ]
    assert problems == []


def test_sets_use_the_fact_vocabulary(kb):
    problems = [
        f"{sig.id}: {fact}={value}"
        for sig in kb.signatures.values()
        for fact, value in sig.sets
        if fact not in kb.facts or value not in kb.facts[fact].values
    ]
    assert problems == []


def test_noise_about_developer_id_points_to_its_advice(kb):
    noise = kb.signatures["ne-provider-not-developer-id"]
    assert noise.kind == "noise"
    assert dict(noise.points_to) == {"log-noise-developer-id": 3}
    assert kb.diagnoses["log-noise-developer-id"].advice


def test_every_signature_can_be_anchored(kb):
    index = SignatureIndex.build(kb)
    anchored = {cs.signature.id for sigs in index.by_anchor.values() for cs in sigs}
    assert anchored == set(kb.signatures)
    for anchor in index.anchors:
        assert len(anchor) >= 6 and re.fullmatch(r"[A-Za-z0-9 _.,:;=+-]+", anchor), anchor


@pytest.mark.parametrize("signature_id", SIGNATURE_IDS)
def test_each_message_matches_its_own_signature(triage, kb, signature_id):
    text = filled(kb.signatures[signature_id].text)
    result = triage.triage_text(text)
    assert [m.signature for m in result.matches] == [signature_id], text
    assert result.matches[0].score == 100
