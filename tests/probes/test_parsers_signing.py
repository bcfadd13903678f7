"""codesign (display, entitlements, verify), security cms (profiles), spctl, syspolicy_check, xattr.

Samples: ne-knowledge.md 6.2 (Local Operator display verbatim), 6.5 (Chakshu spctl verbatim,
Apple Development rejection), 7 and 12.3-12.4; the Karabiner `codesign -vvv -display` post;
real embedded profiles from public repositories (tests/../shared/real-artifacts, when present).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.knowledge.model import KnowledgeBase
from advisor.probes import ProbeContext
from advisor.probes.parsers.codesign import (
    parse_codesign_display,
    parse_codesign_verify,
    parse_entitlements,
    read_codesign_display,
    read_entitlements,
)
from advisor.probes.parsers.gatekeeper import parse_quarantine, parse_spctl, parse_spctl_status, parse_syspolicy_check
from advisor.probes.parsers.profiles import parse_profile, profile_expired, read_profile
from tests.fake_mac import outputs
from tests.probes.vocabulary import check_vocabulary

REAL_ARTIFACTS = Path(__file__).resolve().parents[2] / ".." / "shared" / "real-artifacts"

LOCAL_OPERATOR = """Executable=/Applications/Local Operator.app/Contents/MacOS/Local Operator
Identifier=com.local-operator
Format=app bundle with Mach-O thin (arm64)
CodeDirectory v=20500 size=446 flags=0x10000(runtime) hashes=3+7 location=embedded
Signature size=8972
Authority=Developer ID Application: <individual> (SHA2U6KT7V)
Authority=Developer ID Certification Authority
Authority=Apple Root CA
Timestamp=Sep 15, 2026 at 9:07:50 PM
Notarization Ticket=stapled
Info.plist entries=32
TeamIdentifier=SHA2U6KT7V
Runtime Version=26.5.0
Sealed Resources version=2 rules=13 files=1840
Internal requirements count=1 size=180
"""
APPLE_DEVELOPMENT = """Executable=/Users/dev/Build/Products/Debug/Notes.app/Contents/MacOS/Notes
Identifier=com.weatjar.notes
Format=app bundle with Mach-O universal (x86_64 arm64)
CodeDirectory v=20400 size=1521 flags=0x0(none) hashes=36+7 location=embedded
Authority=Apple Development: realjewlion@gmail.com (687D42QJZ6)
Authority=Apple Worldwide Developer Relations Certification Authority
Authority=Apple Root CA
Signed Time=2 Nov 2025 at 09:40:12
TeamIdentifier=A635S52367
"""
ADHOC = """Executable=/tmp/a.out
Identifier=a.out
Format=Mach-O thin (arm64)
CodeDirectory v=20400 size=511 flags=0x20002(adhoc,linker-signed) hashes=13+0 location=embedded
Signature=adhoc
TeamIdentifier=not set
"""
ENTITLEMENTS_SYSEX = (
    '<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">'
    '<plist version="1.0"><dict><key>com.apple.application-identifier</key><string>ABCDE12345.com.example.vpn.tunnel</string>'
    "<key>com.apple.developer.networking.networkextension</key><array><string>packet-tunnel-provider-systemextension</string></array>"
    "<key>com.apple.developer.team-identifier</key><string>ABCDE12345</string><key>com.apple.security.app-sandbox</key><true/>"
    "<key>com.apple.security.application-groups</key><array><string>ABCDE12345.com.example.vpn</string></array></dict></plist>\n"
)
SYSEX_EXE = "/Applications/Example.app/Contents/Library/SystemExtensions/com.example.vpn.tunnel.systemextension/Contents/MacOS/com.example.vpn.tunnel"
SYSEX_CONTEXT = ProbeContext(
    app_path="/Applications/Example.app",
    provider_paths=["/Applications/Example.app/Contents/Library/SystemExtensions/com.example.vpn.tunnel.systemextension"],
    bundle_id="com.example.vpn",
    provider_bundle_ids=["com.example.vpn.tunnel"],
    sysex_bundle_ids=["com.example.vpn.tunnel"],
)


def _facts(observations: list) -> dict[str, str]:
    return {o.fact: o.value for o in observations}


def test_codesign_display_developer_id_notarised(kb: KnowledgeBase) -> None:
    summary = read_codesign_display("", LOCAL_OPERATOR)
    assert summary is not None
    assert summary.identifier == "com.local-operator" and summary.team_id == "SHA2U6KT7V"
    assert summary.authorities == ("Developer ID Application: <individual> (SHA2U6KT7V)", "Developer ID Certification Authority", "Apple Root CA")
    assert summary.runtime is True
    found = parse_codesign_display("", LOCAL_OPERATOR, 0, None)
    assert _facts(found) == {"signing_identity": "developer-id", "notarized": "yes"}
    assert found[0].detail == "Authority=Developer ID Application: <individual> (SHA2U6KT7V)"
    check_vocabulary(kb, found)


def test_codesign_display_development_without_runtime() -> None:
    assert _facts(parse_codesign_display("", APPLE_DEVELOPMENT, 0, None)) == {"signing_identity": "apple-development", "hardened_runtime": "no"}
    summary = read_codesign_display("", APPLE_DEVELOPMENT)
    assert summary is not None and summary.team_id == "A635S52367"  # not the person id in the name


def test_codesign_display_adhoc_and_unsigned() -> None:
    assert _facts(parse_codesign_display("", ADHOC, 0, None)) == {"signing_identity": "ad-hoc", "hardened_runtime": "no"}
    assert read_codesign_display("", ADHOC).team_id is None  # type: ignore[union-attr]
    unsigned = "/Applications/X.app: code object is not signed at all\n"
    assert _facts(parse_codesign_display("", unsigned, 1, None)) == {"signing_identity": "unsigned"}


def test_codesign_display_unclear_or_failed() -> None:
    apple = LOCAL_OPERATOR.replace("Developer ID Application: <individual> (SHA2U6KT7V)", "Software Signing")
    assert "signing_identity" not in _facts(parse_codesign_display("", apple, 0, None))
    assert parse_codesign_display("", "codesign: /nope: No such file or directory\n", 1, None) == []
    assert parse_codesign_display("\x00\ufffd garbage", "\ufffd" * 100, 0, None) == []


def test_karabiner_wrapped_display_still_reads_runtime() -> None:
    wrapped = (
        "Executable=/Volumes/repo/tekezo/pqrs-org/Karabiner-DriverKit-VirtualHIDDevice/sr\n"
        "c/build/Release/KarabinerDriverKitVirtualHIDDevice.app/Contents/MacOS/KarabinerDriverKitVirtualHIDDevice\n"
        "Identifier=org.pqrs.KarabinerDriverKitVirtualHIDDevice\n"
        "Format=app bundle with Mach-O thin (x86_64)\n"
        "CodeDirectory v=20500 size=1687 flags=0x10000(runtime) hashes=43+5 location=embe\n"
        "dded\n"
    )
    summary = read_codesign_display("", wrapped)
    assert summary is not None and summary.runtime is True


def test_entitlements_of_a_sysex(kb: KnowledgeBase) -> None:
    ents = read_entitlements(ENTITLEMENTS_SYSEX, f"Executable={SYSEX_EXE}\n", 0)
    assert ents is not None and ents.ne_values() == ["packet-tunnel-provider-systemextension"]
    found = parse_entitlements(ENTITLEMENTS_SYSEX, f"Executable={SYSEX_EXE}\n", 0, SYSEX_CONTEXT)
    assert _facts(found) == {
        "ne_entitlement_form": "systemextension",
        "provider_sandboxed": "yes",
        "network_client_entitlement": "no",
    }
    check_vocabulary(kb, found)


def test_entitlements_of_the_app() -> None:
    app_xml = outputs.entitlements_xml({"com.apple.developer.networking.networkextension": ["packet-tunnel-provider"]})
    found = parse_entitlements(app_xml, "Executable=/Applications/Example.app/Contents/MacOS/Example\n", 0, SYSEX_CONTEXT)
    assert _facts(found) == {"ne_entitlement_form": "plain", "install_entitlement": "no"}


def test_missing_ne_entitlement_settles_no() -> None:
    stderr = "Executable=/Applications/Example.app/Contents/MacOS/Example\n"
    assert _facts(parse_entitlements("", stderr, 0, SYSEX_CONTEXT))["ne_entitlement_present"] == "no"  # no entitlements at all
    sandbox_only = outputs.entitlements_xml({"com.apple.security.app-sandbox": True})
    assert _facts(parse_entitlements(sandbox_only, stderr, 0, None)) == {"ne_entitlement_present": "no"}
    assert parse_entitlements("", "/x: code object is not signed at all\n", 1, SYSEX_CONTEXT) == []
    assert parse_entitlements("<plist><dict><key>", stderr, 0, SYSEX_CONTEXT) == []  # cut-off XML


def test_codesign_verify() -> None:
    ok = "/Applications/Example.app: valid on disk\n/Applications/Example.app: satisfies its Designated Requirement\n"
    assert _facts(parse_codesign_verify("", ok, 0, None)) == {"signature_valid": "yes"}
    broken = outputs.codesign_verify_broken("/Applications/Example.app")
    assert _facts(parse_codesign_verify("", broken, 1, None)) == {"signature_valid": "no"}
    assert parse_codesign_verify("", "/nope: No such file or directory\n", 1, None) == []


def test_profile_dump(kb: KnowledgeBase) -> None:
    xml = outputs.provisioning_profile("Dev", "com.example.vpn", devices=["00008132-000A103C02F8801C"])
    profile = read_profile(xml)
    assert profile is not None and profile.lists_devices
    assert profile.allows_device("00008132-000a103c02f8801c")
    assert not profile.allows_device("00008103-001A2B3C4D5E6F70")
    assert parse_profile(xml, "", 0, None) == []  # valid: "no" needs every profile (cross_facts)
    expired = outputs.provisioning_profile("Old", "com.example.vpn", devices=[], expires_in_days=-3)
    found = parse_profile(expired, "", 0, None)
    assert _facts(found) == {"profile_expired": "yes"}
    check_vocabulary(kb, found)
    assert parse_profile("security: failed to decode message\n", "", 1, None) == []
    assert read_profile(outputs.entitlements_xml({"com.apple.security.app-sandbox": True})) is None


def _real_profile(name: str) -> str:
    path = REAL_ARTIFACTS / name
    if not path.exists():
        pytest.skip("shared/real-artifacts is not present")
    raw = path.read_bytes()
    # `security cms -D -i` prints the signed content: the XML plist inside the CMS envelope.
    return raw[raw.index(b"<?xml") : raw.index(b"</plist>") + len(b"</plist>")].decode() + "\n"


def test_real_development_profile_lists_its_mac() -> None:
    profile = read_profile(_real_profile("credctl.embedded.provisionprofile"))
    assert profile is not None
    assert profile.provisioned_devices == ("00006000-000E19D101D8801E",)
    assert profile.team_ids == ("JWR3NGC3Z6",) and profile.platforms == ("OSX",)


def test_real_developer_id_profile_provisions_all_devices() -> None:
    profile = read_profile(_real_profile("kdrive.embedded.provisionprofile"))
    assert profile is not None and profile.provisions_all_devices and profile.allows_device("any")
    assert profile_expired(profile) is False


def test_real_distribution_profile_has_no_device_list_and_expired() -> None:
    stdout = _real_profile("vpnworld.embedded.provisionprofile")
    profile = read_profile(stdout)
    assert profile is not None and not profile.lists_devices
    assert _facts(parse_profile(stdout, "", 0, None)) == {"profile_expired": "yes"}  # 2023-04-28


def test_spctl(kb: KnowledgeBase) -> None:
    notarised = "/Applications/Chakshu.app: accepted\nsource=Notarized Developer ID\norigin=Developer ID Application: ROBIN SHARMA (R65679C4F3)\n"
    found = parse_spctl("", notarised, 0, None)
    assert _facts(found) == {"gatekeeper": "accepted", "notarized": "yes"}
    check_vocabulary(kb, found)
    development = "/tmp/anchor-apple-stage1/AnchorMacICloudProbe: rejected\norigin=Apple Development: <DEVELOPER_NAME> (<TEAM_ID_ALT>)\n"
    assert _facts(parse_spctl("", development, 3, None)) == {"gatekeeper": "rejected"}
    unnotarised = "/Applications/X.app: rejected\nsource=Unnotarized Developer ID\n"
    assert _facts(parse_spctl("", unnotarised, 3, None)) == {"gatekeeper": "rejected", "notarized": "no"}
    assert parse_spctl("", "spctl: /nope: No such file or directory\n", 1, None) == []


def test_syspolicy_check() -> None:
    passed = "App passed all pre-distribution checks and is ready for distribution.\n"
    assert _facts(parse_syspolicy_check(passed, "", 0, None)) == {"notarized": "yes", "notarization_ticket_stapled": "yes"}
    # "Notary Ticket Missing" = no ticket stapled; notarisation itself is checked online, so the
    # finding must not read as "not notarised".
    missing = parse_syspolicy_check(outputs.syspolicy_no_ticket("/Applications/X.app"), "", 1, None)
    assert _facts(missing) == {"notarization_ticket_stapled": "no"}
    assert parse_syspolicy_check("", "syspolicy_check: command failed\n", 1, None) == []


def test_quarantine_attribute(kb: KnowledgeBase) -> None:
    found = parse_quarantine("0083;65a1b2c3;Safari;4C7E2F10-1A2B-4C3D-9E8F-0123456789AB\n", "", 0, None)
    assert _facts(found) == {"quarantined": "yes"}
    check_vocabulary(kb, found)
    absent = "xattr: /Applications/Example.app: No such xattr: com.apple.quarantine\n"
    assert _facts(parse_quarantine("", absent, 1, None)) == {"quarantined": "no"}
    assert parse_quarantine("", "xattr: /nope: No such file: /nope\n", 1, None) == []
    assert parse_quarantine("\ufffd\x00garbage\n", "", 0, None) == []


def test_spctl_on_a_mac_app_store_app() -> None:
    store = "/Applications/Xcode.app: accepted\nsource=Mac App Store\n"  # Apple support's wording
    assert _facts(parse_spctl("", store, 0, None)) == {"gatekeeper": "accepted"}


def test_spctl_with_assessments_disabled_rules_nothing_out(kb: KnowledgeBase) -> None:
    # Gatekeeper off: every app is "accepted", whatever it is; only the override is reported.
    for source in ("Notarized Developer ID", "Unnotarized Developer ID", "no usable signature"):
        output = f"/Applications/X.app: accepted\nsource={source}\noverride=security disabled\n"
        found = parse_spctl("", output, 0, None)
        assert _facts(found) == {"gatekeeper_assessments": "disabled"}, source
        assert found[0].detail == "override=security disabled"
        check_vocabulary(kb, found)


def test_spctl_status(kb: KnowledgeBase) -> None:
    assert _facts(parse_spctl_status("assessments enabled\n", "", 0, None)) == {"gatekeeper_assessments": "enabled"}
    found = parse_spctl_status("assessments disabled\n", "", 0, None)
    assert _facts(found) == {"gatekeeper_assessments": "disabled"}
    check_vocabulary(kb, found)
    assert parse_spctl_status("", "spctl: internal error\n", 1, None) == []
    assert parse_spctl_status("assessments maybe\n", "", 0, None) == []
