"""`confirmed` is a promise (issue 10, section 3): only evidence of the fault itself that a correct
setup never produces confirms a diagnosis. One test per rule, on the real knowledge base, through
the same Investigation the CLI, the TUI and replay use."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor.engine.scoring import Assessment, ProofRoute, Status
from advisor.evidence import Observation, Source
from advisor.investigation import Investigation, KnowledgeRuntime
from tests.fixtures import apple_pki
from tests.fixtures.bundle_builder import AppSpec, ProfileSpec, ProviderSpec, build_app

APP_STORE_SIGNERS = {
    # Apple's own re-signing certificates (marker OIDs per TN3127): what store installs carry.
    "macos": ("mac-app-store-signer", ("Apple Mac OS Application Signing", ("1.2.840.113635.100.6.1.9",), "wwdr")),
    "ios": ("ios-app-store-signer", ("Apple iPhone OS Application Signing", ("1.2.840.113635.100.6.1.3",), "wwdr")),
}
SYSEX_OUTSIDE = (
    "2026-11-19 09:21:07.554 E  Sentrygate[1742:9c10] [net.sentrygate.app:activation] activation request failed: "
    'Error Domain=OSSystemExtensionErrorDomain Code=3 "App containing System Extension to be activated must be in '
    '/Applications folder" UserInfo={NSLocalizedDescription=App containing System Extension to be activated must be '
    "in /Applications folder}"
)


@pytest.fixture(scope="module")
def runtime(kb):
    return KnowledgeRuntime(kb)


def investigate(kb, runtime, answers=(), describe="", log="") -> Investigation:
    inv = Investigation.start(kb, runtime)
    for fact, value in answers:
        inv.answer(fact, value)
    inv.add_description(describe)
    inv.add_log_text(log)
    return inv


def assessment(inv: Investigation, diagnosis: str) -> Assessment:
    return inv.session.ranking.all[diagnosis]


MAC_APPEX = (("platform", "macos"), ("packaging", "appex"))
MAC_SYSEX = (("platform", "macos"), ("packaging", "sysex"))


# ---- answers ------------------------------------------------------------------------------
def test_an_answer_stating_the_faulty_configuration_confirms(kb, runtime):
    inv = investigate(kb, runtime, [*MAC_APPEX, ("distribution", "developer-id")])
    a = assessment(inv, "appex-requires-mac-app-store")
    assert a.status is Status.CONFIRMED
    assert a.confirmation is not None and a.confirmation.route is ProofRoute.CONDITION
    [item] = a.confirmation.evidence
    assert (item.fact, item.value, item.source) == ("distribution", "developer-id", Source.ANSWER)
    assert a.confirmed_by == "distribution=developer-id"


def test_an_answer_that_a_correct_setup_can_give_does_not_confirm(kb, runtime):
    # Outside /Applications is fine with developer mode on: the location alone proves nothing...
    inv = investigate(kb, runtime, [*MAC_SYSEX, ("app_location", "elsewhere")])
    assert assessment(inv, "sysex-not-in-applications").status is not Status.CONFIRMED
    # ...with developer mode off it is the faulty configuration itself.
    inv.answer("sysex_developer_mode", "off")
    assert assessment(inv, "sysex-not-in-applications").status is Status.CONFIRMED


def test_not_shared_app_groups_never_confirm(kb, runtime):
    # A correct app and provider may share no group (providerConfiguration carries the settings).
    inv = investigate(kb, runtime, [("platform", "ios"), ("app_groups_match", "no")])
    a = assessment(inv, "app-group-misconfigured")
    assert a.status is not Status.CONFIRMED and a.supported


def test_a_filter_data_provider_without_network_client_is_not_confirmed_broken(kb, runtime):
    sandboxed = [("platform", "macos"), ("provider_sandboxed", "yes"), ("network_client_entitlement", "no")]
    filter_inv = investigate(kb, runtime, [*sandboxed, ("provider_type", "content-filter")])
    assert assessment(filter_inv, "sandbox-network-entitlement-missing").status is not Status.CONFIRMED
    tunnel_inv = investigate(kb, runtime, [*sandboxed, ("provider_type", "packet-tunnel")])
    assert assessment(tunnel_inv, "sandbox-network-entitlement-missing").status is Status.CONFIRMED


def test_a_healthy_installed_sysex_is_not_confirmed_unreplaced(kb, runtime):
    # `systemextensionsctl list` shows the same version as the build that installed it: healthy.
    inv = investigate(kb, runtime, [*MAC_SYSEX, ("sysex_developer_mode", "off")])
    inv.add_context_observations([Observation("sysex_version_bumped", "no", Source.PROBE, "[activated enabled] (1.0/7)")])
    assert assessment(inv, "sysex-replacement-version").status is not Status.CONFIRMED


# ---- the description ----------------------------------------------------------------------
def test_a_fact_settled_by_a_symptom_phrase_cannot_confirm(kb, runtime):
    describe = "The iOS TestFlight version of the app is installed on this Mac and the tunnel fails."
    inv = investigate(kb, runtime, [("platform", "macos")], describe=describe)
    fact = inv.session.facts.get("ios_copy_installed")
    assert fact is not None and fact.value == "yes" and fact.source is Source.DESCRIBE
    a = assessment(inv, "ios-app-bundle-id-conflict")
    assert a.supported and a.status is not Status.CONFIRMED
    inv.answer("ios_copy_installed", "yes")  # the developer states it: now it is the fault itself
    assert assessment(inv, "ios-app-bundle-id-conflict").status is Status.CONFIRMED


def test_a_proving_message_quoted_in_the_description_does_not_confirm(kb, runtime):
    described = investigate(kb, runtime, describe=f"Activation fails with: {SYSEX_OUTSIDE}")
    assert assessment(described, "sysex-not-in-applications").status is not Status.CONFIRMED
    logged = investigate(kb, runtime, log=SYSEX_OUTSIDE)
    assert assessment(logged, "sysex-not-in-applications").status is Status.CONFIRMED


# ---- log lines ----------------------------------------------------------------------------
def test_a_verbatim_proving_log_line_confirms(kb, runtime):
    inv = investigate(kb, runtime, log=SYSEX_OUTSIDE)
    a = assessment(inv, "sysex-not-in-applications")
    assert a.status is Status.CONFIRMED
    assert a.confirmation is not None and a.confirmation.route is ProofRoute.LOG_MESSAGE
    [item] = a.confirmation.evidence
    assert item.source is Source.LOG and item.origin == "sysex-app-not-in-applications"
    [match] = inv.log_matches
    assert match.proves == ["sysex-not-in-applications"]
    # The line points at another cause too, which it does not prove.
    assert assessment(inv, "quarantined-development-build").status is not Status.CONFIRMED


@pytest.mark.parametrize(
    "line",
    [
        "App containing System Extension to be activated must be in /Applications fol…",  # cut short
        "App containing System Extension to be activated must be in the /Applications folder",  # reworded
    ],
)
def test_a_proving_message_not_seen_verbatim_does_not_confirm(kb, runtime, line):
    inv = investigate(kb, runtime, log=line)
    assert [m.signature for m in inv.log_matches] == ["sysex-app-not-in-applications"]
    assert inv.log_matches[0].proves == []
    a = assessment(inv, "sysex-not-in-applications")
    assert a.supported and a.status is not Status.CONFIRMED


def test_a_fact_set_by_a_log_line_cannot_confirm(kb, runtime):
    # A signature's `sets` is an author's reading of the message, not the fault itself: the same
    # fact from a log line does not confirm what the same fact from an answer does.
    inv = investigate(kb, runtime, log="neagent: No such class: PacketTunnelProvider")
    inv.session.add_evidence([Observation("principal_class_resolves", "no", Source.LOG, "read from a log line")], [])
    fact = inv.session.facts.get("principal_class_resolves")
    assert fact is not None and fact.value == "no" and fact.source is Source.LOG
    assert assessment(inv, "provider-principal-class").status is not Status.CONFIRMED
    inv.answer("principal_class_resolves", "no")
    assert assessment(inv, "provider-principal-class").status is Status.CONFIRMED


# ---- inference ----------------------------------------------------------------------------
def test_a_channel_inferred_from_the_signature_cannot_confirm(kb, runtime):
    inv = investigate(kb, runtime, MAC_APPEX)
    inferred = {"fact": "distribution", "value": "developer-id", "detail": "inferred from the signature", "inferred": True}
    inv.add_recorded_bundle({"observations": [inferred], "findings": []})
    fact = inv.session.facts.get("distribution")
    assert fact is not None and fact.inferred
    assert assessment(inv, "appex-requires-mac-app-store").status is not Status.CONFIRMED


# ---- the bundle ---------------------------------------------------------------------------
def test_a_bundle_reading_confirms_only_through_a_finding_of_error_severity(kb, runtime):
    reading = {"fact": "app_groups_match", "value": "no", "detail": "app and provider share no app group"}
    finding = {"id": "app-group-misconfigured", "rule": "app-groups-disjoint", "detail": "disjoint", "path": "X.appex"}
    for severity, confirmed in ((None, False), ("warning", False), ("error", True)):
        inv = investigate(kb, runtime, [("platform", "macos")])
        findings = [finding | {"severity": severity}] if severity else []
        inv.add_recorded_bundle({"observations": [reading], "findings": findings})
        a = assessment(inv, "app-group-misconfigured")
        assert (a.status is Status.CONFIRMED) is confirmed, severity
        if confirmed:
            assert a.confirmation is not None and a.confirmation.route is ProofRoute.BUNDLE_FINDING


# ---- store builds (re-signed by Apple) ----------------------------------------------------
def _store_build(tmp_path: Path, platform: str, monkeypatch, testflight: bool = False) -> Path:
    kind, leaf = APP_STORE_SIGNERS[platform]
    monkeypatch.setitem(apple_pki.LEAF_KINDS, kind, leaf)
    extra = {"beta-reports-active": True} if testflight else {}

    def profile() -> ProfileSpec:
        # The store profile lists the developer's own distribution certificate, never Apple's.
        return ProfileSpec(type="app-store", certificate="apple-distribution", entitlements_update=extra)

    built = build_app(
        tmp_path,
        platform=platform,
        signing="apple-distribution",
        app=AppSpec(certificate=kind, profile=profile()),
        providers=[ProviderSpec(kind="appex", certificate=kind, profile=profile())],
    )
    return built.path


@pytest.mark.parametrize(
    ("platform", "testflight", "distribution"),
    [("macos", False, "mac-app-store"), ("macos", True, "testflight"), ("ios", False, "mac-app-store"), ("ios", True, "testflight")],
)
def test_a_store_build_resigned_by_apple_is_not_confirmed_certificate_mismatch(
    kb, runtime, tmp_path, monkeypatch, platform, testflight, distribution
):
    from advisor.inspectors import inspect_bundle

    inspection = inspect_bundle(_store_build(tmp_path, platform, monkeypatch, testflight), kb, None)
    readings = [
        {"fact": o.fact, "value": o.value, "detail": o.detail, "origin": o.origin, "inferred": o.inferred}
        for o in inspection.observations
    ]
    # Apple's store signer is never in a profile: the inspector does not read that as a mismatch.
    assert not [r for r in readings if r["fact"] == "certificate_in_profile" and r["value"] == "no"], readings
    # Every route this module owns: the bundle's readings (its findings are the bundle rules'
    # route), the developer's own answers about the channel and the certificate, its log.
    inv = investigate(kb, runtime, [("distribution", distribution), ("certificate_in_profile", "no")])
    inv.add_recorded_bundle({"observations": readings, "findings": []})
    a = assessment(inv, "profile-certificate-mismatch")
    assert a.status is not Status.CONFIRMED, a.confirmed_by
    assert not [x.id for x in inv.diagnoses() if x.status is Status.CONFIRMED]
    # Whatever the bundle rules decide, no condition may confirm the mismatch on a store build.
    full = investigate(kb, runtime, [("distribution", distribution)])
    full.add_bundle(str(_store_build(tmp_path / "again", platform, monkeypatch, testflight)))
    mismatch = assessment(full, "profile-certificate-mismatch")
    assert mismatch.confirmation is None or mismatch.confirmation.route is ProofRoute.BUNDLE_FINDING


def test_a_certificate_mismatch_stated_for_a_developer_certificate_confirms(kb, runtime):
    base = [("certificate_in_profile", "no")]
    store = investigate(kb, runtime, [*base, ("signing_identity", "apple-distribution")])
    assert assessment(store, "profile-certificate-mismatch").status is not Status.CONFIRMED
    dev = investigate(kb, runtime, [*base, ("signing_identity", "apple-development")])
    assert assessment(dev, "profile-certificate-mismatch").status is Status.CONFIRMED


def test_an_expired_store_profile_is_not_confirmed(kb, runtime):
    # Store and TestFlight installs keep running after the profile embedded at upload expires.
    probe = Observation("profile_expired", "yes", Source.PROBE, "ExpirationDate 2024-01-01")
    store = investigate(kb, runtime, [("distribution", "testflight")])
    store.add_context_observations([probe])
    assert assessment(store, "profile-expired").status is not Status.CONFIRMED
    dev = investigate(kb, runtime, [("distribution", "development")])
    dev.add_context_observations([probe])
    assert assessment(dev, "profile-expired").status is Status.CONFIRMED


# ---- what users see -----------------------------------------------------------------------
def test_json_names_the_evidence_that_confirmed(advisor_cli, tmp_path):
    log = tmp_path / "activation.log"
    log.write_text(SYSEX_OUTSIDE + "\n", encoding="utf-8")
    done = advisor_cli("diagnose", "--log", str(log), "--format", "json")
    assert done.returncode == 0, done.stderr
    first = json.loads(done.stdout)["diagnoses"][0]
    assert (first["id"], first["status"]) == ("sysex-not-in-applications", "confirmed")
    assert first["confirmation"]["route"] == "log-message"
    [item] = first["confirmation"]["evidence"]
    assert item["source"] == "log" and item["value"] == "sysex-app-not-in-applications"
    assert "must be in /Applications folder" in item["detail"]
    assert "must be in /Applications folder" in first["confirmed_by"]
    done = advisor_cli("diagnose", "--answer", "platform=macos", "--answer", "packaging=appex", "--format", "json")
    assert all(d["confirmation"] is None and d["confirmed_by"] is None for d in json.loads(done.stdout)["diagnoses"])
