"""Facts derived from several probe outputs read together."""

from __future__ import annotations

from advisor.knowledge.model import KnowledgeBase
from advisor.probes import ProbeContext, ProbeRun, derive_cross_probe_facts, parse_probe_output
from tests.fake_mac import outputs
from tests.probes.vocabulary import check_vocabulary

APP = "/Applications/Tunnelbox.app"
PROVIDER = f"{APP}/Contents/PlugIns/TunnelboxTunnel.appex"
UDID = "00008132-000A103C02F8801C"
CTX = ProbeContext(
    app_path=APP,
    provider_paths=[PROVIDER],
    bundle_id="com.example.tunnelbox",
    provider_bundle_ids=["com.example.tunnelbox.tunnel"],
    applications_dir="/Applications",
)


def run(kb: KnowledgeBase, probe_id: str, stdout: str = "", stderr: str = "", exit_code: int | None = 0, *, keep_parser: bool = True) -> ProbeRun:
    """A finished run as run_probe would make it (observations parsed with CTX)."""
    observations = parse_probe_output(kb, probe_id, stdout, stderr, exit_code, CTX)
    return ProbeRun(
        probe_id, ["x"], exit_code, 3, stdout, stderr, timed_out=exit_code is None, observations=observations,
        parser=kb.probes[probe_id].parser if keep_parser else "", context=CTX,
    )


def facts(observations: list) -> dict[str, str]:
    return {o.fact: o.value for o in observations}


def profile(kb: KnowledgeBase, devices: list[str] | None, days: int = 300, team: str = "ABCDE12345", provisions_all: bool = False) -> ProbeRun:
    return run(kb, "profile-embedded", outputs.provisioning_profile("Dev", "com.example.tunnelbox", team, devices, provisions_all, days))


def test_device_in_every_development_profile(kb: KnowledgeBase) -> None:
    runs = [run(kb, "hardware-overview", outputs.hardware_overview(UDID)), profile(kb, [UDID]), profile(kb, ["00008103-001A2B3C4D5E6F70", UDID.lower()])]
    derived = derive_cross_probe_facts(runs)
    assert facts(derived)["device_in_profile"] == "yes"
    assert facts(derived)["profile_expired"] == "no"
    check_vocabulary(kb, derived)
    dip = next(o for o in derived if o.fact == "device_in_profile")
    assert UDID in dip.detail and dip.origin == "hardware-overview+profile-embedded"


def test_device_missing_from_one_profile(kb: KnowledgeBase) -> None:
    runs = [run(kb, "hardware-overview", outputs.hardware_overview(UDID)), profile(kb, [UDID]), profile(kb, ["00008103-001A2B3C4D5E6F70"])]
    assert facts(derive_cross_probe_facts(runs))["device_in_profile"] == "no"


def test_device_question_needs_both_sides(kb: KnowledgeBase) -> None:
    assert "device_in_profile" not in facts(derive_cross_probe_facts([profile(kb, [UDID])]))
    no_devices = [run(kb, "hardware-overview", outputs.hardware_overview(UDID)), profile(kb, None)]  # App Store style
    assert "device_in_profile" not in facts(derive_cross_probe_facts(no_devices))
    developer_id = [run(kb, "hardware-overview", outputs.hardware_overview(UDID)), profile(kb, None, provisions_all=True)]
    assert facts(derive_cross_probe_facts(developer_id))["device_in_profile"] == "yes"


def test_one_expired_profile_blocks_not_expired(kb: KnowledgeBase) -> None:
    runs = [profile(kb, [UDID]), profile(kb, [UDID], days=-1)]
    assert "profile_expired" not in facts(derive_cross_probe_facts(runs))
    assert facts([o for r in runs for o in r.observations]) == {"profile_expired": "yes"}


def _display(kb: KnowledgeBase, path: str, ident: str, *, runtime: bool = True, team: str = "ABCDE12345") -> ProbeRun:
    probe = "codesign-app" if path == APP else "codesign-provider"
    return run(kb, probe, stderr=outputs.codesign_display(path, ident, team_id=team, runtime=runtime))


def test_hardened_runtime_and_team_ids(kb: KnowledgeBase) -> None:
    same = [_display(kb, APP, "com.example.tunnelbox"), _display(kb, PROVIDER, "com.example.tunnelbox.tunnel")]
    assert facts(derive_cross_probe_facts(same)) == {"hardened_runtime": "yes", "team_ids_match": "yes", "app_location": "applications"}
    mixed = [_display(kb, APP, "com.example.tunnelbox"), _display(kb, PROVIDER, "com.example.tunnelbox.tunnel", runtime=False, team="ZZZZZ99999")]
    derived = facts(derive_cross_probe_facts(mixed))
    assert derived["team_ids_match"] == "no" and "hardened_runtime" not in derived
    assert facts(mixed[1].observations)["hardened_runtime"] == "no"  # the provider's own run says so


def _entitlements(kb: KnowledgeBase, path: str, exe: str, ents: dict) -> ProbeRun:
    probe = "entitlements-app" if path == APP else "entitlements-provider"
    return run(kb, probe, outputs.entitlements_xml(ents), outputs.entitlements_stderr(exe))


NE = {"com.apple.developer.networking.networkextension": ["packet-tunnel-provider"]}


def test_ne_entitlement_and_app_groups(kb: KnowledgeBase) -> None:
    group = {"com.apple.security.application-groups": ["ABCDE12345.com.example.tunnelbox"]}
    good = [
        _entitlements(kb, APP, f"{APP}/Contents/MacOS/Tunnelbox", NE | group),
        _entitlements(kb, PROVIDER, f"{PROVIDER}/Contents/MacOS/TunnelboxTunnel", NE | group),
    ]
    derived = facts(derive_cross_probe_facts(good))
    assert derived["ne_entitlement_present"] == "yes" and derived["app_groups_match"] == "yes"
    other_group = {"com.apple.security.application-groups": ["group.com.example.other"]}
    bad = [
        _entitlements(kb, APP, f"{APP}/Contents/MacOS/Tunnelbox", group),
        _entitlements(kb, PROVIDER, f"{PROVIDER}/Contents/MacOS/TunnelboxTunnel", NE | other_group),
    ]
    derived = facts(derive_cross_probe_facts(bad))
    assert derived["app_groups_match"] == "no" and "ne_entitlement_present" not in derived
    assert facts(bad[0].observations)["ne_entitlement_present"] == "no"
    only_app = facts(derive_cross_probe_facts(good[:1]))
    assert "ne_entitlement_present" not in only_app and "app_groups_match" not in only_app


def test_no_other_copy_when_every_listing_shows_only_ours(kb: KnowledgeBase) -> None:
    ours = outputs.pluginkit_records([outputs.Plugin("com.example.tunnelbox.tunnel", "1.0", PROVIDER)])
    runs = [run(kb, "pluginkit-provider", ours), run(kb, "mdfind-app", outputs.mdfind_paths([APP]))]
    derived = derive_cross_probe_facts(runs)
    assert facts(derived) == {"other_copy_installed": "no", "ios_copy_installed": "no", "app_location": "applications"}
    check_vocabulary(kb, derived)


def test_a_copy_found_anywhere_wins(kb: KnowledgeBase) -> None:
    ours = outputs.pluginkit_records([outputs.Plugin("com.example.tunnelbox.tunnel", "1.0", PROVIDER)])
    stale = outputs.mdfind_paths([APP, "/Users/dev/Downloads/Tunnelbox.app"])
    derived = facts(derive_cross_probe_facts([run(kb, "pluginkit-provider", ours), run(kb, "mdfind-app", stale)]))
    assert "other_copy_installed" not in derived  # the mdfind run itself says yes
    assert derived["ios_copy_installed"] == "no"


def test_unfinished_or_failed_listings_prove_nothing(kb: KnowledgeBase) -> None:
    runs = [run(kb, "pluginkit-provider", "", "", None), run(kb, "mdfind-app", "", "mdfind: failed\n", 1), run(kb, "lsregister-dump", "\ufffd" * 20)]
    derived = facts(derive_cross_probe_facts(runs))
    assert "other_copy_installed" not in derived and "ios_copy_installed" not in derived


def test_runs_recorded_without_a_parser_are_recognised_by_id(kb: KnowledgeBase) -> None:
    runs = [
        run(kb, "hardware-overview", outputs.hardware_overview(UDID), keep_parser=False),
        run(kb, "profile-embedded", outputs.provisioning_profile("Dev", "com.example.tunnelbox", devices=[UDID]), keep_parser=False),
    ]
    assert facts(derive_cross_probe_facts(runs))["device_in_profile"] == "yes"


def test_this_macs_udid_is_never_compared_with_an_ios_apps_profiles(kb: KnowledgeBase) -> None:
    iphone = "00008110-000A1B2C3D4E5F60"
    # An iOS development profile lists the iPhones the app runs on, not this Mac.
    ios_profile = outputs.provisioning_profile("Dev", "com.example.tunnelbox", devices=[iphone], platform="iOS")
    runs = [run(kb, "hardware-overview", outputs.hardware_overview(UDID)), run(kb, "profile-embedded", ios_profile)]
    assert "device_in_profile" not in facts(derive_cross_probe_facts(runs))
    # Whatever its profiles say, an iOS app (the context's platform) is not compared either.
    mac_profile = outputs.provisioning_profile("Dev", "com.example.tunnelbox", devices=[iphone])
    runs = [run(kb, "hardware-overview", outputs.hardware_overview(UDID)), run(kb, "profile-embedded", mac_profile)]
    assert facts(derive_cross_probe_facts(runs))["device_in_profile"] == "no"  # a macOS app: compared
    ios_app = ProbeContext(app_path="/Users/dev/Downloads/Tunnelbox.app", platform="ios", bundle_id="com.example.tunnelbox")
    for r in runs:
        r.context = ios_app
    assert "device_in_profile" not in facts(derive_cross_probe_facts(runs))
