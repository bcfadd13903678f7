"""Recorded stories replayed with a real bundle built from their artifacts: the bundle's
findings must agree with (and never overturn) the diagnosis the story reached."""

from pathlib import Path

import pytest

from advisor.conversation.recording import expectation_failures, investigation_from_transcript
from advisor.investigation import Investigation
from advisor.transcripts.format import load_transcript
from tests.fixtures.bundle_builder import build_from_artifacts

TRANSCRIPTS = Path(__file__).resolve().parents[2] / "transcripts"
NE = "com.apple.developer.networking.networkextension"

# What each story says the shipped bundle looked like (our reading of the public threads).
ARTIFACTS = {
    "d01-devid-sysex-not-notarized": (
        "developer-id",
        {"app": {"signing": "developer-id", "profile": {"type": "developer-id"}},
         "provider": {"kind": "sysex", "signing": "developer-id", "profile": {"type": "developer-id"}}},
    ),
    "d02-content-filter-devid-suffix-mismatch": (
        "developer-id",
        {"provider": {"kind": "sysex", "signing": "developer-id", "entitlements": {NE: ["content-filter-provider"]},
                      "profile": {"type": "developer-id", "entitlements": {NE: ["content-filter-provider-systemextension"]}}}},
    ),
    "d04-macos-provider-never-called-sandbox": (
        "apple-development",
        {"app": {"entitlements": {"com.apple.security.app-sandbox": False}},
         "provider": {"kind": "appex", "entitlements": {"com.apple.security.app-sandbox": False}}},
    ),
    "d12-sysex-not-replaced-while-tunnel-up": (
        "developer-id",
        {"provider": {"kind": "sysex", "bundle_id": "dev.firezone.firezone.network-extension", "provider_type": "packet-tunnel"}},
    ),
}


@pytest.mark.parametrize("story", sorted(ARTIFACTS))
def test_story_with_its_bundle_keeps_its_diagnosis(story, kb, tmp_path):
    signing, artifacts = ARTIFACTS[story]
    transcript = load_transcript(TRANSCRIPTS / f"{story}.yaml")
    built = build_from_artifacts(tmp_path / "bundle", artifacts, signing=signing)
    inv: Investigation = investigation_from_transcript(kb, transcript)
    inv.add_bundle(str(built.path))
    ranked = [a.id for a in inv.diagnoses()]
    assert inv.bundle and inv.bundle["providers"], "the bundle was read"
    assert expectation_failures(transcript.expected, ranked) == [], ranked[:4]
