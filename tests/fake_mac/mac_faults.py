"""One fault of a Mac's state at a time, injected into a healthy Mac (tests/fake_mac/mac_state).

Each `MacFault` names the diagnosis it must lead to, the channels (and packagings, provider
types) where it can happen, and how the Mac differs from a healthy one. Nothing else changes:
no answers are given, and the description is generic. Where a fault lives on disk (an iOS
build installed next to the app, an app run from a build folder, a file added after signing)
`place`/`inject` change the case's own copy of the bundle.

Faults of this Mac never concern an iOS app examined on it: `THIS_MAC_FAULTS` puts them all
together for the iOS channels, where the expected outcome is a healthy one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.fake_mac import outputs as out
from tests.fake_mac.channels import IOS_CHANNELS, MAC_CHANNELS, Setup
from tests.fake_mac.mac_state import (
    DEVELOPER_ID_AUTHORITY,
    OTHER_MAC_UDID,
    TEAM_ID,
    Configuration,
    MacState,
    Registration,
    own_registrations,
    read_component,
)

BuildCopy = Callable[[Path, Setup], Path]  # (destination folder, setup) -> the app written there
QUARANTINE = "0083;6734a1b2;Safari;4C7E2F10-1A2B-4C3D-9E8F-0123456789AB"  # ne-knowledge.md 7 format
OLD_VERSION = ("0.9", "9")


@dataclass
class FaultSite:
    """Where a case happens: its folder, and a way to write another healthy build there."""

    case_dir: Path
    setup: Setup
    build_copy: BuildCopy

    @property
    def applications(self) -> Path:
        return self.case_dir / "Applications"


@dataclass(frozen=True)
class MacFault:
    diagnosis: str
    variant: str
    what: str  # the fault in a few words, for the printed matrix
    channels: tuple[str, ...]
    inject: Callable[[MacState, FaultSite], None]
    packagings: tuple[str, ...] = ("appex", "sysex")
    provider_types: tuple[str, ...] | None = None  # None: any
    per_packaging: bool = False  # one case per packaging (the mechanism differs), not per channel
    # Where the app is run from, relative to the case folder (default Applications/).
    app_folder: Callable[[Setup], str] = field(default=lambda setup: "Applications")

    def fits(self, setup: Setup) -> bool:
        return (
            setup.channel in self.channels
            and setup.packaging in self.packagings
            and (self.provider_types is None or setup.provider_type in self.provider_types)
        )


# ---- the faults --------------------------------------------------------------------------
def _stale_copy_folder(setup: Setup) -> str:
    if setup.channel == "macos-development":
        return "/Users/dev/Library/Developer/Xcode/DerivedData/ExampleVPN-bxkqfhzjdlwgzc/Build/Products/Debug"
    return "/Users/dev/Downloads/ExampleVPN 0.9"


def stale_copy(state: MacState, site: FaultSite) -> None:
    """An older build of the same app is registered too, its provider the one in use."""
    folder = _stale_copy_folder(site.setup)
    parent = str(Path(state.app.path).parent)
    ours = {p.bundle_id for p in state.providers}
    for reg in state.registrations:
        if reg.kind == "appex" and reg.bundle_id in ours:
            reg.election = " "  # PlugInKit offers the other copy
    for reg in own_registrations(state.app, state.providers):
        reg.path = folder + reg.path[len(parent) :]
        reg.version = OLD_VERSION[0]
        reg.election = "+" if reg.kind == "appex" else " "
        state.registrations.append(reg)


def ios_build_installed(state: MacState, site: FaultSite) -> None:
    """The iOS TestFlight build of the same app (same ids), installed as an iOS app on this Mac."""
    ios_setup = Setup("ios-testflight", site.setup.provider_type, "appex")
    wrapper = site.build_copy(site.applications / "ExampleVPN iOS.app" / "Wrapper", ios_setup)
    ios_app = read_component(wrapper)
    ios_providers = [read_component(p) for p in sorted((wrapper / "PlugIns").iterdir())]
    for reg in own_registrations(ios_app, ios_providers):
        reg.election = "+" if reg.kind == "appex" else " "
        state.registrations.append(reg)
    for reg in state.registrations:
        if reg.kind == "appex" and reg.path.startswith(state.app.path):
            reg.election = " "


def quarantined(state: MacState, site: FaultSite) -> None:
    state.quarantine = QUARANTINE


def mac_not_in_profile(state: MacState, site: FaultSite) -> None:
    state.udid = OTHER_MAC_UDID


def _own_sysex_rows(state: MacState) -> list[out.SysexEntry]:
    ids = {p.bundle_id for p in state.providers if p.kind == "sysex"}
    return [r for r in state.sysex_rows if r.bundle_id in ids]


def _set_sysex_state(state: MacState, text: str, enabled: bool, active: bool) -> None:
    rows = _own_sysex_rows(state)
    state.sysex_rows = [r for r in state.sysex_rows if r not in rows]
    for r in rows:
        state.sysex_rows.append(out.SysexEntry(r.team_id, r.bundle_id, r.short_version, r.bundle_version, r.name, text, enabled, active))


def waiting_for_user(state: MacState, site: FaultSite) -> None:
    _set_sysex_state(state, "activated waiting for user", enabled=True, active=False)


def disabled_by_user(state: MacState, site: FaultSite) -> None:
    _set_sysex_state(state, "activated disabled", enabled=False, active=True)  # as listed publicly


def not_installed(state: MacState, site: FaultSite) -> None:
    """Run from a build or download folder, the app's activation request is refused: the
    extension never reaches `systemextensionsctl list`."""
    rows = _own_sysex_rows(state)
    state.sysex_rows = [r for r in state.sysex_rows if r not in rows]


def _outside_applications(setup: Setup) -> str:
    if setup.channel == "macos-development":
        return "DerivedData/ExampleVPN-bxkqfhzjdlwgzc/Build/Products/Debug"
    return "Downloads"


def upgrade_waits_for_reboot(state: MacState, site: FaultSite) -> None:
    """The new build's extension waits for the old one (still in use) to unload."""
    rows = _own_sysex_rows(state)
    state.sysex_rows = [r for r in state.sysex_rows if r not in rows]
    for r in rows:
        state.sysex_rows.append(
            out.SysexEntry(r.team_id, r.bundle_id, *OLD_VERSION, r.name, "terminating for uninstall", enabled=False, active=False)
        )
        state.sysex_rows.append(
            out.SysexEntry(r.team_id, r.bundle_id, r.short_version, r.bundle_version, r.name, "activated waiting to upgrade", True, False)
        )


def _own_configuration(state: MacState) -> Configuration:
    return next(c for c in state.configurations if c.service.owner == state.app.bundle_id)


def another_vpn_selected(state: MacState, site: FaultSite) -> None:
    """Another app's VPN configuration is the enabled one; the app's own is not."""
    mine = _own_configuration(state)
    mine.service = out.VpnService(mine.service.service_id, mine.service.owner, mine.service.name, enabled=False)
    for c in state.configurations:
        if c is not mine:
            c.service = out.VpnService(c.service.service_id, c.service.owner, c.service.name, enabled=True)


def configuration_names_another_provider(state: MacState, site: FaultSite) -> None:
    """The saved configuration names a provider id from an earlier build (renamed since): one
    that none of this build's bundles has (a rich bundle's sysex is `<app>.network-extension`)."""
    taken = {c.bundle_id for c in state.components}
    renamed = (f"{state.app.bundle_id}.{suffix}" for suffix in ("network-extension", "NetworkExtension", "tunnel-provider"))
    _own_configuration(state).provider_id = next(i for i in renamed if i not in taken)


def no_configuration_saved(state: MacState, site: FaultSite) -> None:
    """The provider is installed (activated) but the app never saved a configuration."""
    state.configurations = [c for c in state.configurations if c.service.owner != state.app.bundle_id]


def unnotarized(state: MacState, site: FaultSite) -> None:
    """Signed with Developer ID, not notarised: Gatekeeper rejects it, no ticket anywhere."""
    state.gatekeeper = (False, "Unnotarized Developer ID", DEVELOPER_ID_AUTHORITY)
    state.stapled = False


def file_added_after_signing(state: MacState, site: FaultSite) -> None:
    """A file was added to the signed bundle (a configuration dropped in by an installer)."""
    app = Path(state.app.path)
    resources = app / "Contents" / "Resources" if (app / "Contents").is_dir() else app
    resources.mkdir(parents=True, exist_ok=True)
    added = resources / "config.json"
    added.write_text('{"server": "vpn.example.com"}\n')
    state.changed_file = ("added", str(added))


def sip_disabled(state: MacState, site: FaultSite) -> None:
    state.sip = "disabled"


def older_macos(state: MacState, site: FaultSite) -> None:
    """This Mac runs macOS 11, below the providers' LSMinimumSystemVersion (13.0 in the fake
    Mac's bundles, 12.0 in the rich ones: macOS 12 would meet those)."""
    state.os_version, state.os_build = "11.7.10", "20G1427"


SYSEX_ONLY = ("sysex",)
DIRECT = ("macos-development", "macos-developer-id")  # channels an app can be run from anywhere

MAC_FAULTS: tuple[MacFault, ...] = (
    MacFault("stale-provider-registrations", "older-build-registered", "an older build of the app is registered too", MAC_CHANNELS, stale_copy, per_packaging=True),
    MacFault(
        "ios-app-bundle-id-conflict",
        "ios-build-installed",
        "the iOS TestFlight build with the same ids is installed on this Mac",
        MAC_CHANNELS,
        ios_build_installed,
        provider_types=("packet-tunnel", "app-proxy"),  # the provider types iOS apps on Mac may carry (TN3134)
        per_packaging=True,
    ),
    MacFault("quarantined-development-build", "quarantined", "the development build carries com.apple.quarantine", ("macos-development",), quarantined),
    MacFault("profile-missing-device", "mac-not-in-profile", "this Mac's Provisioning UDID is not in the development profiles", ("macos-development",), mac_not_in_profile),
    MacFault("sysex-awaiting-approval", "waiting-for-user", "the system extension waits for the user's approval", MAC_CHANNELS, waiting_for_user, SYSEX_ONLY),
    MacFault("sysex-awaiting-approval", "disabled-by-user", "the user switched the system extension off", MAC_CHANNELS, disabled_by_user, SYSEX_ONLY),
    MacFault(
        "sysex-not-in-applications",
        "run-from-build-folder",
        "the app is run from outside /Applications; its extension is not installed",
        DIRECT,
        not_installed,
        SYSEX_ONLY,
        app_folder=_outside_applications,
    ),
    MacFault("sysex-replacement-version", "upgrade-waits-for-reboot", "the new extension waits for the old one to unload", MAC_CHANNELS, upgrade_waits_for_reboot, SYSEX_ONLY),
    MacFault("configuration-disabled", "another-vpn-selected", "another VPN configuration is the enabled one", MAC_CHANNELS, another_vpn_selected, provider_types=("packet-tunnel",)),
    MacFault(
        "provider-bundle-id-mismatch",
        "configuration-names-another-provider",
        "the saved configuration names another provider id",
        MAC_CHANNELS,
        configuration_names_another_provider,
        provider_types=("packet-tunnel",),
    ),
    MacFault("provider-not-started", "no-configuration-saved", "the provider is installed but no configuration is saved", MAC_CHANNELS, no_configuration_saved, provider_types=("packet-tunnel",)),
    MacFault("developer-id-not-notarized", "gatekeeper-rejects-unnotarized", "Gatekeeper rejects the unnotarised Developer ID build", ("macos-developer-id",), unnotarized),
    MacFault("bundle-modified-after-signing", "file-added", "a file was added to the bundle after signing", MAC_CHANNELS + IOS_CHANNELS, file_added_after_signing),
    MacFault("sip-not-required", "sip-disabled", "SIP is disabled on this Mac", MAC_CHANNELS, sip_disabled),
    MacFault("provider-deployment-target-too-high", "older-macos", "this Mac's macOS is older than the providers need", DIRECT, older_macos),
)


def gatekeeper_off(state: MacState, site: FaultSite) -> None:
    state.assessments_enabled = False


def this_mac_faults(state: MacState, site: FaultSite) -> None:
    """Everything that can be wrong with this Mac at once, none of it the iOS app's business:
    SIP and Gatekeeper off, an old macOS, the bundle quarantined, a stale registration and a
    pending system extension with the app's ids, its id's configuration disabled, and NE
    errors in this Mac's log."""
    sip_disabled(state, site)
    gatekeeper_off(state, site)
    older_macos(state, site)
    quarantined(state, site)
    provider = state.providers[0]
    state.registrations.append(
        Registration(f"/Users/dev/Downloads/Old/{Path(provider.path).name}", provider.bundle_id, "appex", "0.9", provider.extension_point, "+")
    )
    state.sysex_rows.append(out.SysexEntry(TEAM_ID, provider.bundle_id, "1.0", "1", provider.name, "activated waiting for user", True, False))
    state.configurations.insert(
        0, Configuration(out.VpnService("F866AE22-4EC1-4524-8769-86A290A0C582", state.app.bundle_id, state.app.name, enabled=False), "com.other.provider")
    )
    state.log_lines += [
        f"2025-11-04 10:12:01.456 E  {provider.name}[9876:2c3d] [com.apple.networkextension:] Signature check failed: code failed to satisfy specified code requirement(s)",
        "2025-11-04 10:12:01.789 Df nesessionmanager[412:1a2b] [com.apple.networkextension:] NESMVPNSession[Primary Tunnel:ExampleVPN:6A1C:(null)]: status changed to disconnected, last stop reason Plugin failed",
    ]


# Healthy setups with a twist that must still confirm nothing (fault = healthy, this variant).
THIS_MAC_FAULTS = MacFault("healthy", "this-mac-faults", "this Mac is in a bad state, which is no concern of an iOS app", IOS_CHANNELS, this_mac_faults)
GATEKEEPER_OFF = MacFault("healthy", "gatekeeper-assessments-disabled", "Gatekeeper assessments are disabled on this Mac", MAC_CHANNELS, gatekeeper_off)
HEALTHY_VARIANTS: tuple[MacFault, ...] = (THIS_MAC_FAULTS, GATEKEEPER_OFF)


def fault_named(diagnosis: str, variant: str) -> MacFault | None:
    for fault in (*MAC_FAULTS, *HEALTHY_VARIANTS):
        if fault.diagnosis == diagnosis and fault.variant == variant:
            return fault
    return None
