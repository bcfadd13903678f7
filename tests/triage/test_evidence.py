"""Matched lines become evidence: observations from `sets`, pointers weighted by score."""

from __future__ import annotations

import pytest

from advisor.evidence import Observation, Source

LOG = "\n".join([
    "App containing System Extension to be activated must be in /Applications folder",
    "OSSystemExtensionErrorDomain Code=3",
    "App containing System Extension to be activated must be in /Applications folder",
    "Provider is not signed with a Developer ID certificate",
])


def test_pointers_weight_by_signature_and_score_once_per_signature(triage, kb):
    result = triage.triage_text(LOG)
    pointers = result.pointers(kb)
    by = {(p.origin, p.diagnosis): p.weight for p in pointers}
    assert by[("sysex-app-not-in-applications", "sysex-not-in-applications")] == 4.0
    assert by[("sysex-error-3-parent-location", "sysex-not-in-applications")] == 4.0
    assert by[("ne-provider-not-developer-id", "log-noise-developer-id")] == 3.0
    assert len(pointers) == len(by)  # the repeated line is counted once
    assert all(p.source is Source.LOG for p in pointers)


def test_pointer_weight_scales_with_a_fuzzy_score(triage, kb):
    result = triage.triage_text("System extension activation failed: Invalid extension configuration in Info.plist and/or entitlements: System extension <SYSX_BUNDLE_ID>.systemextension does not appear to belong to any extension categories")
    (match,) = result.matches
    (pointer,) = result.pointers(kb)
    assert pointer.weight == pytest.approx(5 * match.score / 100, abs=0.001)


def test_observations_come_from_sets_once_per_value(triage, kb):
    result = triage.triage_text(LOG)
    observations = result.observations(kb, Source.DESCRIBE)
    facts = {(o.fact, o.value) for o in observations}
    assert facts == {("platform", "macos"), ("packaging", "sysex"), ("app_location", "elsewhere"), ("sysex_developer_mode", "off")}
    assert len(observations) == len(facts)
    first = next(o for o in observations if o.fact == "app_location")
    assert first == Observation("app_location", "elsewhere", Source.DESCRIBE, first.detail, "sysex-app-not-in-applications")
    assert first.detail.startswith("log line 1 (x2): App containing")


def test_json_shape_follows_the_contract(triage):
    data = triage.triage_text(LOG).to_json()
    assert data["lines_read"] == 4
    first = data["matches"][0]
    assert {"line", "text", "signature", "score", "kind", "points_to"} <= set(first)
    assert first["points_to"][0] == "sysex-not-in-applications"
    assert 0 <= first["score"] <= 100 and first["kind"] in {"cause", "noise", "context"}


def test_captures_keep_ids_codes_and_paths(triage):
    result = triage.triage_text(
        'amfid: /Applications/Acme.app/Contents/MacOS/Acme not valid: Error Domain=AppleMobileFileIntegrityError Code=-413 "No matching profile found"\n'
        "Disallowing com.acme.vpn.tunnel because no eligible provisioning profiles found\n"
        "Provisioning profile \"Acme DevID\" doesn't match the entitlements file's value for the com.apple.developer.networking.networkextension entitlement."
    )
    amfi, disallow, xcode = result.matches
    assert amfi.captures["error_domain"] == "AppleMobileFileIntegrityError" and amfi.captures["error_code"] == "-413"
    assert amfi.captures["path"] == "/Applications/Acme.app/Contents/MacOS/Acme"
    assert disallow.captures["bundle_id"] == "com.acme.vpn.tunnel"
    assert xcode.captures["profile"] == "Acme DevID"
