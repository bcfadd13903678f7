"""One fault in a rich, correct bundle (tests/matrix/rich_bundles), for every channel where the
fault can happen and at least two provider types, injected the way real tooling produces it.

The healthy rich bundles (Sparkle, login items, widgets, watch app, multi-provider system
extensions...) pass clean (tests/matrix/test_rich_healthy). Here each case changes exactly one
thing, at the point of the developer's workflow where it really happens:

* `edit`: an Xcode misconfiguration, applied to one bundle while it is written (its Info.plist,
  the entitlements it is signed with, the profile the portal issued for it, who signs it);
* `post`: a step after signing (a copy step that drops execute bits or puts the provider in
  the wrong folder, a script that edits an Info.plist after codesign, a rename);
* `mac`: the Mac's state (tests/fake_mac/mac_faults), the bundle itself correct.

Each case runs `advisor inspect APP --format json` (with the device's UDID where the fault is
about devices) and `advisor diagnose --app APP --probe yes --format json` on a fake Mac whose
tools answer for that bundle. Where the fault is about entitlements, the fake `codesign` prints
them twice over: as XML, and as codesign's bracketed `[Dict]` text.

Provider types (SHAPES): on macOS the filter suite (one system extension with a content filter,
a DNS proxy and a transparent proxy), a packet tunnel system extension, a packet tunnel app
extension; on iOS a packet tunnel and a content filter (data + control providers) beside it.
"""

from __future__ import annotations

import os
import plistlib
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.fake_mac import outputs as out
from tests.fake_mac.channels import Setup
from tests.fake_mac.mac_faults import MAC_FAULTS, FaultSite, MacFault
from tests.fake_mac.mac_state import MacState, healthy_mac, scenario
from tests.fake_mac.toolbox import FakeMac, Reply, Rule, when
from tests.fixtures.apple_pki import signing_identity
from tests.matrix.model import CHANNELS, MatrixCase, MatrixOutcome
from tests.matrix.rich_bundles import (
    APP_ID,
    GROUPS,
    IOS_GROUP,
    NE,
    NETWORK_CLIENT,
    SANDBOX,
    SYSEX_ID,
    SYSEX_INSTALL,
    SYSEX_MODULE,
    TEAM,
    THIS_MAC_UDID,
    Code,
    build,
)

VIA_RICH = "rich"
OTHER_TEAM = "ZYXWV98765"
IPHONE_NOT_IN_PROFILES = "00008101-000E2C1A3B4C5D6E"
MACOS = tuple(c for c in CHANNELS if c.startswith("macos-"))
IOS = tuple(c for c in CHANNELS if c.startswith("ios-"))
STORE = ("macos-app-store", "macos-testflight", "ios-app-store", "ios-testflight")
DEVELOPER_SIGNED = tuple(c for c in CHANNELS if c not in STORE)
SANDBOXED_APPEX_CHANNELS = ("macos-development", "macos-app-store", "macos-testflight")


# ---- the provider types a rich bundle comes in ---------------------------------------------
@dataclass(frozen=True)
class Shape:
    name: str
    provider_type: str  # the contract's provider_type of the provider a fault targets
    packaging: str
    provider_id: str  # the bundle the fault targets
    variants: tuple[str, ...]  # rich_bundles variants that make this shape
    channels: tuple[str, ...]


SHAPES = (
    Shape("filter-suite", "content-filter", "sysex", SYSEX_ID, (), ("macos-development", "macos-developer-id", "macos-testflight")),
    Shape("tunnel-sysex", "packet-tunnel", "sysex", SYSEX_ID, ("tunnel-sysex",), MACOS),
    Shape("tunnel-appex", "packet-tunnel", "appex", f"{APP_ID}.PacketTunnel", ("dev-appex",), SANDBOXED_APPEX_CHANNELS),
    Shape("tunnel-appex", "packet-tunnel", "appex", f"{APP_ID}.PacketTunnel", (), IOS),
    Shape("filter-appex", "content-filter", "appex", f"{APP_ID}.FilterData", ("parental-filter",), IOS),
)


def shapes_for(channel: str) -> list[Shape]:
    return [s for s in SHAPES if channel in s.channels]


def variants_for(shape: Shape, channel: str) -> tuple[str, ...]:
    """The rich variants of a shape in a channel (the App Store's default macOS shape is the appex)."""
    if shape.name == "tunnel-appex" and channel == "macos-app-store":
        return ()
    return shape.variants


# ---- the context an edit sees ----------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    channel: str
    shape: Shape

    @property
    def macos(self) -> bool:
        return self.channel.startswith("macos-")

    def is_provider(self, code: Code) -> bool:
        return code.bundle_id == self.shape.provider_id

    def is_app(self, code: Code) -> bool:
        return code.bundle_id == APP_ID


Edit = Callable[[Code, Target], None]
Post = Callable[[Path, Target], None]


def _provider(change: Callable[[Code, Target], None]) -> Edit:
    def edit(code: Code, target: Target) -> None:
        if target.is_provider(code):
            change(code, target)

    return edit


def _app(change: Callable[[Code, Target], None]) -> Edit:
    def edit(code: Code, target: Target) -> None:
        if target.is_app(code):
            change(code, target)

    return edit


def _both(change: Callable[[Code, Target], None]) -> Edit:
    def edit(code: Code, target: Target) -> None:
        if target.is_app(code) or target.is_provider(code):
            change(code, target)

    return edit


def _ents(code: Code) -> dict[str, Any]:
    assert code.entitlements is not None
    return code.entitlements


def _profile_ents(code: Code) -> dict[str, Any]:
    assert code.profile_entitlements is not None
    return code.profile_entitlements


# ---- Xcode misconfigurations (entitlements) ---------------------------------------------------
def _drop_ne(code: Code, target: Target) -> None:
    """The Network Extension capability removed from the target (the profile still allows it)."""
    _ents(code).pop(NE, None)


def _other_types_value(code: Code, target: Target) -> None:
    """The capability's checkbox for another provider type ticked instead of the right one."""
    plain = "app-push-provider" if target.shape.provider_type != "app-push" else "packet-tunnel-provider"
    if target.shape.provider_type == "content-filter":
        plain = "packet-tunnel-provider"
    elif target.shape.provider_type == "packet-tunnel":
        plain = "app-proxy-provider"
    suffix = "-systemextension" if target.channel == "macos-developer-id" else ""
    _ents(code)[NE] = [plain + suffix]


def _plain_values(code: Code, target: Target) -> None:
    """Signed with the development entitlements file (plain values) in a Developer ID build."""
    values = _ents(code).get(NE)
    if values:
        _ents(code)[NE] = [v.removesuffix("-systemextension") for v in values]


def _drop(key: str) -> Callable[[Code, Target], None]:
    def change(code: Code, target: Target) -> None:
        _ents(code).pop(key, None)

    return change


def _add(key: str, value: Any) -> Callable[[Code, Target], None]:
    def change(code: Code, target: Target) -> None:
        _ents(code)[key] = value

    return change


def _groups_typo(code: Code, target: Target) -> None:
    """The provider's App Groups capability names another group (a typo, a renamed group); on
    macOS the system extension's NEMachServiceName follows its own group, as Xcode's template does."""
    other = f"{TEAM}.group.com.example.vpn-tunnel" if target.macos else "group.com.example.vpn-tunnel"
    _ents(code)[GROUPS] = [other]
    if code.profile_entitlements is not None and not target.macos:  # registered for its App ID too
        _profile_ents(code)[GROUPS] = [other]
    ne = code.info.get("NetworkExtension")
    if isinstance(ne, dict) and "NEMachServiceName" in ne:
        code.info["NetworkExtension"] = {**ne, "NEMachServiceName": f"{other}.network-extension"}


def _group_not_in_profile(code: Code, target: Target) -> None:
    """iOS: the provider signed with a group its App ID is not configured for (profile not regenerated)."""
    _ents(code)[GROUPS] = [IOS_GROUP, "group.com.example.vpn.newfeature"]


def _other_team(code: Code, target: Target) -> None:
    """Signed by a re-signing tool with another team's identity and profile."""
    code.signer = replace(code.signer, team=OTHER_TEAM)
    for ents in (code.entitlements, code.profile_entitlements):
        if ents is None:
            continue
        for key in ("application-identifier", "com.apple.application-identifier"):
            if key in ents:
                ents[key] = f"{OTHER_TEAM}.{str(ents[key]).split('.', 1)[1]}"
        if "com.apple.developer.team-identifier" in ents:
            ents["com.apple.developer.team-identifier"] = OTHER_TEAM
        if "keychain-access-groups" in ents:
            ents["keychain-access-groups"] = [f"{OTHER_TEAM}.{str(g).split('.', 1)[1]}" for g in ents["keychain-access-groups"]]
    # App groups stay as they were: re-signing tools rewrite the App ID and team keys only.


def _no_runtime(code: Code, target: Target) -> None:
    code.signer = replace(code.signer, runtime=False)


def _no_timestamp(code: Code, target: Target) -> None:
    code.signer = replace(code.signer, timestamp=False)


# ---- Xcode misconfigurations (Info.plist) -----------------------------------------------------
def _principal_classes(code: Code, rename: Callable[[str], str]) -> None:
    ext = code.info.get("NSExtension")
    if isinstance(ext, dict) and "NSExtensionPrincipalClass" in ext:
        code.info["NSExtension"] = {**ext, "NSExtensionPrincipalClass": rename(str(ext["NSExtensionPrincipalClass"]))}
        return
    ne = code.info["NetworkExtension"]
    classes = dict(ne["NEProviderClasses"])
    first = next(k for k, v in classes.items() if str(v).startswith(SYSEX_MODULE))  # a class of its own module
    classes[first] = rename(classes[first])
    code.info["NetworkExtension"] = {**ne, "NEProviderClasses": classes}


def _unexpanded_module(code: Code, target: Target) -> None:
    """`$(PRODUCT_MODULE_NAME).Provider` written into a plist Xcode does not preprocess."""
    _principal_classes(code, lambda cls: "$(PRODUCT_MODULE_NAME)." + cls.split(".", 1)[1])


def _renamed_target(code: Code, target: Target) -> None:
    """The target (module) was renamed; the Info.plist still names the old module."""
    _principal_classes(code, lambda cls: "OldTunnelTarget." + cls.split(".", 1)[1])


def _no_module_prefix(code: Code, target: Target) -> None:
    _principal_classes(code, lambda cls: cls.split(".", 1)[1])


def _ne_dict(change: Callable[[dict[str, Any]], dict[str, Any] | None]) -> Callable[[Code, Target], None]:
    def edit(code: Code, target: Target) -> None:
        value = change(dict(code.info["NetworkExtension"]))
        if value is None:
            del code.info["NetworkExtension"]
        else:
            code.info["NetworkExtension"] = value

    return edit


def _extension_point(point: str, cls: str | None = None) -> Callable[[Code, Target], None]:
    def edit(code: Code, target: Target) -> None:
        ext = dict(code.info["NSExtension"])
        ext["NSExtensionPointIdentifier"] = point
        if cls:
            ext["NSExtensionPrincipalClass"] = f"{str(ext['NSExtensionPrincipalClass']).split('.')[0]}.{cls}"
        code.info["NSExtension"] = ext

    return edit


def _as_filter_appex(kind: str) -> Callable[[Code, Target], None]:
    """The macOS provider target made from Xcode's iOS-era template: a content filter or DNS
    proxy app extension (macOS runs those only as system extensions)."""
    point, cls, value = {
        "content-filter": ("com.apple.networkextension.filter-data", "FilterDataProvider", "content-filter-provider"),
        "dns-proxy": ("com.apple.networkextension.dns-proxy", "DNSProxyProvider", "dns-proxy"),
    }[kind]

    def edit(code: Code, target: Target) -> None:
        if target.is_app(code):  # the app's capability names the same provider type
            _ents(code)[NE] = [value]
            return
        _extension_point(point, cls)(code, target)
        _ents(code)[NE] = [value]
        code.classes = (*code.classes, f"_TtC12PacketTunnel{len(cls)}{cls}")

    return edit


def _as_app_proxy_appex(code: Code, target: Target) -> None:
    _extension_point("com.apple.networkextension.app-proxy", "AppProxyProvider")(code, target)
    _ents(code)[NE] = ["app-proxy-provider-systemextension" if target.channel == "macos-developer-id" else "app-proxy-provider"]
    code.classes = (*code.classes, "_TtC12PacketTunnel16AppProxyProvider")


def _min_os_above_app(code: Code, target: Target) -> None:
    key, version = ("LSMinimumSystemVersion", "15.0") if target.macos else ("MinimumOSVersion", "18.0")
    code.info[key] = version


def _drop_info(key: str) -> Callable[[Code, Target], None]:
    def edit(code: Code, target: Target) -> None:
        code.info.pop(key, None)

    return edit


# ---- the portal's profiles --------------------------------------------------------------------
def _profile_lacks_ne(code: Code, target: Target) -> None:
    """The App ID's profile issued before the Network Extension capability was enabled."""
    _profile_ents(code).pop(NE, None)


def _no_profile(code: Code, target: Target) -> None:
    """Signed manually without a provisioning profile for this target."""
    code.profile_entitlements = None


def _apps_profile(code: Code, target: Target) -> None:
    """A copy step put the app's profile into the provider (its App ID is the app's)."""
    key = "com.apple.application-identifier" if target.macos else "application-identifier"
    prefix = str(_profile_ents(code)[key]).split(".", 1)[0]
    _profile_ents(code)[key] = f"{prefix}.{APP_ID}"


def _other_certificates(code: Code, target: Target) -> None:
    """Signed with a certificate the profile does not list (a new certificate, an old profile)."""
    kind = code.signer.profile_certificate_kind
    code.profile_changes = {
        **code.profile_changes,
        "DeveloperCertificates": [signing_identity(kind, code.signer.team, serial_tag=f"other-{n}").der for n in (1, 2)],
    }


def _expired(code: Code, target: Target) -> None:
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    code.profile_changes = {
        **code.profile_changes,
        "CreationDate": now - timedelta(days=400),
        "ExpirationDate": now - timedelta(days=35),
        "TimeToLive": 365,
    }


def _device_missing(code: Code, target: Target) -> None:
    """A development / ad hoc profile made before this Mac (iPhone) was registered."""
    from tests.matrix.rich_bundles import DEVICES

    code.profile_changes = {**code.profile_changes, "ProvisionedDevices": [d for d in DEVICES if d != THIS_MAC_UDID]}


def _binary(edit: Edit) -> Edit:
    """The same fault, every profile's payload a binary plist (as some re-signing tools write it)."""

    def both(code: Code, target: Target) -> None:
        code.binary_profile = True
        edit(code, target)

    return both


# ---- after signing ------------------------------------------------------------------------------
def _contents(bundle: Path) -> Path:
    return bundle / "Contents" if (bundle / "Contents").is_dir() else bundle


def _provider_dir(app: Path, target: Target) -> Path:
    contents = _contents(app)
    for folder in ("Library/SystemExtensions", "PlugIns"):
        root = contents / folder
        for bundle in sorted(root.iterdir()) if root.is_dir() else []:
            info = plistlib.loads((_contents(bundle) / "Info.plist").read_bytes())
            if info.get("CFBundleIdentifier") == target.shape.provider_id:
                return bundle
    raise AssertionError(f"no provider {target.shape.provider_id} in {app}")


def _executable(bundle: Path) -> Path:
    contents = _contents(bundle)
    name = plistlib.loads((contents / "Info.plist").read_bytes())["CFBundleExecutable"]
    return contents / "MacOS" / name if contents != bundle else contents / name


def _chmod_644(app: Path, target: Target) -> None:
    """Copied by a tool that does not keep permissions (an archive step, a CI artifact upload)."""
    os.chmod(_executable(_provider_dir(app, target)), 0o644)


def _edit_info_after_signing(which: str) -> Post:
    """A Run Script phase after code signing bumps the build number with PlistBuddy."""

    def post(app: Path, target: Target) -> None:
        bundle = app if which == "app" else _provider_dir(app, target)
        path = _contents(bundle) / "Info.plist"
        info = plistlib.loads(path.read_bytes())
        info["CFBundleVersion"] = "3403"
        path.write_bytes(plistlib.dumps(info, fmt=plistlib.FMT_BINARY))

    return post


def _rename_sysex(app: Path, target: Target) -> None:
    """A Copy Files phase names the system extension after the target, not its bundle id."""
    sysex = _provider_dir(app, target)
    sysex.rename(sysex.parent / "NetworkExtension.systemextension")


def _framework_to_app(app: Path, target: Target) -> None:
    """The system extension's framework embedded in the app only (Embed Frameworks in the wrong target)."""
    sysex = _provider_dir(app, target)
    shutil.move(str(sysex / "Contents" / "Frameworks" / "ExtensionCore.framework"), str(app / "Contents" / "Frameworks"))
    (sysex / "Contents" / "Frameworks").rmdir()


def _wrong_folder(app: Path, target: Target) -> None:
    """A Copy Files phase with the wrong destination (Resources on macOS, Frameworks on iOS)."""
    provider = _provider_dir(app, target)
    dest = _contents(app) / ("Resources" if target.macos else "Frameworks")
    shutil.move(str(provider), str(dest / provider.name))


def _left_out(app: Path, target: Target) -> None:
    """The Embed phase lost the provider: the app ships without it."""
    shutil.rmtree(_provider_dir(app, target))


def _framework_into_appex(app: Path, target: Target) -> None:
    """iOS: the shared framework embedded in the extension target too."""
    appex = _provider_dir(app, target)
    (appex / "Frameworks").mkdir()
    shutil.copytree(app / "Frameworks" / "VPNCore.framework", appex / "Frameworks" / "VPNCore.framework", symlinks=True)


# ---- the faults -------------------------------------------------------------------------------
@dataclass(frozen=True)
class RichFault:
    diagnosis: str
    variant: str
    channels: tuple[str, ...]
    edit: Edit | None = None
    post: Post | None = None
    mac: MacFault | None = None
    shapes: tuple[str, ...] | None = None  # None: every shape of the channel
    packaging: tuple[str, ...] = ("appex", "sysex")
    entitlements: bool = False  # run with XML and with [Dict] codesign output
    proven: bool = True  # the evidence proves it: it must be confirmed (else: listed first, not confirmed)
    hint: bool = False  # only hinted at: listed among the first three (unless this Mac rules it out), nothing confirmed
    udid: str | None = THIS_MAC_UDID  # the device `inspect --udid` names
    probe_sees: bool = True  # the probe run can see it (False: an iOS device the Mac cannot know)
    shape_override: str | None = None  # the provider type the fault turns the shape into (for the case name)
    profiles: bool = False  # a profile fault: every other channel's profiles have binary payloads

    def fits(self, channel: str, shape: Shape) -> bool:
        if channel not in self.channels or shape.packaging not in self.packaging:
            return False
        if self.shapes is not None and shape.name not in self.shapes:
            return False
        if self.mac is not None:
            return self.mac.fits(Setup(channel, shape.provider_type, shape.packaging))
        return True


SYSEX = ("sysex",)
# Notarisation refuses a build with get-task-allow, without the hardened runtime or without a
# secure timestamp (ne-knowledge.md 6.5): the Mac of such a build has no ticket for it.
_UNNOTARIZED = next(f for f in MAC_FAULTS if f.variant == "gatekeeper-rejects-unnotarized")
APPEX = ("appex",)
_DEV_ID = ("macos-developer-id",)


def _mac_faults() -> list[RichFault]:
    return [RichFault(f.diagnosis, f.variant, f.channels, mac=f, proven=False) for f in MAC_FAULTS]


def all_faults() -> list[RichFault]:
    ents = {"entitlements": True}
    return [
        # ---- entitlements (Xcode capabilities, entitlements files, re-signing) ----
        RichFault("app-missing-ne-entitlement", "capability-removed-from-provider", CHANNELS, _provider(_drop_ne), **ents),
        RichFault("app-missing-ne-entitlement", "capability-removed-from-app", CHANNELS, _app(_drop_ne), **ents),
        RichFault("app-missing-ne-entitlement", "provider-ticks-another-type", CHANNELS, _provider(_other_types_value), **ents),
        RichFault("developer-id-entitlement-suffix", "plain-values-in-provider", _DEV_ID, _provider(_plain_values), packaging=SYSEX, **ents),
        RichFault("developer-id-entitlement-suffix", "plain-values-in-app", _DEV_ID, _app(_plain_values), packaging=SYSEX, **ents),
        RichFault("developer-id-entitlement-suffix", "plain-values-everywhere", _DEV_ID, _both(_plain_values), packaging=SYSEX, **ents),
        RichFault("sysex-install-entitlement-missing", "app-lacks-install", MACOS, _app(_drop(SYSEX_INSTALL)), packaging=SYSEX, **ents),
        RichFault("sandbox-requirement", "appex-sandbox-off", SANDBOXED_APPEX_CHANNELS, _provider(_drop(SANDBOX)), packaging=APPEX, **ents),
        RichFault("sandbox-network-entitlement-missing", "provider-no-outgoing", MACOS, _provider(_drop(NETWORK_CLIENT)), **ents),
        RichFault("app-group-misconfigured", "provider-group-renamed", CHANNELS, _provider(_groups_typo), **ents),
        RichFault("app-group-misconfigured", "group-not-in-profile", tuple(c for c in IOS if c not in STORE), _provider(_group_not_in_profile), **ents),
        RichFault("developer-id-not-notarized", "get-task-allow-in-provider", _DEV_ID, _provider(_add("com.apple.security.get-task-allow", True)), mac=_UNNOTARIZED, **ents),
        RichFault("developer-id-not-notarized", "get-task-allow-in-app", _DEV_ID, _app(_add("com.apple.security.get-task-allow", True)), mac=_UNNOTARIZED, **ents),
        # ---- signing ----
        RichFault("team-id-mismatch", "provider-resigned-by-another-team", DEVELOPER_SIGNED, _provider(_other_team)),
        RichFault("developer-id-not-notarized", "provider-without-hardened-runtime", _DEV_ID, _provider(_no_runtime), mac=_UNNOTARIZED),
        RichFault("developer-id-not-notarized", "provider-without-timestamp", _DEV_ID, _provider(_no_timestamp), mac=_UNNOTARIZED),
        # ---- Info.plist ----
        RichFault("provider-principal-class", "unexpanded-module-variable", CHANNELS, _provider(_unexpanded_module)),
        RichFault("provider-principal-class", "target-renamed", CHANNELS, _provider(_renamed_target)),
        RichFault("provider-principal-class", "no-module-prefix", CHANNELS, _provider(_no_module_prefix)),
        RichFault("sysex-unknown-category", "no-networkextension-dict", MACOS, _provider(_ne_dict(lambda d: None)), packaging=SYSEX),
        RichFault("sysex-unknown-category", "no-provider-classes", MACOS, _provider(_ne_dict(lambda d: {k: v for k, v in d.items() if k != "NEProviderClasses"})), packaging=SYSEX),
        RichFault("sysex-mach-service-name", "missing", MACOS, _provider(_ne_dict(lambda d: {k: v for k, v in d.items() if k != "NEMachServiceName"})), packaging=SYSEX),
        RichFault("sysex-mach-service-name", "bundle-id-not-group", MACOS, _provider(_ne_dict(lambda d: {**d, "NEMachServiceName": f"{SYSEX_ID}.xpc"})), packaging=SYSEX),
        RichFault("provider-not-embedded", "extension-point-typo", CHANNELS, _provider(_extension_point("com.apple.networkextension.packet-tunel")), packaging=APPEX),
        RichFault("provider-not-embedded", "no-nsextension", CHANNELS, _provider(_drop_info("NSExtension")), packaging=APPEX),
        RichFault("macos-provider-requires-sysex", "content-filter-appex", SANDBOXED_APPEX_CHANNELS, _both(_as_filter_appex("content-filter")), packaging=APPEX, shape_override="content-filter"),
        RichFault("macos-provider-requires-sysex", "dns-proxy-appex", SANDBOXED_APPEX_CHANNELS, _both(_as_filter_appex("dns-proxy")), packaging=APPEX, shape_override="dns-proxy"),
        RichFault("provider-deployment-target-too-high", "provider-minimum-above-app", CHANNELS, _provider(_min_os_above_app), hint=True, proven=False),
        # ---- profiles (XML payloads, and binary ones in every other channel) ----
        RichFault("profile-entitlements-mismatch", "provider-profile-without-ne", DEVELOPER_SIGNED, _provider(_profile_lacks_ne), profiles=True),
        RichFault("profile-entitlements-mismatch", "provider-signed-without-profile", DEVELOPER_SIGNED, _provider(_no_profile)),
        RichFault("profile-entitlements-mismatch", "provider-embeds-apps-profile", DEVELOPER_SIGNED, _provider(_apps_profile), profiles=True),
        RichFault("profile-certificate-mismatch", "provider-profile-lists-other-certificates", DEVELOPER_SIGNED, _provider(_other_certificates), profiles=True),
        RichFault("profile-certificate-mismatch", "app-profile-lists-other-certificates", DEVELOPER_SIGNED, _app(_other_certificates), profiles=True),
        RichFault("profile-expired", "app-profile-expired", DEVELOPER_SIGNED, _app(_expired), profiles=True),
        RichFault("profile-expired", "provider-profile-expired", DEVELOPER_SIGNED, _provider(_expired), profiles=True),
        RichFault("profile-missing-device", "mac-registered-after-profile", ("macos-development",), _both(_device_missing), profiles=True),
        RichFault("profile-missing-device", "iphone-registered-after-profile", ("ios-development", "ios-ad-hoc"), _both(_device_missing), profiles=True, probe_sees=False),
        # ---- after signing ----
        RichFault("provider-executable-not-executable", "copy-dropped-execute-bit", CHANNELS, post=_chmod_644),
        RichFault("bundle-modified-after-signing", "provider-info-plist-bumped-after-signing", CHANNELS, post=_edit_info_after_signing("provider")),
        RichFault("bundle-modified-after-signing", "app-info-plist-bumped-after-signing", CHANNELS, post=_edit_info_after_signing("app")),
        RichFault("sysex-bundle-name-mismatch", "copy-phase-renames", MACOS, post=_rename_sysex, packaging=SYSEX),
        RichFault("sysex-framework-not-embedded", "framework-embedded-in-app-only", MACOS, post=_framework_to_app, packaging=SYSEX),
        RichFault("provider-not-embedded", "copy-phase-wrong-destination", CHANNELS, post=_wrong_folder),
        RichFault("provider-not-embedded", "embed-phase-lost", CHANNELS, post=_left_out),
        RichFault("appex-embeds-frameworks", "framework-embedded-in-extension", IOS, post=_framework_into_appex),
        # ---- the Mac ----
        *_mac_faults(),
    ]


# ---- the cases ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Plan:
    fault: RichFault
    channel: str
    shape: Shape
    codesign: str  # xml | dict
    binary_profiles: bool = False


_PLANS: dict[MatrixCase, Plan] = {}


def all_cases() -> list[MatrixCase]:
    """Every fault in every channel where it can happen, one shape (provider type) per channel,
    rotating so that each fault meets every shape it fits; entitlement faults alternate XML and
    `[Dict]` codesign output, profile faults XML and binary payloads, channel by channel."""
    if _PLANS:
        return list(_PLANS)
    for rotation, fault in enumerate(all_faults()):
        chosen: list[tuple[str, Shape]] = []
        for channel in CHANNELS:
            fitting = [s for s in shapes_for(channel) if fault.fits(channel, s)]
            if fitting:
                chosen.append((channel, fitting[(rotation + len(chosen)) % len(fitting)]))
        # Too few channels to meet two shapes: more shapes in the same channels.
        for channel in CHANNELS:
            for shape in (s for s in shapes_for(channel) if fault.fits(channel, s)):
                if len({s.name for _, s in chosen}) < 2 and shape.name not in {s.name for _, s in chosen}:
                    chosen.append((channel, shape))
        for seen, (channel, shape) in enumerate(chosen):
            odd = seen % 2 == 1
            style = "dict" if fault.entitlements and odd else "xml"
            binary = fault.profiles and odd
            variant = fault.variant + ("/dict-codesign" if style == "dict" else "") + ("/binary-profiles" if binary else "")
            ptype = fault.shape_override or shape.provider_type
            case = MatrixCase(fault.diagnosis, channel, f"{ptype}@{shape.name}", shape.packaging, VIA_RICH, variant)
            assert case not in _PLANS, case.name
            _PLANS[case] = Plan(fault, channel, shape, style, binary)
    return list(_PLANS)


def plan_of(case: MatrixCase) -> Plan:
    all_cases()
    return _PLANS[case]


# ---- running a case -----------------------------------------------------------------------------
def _bracketed(value: Any, depth: int) -> list[str]:
    pad = "\t" * depth
    if isinstance(value, dict):
        lines = [f"{pad}[Dict]"]
        for key, item in value.items():
            lines += [f"{pad}\t[Key] {key}", f"{pad}\t[Value]", *_bracketed(item, depth + 2)]
        return lines
    if isinstance(value, list):
        return [f"{pad}[Array]", *(line for item in value for line in _bracketed(item, depth + 1))]
    if isinstance(value, bool):
        return [f"{pad}[Bool] {'true' if value else 'false'}"]
    if isinstance(value, int):
        return [f"{pad}[Number] {value}"]
    return [f"{pad}[String] {value}"]


def bracketed_entitlements(xml: str) -> str:
    """codesign's `[Dict]` rendering of entitlements (macOS 12 and later without `--xml`)."""
    if not xml.strip():
        return ""
    return "\n".join(_bracketed(plistlib.loads(xml.encode()), 0)) + "\n"


@dataclass
class RichRun:
    outcome: MatrixOutcome
    inspected_errors: list[str]  # diagnoses of error findings of `inspect`
    fault_confirmed: bool
    rank: int | None  # of the injected fault in the diagnose run (1 = first)
    unrelated_errors: list[str]  # error findings (inspect or diagnose) whose diagnosis is not the fault
    inspected_hints: list[str] = field(default_factory=list)  # diagnoses of warning findings of `inspect`
    # A rules_out condition of the fault held on probe outputs alone: this Mac shows the hinted
    # problem does not bite here (the Mac runs a macOS the provider's minimum allows).
    mac_rules_out: bool = False


class Builder:
    """Builds each distinct bundle once (per process), then hands out copies."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[tuple[str, str, tuple[str, ...]], Path] = {}

    def bundle(self, case: MatrixCase, plan: Plan) -> Path:
        variants = variants_for(plan.shape, plan.channel)
        edit = plan.fault.edit
        if edit is not None and plan.binary_profiles:
            edit = _binary(edit)
        key = (plan.channel, case.name if edit else "", variants)
        if key not in self.cache:
            folder = self.root / "built" / f"{len(self.cache)}"
            target = Target(plan.channel, plan.shape)
            hook = (lambda code: edit(code, target)) if edit is not None else None
            self.cache[key] = build(folder, plan.channel, (), variants, hook)
        return self.cache[key]

    def healthy(self, channel: str) -> Path:
        key = (channel, "", ())
        if key not in self.cache:
            self.cache[key] = build(self.root / "built" / f"{len(self.cache)}", channel)
        return self.cache[key]


def run_case(case: MatrixCase, builder: Builder, workdir: Path) -> RichRun:
    from advisor.knowledge.loader import load_knowledge
    from tests.matrix import test_rich_healthy as rich_run

    plan = plan_of(case)
    target = Target(plan.channel, plan.shape)
    built = builder.bundle(case, plan)
    shutil.rmtree(workdir, ignore_errors=True)
    staged = Path(shutil.copytree(built, workdir / "staged" / built.name, symlinks=True))
    if plan.fault.post is not None:
        plan.fault.post(staged, target)
    inspected = rich_run.inspect(staged, plan.fault.udid)
    rules = load_knowledge(None).bundle_rules if not _RULES else _RULES[0]
    _RULES[:1] = [rules]
    diagnosis_of = {rid: rule.diagnosis for rid, rule in rules.items()}
    inspect_errors = [f["rule"] for f in inspected["findings"] if f["severity"] == "error"]
    inspect_warnings = [f["rule"] for f in inspected["findings"] if f["severity"] == "warning"]

    mac_fault = plan.fault.mac
    setup = Setup(plan.channel, plan.shape.provider_type, plan.shape.packaging)

    def change(state: MacState) -> None:
        if mac_fault is not None:
            def copy_rich(dest: Path, other: Setup) -> Path:
                source = builder.healthy(other.channel)
                dest.mkdir(parents=True, exist_ok=True)
                return Path(shutil.copytree(source, dest / source.name, symlinks=True))

            mac_fault.inject(state, FaultSite(workdir / "case", setup, copy_rich))

    folder = mac_fault.app_folder(setup) if mac_fault else "Applications"
    mac, app = mac_for(workdir / "case", staged, plan.channel, change, folder, plan.codesign)
    result = rich_run.diagnose_on(mac, app, workdir / "report.json")
    ranked = result["diagnoses"]
    ids = [d["id"] for d in ranked]
    confirmed = [d["id"] for d in ranked if d["status"] == "confirmed"]
    diag_errors = [f["rule"] for f in (result.get("bundle") or {}).get("findings", []) if f["severity"] == "error"]
    outcome = MatrixOutcome(
        case,
        ids[0] if ids else None,
        confirmed=confirmed,
        error_findings=sorted(set(inspect_errors) | set(diag_errors)),
        ranked=[(d["id"], d["status"]) for d in ranked],
    )
    outcome.detail = rich_run.summary(result) + f"; inspect errors: {inspect_errors}"
    unrelated = sorted({r for r in outcome.error_findings if diagnosis_of.get(r) != case.fault})
    shutil.rmtree(workdir, ignore_errors=True)
    return RichRun(
        outcome,
        [diagnosis_of.get(r, r) for r in inspect_errors],
        case.fault in confirmed,
        ids.index(case.fault) + 1 if case.fault in ids else None,
        unrelated,
        [diagnosis_of.get(r, r) for r in inspect_warnings],
        _probes_rule_out(case.fault, result),
    )


def _probes_rule_out(diagnosis: str, result: dict[str, Any]) -> bool:
    from advisor.knowledge.loader import load_knowledge

    facts = result["facts"]
    for ro in load_knowledge(None).diagnoses[diagnosis].rules_out:
        if all(
            fact in facts and facts[fact]["source"] == "probe" and facts[fact]["value"] in accepted
            for fact, accepted in ro.condition.items()
        ):
            return True
    return False


_RULES: list[Any] = []


def _codesign_rules(state: MacState, style: str) -> list[Rule]:
    """`codesign` as mac_state renders it, with each bundle's own Team ID (a re-signed provider
    shows its signer's) and the entitlements as XML or as bracketed `[Dict]` text."""
    rules: list[Rule] = []
    for c in state.components:
        team = TEAM
        if c.entitlements.strip():
            team = str(plistlib.loads(c.entitlements.encode()).get("com.apple.developer.team-identifier") or TEAM)
        display = out.codesign_display(
            c.path, c.bundle_id, state.authority, team, runtime=state.hardened_runtime, stapled=state.stapled, executable=c.executable
        )
        text = bracketed_entitlements(c.entitlements) if style == "dict" else c.entitlements + "\n"
        rules.append(when(["-d", "-vvv", c.path], Reply(stderr=display)))
        rules.append(when(["-d", "--entitlements", "-", "--xml", c.path], Reply(text, out.entitlements_stderr(c.executable))))
    return rules


def profile_text(path: Path) -> str:
    """What `security cms -D -i` prints for an embedded profile: its payload. A binary payload
    is printed as its XML form (the fake tools print text only)."""
    raw = path.read_bytes()
    if b"<?xml" in raw:
        start = raw.index(b"<?xml")
        return raw[start : raw.index(b"</plist>", start) + len(b"</plist>")].decode() + "\n"
    start = raw.index(b"bplist00")
    sizes = [raw[start - 1]] if raw[start - 1] < 0x80 else []  # the DER length before the payload
    sizes += [int.from_bytes(raw[start - n : start], "big") for n in (1, 2, 3) if raw[start - n - 1] == 0x80 | n]
    for size in sizes:
        try:
            payload = plistlib.loads(raw[start : start + size])
        except Exception:  # noqa: S112 (not this length form)
            continue
        return plistlib.dumps(payload, fmt=plistlib.FMT_XML).decode()
    raise ValueError(f"{path}: no plist payload")


def mac_for(
    workdir: Path, app: Path, channel: str, change: Callable[[MacState], None], folder: str, codesign: str
) -> tuple[FakeMac, Path]:
    """A copy of `app` in `folder` of the Mac at `workdir`, and that Mac (healthy, then `change`d)."""
    from tests.matrix.test_rich_healthy import _sysex_list

    shutil.rmtree(workdir, ignore_errors=True)
    applications = workdir / "Applications"
    applications.mkdir(parents=True)
    (workdir / folder.lstrip("/")).mkdir(parents=True, exist_ok=True)
    copy = Path(shutil.copytree(app, workdir / folder.lstrip("/") / app.name, symlinks=True))
    state = healthy_mac(copy, channel, applications)
    change(state)
    profiles = [c.profile for c in state.components if c.profile]
    for c in state.components:  # rendered below (binary payloads too)
        c.profile = None
    rendered = scenario(state).with_tool("systemextensionsctl", [when(["list"], Reply(_sysex_list(state)))])
    rendered = rendered.with_tool("security", [when(["cms", "-D", "-i", p], Reply(profile_text(Path(p)))) for p in profiles])
    verify = [r for r in rendered.tools["codesign"] if r.args and r.args[0] == "--verify"]
    rendered = rendered.with_tool("codesign", [*_codesign_rules(state, codesign), *verify])
    return FakeMac(workdir / "mac", rendered), copy


def verdict(run: RichRun) -> list[str]:
    """What is wrong with a case's outcome (empty: it passes)."""
    fault = plan_of(run.outcome.case).fault
    case = run.outcome.case
    problems: list[str] = []
    others = [c for c in run.outcome.confirmed if c != case.fault]
    if others:
        problems.append(f"other diagnoses confirmed: {others}")
    if run.unrelated_errors:
        problems.append(f"error findings unrelated to the fault: {run.unrelated_errors}")
    if fault.hint:
        if run.mac_rules_out and run.rank is None:
            # This Mac meets what the hint is about: diagnose rightly drops it; inspect, which
            # knows no Mac, must still show it.
            if case.fault not in run.inspected_hints:
                problems.append("inspect does not show the hint")
            return problems
        if run.rank is None or run.rank > 3:
            problems.append(f"hinted fault not in the first three (rank {run.rank})")
        if run.fault_confirmed:
            problems.append("a hint confirmed the fault")
        return problems
    if not fault.probe_sees:
        if case.fault not in run.inspected_errors:
            problems.append("inspect with the device's UDID does not find the fault")
        if run.fault_confirmed:
            problems.append("confirmed without knowing the device")
        return problems
    if run.outcome.top != case.fault:
        problems.append(f"first is {run.outcome.top}, not the fault (rank {run.rank})")
    if fault.proven and not run.fault_confirmed:
        problems.append("the evidence proves the fault but it is not confirmed")
    return problems
