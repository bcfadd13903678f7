"""The seed thread's Mac (developer.apple.com/forums/thread/805996), as a fake-Mac scenario.

An Apple silicon Mac, SIP enabled, with a development-signed macOS app and its packet-tunnel
appex in /Applications, and an old TestFlight iOS build of the same app (same app and
provider bundle ids) installed under `/Applications/<Name>.app/Wrapper/`. pluginkit shows the
provider id twice; the Mac's Provisioning UDID is in both embedded profiles (so the profiles
are not the problem); the NE log shows the signature check failure.

    seed = seed_mac(tmp_path)          # bundles on disk + scenario
    mac = FakeMac(tmp_path / "tools", seed.scenario)
    mac.activate(monkeypatch)
    # advisor diagnose --app <seed.app> --probe yes ...

`broken(kind)` gives the rules of a misbehaving tool: "hang", "nonzero", "garbage",
"megabytes" (use Scenario.without_tool for a missing one).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.fake_mac import outputs as out
from tests.fake_mac.bundles import PACKET_TUNNEL
from tests.fake_mac.toolbox import HANG_SECONDS, Reply, Rule, Scenario, always, when
from tests.fixtures.bundle_builder import DEFAULT_TEAM, NETWORK_CLIENT, SANDBOX, AppSpec, ProfileSpec, ProviderSpec, build_app

APP_ID = "com.example.tunnelbox"
PROVIDER_ID = "com.example.tunnelbox.tunnel"
TEAM_ID = DEFAULT_TEAM
UDID = "00008132-000A103C02F8801C"
OTHER_UDID = "00008103-001A2B3C4D5E6F70"
DEVELOPER = "Apple Development: Jane Doe (PQ7R8S9T0U)"  # the bundle builder's development certificate
SERVICE_ID = "F866AE22-4EC1-4524-8769-86A290A0C582"
SIGNATURE_CHECK_FAILED = "Signature check failed: code failed to satisfy specified code requirement(s)"


@dataclass
class SeedMac:
    root: Path
    applications: Path
    app: Path
    provider: Path
    ios_app: Path
    ios_provider: Path
    scenario: Scenario


def embedded_plist(path: Path) -> str:
    """The XML plist inside a file, as `security cms -D` (profiles) or `codesign -d
    --entitlements - --xml` (executables) would print it."""
    raw = path.read_bytes()
    start = raw.index(b"<?xml")
    return raw[start : raw.index(b"</plist>", start) + len(b"</plist>")].decode() + "\n"


def seed_mac(root: Path) -> SeedMac:
    """Real-format bundles (signed Mach-O, CMS profiles: tests/fixtures/bundle_builder) plus
    the replies of every probed tool, consistent with them."""
    applications = root / "Applications"
    profile = ProfileSpec(devices=[OTHER_UDID, UDID])
    native = build_app(
        applications,
        # "App is not sandboxed, NE is sandboxed."
        app=AppSpec(name="Tunnelbox", bundle_id=APP_ID, profile=profile, entitlements_update={SANDBOX: None, NETWORK_CLIENT: None}),
        providers=[ProviderSpec(kind="appex", bundle_id=PROVIDER_ID, name="TunnelboxTunnel", profile=profile)],
        signing="apple-development",
    )
    ios = build_app(  # the old TestFlight build of the iOS app, same ids, installed as an iOS app on Mac
        applications / "Tunnelbox iOS.app" / "Wrapper",
        platform="ios",
        app=AppSpec(name="Tunnelbox", bundle_id=APP_ID),
        providers=[ProviderSpec(kind="appex", bundle_id=PROVIDER_ID, name="TunnelboxTunnel")],
        signing="apple-distribution",
    )
    app_dir, provider_dir = native.app_dir, native.providers[0]
    app, provider = str(app_dir), str(provider_dir)
    ios_app, ios_provider = str(ios.app_dir), str(ios.providers[0])
    app_exe = app_dir / "Contents" / "MacOS" / "Tunnelbox"
    provider_exe = provider_dir / "Contents" / "MacOS" / "TunnelboxTunnel"
    app_profile = app_dir / "Contents" / "embedded.provisionprofile"
    provider_profile = provider_dir / "Contents" / "embedded.provisionprofile"
    wireguard = "/Applications/WireGuard.app/Contents/PlugIns/WireGuardNetworkExtension.appex"
    service = out.VpnService(SERVICE_ID, APP_ID, "Tunnelbox")
    plugins = [
        out.Plugin(PROVIDER_ID, "1.0", provider, election="+"),
        out.Plugin(PROVIDER_ID, "1.0", ios_provider, uuid="1C7E5B2A-3D4F-4A6B-8C9D-0E1F2A3B4C5D"),
    ]
    tools: dict[str, list[Rule]] = {
        "sw_vers": always(Reply(out.sw_vers("15.5", "24F74"))),
        "uname": [when(["-m"], Reply("arm64\n"))],
        "csrutil": [when(["status"], Reply(out.csrutil_status("enabled")))],
        "system_profiler": [when(["SPHardwareDataType"], Reply(out.hardware_overview(UDID)))],
        "systemextensionsctl": [
            when(
                ["list"],
                Reply(out.sysex_list([out.SysexEntry("W5364U7YZB", "io.tailscale.ipn.macsys.network-extension", "1.98.8", "101.98.8", "Tailscale Network Extension", "activated enabled")])),
            )
        ],
        "pluginkit": [
            when(["-m", "-A", "-D", "-vvv", "-i", PROVIDER_ID], Reply(out.pluginkit_records(plugins))),
            when(
                ["-m", "-A", "-D", "-vvv", "-p", PACKET_TUNNEL],
                Reply(out.pluginkit_records([*plugins, out.Plugin("com.wireguard.macos.network-extension", "1.0.16", wireguard)])),
            ),
            Rule(None, Reply("(no matches)\n")),
        ],
        "mdfind": [
            when([f'kMDItemCFBundleIdentifier == "{APP_ID}"'], Reply(out.mdfind_paths([app, ios_app]))),
            when([f'kMDItemCFBundleIdentifier == "{PROVIDER_ID}"'], Reply(out.mdfind_paths([provider, ios_provider]))),
            Rule(None, Reply("")),
        ],
        "lsregister": [
            when(
                ["-dump"],
                Reply(
                    out.lsregister_dump(
                        [
                            out.Registration("/System/Applications/Calculator.app", "com.apple.calculator"),
                            out.Registration(app, APP_ID),
                            out.Registration(provider, PROVIDER_ID),
                            out.Registration(ios_app, APP_ID),
                            out.Registration(ios_provider, PROVIDER_ID),
                            out.Registration("/Applications/WireGuard.app", "com.wireguard.macos"),
                        ]
                    )
                ),
            )
        ],
        "xattr": [when(["-p", "com.apple.quarantine", app], Reply(stderr=out.xattr_absent(app), exit_code=1))],
        "codesign": [
            when(["-d", "-vvv", app], Reply(stderr=out.codesign_display(app, APP_ID, DEVELOPER, TEAM_ID, runtime=False, executable=str(app_exe)))),
            when(["-d", "-vvv", provider], Reply(stderr=out.codesign_display(provider, PROVIDER_ID, DEVELOPER, TEAM_ID, runtime=False, executable=str(provider_exe)))),
            when(["-d", "--entitlements", "-", "--xml", app], Reply(embedded_plist(app_exe), out.entitlements_stderr(str(app_exe)))),
            when(["-d", "--entitlements", "-", "--xml", provider], Reply(embedded_plist(provider_exe), out.entitlements_stderr(str(provider_exe)))),
            when(["--verify", "--deep", "--strict", "-vvv", app], Reply(stderr=out.codesign_verify_ok(app))),
        ],
        "security": [
            when(["cms", "-D", "-i", str(app_profile)], Reply(embedded_plist(app_profile))),
            when(["cms", "-D", "-i", str(provider_profile)], Reply(embedded_plist(provider_profile))),
        ],
        "spctl": [
            when(["-a", "-vvv", "-t", "exec", app], Reply(stderr=out.spctl_assessment(app, False, None, DEVELOPER), exit_code=3)),
            when(["--status"], Reply(out.spctl_status(True))),
        ],
        "syspolicy_check": [when(["distribution", app], Reply(out.syspolicy_no_ticket(app), exit_code=1))],
        "scutil": [
            when(["--nc", "list"], Reply(out.scutil_nc_list([service]))),
            when(["--nc", "show", SERVICE_ID], Reply(out.scutil_nc_show(service, PROVIDER_ID))),
        ],
        "log": always(
            Reply(
                out.log_show(
                    [
                        "2025-11-04 10:12:01.123 Df nesessionmanager[412:1a2b] [com.apple.networkextension:] NESMVPNSession[Primary Tunnel:Tunnelbox:6A1C…:(null)]: status changed to connecting",
                        f"2025-11-04 10:12:01.456 E  TunnelboxTunnel[9876:2c3d] [com.apple.networkextension:] {SIGNATURE_CHECK_FAILED}",
                        "2025-11-04 10:12:01.457 Df TunnelboxTunnel[9876:2c3d] [com.apple.networkextension:] Provider is not signed with a Developer ID certificate",
                        "2025-11-04 10:12:01.789 Df nesessionmanager[412:1a2b] [com.apple.networkextension:] NESMVPNSession[Primary Tunnel:Tunnelbox:6A1C…:(null)]: status changed to disconnected, last stop reason Plugin failed",
                    ]
                )
            )
        ),
    }
    return SeedMac(
        root=root,
        applications=applications,
        app=app_dir,
        provider=provider_dir,
        ios_app=ios.app_dir,
        ios_provider=ios.providers[0],
        scenario=Scenario(tools, applications_dir=str(applications)),
    )


def broken(kind: str, tool: str = "tool") -> list[Rule]:
    """Rules for a misbehaving tool: hang | hang-with-child | nonzero | garbage | megabytes."""
    replies = {
        "hang": Reply("partial output before hanging\n", hang_seconds=HANG_SECONDS),
        "hang-with-child": Reply(hang_seconds=HANG_SECONDS, spawn_child=True),
        "nonzero": Reply(stderr=f"{tool}: internal error: operation not permitted\n", exit_code=1),
        "garbage": Reply(garbage_bytes=256 * 1024),
        "megabytes": Reply(stdout_megabytes=12),
    }
    return always(replies[kind])
