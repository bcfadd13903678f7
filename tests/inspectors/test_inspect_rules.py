"""Every static check: a bundle that triggers it, and healthy bundles that do not."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from advisor.inspectors import inspect_bundle
from advisor.inspectors.static_checks import RULE_IDS
from tests.fixtures.bundle_builder import (
    APP_GROUPS,
    DEFAULT_TEAM,
    DEFAULT_UDID,
    NE,
    NETWORK_CLIENT,
    OTHER_TEAM,
    SANDBOX,
    SYSEX_INSTALL,
    AppSpec,
    BuiltBundle,
    FrameworkSpec,
    ProfileSpec,
    ProviderSpec,
    build_app,
    swift_runtime_name,
)


@dataclass
class Case:
    rule: str
    build: dict[str, Any] = field(default_factory=dict)
    mutate: Callable[[BuiltBundle], None] | None = None
    udid: str | None = None
    path_suffix: str = ""  # the finding's path must end with this
    key: str | None = None  # and name this key


def _provider_exe(built: BuiltBundle) -> Path:
    contents = built.contents(built.providers[0])
    return next(
        p for p in ((contents / "MacOS").iterdir() if built.platform == "macos" else [contents / "PacketTunnel"])
    )


def _app_exe(built: BuiltBundle) -> Path:
    return built.contents() / "MacOS" / "ExampleVPN" if built.platform == "macos" else built.app_dir / "ExampleVPN"


def _garble_info(built: BuiltBundle) -> None:
    (built.contents(built.providers[0]) / "Info.plist").write_bytes(b"<?xml version='1.0'?><plist><dict><key>x</key>")


def _remove_provider_exe(built: BuiltBundle) -> None:
    _provider_exe(built).unlink()


def _script_as_provider_exe(built: BuiltBundle) -> None:
    _provider_exe(built).write_bytes(b"#!/bin/sh\necho not a Mach-O file\n")


def _break_app_signature_magic(built: BuiltBundle) -> None:
    exe = _app_exe(built)
    data = bytearray(exe.read_bytes())
    at = data.find(b"\xfa\xde\x0c\xc0")
    data[at : at + 4] = b"\x00\x00\x00\x00"
    exe.write_bytes(bytes(data))


def _symlink_provider_exe_out(built: BuiltBundle) -> None:
    exe = _provider_exe(built)
    exe.unlink()
    os.symlink("/etc/hosts", exe)


def _edit_provider_info(built: BuiltBundle) -> None:
    import plistlib

    path = built.contents(built.providers[0]) / "Info.plist"
    info = plistlib.loads(path.read_bytes())
    info["PatchedAfterSigning"] = True
    path.write_bytes(plistlib.dumps(info))


def _strip_class_list(built: BuiltBundle) -> None:
    """No __objc_classname section: the class names cannot be read from the executable."""
    exe = _provider_exe(built)
    exe.write_bytes(exe.read_bytes().replace(b"__objc_classname", b"__objc_xxxxxname"))


TUNNEL_CLASS = swift_runtime_name("com_example_vpn_tunnel.PacketTunnelProvider")
SYSEX_SUFFIX = "com.example.vpn.tunnel.systemextension"
CASES = [
    Case(
        "appex-signed-developer-id",
        dict(signing="developer-id", providers=[ProviderSpec(kind="appex")]),
        path_suffix="PacketTunnel.appex",
        key="code signature",
    ),
    Case(
        "macos-sysex-only-provider-as-appex",
        dict(providers=[ProviderSpec(kind="appex", provider_type="content-filter")]),
        path_suffix="Filter.appex/Contents/Info.plist",
        key="NSExtension.NSExtensionPointIdentifier",
    ),
    Case(
        "developer-id-plain-ne-values",
        dict(signing="developer-id", providers=[ProviderSpec(entitlements_update={NE: ["packet-tunnel-provider"]})]),
        path_suffix=SYSEX_SUFFIX,
        key=NE,
    ),
    Case(
        "developer-id-without-hardened-runtime",
        dict(signing="developer-id", app=AppSpec(hardened_runtime=False)),
        path_suffix="Contents/MacOS/ExampleVPN",
    ),
    Case(
        "developer-id-without-secure-timestamp",
        dict(signing="developer-id", providers=[ProviderSpec(timestamp=False)]),
        path_suffix="MacOS/com.example.vpn.tunnel",
    ),
    Case(
        "developer-id-get-task-allow",
        dict(signing="developer-id", app=AppSpec(entitlements_update={"com.apple.security.get-task-allow": True})),
        key="com.apple.security.get-task-allow",
    ),
    Case(
        "sysex-package-type-not-sysx",
        dict(providers=[ProviderSpec(info_update={"CFBundlePackageType": "XPC!"})]),
        path_suffix=f"{SYSEX_SUFFIX}/Contents/Info.plist",
        key="CFBundlePackageType",
    ),
    Case(
        "sysex-no-provider-classes",
        dict(
            providers=[
                ProviderSpec(
                    info_update={
                        "NetworkExtension": {"NEMachServiceName": f"{DEFAULT_TEAM}.group.com.example.vpn.tunnel"}
                    }
                )
            ]
        ),
        key="NetworkExtension.NEProviderClasses",
    ),
    Case("sysex-info-plist-unreadable", mutate=_garble_info, path_suffix=f"{SYSEX_SUFFIX}/Contents/Info.plist"),
    Case(
        "appex-info-plist-unreadable",
        dict(platform="ios"),
        mutate=_garble_info,
        path_suffix="PacketTunnel.appex/Info.plist",
    ),
    Case(
        "mach-service-name-missing",
        dict(providers=[ProviderSpec(mach_service_name="")]),
        key="NetworkExtension.NEMachServiceName",
    ),
    Case(
        "mach-service-name-not-in-app-group",
        dict(providers=[ProviderSpec(mach_service_name="com.example.vpn.tunnel.xpc")]),
        key="NetworkExtension.NEMachServiceName",
    ),
    Case(
        "container-missing-install-entitlement",
        dict(app=AppSpec(entitlements_update={SYSEX_INSTALL: None})),
        path_suffix="ExampleVPN.app",
        key=SYSEX_INSTALL,
    ),
    Case("team-id-mismatch", dict(providers=[ProviderSpec(team_id=OTHER_TEAM)]), path_suffix=SYSEX_SUFFIX),
    Case(
        "entitlement-not-in-profile",
        dict(providers=[ProviderSpec(profile=ProfileSpec(entitlements_update={NE: ["app-proxy-provider"]}))]),
        path_suffix=SYSEX_SUFFIX,
        key=NE,
    ),
    Case(
        "restricted-entitlements-without-profile",
        dict(providers=[ProviderSpec(profile=None)]),
        path_suffix=SYSEX_SUFFIX,
    ),
    Case(
        "profile-unreadable",
        dict(app=AppSpec(profile=ProfileSpec(raw=b"<?xml version='1.0'?><plist version='1.0'><dict/></plist>"))),
        path_suffix="Contents/embedded.provisionprofile",
    ),
    Case(
        "certificate-not-in-profile",
        dict(providers=[ProviderSpec(profile=ProfileSpec(certificate=("apple-development", "second-mac")))]),
        path_suffix=f"{SYSEX_SUFFIX}/Contents/embedded.provisionprofile",
        key="DeveloperCertificates",
    ),
    Case(
        "profile-expired",
        dict(app=AppSpec(profile=ProfileSpec(expired=True))),
        path_suffix="ExampleVPN.app/Contents/embedded.provisionprofile",
        key="ExpirationDate",
    ),
    Case("device-not-in-profile", udid="00008103-0000FFFF0000FFFF", key="ProvisionedDevices"),
    Case(
        "principal-class-unresolved",
        dict(providers=[ProviderSpec(principal_class="$(PRODUCT_MODULE_NAME).PacketTunnelProvider")]),
        key="NetworkExtension.NEProviderClasses.com.apple.networkextension.packet-tunnel",
    ),
    Case(
        "principal-class-no-module-prefix",
        dict(providers=[ProviderSpec(principal_class="PacketTunnelProvider", binary_classes=())]),
        mutate=_strip_class_list,
    ),
    Case("symlink-leaves-bundle", mutate=_symlink_provider_exe_out, path_suffix="MacOS/com.example.vpn.tunnel"),
    Case(
        "sysex-file-name-mismatch",
        dict(providers=[ProviderSpec(file_name="Tunnel.systemextension")]),
        path_suffix="Tunnel.systemextension",
        key="CFBundleIdentifier",
    ),
    Case(
        "sysex-loads-framework-from-app",
        dict(app=AppSpec(frameworks=("TunnelKit.framework",)), providers=[ProviderSpec(links=("TunnelKit.framework",))]),
        path_suffix=SYSEX_SUFFIX,
        key="LC_LOAD_DYLIB",
    ),
    Case(
        "principal-class-in-unread-library",
        dict(
            providers=[ProviderSpec(binary_classes=(), frameworks=(FrameworkSpec("TunnelKit.framework", (TUNNEL_CLASS,)),))],
            pack="zip",
        ),
        key="NetworkExtension.NEProviderClasses.com.apple.networkextension.packet-tunnel",
    ),
    Case(
        "appex-extension-point-invalid",
        dict(platform="ios", providers=[ProviderSpec(info_update={"NSExtension": None})]),
        path_suffix="PacketTunnel.appex/Info.plist",
        key="NSExtension.NSExtensionPointIdentifier",
    ),
    Case(
        "appex-package-type-not-xpc",
        dict(platform="ios", providers=[ProviderSpec(info_update={"CFBundlePackageType": "BNDL"})]),
        key="CFBundlePackageType",
    ),
    Case(
        "provider-minimum-os-above-app",
        dict(providers=[ProviderSpec(info_update={"LSMinimumSystemVersion": "15.0"})]),
        key="LSMinimumSystemVersion",
    ),
    Case("minimum-os-below-executable", dict(providers=[ProviderSpec(min_os="15.0")]), key="LSMinimumSystemVersion"),
    Case(
        "app-group-not-in-profile",
        dict(
            platform="ios",
            providers=[
                ProviderSpec(
                    entitlements_update={APP_GROUPS: ["group.other"]},
                    profile=ProfileSpec(entitlements_update={APP_GROUPS: ["group.com.example.vpn"]}),
                )
            ],
        ),
        key=APP_GROUPS,
    ),
    Case("info-plist-modified-after-signing", mutate=_edit_provider_info, path_suffix=f"{SYSEX_SUFFIX}/Contents/Info.plist"),
    Case(
        "appex-not-sandboxed",
        dict(signing="apple-distribution", providers=[ProviderSpec(kind="appex", entitlements_update={SANDBOX: None})]),
        path_suffix="PacketTunnel.appex",
        key=SANDBOX,
    ),
    Case("sysex-not-sandboxed", dict(providers=[ProviderSpec(entitlements_update={SANDBOX: False})]), key=SANDBOX),
    Case(
        "sandboxed-provider-without-network-client",
        dict(providers=[ProviderSpec(entitlements_update={NETWORK_CLIENT: None})]),
        key=NETWORK_CLIENT,
    ),
    Case(
        "provider-bundle-id-not-prefixed",
        dict(platform="ios", providers=[ProviderSpec(bundle_id="io.github.other.PacketTunnel")]),
        key="CFBundleIdentifier",
    ),
    Case(
        "provider-executable-missing", mutate=_remove_provider_exe, path_suffix="Contents/MacOS/com.example.vpn.tunnel"
    ),
    Case(
        "provider-executable-not-executable",
        dict(providers=[ProviderSpec(executable_mode=0o644)]),
        path_suffix="Contents/MacOS/com.example.vpn.tunnel",
    ),
    Case("provider-executable-unreadable", mutate=_script_as_provider_exe),
    Case(
        "code-signature-unreadable",
        mutate=_break_app_signature_magic,
        path_suffix="ExampleVPN.app/Contents/MacOS/ExampleVPN",
    ),
    Case(
        "ios-appex-embeds-frameworks",
        dict(platform="ios", providers=[ProviderSpec(frameworks=("WireGuardKit.framework",))]),
        path_suffix="PacketTunnel.appex/Frameworks",
    ),
    Case(
        "ne-entitlement-missing",
        dict(providers=[ProviderSpec(entitlements_update={NE: None})]),
        path_suffix=SYSEX_SUFFIX,
        key=NE,
    ),
    Case(
        "ne-entitled-app-without-provider",
        dict(providers=[], app=AppSpec(entitlements_update={NE: ["packet-tunnel-provider"]})),
        key=NE,
    ),
    Case(
        "filter-control-without-data",
        dict(
            platform="ios",
            providers=[
                ProviderSpec(provider_type="content-filter", name="FilterControl", extension_point="com.apple.networkextension.filter-control")
            ],
        ),
        path_suffix="FilterControl.appex",
    ),
    Case(
        "provider-in-wrong-folder",
        dict(providers=[ProviderSpec(kind="appex", folder="Resources")]),
        path_suffix="Contents/Resources/PacketTunnel.appex",
    ),
    Case(
        "app-groups-disjoint",
        dict(
            providers=[
                ProviderSpec(
                    entitlements_update={APP_GROUPS: [f"{DEFAULT_TEAM}.group.other"]},
                    mach_service_name=f"{DEFAULT_TEAM}.group.other.tunnel",
                )
            ]
        ),
        key=APP_GROUPS,
    ),
    Case(
        "app-group-missing-on-one-side",
        dict(app=AppSpec(entitlements_update={APP_GROUPS: None})),
        path_suffix="ExampleVPN.app",
        key=APP_GROUPS,
    ),
    Case(
        "app-group-not-team-prefixed",
        dict(
            app=AppSpec(
                entitlements_update={APP_GROUPS: [f"{DEFAULT_TEAM}.group.com.example.vpn", "group.com.example.vpn"]}
            )
        ),
        key=APP_GROUPS,
    ),
]

CLEAN = {
    "macos-development": dict(),
    "macos-developer-id": dict(signing="developer-id"),
    "macos-app-store-appex": dict(signing="apple-distribution", providers=[ProviderSpec(kind="appex")]),
    "macos-universal-sha1-sha256": dict(
        app=AppSpec(archs=("x86_64", "arm64"), hash_types=("sha1", "sha256")),
        providers=[
            ProviderSpec(archs=("x86_64", "arm64"), provider_type="dns-proxy"),
            ProviderSpec(provider_type="content-filter"),
        ],
        signing="developer-id",
    ),
    "macos-binary-plists": dict(app=AppSpec(plist_format="binary"), providers=[ProviderSpec(plist_format="binary")]),
    "ios-development": dict(platform="ios"),
    "ios-distribution": dict(platform="ios", signing="apple-distribution"),
    "ios-zip": dict(platform="ios", pack="ipa"),
    "macos-zip": dict(pack="zip"),
}


def _inspect(tmp_path: Path, kb, build: dict[str, Any], mutate=None, udid=None):  # type: ignore[no-untyped-def]
    built = build_app(tmp_path, **build)
    if mutate:
        mutate(built)
    return inspect_bundle(built.path, kb, udid=udid)


def test_every_rule_has_a_triggering_case() -> None:
    assert sorted({c.rule for c in CASES}) == sorted(RULE_IDS)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.rule)
def test_rule_fires(tmp_path: Path, kb, case: Case) -> None:  # type: ignore[no-untyped-def]
    inspection = _inspect(tmp_path, kb, case.build, case.mutate, case.udid)
    hits = [f for f in inspection.findings if f.rule == case.rule]
    assert hits, f"{case.rule} did not fire; fired: {sorted({f.rule for f in inspection.findings})}"
    rule = kb.bundle_rules[case.rule]
    finding = hits[0]
    assert finding.id == rule.diagnosis and finding.severity == rule.severity
    assert finding.detail.startswith(rule.message)
    if case.path_suffix:
        assert any(f.path.endswith(case.path_suffix) for f in hits), [f.path for f in hits]
    if case.key is not None:
        assert any(f.key == case.key for f in hits), [f.key for f in hits]


@pytest.mark.parametrize("name", sorted(CLEAN))
def test_healthy_bundles_have_no_findings(tmp_path: Path, kb, name: str) -> None:  # type: ignore[no-untyped-def]
    inspection = _inspect(tmp_path, kb, CLEAN[name], udid=DEFAULT_UDID)
    assert inspection.findings == []
    facts = {o.fact: o.value for o in inspection.observations}
    assert facts["team_ids_match"] == "yes"
    assert facts["ne_entitlement_present"] == "yes"
    assert facts["profile_authorizes_entitlements"] == "yes"
    assert facts["certificate_in_profile"] == "yes"
    assert facts["profile_expired"] == "no"
    assert facts["provider_embedded"] == "yes"


def test_matching_udid_is_in_profile(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    inspection = _inspect(tmp_path, kb, {}, udid=DEFAULT_UDID.lower())
    assert {o.fact: o.value for o in inspection.observations}["device_in_profile"] == "yes"


def test_developer_id_profiles_do_not_need_the_udid(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    inspection = _inspect(tmp_path, kb, {"signing": "developer-id"}, udid="00008103-0000FFFF0000FFFF")
    assert "device-not-in-profile" not in {f.rule for f in inspection.findings}
    assert "device_in_profile" not in {o.fact for o in inspection.observations}


def test_bare_class_name_not_in_binary_is_an_error_with_a_hint(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    inspection = _inspect(
        tmp_path,
        kb,
        {
            "providers": [
                ProviderSpec(
                    principal_class="PacketTunnelProvider", binary_classes=("_TtC6Tunnel20PacketTunnelProvider",)
                )
            ]
        },
    )
    [finding] = [f for f in inspection.findings if f.rule == "principal-class-unresolved"]
    assert "module prefix" in finding.detail
    assert {o.fact: o.value for o in inspection.observations}["principal_class_resolves"] == "no"


def test_objective_c_class_without_prefix_resolves(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    inspection = _inspect(
        tmp_path,
        kb,
        {"providers": [ProviderSpec(principal_class="PacketTunnelProvider", binary_classes=("PacketTunnelProvider",))]},
    )
    assert inspection.findings == []
    assert {o.fact: o.value for o in inspection.observations}["principal_class_resolves"] == "yes"


def test_provider_executable_mode_is_not_judged_without_unix_modes(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    import zipfile

    built = build_app(tmp_path, providers=[ProviderSpec(executable_mode=0o644)])
    archive = tmp_path / "windows.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for root, _dirs, files in os.walk(built.app_dir):
            for name in files:
                path = Path(root) / name
                info = zipfile.ZipInfo(path.relative_to(tmp_path).as_posix())
                info.create_system = 0  # MS-DOS: no Unix permissions recorded
                zf.writestr(info, path.read_bytes())
    inspection = inspect_bundle(archive, kb)
    assert "provider-executable-not-executable" not in {f.rule for f in inspection.findings}
