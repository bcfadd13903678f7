"""The bundle half of the matrices: correct bundles of every channel, and one injected fault each.

Healthy cases: every distribution channel times every provider type the platform allows, in
each packaging TN3134 allows (ne-knowledge.md section 1.1), plus variants that correct setups
use (a provider class in a framework, a redistributable system extension, app groups on one side
only, iOS-style app groups on macOS, archives). Each must give no error finding and no confirmed
diagnosis.

Fault cases: for every diagnosis a bundle can show, one fault injected into the healthy bundle of
each channel where that fault can occur (and of each provider type where the fault is about the
type). Each is diagnosed with a generic description and no answers; the injected diagnosis must
rank first and nothing else may be confirmed.

Every case is run the way `advisor inspect APP` and `advisor diagnose --app APP --udid UDID
--describe ...` run it (VIA_INSPECT: the bundle is the only evidence; no probes), in process.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from advisor.investigation import Investigation, KnowledgeRuntime
from advisor.knowledge.loader import load_knowledge
from tests.fixtures.bundle_builder import (
    APP_GROUPS,
    APP_ONLY_TYPES,
    DEFAULT_TEAM,
    DEFAULT_UDID,
    NE,
    NE_VALUES,
    NETWORK_CLIENT,
    OTHER_TEAM,
    REDISTRIBUTABLE,
    SANDBOX,
    SYSEX_INSTALL,
    BuiltBundle,
    FrameworkSpec,
    ProfileSpec,
    build_app,
    channel_build,
    swift_runtime_name,
)
from tests.matrix.model import CHANNELS, HEALTHY, VIA_INSPECT, MatrixCase, MatrixOutcome

DESCRIPTION = "my network extension does not work"
OTHER_UDID = "00008103-0000FFFF0000FFFF"

MACOS = tuple(c for c in CHANNELS if c.startswith("macos-"))
IOS = tuple(c for c in CHANNELS if c.startswith("ios-"))
STORE = ("macos-app-store", "macos-testflight", "ios-app-store", "ios-testflight")
DEVELOPER_SIGNED = tuple(c for c in CHANNELS if c not in STORE)  # signed and provisioned by the developer

# TN3134: which provider types each platform allows, in which packaging (section 1.1 of the brief).
MACOS_SYSEX_TYPES = ("packet-tunnel", "app-proxy", "transparent-proxy", "content-filter", "dns-proxy")
MACOS_APPEX_TYPES = ("packet-tunnel", "app-proxy", "transparent-proxy")  # App Store only (and development)
IOS_APPEX_TYPES = ("packet-tunnel", "app-proxy", "content-filter", "dns-proxy", "url-filter", "app-push")
CONNECTING_TYPES = ("packet-tunnel", "app-proxy", "transparent-proxy", "dns-proxy")  # open connections
CLASS_TYPES = ("packet-tunnel", "app-proxy", "transparent-proxy", "content-filter", "dns-proxy", "app-push")


@dataclass(frozen=True)
class Setup:
    channel: str
    provider_type: str
    packaging: str  # appex | sysex | none (a type the app configures without a provider bundle)

    @property
    def platform(self) -> str:
        return self.channel.split("-", 1)[0]


def healthy_setups() -> list[Setup]:
    setups: list[Setup] = []
    for channel in MACOS:
        setups += [Setup(channel, t, "sysex") for t in MACOS_SYSEX_TYPES]
        if channel != "macos-developer-id":  # a macOS NE appex is App Store only (TN3134)
            setups += [Setup(channel, t, "appex") for t in MACOS_APPEX_TYPES]
        setups.append(Setup(channel, "url-filter", "appex"))  # no App Store restriction (TN3134)
        setups += [Setup(channel, t, "none") for t in APP_ONLY_TYPES]
    for channel in IOS:
        setups += [Setup(channel, t, "appex") for t in IOS_APPEX_TYPES]
        setups += [Setup(channel, t, "none") for t in APP_ONLY_TYPES]
    return setups


# ---- editing build arguments ------------------------------------------------------------------

Build = dict[str, Any]  # build_app keyword arguments, as channel_build returns them


def _ents(spec: Any, **updates: Any) -> Any:
    return replace(spec, entitlements_update={**spec.entitlements_update, **updates})


def _app(kw: Build, **changes: Any) -> None:
    kw["app"] = replace(kw["app"], **changes)


def _provider(kw: Build, **changes: Any) -> None:
    kw["providers"][0] = replace(kw["providers"][0], **changes)


def _app_ents(kw: Build, **updates: Any) -> None:
    kw["app"] = _ents(kw["app"], **updates)


def _provider_ents(kw: Build, **updates: Any) -> None:
    kw["providers"][0] = _ents(kw["providers"][0], **updates)


def _profile(spec: Any) -> ProfileSpec:
    """The spec's profile as a ProfileSpec to edit (the builder's "auto" is a default one)."""
    return spec.profile if isinstance(spec.profile, ProfileSpec) else ProfileSpec()


def _provider_profile(kw: Build, **changes: Any) -> None:
    spec = kw["providers"][0]
    kw["providers"][0] = replace(spec, profile=replace(_profile(spec), **changes))


def _app_profile(kw: Build, **changes: Any) -> None:
    kw["app"] = replace(kw["app"], profile=replace(_profile(kw["app"]), **changes))


_SYSEX_FORM = {"packet-tunnel-provider", "app-proxy-provider", "content-filter-provider", "dns-proxy"}


def _value(setup: Setup, signing: str) -> str:
    """The NE value the provider type needs, in the form the channel signs with."""
    value = NE_VALUES[setup.provider_type]
    developer_id_form = signing == "developer-id" and setup.platform == "macos"
    return value + "-systemextension" if developer_id_form and value in _SYSEX_FORM else value


def _group(setup: Setup, team: str = DEFAULT_TEAM) -> str:
    return f"{team}.group.com.example.vpn" if setup.platform == "macos" else "group.com.example.vpn"


def _module_class(setup: Setup) -> tuple[str, str]:
    """The provider's Swift module and class names, as the builder writes them."""
    from tests.fixtures.bundle_builder import _CLASS_NAMES, swift_module

    title, cls, suffix = _CLASS_NAMES[setup.provider_type]
    name = f"com.example.vpn.{suffix}" if setup.packaging == "sysex" else title
    return swift_module(name), cls


# ---- mutations after building -----------------------------------------------------------------


def _executable(built: BuiltBundle, index: int = 0) -> Path:
    import plistlib

    folder = built.contents(built.providers[index])
    name = plistlib.loads((folder / "Info.plist").read_bytes())["CFBundleExecutable"]
    return folder / "MacOS" / name if built.platform == "macos" else folder / name


def _app_executable(built: BuiltBundle) -> Path:
    return built.contents() / "MacOS" / "ExampleVPN" if built.platform == "macos" else built.app_dir / "ExampleVPN"


def _remove_executable(built: BuiltBundle) -> None:
    _executable(built).unlink()


def _script_executable(built: BuiltBundle) -> None:
    _executable(built).write_bytes(b"#!/bin/sh\necho not a Mach-O file\n")


def _symlink_executable_out(built: BuiltBundle) -> None:
    exe = _executable(built)
    exe.unlink()
    os.symlink("/etc/hosts", exe)


def _corrupt_app_signature(built: BuiltBundle) -> None:
    exe = _app_executable(built)
    data = bytearray(exe.read_bytes())
    at = data.find(b"\xfa\xde\x0c\xc0")
    data[at : at + 4] = b"\x00\x00\x00\x00"
    exe.write_bytes(bytes(data))


def _edit_info_after_signing(built: BuiltBundle) -> None:
    import plistlib

    path = built.contents(built.providers[0]) / "Info.plist"
    info = plistlib.loads(path.read_bytes())
    info["PatchedAfterSigning"] = True
    path.write_bytes(plistlib.dumps(info))


# ---- faults -----------------------------------------------------------------------------------

Where = Callable[[Setup], bool]
Inject = Callable[[Build, Setup], None]


@dataclass(frozen=True)
class Fault:
    diagnosis: str
    variant: str
    where: Where  # the healthy setups this fault can occur in
    inject: Inject = lambda kw, setup: None
    mutate: Callable[[BuiltBundle], None] | None = None
    udid: str = DEFAULT_UDID
    per_type: bool = False  # every provider type of a channel, not one representative
    packaging: str | None = None  # the packaging the faulted bundle has (when the fault changes it)
    hint: bool = False  # only a warning-level rule sees it: the bundle hints at it, never proves it


def _on(channels: tuple[str, ...], types: tuple[str, ...] | None = None, packaging: tuple[str, ...] = ("appex", "sysex")) -> Where:
    return lambda s: s.channel in channels and s.packaging in packaging and (types is None or s.provider_type in types)


def _remove_provider_ne(kw: Build, setup: Setup) -> None:
    _provider_ents(kw, **{NE: None})
    if len(kw["providers"]) > 1:  # the filter control provider too: one capability, both targets
        kw["providers"][1] = _ents(kw["providers"][1], **{NE: None})


def _remove_app_ne(kw: Build, setup: Setup) -> None:
    _app_ents(kw, **{NE: None})


def _wrong_ne_value(kw: Build, setup: Setup) -> None:
    other = "app-push-provider" if setup.provider_type != "app-push" else "packet-tunnel-provider"
    _provider_ents(kw, **{NE: [other]})


def _plain_values_on_provider(kw: Build, setup: Setup) -> None:
    _provider_ents(kw, **{NE: [NE_VALUES[setup.provider_type]]})


def _plain_values_on_app(kw: Build, setup: Setup) -> None:
    _app_ents(kw, **{NE: [NE_VALUES[setup.provider_type]]})


def _systemextension_values_in_development(kw: Build, setup: Setup) -> None:
    _provider_ents(kw, **{NE: [NE_VALUES[setup.provider_type] + "-systemextension"]})
    _provider_profile(kw, entitlements_update={NE: [NE_VALUES[setup.provider_type]]})


def _profile_lacks_value(kw: Build, setup: Setup) -> None:
    other = "app-push-provider" if setup.provider_type != "app-push" else "packet-tunnel-provider"
    _provider_profile(kw, entitlements_update={NE: [other]})


def _no_provider_profile(kw: Build, setup: Setup) -> None:
    _provider(kw, profile=None)


def _other_certificate(kw: Build, setup: Setup) -> None:
    signing = kw["signing"]
    _provider_profile(kw, certificate=(signing, "another-certificate"))


def _expired_app_profile(kw: Build, setup: Setup) -> None:
    _app_profile(kw, expired=True)


def _other_team_provider(kw: Build, setup: Setup) -> None:
    _provider(kw, team_id=OTHER_TEAM)


def _disjoint_groups(kw: Build, setup: Setup) -> None:
    other = f"{DEFAULT_TEAM}.group.other" if setup.platform == "macos" else "group.other"
    _provider_ents(kw, **{APP_GROUPS: [other]})
    if setup.packaging == "sysex":
        _provider(kw, mach_service_name=f"{other}.tunnel")
    if setup.platform == "ios":  # the group is registered for the provider's App ID too
        _provider_profile(kw, entitlements_update={APP_GROUPS: [other]})


def _ios_group_not_in_profile(kw: Build, setup: Setup) -> None:
    _provider_ents(kw, **{APP_GROUPS: ["group.com.example.other"]})
    _provider_profile(kw, entitlements_update={APP_GROUPS: [_group(setup)]})


def _macos_group_style_unauthorised(kw: Build, setup: Setup) -> None:
    _provider_ents(kw, **{APP_GROUPS: ["group.com.example.vpn", _group(setup)]})


def _make_appex(kw: Build, setup: Setup) -> None:
    _provider(kw, kind="appex", extra_points=())


def _framework_only_in_app(kw: Build, setup: Setup) -> None:
    _app(kw, frameworks=("TunnelKit.framework",))
    _provider(kw, links=("TunnelKit.framework",))


def _misplace(kw: Build, setup: Setup) -> None:
    _provider(kw, folder="Resources" if setup.platform == "macos" else "Frameworks")
    for i in range(1, len(kw["providers"])):
        kw["providers"][i] = replace(kw["providers"][i], folder=kw["providers"][0].folder)


def _drop_provider(kw: Build, setup: Setup) -> None:
    _app(kw, extra_ne_values=(_value(setup, kw["signing"]),))
    kw["providers"] = []


def _principal(value: str) -> Inject:
    def inject(kw: Build, setup: Setup) -> None:
        module, cls = _module_class(setup)
        _provider(kw, principal_class=value.format(module=module, cls=cls), binary_classes=(swift_runtime_name(f"{module}.{cls}"),))

    return inject


def _no_principal_key(kw: Build, setup: Setup) -> None:
    spec = kw["providers"][0]
    point = "com.apple.networkextension." + {"content-filter": "filter-data"}.get(setup.provider_type, setup.provider_type)
    point = point.replace("transparent-proxy", "app-proxy")
    _provider(kw, info_update={**spec.info_update, "NSExtension": {"NSExtensionPointIdentifier": point}})


def _info(**keys: Any) -> Inject:
    def inject(kw: Build, setup: Setup) -> None:
        spec = kw["providers"][0]
        _provider(kw, info_update={**spec.info_update, **keys})

    return inject


def _extension_point_typo(kw: Build, setup: Setup) -> None:
    module, cls = _module_class(setup)
    _info(NSExtension={"NSExtensionPointIdentifier": "com.apple.networkextension.packet-tunel", "NSExtensionPrincipalClass": f"{module}.{cls}"})(kw, setup)


def _apps_profile_in_provider(kw: Build, setup: Setup) -> None:
    """The app's profile copied into the provider: its App ID is the app's, not the provider's."""
    key = "com.apple.application-identifier" if setup.platform == "macos" else "application-identifier"
    _provider_profile(kw, entitlements_update={key: f"{DEFAULT_TEAM}.com.example.vpn"})


def _min_os_above_app(kw: Build, setup: Setup) -> None:
    key, version = ("LSMinimumSystemVersion", "15.0") if setup.platform == "macos" else ("MinimumOSVersion", "18.0")
    spec = kw["providers"][0]
    _provider(kw, info_update={**spec.info_update, key: version})


def _executable_newer_than_plist(kw: Build, setup: Setup) -> None:
    _provider(kw, min_os="15.0" if setup.platform == "macos" else "18.0")


def _garbled_provider_profile(kw: Build, setup: Setup) -> None:
    _provider(kw, profile=ProfileSpec(raw=b"<?xml version='1.0'?><plist version='1.0'><dict/></plist>"))


def _sysex_unsandboxed(kw: Build, setup: Setup) -> None:
    _provider_ents(kw, **{SANDBOX: None})


def _no_network_client(kw: Build, setup: Setup) -> None:
    _provider_ents(kw, **{NETWORK_CLIENT: None})


def _server_only(kw: Build, setup: Setup) -> None:
    _provider_ents(kw, **{NETWORK_CLIENT: None, "com.apple.security.network.server": True})


def _ios_appex_frameworks(kw: Build, setup: Setup) -> None:
    _provider(kw, frameworks=("WireGuardKit.framework",))


_SYSEX_TYPES_ANY = MACOS_SYSEX_TYPES
_MAC_SANDBOXED_APPEX = ("packet-tunnel", "app-proxy", "transparent-proxy", "url-filter")


def all_faults() -> list[Fault]:
    sysex = ("sysex",)
    appex = ("appex",)
    return [
        # ---- packaging and distribution (TN3134) ----
        Fault("appex-requires-mac-app-store", "developer-id-appex", _on(("macos-developer-id",), MACOS_APPEX_TYPES, sysex), _make_appex, per_type=True, packaging="appex"),
        Fault("macos-provider-requires-sysex", "filter-or-dns-proxy-as-appex", _on(("macos-development", "macos-app-store", "macos-testflight"), ("content-filter", "dns-proxy"), sysex), _make_appex, per_type=True, packaging="appex"),
        Fault("developer-id-entitlement-suffix", "plain-values-on-sysex", _on(("macos-developer-id",), MACOS_SYSEX_TYPES, sysex), _plain_values_on_provider, per_type=True),
        Fault("developer-id-entitlement-suffix", "plain-values-on-app", _on(("macos-developer-id",), MACOS_SYSEX_TYPES, sysex), _plain_values_on_app),
        Fault("developer-id-not-notarized", "app-without-hardened-runtime", _on(("macos-developer-id",)), lambda kw, s: _app(kw, hardened_runtime=False)),
        Fault("developer-id-not-notarized", "provider-without-hardened-runtime", _on(("macos-developer-id",)), lambda kw, s: _provider(kw, hardened_runtime=False)),
        Fault("developer-id-not-notarized", "no-secure-timestamp", _on(("macos-developer-id",)), lambda kw, s: _provider(kw, timestamp=False)),
        Fault("developer-id-not-notarized", "get-task-allow", _on(("macos-developer-id",)), lambda kw, s: _app_ents(kw, **{"com.apple.security.get-task-allow": True})),
        # ---- system extension Info.plist and layout ----
        Fault("sysex-unknown-category", "package-type-not-sysx", _on(MACOS, packaging=sysex), _info(CFBundlePackageType="XPC!")),
        Fault("sysex-unknown-category", "no-networkextension-dictionary", _on(MACOS, packaging=sysex), _info(NetworkExtension=None)),
        Fault("sysex-unknown-category", "no-provider-classes", _on(MACOS, packaging=sysex), lambda kw, s: _info(NetworkExtension={"NEMachServiceName": f"{_group(s)}.tunnel"})(kw, s)),
        Fault("sysex-unknown-category", "info-plist-unreadable", _on(MACOS, packaging=sysex), mutate=lambda b: (b.contents(b.providers[0]) / "Info.plist").write_bytes(b"<?xml version='1.0'?><plist><dict><key>x</key>")),
        Fault("sysex-mach-service-name", "missing", _on(MACOS, packaging=sysex), lambda kw, s: _provider(kw, mach_service_name="")),
        Fault("sysex-mach-service-name", "not-in-app-group", _on(MACOS, packaging=sysex), lambda kw, s: _provider(kw, mach_service_name="com.example.vpn.tunnel.xpc")),
        Fault("sysex-install-entitlement-missing", "app-lacks-install-entitlement", _on(MACOS, packaging=sysex), lambda kw, s: _app_ents(kw, **{SYSEX_INSTALL: None})),
        Fault("sysex-bundle-name-mismatch", "renamed-bundle", _on(MACOS, packaging=sysex), lambda kw, s: _provider(kw, file_name="Tunnel.systemextension")),
        Fault("sysex-bundle-name-mismatch", "no-bundle-identifier", _on(MACOS, packaging=sysex), _info(CFBundleIdentifier=None)),
        Fault("sysex-framework-not-embedded", "framework-only-in-app", _on(MACOS, packaging=sysex), _framework_only_in_app),
        # ---- provider executables, classes and declarations ----
        Fault("provider-principal-class", "unexpanded-build-setting", _on(CHANNELS, CLASS_TYPES), _principal("$(PRODUCT_MODULE_NAME).{cls}"), per_type=True),
        Fault("provider-principal-class", "wrong-module", _on(CHANNELS, CLASS_TYPES), _principal("OldTarget.{cls}")),
        Fault("provider-principal-class", "missing-module-prefix", _on(CHANNELS, CLASS_TYPES), _principal("{cls}")),
        Fault("provider-principal-class", "no-principal-class", _on(CHANNELS, CLASS_TYPES, appex), _no_principal_key),
        Fault("provider-executable-not-executable", "mode-644", _on(CHANNELS), lambda kw, s: _provider(kw, executable_mode=0o644)),
        Fault("provider-executable-not-executable", "executable-missing", _on(CHANNELS), mutate=_remove_executable),
        Fault("provider-executable-not-executable", "no-bundle-executable-key", _on(CHANNELS), _info(CFBundleExecutable=None)),
        Fault("bundle-modified-after-signing", "executable-not-mach-o", _on(CHANNELS), mutate=_script_executable),
        Fault("bundle-modified-after-signing", "app-signature-corrupted", _on(CHANNELS), mutate=_corrupt_app_signature),
        Fault("bundle-modified-after-signing", "profile-garbled", _on(CHANNELS), _garbled_provider_profile),
        Fault("bundle-modified-after-signing", "executable-symlink-out-of-bundle", _on(CHANNELS), mutate=_symlink_executable_out),
        Fault("bundle-modified-after-signing", "info-plist-edited-after-signing", _on(CHANNELS), mutate=_edit_info_after_signing),
        Fault("provider-not-embedded", "provider-in-wrong-folder", _on(CHANNELS), _misplace),
        Fault("provider-not-embedded", "provider-left-out", _on(CHANNELS), _drop_provider),
        Fault("provider-not-embedded", "appex-without-extension-point", _on(CHANNELS, CLASS_TYPES, appex), _info(NSExtension=None)),
        Fault("provider-not-embedded", "appex-extension-point-typo", _on(CHANNELS, CLASS_TYPES, appex), _extension_point_typo),
        Fault("provider-not-embedded", "appex-package-type-not-xpc", _on(CHANNELS, packaging=appex), _info(CFBundlePackageType="BNDL"), hint=True),
        Fault("appex-embeds-frameworks", "frameworks-in-ios-appex", _on(IOS), _ios_appex_frameworks),
        Fault("provider-bundle-id-mismatch", "appex-id-not-prefixed", _on(CHANNELS, packaging=appex), lambda kw, s: _provider(kw, bundle_id="com.other.tunnel"), hint=True),
        Fault("provider-deployment-target-too-high", "provider-minimum-above-app", _on(CHANNELS), _min_os_above_app, hint=True),
        Fault("provider-deployment-target-too-high", "executable-newer-than-info-plist", _on(CHANNELS), _executable_newer_than_plist, hint=True),
        # ---- entitlements ----
        Fault("app-missing-ne-entitlement", "provider-lacks-value", _on(CHANNELS), _remove_provider_ne, per_type=True),
        Fault("app-missing-ne-entitlement", "app-lacks-value", _on(CHANNELS), _remove_app_ne),
        Fault("app-missing-ne-entitlement", "provider-has-another-types-value", _on(CHANNELS), _wrong_ne_value, per_type=True),
        Fault("sandbox-requirement", "appex-not-sandboxed", _on(("macos-development", "macos-app-store", "macos-testflight"), _MAC_SANDBOXED_APPEX, appex), _sysex_unsandboxed, per_type=True),
        Fault("sandbox-requirement", "sysex-not-sandboxed", _on(MACOS, packaging=sysex), _sysex_unsandboxed, hint=True),
        Fault("sandbox-network-entitlement-missing", "no-network-client", _on(MACOS, CONNECTING_TYPES), _no_network_client, per_type=True),
        Fault("sandbox-network-entitlement-missing", "server-only", _on(MACOS, CONNECTING_TYPES), _server_only),
        Fault("app-group-misconfigured", "groups-disjoint", _on(CHANNELS), _disjoint_groups),
        Fault("app-group-misconfigured", "ios-group-not-in-profile", _on(tuple(c for c in IOS if c not in STORE)), _ios_group_not_in_profile),
        Fault("app-group-misconfigured", "macos-group-style-unauthorised", _on(MACOS), _macos_group_style_unauthorised, hint=True),
        # ---- profiles, certificates, teams ----
        Fault("team-id-mismatch", "provider-of-another-team", _on(DEVELOPER_SIGNED), _other_team_provider),
        Fault("profile-entitlements-mismatch", "profile-lacks-ne-value", _on(DEVELOPER_SIGNED), _profile_lacks_value, per_type=True),
        Fault("profile-entitlements-mismatch", "no-profile-for-restricted-entitlements", _on(DEVELOPER_SIGNED), _no_provider_profile),
        Fault("profile-entitlements-mismatch", "systemextension-values-outside-developer-id", _on(("macos-development", "ios-development", "ios-ad-hoc", "ios-enterprise"), _SYSEX_TYPES_ANY), _systemextension_values_in_development),
        Fault("profile-entitlements-mismatch", "provider-embeds-the-apps-profile", _on(DEVELOPER_SIGNED), _apps_profile_in_provider),
        Fault("profile-certificate-mismatch", "profile-lists-another-certificate", _on(DEVELOPER_SIGNED), _other_certificate),
        Fault("profile-expired", "app-profile-expired", _on(DEVELOPER_SIGNED), _expired_app_profile),
        Fault("profile-missing-device", "this-device-not-listed", _on(("macos-development", "ios-development", "ios-ad-hoc")), udid=OTHER_UDID),
    ]


# ---- healthy variants -------------------------------------------------------------------------


def _framework_class_in_sysex(kw: Build, setup: Setup) -> None:
    module, cls = _module_class(setup)
    classes = (swift_runtime_name(f"{module}.{cls}"),)
    if setup.provider_type == "content-filter":
        classes += (swift_runtime_name(f"{module}.FilterPacketProvider"),)
    _provider(kw, binary_classes=(), frameworks=(FrameworkSpec("TunnelKit.framework", classes),))


def _framework_class_in_app(kw: Build, setup: Setup) -> None:
    module, cls = _module_class(setup)
    _app(kw, frameworks=(FrameworkSpec("TunnelKit.framework", (swift_runtime_name(f"{module}.{cls}"),)),))
    _provider(kw, binary_classes=(), links=("TunnelKit.framework",))


def _redistributable(kw: Build, setup: Setup) -> None:
    group = _group(setup, OTHER_TEAM)
    _provider(kw, team_id=OTHER_TEAM, mach_service_name=f"{group}.tunnel")
    _provider_ents(kw, **{REDISTRIBUTABLE: True, APP_GROUPS: [group]})


def _sysex_group_only(kw: Build, setup: Setup) -> None:
    _app_ents(kw, **{APP_GROUPS: None})


def _app_group_only(kw: Build, setup: Setup) -> None:
    _provider_ents(kw, **{APP_GROUPS: None})


def _store_build_without_profiles(kw: Build, setup: Setup) -> None:
    """What an App Store install may hold on iOS: Apple's signature, no embedded profile."""
    _app(kw, profile=None)
    kw["providers"] = [replace(p, profile=None) for p in kw["providers"]]


def _ios_style_group_on_macos(kw: Build, setup: Setup) -> None:
    group = "group.com.example.vpn"
    kw["app_group"] = group
    _app_profile(kw, entitlements_update={APP_GROUPS: [group]})
    _provider_profile(kw, entitlements_update={APP_GROUPS: [group]})


@dataclass(frozen=True)
class Variant:
    name: str
    where: Where
    inject: Inject = lambda kw, setup: None
    pack: str | None = None


def healthy_variants() -> list[Variant]:
    macos_sysex = _on(MACOS, ("packet-tunnel", "content-filter"), ("sysex",))
    return [
        Variant("provider-class-in-own-framework", macos_sysex, _framework_class_in_sysex),
        Variant("provider-class-in-app-framework", _on(CHANNELS, ("packet-tunnel",), ("appex",)), _framework_class_in_app),
        Variant("redistributable-sysex-of-another-team", _on(("macos-development", "macos-developer-id"), ("packet-tunnel",), ("sysex",)), _redistributable),
        Variant("sysex-group-serves-mach-service-only", _on(MACOS, ("packet-tunnel",), ("sysex",)), _sysex_group_only),
        Variant("app-group-on-app-only", _on(IOS, ("packet-tunnel",), ("appex",)), _app_group_only),
        Variant("ios-style-group-authorised-on-macos", _on(MACOS, ("packet-tunnel",), ("sysex",)), _ios_style_group_on_macos),
        Variant("store-install-without-profiles", _on(("ios-app-store", "ios-testflight"), ("packet-tunnel", "content-filter"), ("appex",)), _store_build_without_profiles),
        Variant("zip-archive", _on(MACOS, ("dns-proxy",), ("sysex",)), pack="zip"),
        Variant("ipa-archive", _on(IOS, ("dns-proxy",), ("appex",)), pack="ipa"),
    ]


# ---- the cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    setup: Setup
    inject: Inject
    mutate: Callable[[BuiltBundle], None] | None = None
    udid: str = DEFAULT_UDID
    pack: str | None = None


_PLANS: dict[MatrixCase, _Plan] = {}
_HINTS: list[MatrixCase] = []


def _representatives(setups: list[Setup]) -> list[Setup]:
    """One setup per channel (the first the matrix lists), for faults not about the provider type."""
    seen: dict[str, Setup] = {}
    for setup in setups:
        seen.setdefault(setup.channel, setup)
    return list(seen.values())


def all_cases() -> list[MatrixCase]:
    """Every healthy case and every case of a fault the bundle proves (run with `run_case`)."""
    _plan_all()
    return [c for c in _PLANS if c not in _HINTS]


def hint_cases() -> list[MatrixCase]:
    """Faults only a warning-level rule sees (Apple does not document them as failures, or a
    correct setup may look the same): the diagnosis must be listed, and nothing confirmed."""
    _plan_all()
    return list(_HINTS)


def _plan_all() -> None:
    if _PLANS:
        return
    setups = healthy_setups()
    for setup in setups:
        _add(MatrixCase(HEALTHY, setup.channel, setup.provider_type, setup.packaging, VIA_INSPECT), _Plan(setup, lambda kw, s: None))
    for variant in healthy_variants():
        for setup in filter(variant.where, setups):
            case = MatrixCase(HEALTHY, setup.channel, setup.provider_type, setup.packaging, VIA_INSPECT, variant.name)
            _add(case, _Plan(setup, variant.inject, pack=variant.pack))
    with_providers = [s for s in setups if s.packaging != "none"]
    for fault in all_faults():
        candidates = [s for s in with_providers if fault.where(s)]
        chosen = candidates if fault.per_type else _representatives(candidates)
        for setup in chosen:
            packaging = fault.packaging or setup.packaging
            case = MatrixCase(fault.diagnosis, setup.channel, setup.provider_type, packaging, VIA_INSPECT, fault.variant)
            _add(case, _Plan(setup, fault.inject, fault.mutate, fault.udid))
            if fault.hint:
                _HINTS.append(case)


def _add(case: MatrixCase, plan: _Plan) -> None:
    assert case not in _PLANS, f"duplicate matrix case {case.name}"
    _PLANS[case] = plan


_RUNTIME: list[KnowledgeRuntime] = []


def _runtime() -> KnowledgeRuntime:
    if not _RUNTIME:
        _RUNTIME.append(KnowledgeRuntime(load_knowledge(None)))
    return _RUNTIME[0]


def build_case(case: MatrixCase, workdir: Path) -> tuple[Path, str]:
    """Build the case's bundle under `workdir`; (the path to diagnose, the UDID to pass)."""
    _plan_all()
    plan = _PLANS[case]
    kw = channel_build(plan.setup.channel, plan.setup.provider_type, plan.setup.packaging)
    kw["providers"] = list(kw["providers"])
    plan.inject(kw, plan.setup)
    if plan.pack:
        kw["pack"] = plan.pack
    workdir.mkdir(parents=True, exist_ok=True)
    built = build_app(workdir, **kw)
    if plan.mutate is not None:
        plan.mutate(built)
    return built.path, plan.udid


def diagnose(path: Path, udid: str) -> Investigation:
    """What `advisor diagnose --app PATH --udid UDID --describe DESCRIPTION` does, in process."""
    investigation = Investigation.start(_runtime().kb, _runtime())
    investigation.add_description(DESCRIPTION)
    investigation.add_bundle(str(path), udid)
    return investigation


def investigate_case(case: MatrixCase, workdir: Path) -> Investigation:
    """The whole investigation of one case (every ranked diagnosis with its status), for tools
    that need more than the outcome (bench/calibration.py). The caller removes `workdir`."""
    path, udid = build_case(case, workdir)
    return diagnose(path, udid)


def run_case(case: MatrixCase, workdir: Path) -> MatrixOutcome:
    """Build the case's bundle and diagnose it as `diagnose --app APP --udid UDID --describe ...`
    does (the inspection it makes is the one `advisor inspect` prints)."""
    path, udid = build_case(case, workdir)
    try:
        investigation = diagnose(path, udid)
        ranked = investigation.diagnoses()
        findings = (investigation.bundle or {}).get("findings", [])
        outcome = MatrixOutcome(
            case,
            top=ranked[0].id if ranked else None,
            confirmed=[a.id for a in ranked if str(a.status) == "confirmed"],
            error_findings=[f["rule"] for f in findings if f["severity"] == "error"],
            ranked=[(a.id, str(a.status)) for a in ranked],
        )
        outcome.detail = "; ".join(f"{a.id} {a.status} {a.score}" for a in ranked[:3]) + " | findings: " + ", ".join(
            f"{f['rule']}({f['severity']})" for f in findings
        )
        return outcome
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@dataclass
class MatrixRun:
    outcomes: list[MatrixOutcome] = field(default_factory=list)

    @property
    def failures(self) -> list[MatrixOutcome]:
        return [o for o in self.outcomes if not o.passed]


def run_all(workdir: Path, cases: list[MatrixCase] | None = None) -> MatrixRun:
    run = MatrixRun()
    for i, case in enumerate(cases if cases is not None else all_cases()):
        run.outcomes.append(run_case(case, workdir / str(i)))
    return run
