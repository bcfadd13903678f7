"""The state of a whole Mac, declared, and rendered as the fake tools' replies.

`healthy_mac(app_dir, channel, applications_dir)` reads a built app bundle (Info.plists,
signed entitlements, embedded profiles) and declares the Mac it works on: the system
extension activated and enabled (or the app extension registered exactly once), the app's
configuration saved, enabled and naming its real provider, no quarantine, Gatekeeper
accepting it the way its channel is accepted, SIP on, a recent macOS. Faults
(tests/fake_mac/mac_faults) change one part of a `MacState`; `scenario(state)` renders every
probed tool's reply from it, so all outputs stay consistent with each other.

What each channel looks like to this Mac's tools (sources in tests/fake_mac/outputs and
ne-knowledge.md 6.2, 6.5):

| channel | `codesign -dvvv` leaf | `spctl -a` |
|---|---|---|
| development | Apple Development | rejected, `origin=Apple Development: …` (always, and harmless) |
| Developer ID | Developer ID Application, runtime, `Notarization Ticket=stapled` | accepted, `source=Notarized Developer ID` |
| Mac App Store | Apple Mac OS Application Signing | accepted, `source=Mac App Store` (Apple support) |
| TestFlight | TestFlight Beta Distribution | accepted, `source=Testflight` (one public note) |

An iOS app examined on a Mac (before it is installed on a device) is read from disk the same
way; the Mac around it is this same healthy Mac, which must not matter to it.
"""

from __future__ import annotations

import plistlib
from dataclasses import dataclass, field
from pathlib import Path

from tests.fake_mac import outputs as out
from tests.fake_mac.seed import embedded_plist
from tests.fake_mac.store_signing import IOS_STORE_AUTHORITY, MAC_STORE_AUTHORITY, TESTFLIGHT_AUTHORITY
from tests.fake_mac.toolbox import Reply, Rule, Scenario, always, when

TEAM_ID = "ABCDE12345"
DEVELOPMENT_AUTHORITY = "Apple Development: Jane Doe (PQ7R8S9T0U)"  # the bundle builder's certificate
DEVELOPER_ID_AUTHORITY = f"Developer ID Application: Example Corp ({TEAM_ID})"
DISTRIBUTION_AUTHORITY = f"Apple Distribution: Example Corp ({TEAM_ID})"
THIS_MAC_UDID = "00008103-000A1B2C3D4E5F60"  # the device the builder's development profiles list
OTHER_MAC_UDID = "00008132-001E4A2B3C5D6E7F"
LSREGISTER = "lsregister"  # found on PATH by name (catalog.resolve_tool)
NO_SUCH_QUARANTINE = 1  # xattr's exit status when the attribute is absent

# channel -> (leaf authority, hardened runtime, stapled ticket)
_SIGNERS: dict[str, tuple[str, bool, bool]] = {
    "macos-development": (DEVELOPMENT_AUTHORITY, False, False),
    "macos-developer-id": (DEVELOPER_ID_AUTHORITY, True, True),
    "macos-app-store": (MAC_STORE_AUTHORITY, False, False),
    "macos-testflight": (TESTFLIGHT_AUTHORITY, False, False),
    "ios-development": (DEVELOPMENT_AUTHORITY, False, False),
    "ios-app-store": (IOS_STORE_AUTHORITY, False, False),
    "ios-testflight": (TESTFLIGHT_AUTHORITY, False, False),
    "ios-ad-hoc": (DISTRIBUTION_AUTHORITY, False, False),
    "ios-enterprise": (DISTRIBUTION_AUTHORITY, False, False),
}
# channel -> Gatekeeper's healthy verdict (accepted, source, origin); iOS apps are not assessed.
_GATEKEEPER: dict[str, tuple[bool, str | None, str | None]] = {
    "macos-development": (False, None, DEVELOPMENT_AUTHORITY),
    "macos-developer-id": (True, "Notarized Developer ID", DEVELOPER_ID_AUTHORITY),
    "macos-app-store": (True, "Mac App Store", None),
    "macos-testflight": (True, "Testflight", None),
}
# Provider types whose configurations `scutil --nc list` is known to show (packet tunnels).
VPN_EXTENSION_POINTS = ("com.apple.networkextension.packet-tunnel",)


@dataclass
class Component:
    """One signed bundle of the app under test, as the Mac's tools see it."""

    path: str
    kind: str  # app | appex | sysex
    bundle_id: str
    executable: str  # absolute path of its main executable
    versions: str  # "CFBundleShortVersionString/CFBundleVersion"
    name: str
    extension_point: str | None = None
    profile: str | None = None  # absolute path of its embedded profile
    entitlements: str = ""  # what `codesign -d --entitlements - --xml` prints


@dataclass
class Registration:
    """A bundle LaunchServices / PlugInKit / Spotlight know about."""

    path: str
    bundle_id: str
    kind: str  # app | appex | sysex
    version: str = "1.0"
    extension_point: str | None = None
    election: str = " "  # pluginkit's leading mark ("+" in use)


@dataclass
class Configuration:
    """A saved NE configuration in `scutil --nc list` and the provider it names."""

    service: out.VpnService
    provider_id: str


@dataclass
class MacState:
    platform: str  # of the app under test
    channel: str
    applications_dir: str
    app: Component
    providers: list[Component]
    authority: str
    hardened_runtime: bool
    stapled: bool
    gatekeeper: tuple[bool, str | None, str | None] | None
    os_version: str = "15.5"
    os_build: str = "24F74"
    chip: str = "Apple M3 Pro"
    sip: str = "enabled"
    udid: str = THIS_MAC_UDID
    assessments_enabled: bool = True
    quarantine: str | None = None  # com.apple.quarantine value of the app
    changed_file: tuple[str, str] | None = None  # (added | modified | missing, path) since signing
    sysex_rows: list[out.SysexEntry] = field(default_factory=list)
    registrations: list[Registration] = field(default_factory=list)
    configurations: list[Configuration] = field(default_factory=list)
    log_lines: list[str] = field(default_factory=list)

    @property
    def components(self) -> list[Component]:
        return [self.app, *self.providers]

    @property
    def notarized_and_stapled(self) -> bool:
        return self.stapled


# ---- reading the bundle ------------------------------------------------------------------
def _info(bundle: Path) -> tuple[Path, dict]:
    contents = bundle / "Contents" if (bundle / "Contents").is_dir() else bundle
    with (contents / "Info.plist").open("rb") as fh:
        return contents, plistlib.load(fh)


def read_component(bundle: Path) -> Component:
    contents, info = _info(bundle)
    kind = {".app": "app", ".appex": "appex", ".systemextension": "sysex"}[bundle.suffix]
    macos = contents != bundle
    exe = (contents / "MacOS" if macos else contents) / info["CFBundleExecutable"]
    point = None
    if isinstance(info.get("NSExtension"), dict):
        point = info["NSExtension"].get("NSExtensionPointIdentifier")
    elif isinstance(info.get("NetworkExtension"), dict):
        point = next(iter(info["NetworkExtension"].get("NEProviderClasses") or {}), None)
    profile = contents / ("embedded.provisionprofile" if macos else "embedded.mobileprovision")
    return Component(
        path=str(bundle),
        kind=kind,
        bundle_id=info["CFBundleIdentifier"],
        executable=str(exe),
        versions=f"{info.get('CFBundleShortVersionString', '1.0')}/{info.get('CFBundleVersion', '1')}",
        name=str(info.get("CFBundleName") or bundle.stem),
        extension_point=point,
        profile=str(profile) if profile.is_file() else None,
        entitlements=embedded_plist(exe).replace("\n", "").replace("\t", ""),
    )


def _providers(app_dir: Path) -> list[Path]:
    roots = [app_dir / "Contents" / "PlugIns", app_dir / "Contents" / "Library" / "SystemExtensions", app_dir / "PlugIns"]
    return sorted(p for root in roots if root.is_dir() for p in root.iterdir() if p.suffix in (".appex", ".systemextension"))


# ---- the healthy Mac ---------------------------------------------------------------------
def foreign_registrations() -> list[Registration]:
    """Other vendors' apps and providers: a real Mac is never empty."""
    wireguard = "/Applications/WireGuard.app"
    return [
        Registration("/System/Applications/Calculator.app", "com.apple.calculator", "app"),
        Registration(wireguard, "com.wireguard.macos", "app", "1.0.16"),
        Registration(
            f"{wireguard}/Contents/PlugIns/WireGuardNetworkExtension.appex",
            "com.wireguard.macos.network-extension",
            "appex",
            "1.0.16",
            "com.apple.networkextension.packet-tunnel",
            "+",
        ),
    ]


def own_registrations(app: Component, providers: list[Component]) -> list[Registration]:
    regs = [Registration(app.path, app.bundle_id, "app", app.versions.split("/")[0])]
    for p in providers:
        election = "+" if p.kind == "appex" else " "
        regs.append(Registration(p.path, p.bundle_id, p.kind, p.versions.split("/")[0], p.extension_point, election))
    return regs


FOREIGN_SYSEX = out.SysexEntry(
    "W5364U7YZB", "io.tailscale.ipn.macsys.network-extension", "1.98.8", "101.98.8", "Tailscale Network Extension", "activated enabled"
)
FOREIGN_SERVICE = Configuration(
    out.VpnService("9B0E4C1D-2A3F-4B5C-8D6E-7F8091A2B3C4", "com.wireguard.macos", "office-wg", enabled=False),
    "com.wireguard.macos.network-extension",
)


def healthy_mac(app_dir: Path, channel: str, applications_dir: Path) -> MacState:
    """The Mac on which the built app at `app_dir` (distributed through `channel`) works."""
    app = read_component(app_dir)
    providers = [read_component(p) for p in _providers(app_dir)]
    platform = "ios" if channel.startswith("ios-") else "macos"
    authority, runtime, stapled = _SIGNERS[channel]
    state = MacState(
        platform=platform,
        channel=channel,
        applications_dir=str(applications_dir),
        app=app,
        providers=providers,
        authority=authority,
        hardened_runtime=runtime,
        stapled=stapled,
        gatekeeper=_GATEKEEPER.get(channel),
        registrations=foreign_registrations(),
        sysex_rows=[FOREIGN_SYSEX],
        configurations=[FOREIGN_SERVICE],
    )
    if platform == "ios":
        # Examined before it is installed on a device: nothing of it is on this Mac, and this
        # Mac is not one of the devices its development or ad hoc profile lists.
        state.udid = OTHER_MAC_UDID
        return state
    state.registrations += own_registrations(app, providers)
    for p in providers:
        if p.kind == "sysex":
            short, _, bundle = p.versions.partition("/")
            state.sysex_rows.append(out.SysexEntry(TEAM_ID, p.bundle_id, short, bundle, p.name, "activated enabled"))
    vpn = [p for p in providers if p.extension_point in VPN_EXTENSION_POINTS]
    if vpn:
        service = out.VpnService("F866AE22-4EC1-4524-8769-86A290A0C582", app.bundle_id, app.name)
        state.configurations.insert(0, Configuration(service, vpn[0].bundle_id))
    return state


# ---- rendering -----------------------------------------------------------------------------
def _codesign_rules(state: MacState) -> list[Rule]:
    rules: list[Rule] = []
    for c in state.components:
        display = out.codesign_display(
            c.path, c.bundle_id, state.authority, TEAM_ID, runtime=state.hardened_runtime, stapled=state.stapled, executable=c.executable
        )
        rules.append(when(["-d", "-vvv", c.path], Reply(stderr=display)))
        rules.append(when(["-d", "--entitlements", "-", "--xml", c.path], Reply(c.entitlements + "\n", out.entitlements_stderr(c.executable))))
    app = state.app.path
    if state.changed_file is None:
        verify = Reply(stderr=out.codesign_verify_nested(app, [p.path for p in state.providers]))
    else:
        change, path = state.changed_file
        verify = Reply(stderr=out.codesign_verify_changed(app, change, path), exit_code=1)
    rules.append(when(["--verify", "--deep", "--strict", "-vvv", app], verify))
    return rules


def _gatekeeper_rules(state: MacState) -> list[Rule]:
    app = state.app.path
    status = when(["--status"], Reply(out.spctl_status(state.assessments_enabled)))
    if state.gatekeeper is None:  # not a Mac app: spctl refuses it as code to run
        reply = Reply(stderr=f"{app}: rejected (the code is valid but does not seem to be an app)\n", exit_code=3)
        return [when(["-a", "-vvv", "-t", "exec", app], reply), status]
    accepted, source, origin = state.gatekeeper
    if not state.assessments_enabled:
        text = out.spctl_assessment(app, True, source, origin, override="security disabled")
        return [when(["-a", "-vvv", "-t", "exec", app], Reply(stderr=text)), status]
    text = out.spctl_assessment(app, accepted, source, origin)
    return [when(["-a", "-vvv", "-t", "exec", app], Reply(stderr=text, exit_code=0 if accepted else 3)), status]


def _syspolicy_reply(state: MacState) -> Reply:
    if state.notarized_and_stapled and state.changed_file is None:
        return Reply(out.syspolicy_passed())
    return Reply(out.syspolicy_no_ticket(state.app.path), exit_code=70)


def _plugin(r: Registration, n: int) -> out.Plugin:
    return out.Plugin(r.bundle_id, r.version, r.path, sdk=r.extension_point or "", election=r.election, uuid=f"9ABC42A4-E867-4A27-95AF-{n:012X}")


def _pluginkit_rules(state: MacState) -> list[Rule]:
    appexes = [r for r in state.registrations if r.kind == "appex"]
    plugins = {id(r): _plugin(r, n) for n, r in enumerate(appexes)}
    rules = []
    for bid in sorted({p.bundle_id for p in state.providers}):
        matches = [plugins[id(r)] for r in appexes if r.bundle_id == bid]
        rules.append(when(["-m", "-A", "-D", "-vvv", "-i", bid], Reply(out.pluginkit_records(matches))))
    for point in sorted({p.extension_point for p in state.providers if p.extension_point}):
        matches = [plugins[id(r)] for r in appexes if r.extension_point == point]
        rules.append(when(["-m", "-A", "-D", "-vvv", "-p", point], Reply(out.pluginkit_records(matches))))
    return [*rules, Rule(None, Reply("(no matches)\n"))]


def _mdfind_rules(state: MacState) -> list[Rule]:
    rules = []
    for c in state.components:
        paths = [r.path for r in state.registrations if r.bundle_id == c.bundle_id]
        rules.append(when([f'kMDItemCFBundleIdentifier == "{c.bundle_id}"'], Reply(out.mdfind_paths(paths))))
    return [*rules, Rule(None, Reply(""))]


def _lsregister_reply(state: MacState) -> Reply:
    listed = [out.Registration(r.path, r.bundle_id) for r in state.registrations if r.kind in ("app", "appex")]
    return Reply(out.lsregister_dump(listed))


def _quarantine_reply(state: MacState) -> Reply:
    if state.quarantine is None:
        return Reply(stderr=out.xattr_absent(state.app.path), exit_code=NO_SUCH_QUARANTINE)
    return Reply(state.quarantine + "\n")


def _scutil_rules(state: MacState) -> list[Rule]:
    rules = [when(["--nc", "list"], Reply(out.scutil_nc_list([c.service for c in state.configurations])))]
    for c in state.configurations:
        rules.append(when(["--nc", "show", c.service.service_id], Reply(out.scutil_nc_show(c.service, c.provider_id))))
    return rules


def scenario(state: MacState) -> Scenario:
    """Every probed tool's replies, consistent with `state`."""
    profiles = [c.profile for c in state.components if c.profile]
    tools: dict[str, list[Rule]] = {
        "sw_vers": always(Reply(out.sw_vers(state.os_version, state.os_build))),
        "uname": [when(["-m"], Reply("arm64\n"))],
        "csrutil": [when(["status"], Reply(out.csrutil_status(state.sip)))],
        "system_profiler": [when(["SPHardwareDataType"], Reply(out.hardware_overview(state.udid, state.chip)))],
        "systemextensionsctl": [when(["list"], Reply(out.sysex_list(state.sysex_rows)))],
        "pluginkit": _pluginkit_rules(state),
        "mdfind": _mdfind_rules(state),
        LSREGISTER: [when(["-dump"], _lsregister_reply(state))],
        "xattr": [when(["-p", "com.apple.quarantine", state.app.path], _quarantine_reply(state))],
        "codesign": _codesign_rules(state),
        "security": [when(["cms", "-D", "-i", p], Reply(embedded_plist(Path(p)))) for p in profiles],
        "spctl": _gatekeeper_rules(state),
        "syspolicy_check": [when(["distribution", state.app.path], _syspolicy_reply(state))],
        "scutil": _scutil_rules(state),
        "log": always(Reply(out.log_show(state.log_lines))),
    }
    return Scenario(tools, applications_dir=state.applications_dir)
