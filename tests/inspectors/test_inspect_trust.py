"""Findings a correct bundle can produce never confirm anything (issue 10, section 4), and nothing
outside the bundle is ever read (issue 12, items 12, 13 and 15)."""

from __future__ import annotations

import os
import plistlib
from pathlib import Path

from advisor.inspectors import inspect_bundle
from advisor.inspectors.text_report import render_text
from advisor.knowledge.model import KnowledgeBase
from advisor.plain_text import printable as safe
from tests.fixtures.bundle_builder import (
    APP_GROUPS,
    NETWORK_CLIENT,
    OTHER_TEAM,
    REDISTRIBUTABLE,
    AppSpec,
    FrameworkSpec,
    ProviderSpec,
    build_app,
    channel_build,
    swift_runtime_name,
)

TUNNEL_CLASS = swift_runtime_name("com_example_vpn_tunnel.PacketTunnelProvider")


def _rules(inspection) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {f.rule: f.severity for f in inspection.findings}


def _facts(inspection) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {o.fact: o.value for o in inspection.observations}


# ---- issue 10, section 4 ----------------------------------------------------------------------


def test_a_group_on_one_side_only_is_information_and_settles_nothing(tmp_path: Path, kb: KnowledgeBase) -> None:
    # A system extension whose only group serves its NEMachServiceName.
    built = build_app(tmp_path / "mac", app=AppSpec(entitlements_update={APP_GROUPS: None}))
    inspection = inspect_bundle(built.path, kb)
    assert _rules(inspection) == {"app-group-missing-on-one-side": "info"}
    assert "app_groups_match" not in _facts(inspection)
    # An iOS app whose group serves its widgets; the tunnel gets providerConfiguration.
    built = build_app(tmp_path / "ios", platform="ios", providers=[ProviderSpec(entitlements_update={APP_GROUPS: None})])
    inspection = inspect_bundle(built.path, kb)
    assert _rules(inspection) == {"app-group-missing-on-one-side": "info"}
    assert "app_groups_match" not in _facts(inspection)


def test_network_client_is_asked_only_of_providers_that_open_connections(tmp_path: Path, kb: KnowledgeBase) -> None:
    no_client = {NETWORK_CLIENT: None}
    filter_data = build_app(tmp_path / "f", providers=[ProviderSpec(provider_type="content-filter", entitlements_update=no_client)])
    inspection = inspect_bundle(filter_data.path, kb)
    assert inspection.findings == [] and "network_client_entitlement" not in _facts(inspection)
    for ptype in ("packet-tunnel", "app-proxy", "dns-proxy"):
        built = build_app(tmp_path / ptype, providers=[ProviderSpec(provider_type=ptype, entitlements_update=no_client)])
        inspection = inspect_bundle(built.path, kb)
        assert _rules(inspection) == {"sandboxed-provider-without-network-client": "error"}, ptype
        assert _facts(inspection)["network_client_entitlement"] == "no"
    # network.server allows listening only: a tunnel still cannot connect out.
    server_only = {NETWORK_CLIENT: None, "com.apple.security.network.server": True}
    built = build_app(tmp_path / "server", providers=[ProviderSpec(entitlements_update=server_only)])
    assert "sandboxed-provider-without-network-client" in _rules(inspect_bundle(built.path, kb))


def test_store_builds_re_signed_by_apple_keep_their_store_profile(tmp_path: Path, kb: KnowledgeBase) -> None:
    for channel in ("macos-app-store", "macos-testflight", "ios-app-store", "ios-testflight"):
        packaging = "sysex" if channel.startswith("macos") else "appex"
        built = build_app(tmp_path / channel, **channel_build(channel, "packet-tunnel", packaging))
        inspection = inspect_bundle(built.path, kb)
        assert inspection.findings == [], channel
        signer = inspection.bundle["signature"]["signing_certificate"]["common_name"]
        testflight = channel.endswith("testflight")
        expected = "TestFlight Beta Distribution" if testflight else ("Apple Mac OS Application Signing", "Apple iPhone OS Application Signing")
        assert signer.startswith(expected), signer
        listed = [c["common_name"] for c in inspection.bundle["profile"]["developer_certificates"]]
        assert listed and all(name.startswith("Apple Distribution:") for name in listed)
        assert "certificate_in_profile" not in _facts(inspection)
        # Only TestFlight's own signer tells the channel; Apple's App Store signer is not told apart.
        assert _facts(inspection).get("distribution") == ("testflight" if testflight else None)


def test_a_provider_class_in_a_linked_framework_resolves(tmp_path: Path, kb: KnowledgeBase) -> None:
    own = build_app(tmp_path / "own", providers=[ProviderSpec(binary_classes=(), frameworks=(FrameworkSpec("TunnelKit.framework", (TUNNEL_CLASS,)),))])
    inspection = inspect_bundle(own.path, kb)
    assert inspection.findings == [] and _facts(inspection)["principal_class_resolves"] == "yes"
    # An appex may load it from the app's Frameworks.
    module_class = swift_runtime_name("PacketTunnel.PacketTunnelProvider")
    from_app = build_app(
        tmp_path / "app",
        platform="ios",
        app=AppSpec(frameworks=(FrameworkSpec("TunnelKit.framework", (module_class,)),)),
        providers=[ProviderSpec(binary_classes=(), links=("TunnelKit.framework",))],
    )
    inspection = inspect_bundle(from_app.path, kb)
    assert inspection.findings == [] and _facts(inspection)["principal_class_resolves"] == "yes"


def test_a_class_that_may_be_in_an_unreadable_framework_is_only_a_warning(tmp_path: Path, kb: KnowledgeBase) -> None:
    # A zip keeps the frameworks' folders but not their binaries: the class may be there.
    built = build_app(
        tmp_path, providers=[ProviderSpec(binary_classes=(), frameworks=(FrameworkSpec("TunnelKit.framework", (TUNNEL_CLASS,)),))], pack="zip"
    )
    inspection = inspect_bundle(built.path, kb)
    assert _rules(inspection) == {"principal-class-in-unread-library": "warning"}
    assert "principal_class_resolves" not in _facts(inspection)


def test_a_class_in_no_library_is_an_error(tmp_path: Path, kb: KnowledgeBase) -> None:
    built = build_app(tmp_path, providers=[ProviderSpec(binary_classes=(), frameworks=(FrameworkSpec("TunnelKit.framework", ()),))])
    inspection = inspect_bundle(built.path, kb)
    assert _rules(inspection) == {"principal-class-unresolved": "error"}
    assert _facts(inspection)["principal_class_resolves"] == "no"


def test_the_bundle_id_prefix_rule_is_for_app_extensions(tmp_path: Path, kb: KnowledgeBase) -> None:
    sysex = build_app(tmp_path / "sysex", providers=[ProviderSpec(bundle_id="io.other.tunnel")])
    assert "provider-bundle-id-not-prefixed" not in _rules(inspect_bundle(sysex.path, kb))
    appex = build_app(tmp_path / "appex", platform="ios", providers=[ProviderSpec(bundle_id="io.other.tunnel")])
    assert _rules(inspect_bundle(appex.path, kb))["provider-bundle-id-not-prefixed"] == "warning"


def test_a_system_extension_is_named_after_its_identifier(tmp_path: Path, kb: KnowledgeBase) -> None:
    built = build_app(tmp_path, providers=[ProviderSpec(file_name="Tunnel.systemextension")])
    inspection = inspect_bundle(built.path, kb)
    assert _rules(inspection) == {"sysex-file-name-mismatch": "error"}
    assert _facts(inspection)["sysex_name_matches_id"] == "no"


def test_a_redistributable_system_extension_may_come_from_another_team(tmp_path: Path, kb: KnowledgeBase) -> None:
    group = f"{OTHER_TEAM}.group.com.example.vpn"
    vendor = ProviderSpec(team_id=OTHER_TEAM, mach_service_name=f"{group}.tunnel", entitlements_update={APP_GROUPS: [group]})
    built = build_app(tmp_path / "plain", providers=[vendor])
    assert "team-id-mismatch" in _rules(inspect_bundle(built.path, kb))
    redistributable = ProviderSpec(
        team_id=OTHER_TEAM, mach_service_name=f"{group}.tunnel", entitlements_update={APP_GROUPS: [group], REDISTRIBUTABLE: True}
    )
    built = build_app(tmp_path / "redistributable", providers=[redistributable])
    inspection = inspect_bundle(built.path, kb)
    assert inspection.findings == [] and _facts(inspection)["team_ids_match"] == "yes"


def test_a_framework_only_the_app_embeds_breaks_the_copied_system_extension(tmp_path: Path, kb: KnowledgeBase) -> None:
    built = build_app(tmp_path / "bad", app=AppSpec(frameworks=("TunnelKit.framework",)), providers=[ProviderSpec(links=("TunnelKit.framework",))])
    inspection = inspect_bundle(built.path, kb)
    assert _rules(inspection) == {"sysex-loads-framework-from-app": "error"}
    assert _facts(inspection)["sysex_frameworks_embedded"] == "no"
    # Embedded in the system extension itself: fine. An app extension may use the app's.
    built = build_app(tmp_path / "good", providers=[ProviderSpec(frameworks=("TunnelKit.framework",))])
    assert _facts(inspect_bundle(built.path, kb))["sysex_frameworks_embedded"] == "yes"
    appex = build_app(
        tmp_path / "appex",
        signing="apple-distribution",
        app=AppSpec(frameworks=("TunnelKit.framework",)),
        providers=[ProviderSpec(kind="appex", links=("TunnelKit.framework",))],
    )
    assert inspect_bundle(appex.path, kb).findings == []


def test_a_provider_class_in_a_framework_only_the_app_embeds_is_found_and_the_framework_is_the_fault(
    tmp_path: Path, kb: KnowledgeBase
) -> None:
    # Runpaths that never reach the app (Xcode's for a sysex target, /usr/lib/swift first): the
    # framework is not the OS's because the app ships it, and the class is there, not missing.
    kit = FrameworkSpec("TunnelKit.framework", (TUNNEL_CLASS,))
    sysex = ProviderSpec(binary_classes=(), links=("TunnelKit.framework",), rpaths=("/usr/lib/swift", "@executable_path/../Frameworks"))
    built = build_app(tmp_path / "bad", app=AppSpec(frameworks=(kit,)), providers=[sysex])
    inspection = inspect_bundle(built.path, kb)
    assert _rules(inspection) == {"sysex-loads-framework-from-app": "error"}
    facts = _facts(inspection)
    assert facts["sysex_frameworks_embedded"] == "no" and facts["principal_class_resolves"] == "yes"
    # The same framework inside the system extension: nothing wrong.
    built = build_app(tmp_path / "good", providers=[ProviderSpec(binary_classes=(), frameworks=(kit,), rpaths=sysex.rpaths)])
    inspection = inspect_bundle(built.path, kb)
    assert inspection.findings == [] and _facts(inspection)["sysex_frameworks_embedded"] == "yes"


def test_the_unsigned_channel_cannot_be_told_so_channel_rules_only_warn(tmp_path: Path, kb: KnowledgeBase) -> None:
    """An unsigned app could be any channel; a rule for Developer ID builds cannot confirm there."""
    built = build_app(
        tmp_path,
        signing="unsigned",
        app=AppSpec(profile=None, entitlements_update={"com.apple.security.get-task-allow": None}),
        providers=[ProviderSpec(kind="appex", provider_type="content-filter", profile=None)],
    )
    rules = _rules(inspect_bundle(built.path, kb))
    assert rules["macos-sysex-only-provider-as-appex"] == "error"  # holds on every macOS channel


# ---- issue 12: nothing outside the bundle is read; unreadable code settles nothing ------------


def test_symlinks_out_of_the_bundle_are_reported_and_not_followed(tmp_path: Path, kb: KnowledgeBase) -> None:
    outside = tmp_path / "outside"
    fake = outside / "Fake.systemextension" / "Contents"
    fake.mkdir(parents=True)
    (fake / "Info.plist").write_bytes(plistlib.dumps({"CFBundleIdentifier": "evil", "CFBundleExecutable": "x"}))
    secret = outside / "secret"
    secret.write_bytes(b"\xcf\xfa\xed\xfe" + b"TOP-SECRET" * 10)
    built = build_app(tmp_path / "b")
    sysexes = built.contents() / "Library" / "SystemExtensions"
    os.symlink(outside / "Fake.systemextension", sysexes / "evil.systemextension")
    exe = next((built.contents(built.providers[0]) / "MacOS").iterdir())
    exe.unlink()
    os.symlink(secret, exe)
    inspection = inspect_bundle(built.path, kb)
    assert [p["path"] for p in inspection.providers] == [f"ExampleVPN.app/Contents/Library/SystemExtensions/{built.providers[0].name}"]
    leaving = sorted(f.path for f in inspection.findings if f.rule == "symlink-leaves-bundle")
    assert len(leaving) == 2 and any(p.endswith("evil.systemextension") for p in leaving)
    text = render_text(inspection)
    assert "TOP-SECRET" not in text and "TOP-SECRET" not in str(inspection.to_json())


def test_an_unreadable_executable_settles_nothing_about_entitlements(tmp_path: Path, kb: KnowledgeBase) -> None:
    built = build_app(tmp_path)
    (built.contents() / "MacOS" / "ExampleVPN").write_bytes(b"#!/bin/sh\n")
    exe = next((built.contents(built.providers[0]) / "MacOS").iterdir())
    exe.write_bytes(b"garbage")
    inspection = inspect_bundle(built.path, kb)
    rules = _rules(inspection)
    assert "ne-entitlement-missing" not in rules and "container-missing-install-entitlement" not in rules
    assert rules["code-signature-unreadable"] == "error" and rules["provider-executable-unreadable"] == "error"
    assert not {"ne_entitlement_present", "install_entitlement", "app_groups_match"} & set(_facts(inspection))


def test_inspect_text_escapes_what_the_bundle_says(tmp_path: Path, kb: KnowledgeBase) -> None:
    hostile = "com.example.\x1b[31mred\u202eevil\nline"
    built = build_app(tmp_path)
    info_path = built.contents() / "Info.plist"
    info = plistlib.loads(info_path.read_bytes())
    info["CFBundleIdentifier"] = hostile
    info_path.write_bytes(plistlib.dumps(info, fmt=plistlib.FMT_BINARY))  # XML cannot hold ESC; binary can
    text = render_text(inspect_bundle(built.path, kb))
    assert "\x1b" not in text and "\u202e" not in text
    header = text.splitlines()[0]
    assert "\\x1b[31mred\\u202eevil\\nline" in header  # escaped, never raw
    assert safe("plain text, with spaces") == "plain text, with spaces"


def test_layout_facts_are_recorded_where_the_knowledge_defines_them(tmp_path: Path, kb: KnowledgeBase) -> None:
    """app_profile_embedded, notarization_ticket_stapled and extensionkit_point_declared come from
    the layout; facts the knowledge base does not define are never recorded."""
    from datetime import UTC, datetime

    from advisor.inspectors.bundle import open_bundle
    from advisor.inspectors.static_checks import run_checks

    wanted = frozenset({"app_profile_embedded", "notarization_ticket_stapled", "extensionkit_point_declared", "platform"})
    devid = build_app(tmp_path / "devid", **channel_build("macos-developer-id", "url-filter", "appex"))
    with open_bundle(devid.path) as bundle:
        _, observations = run_checks(bundle, kb.bundle_rules, None, datetime.now(UTC), known_facts=wanted)
    facts = {o.fact: o.value for o in observations}
    assert facts == {"platform": "macos", "app_profile_embedded": "yes", "notarization_ticket_stapled": "yes", "extensionkit_point_declared": "yes"}
    legacy = build_app(
        tmp_path / "legacy",
        app=AppSpec(profile=None, signing="developer-id"),
        providers=[ProviderSpec(kind="appex", provider_type="url-filter", folder="PlugIns", info_update={
            "EXAppExtensionAttributes": None,
            "NSExtension": {"NSExtensionPointIdentifier": "com.apple.networkextension.url-filter-control"},
        })],
    )
    with open_bundle(legacy.path) as bundle:
        _, observations = run_checks(bundle, kb.bundle_rules, None, datetime.now(UTC), known_facts=wanted)
    facts = {o.fact: o.value for o in observations}
    assert facts["app_profile_embedded"] == "no" and facts["notarization_ticket_stapled"] == "no"
    assert facts["extensionkit_point_declared"] == "no"
    with open_bundle(legacy.path) as bundle:
        _, observations = run_checks(bundle, kb.bundle_rules, None, datetime.now(UTC), known_facts=frozenset({"platform"}))
    assert {o.fact for o in observations} == {"platform"}
