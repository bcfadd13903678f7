"""Rich, correct bundles (tests/matrix/rich_bundles: shaped like shipping apps, not like our own
builder's defaults) on a healthy fake Mac: advisor confirms nothing and finds no error, through
`advisor inspect` and `advisor diagnose --app APP --probe yes`; and one fault injected into a
rich bundle is still found and named despite everything around it.

Every bundle is built once per module; every run is the real CLI in this process (fake macOS
tools first on PATH for the probe runs, as tests/matrix/mac_cases does)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fake_mac.mac_faults import QUARANTINE
from tests.fake_mac.mac_state import Configuration, MacState, healthy_mac, scenario
from tests.fake_mac.outputs import SysexEntry, VpnService, sysex_list
from tests.fake_mac.toolbox import FakeMac, Reply, when
from tests.matrix.rich_bundles import ES_ID, FAULTS, RICH_CHANNELS, THIS_MAC_UDID, VARIANTS, build

DESCRIPTION = "The VPN does not work."  # generic: the bundle and the Mac must speak for themselves


# ---- running advisor ------------------------------------------------------------------------
@contextlib.contextmanager
def _on(mac: FakeMac | None) -> Iterator[None]:
    values = {
        "PATH": mac.path if mac else "",
        "ADVISOR_APPLICATIONS_DIR": mac.scenario.applications_dir if mac else None,
        "ADVISOR_LSREGISTER": None,
    }
    saved = {k: os.environ.get(k) for k in values}
    try:
        for k, v in values.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        yield
    finally:
        for k, old in saved.items():
            if old is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = old


def _advisor(*argv: str) -> tuple[int, str, str]:
    from advisor.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = main(list(argv))
    return status, out.getvalue(), err.getvalue()


def inspect(app: Path, udid: str | None = THIS_MAC_UDID) -> dict[str, Any]:
    with _on(None):
        status, out, err = _advisor("inspect", str(app), "--format", "json", *(["--udid", udid] if udid else []))
    assert status in (0, 1), err
    result: dict[str, Any] = json.loads(out)
    return result


def diagnose_on(mac: FakeMac, app: Path, report: Path) -> dict[str, Any]:
    with _on(mac):
        status, _, err = _advisor(
            "diagnose", "--app", str(app), "--probe", "yes", "--describe", DESCRIPTION, "--format", "json", "--output", str(report)
        )
    assert status in (0, 1) and report.is_file(), err
    result: dict[str, Any] = json.loads(report.read_text())
    return result


def errors(findings: list[dict[str, Any]]) -> list[str]:
    return [f"{f['rule']} @ {f['path']}" for f in findings if f["severity"] == "error"]


def confirmed(result: dict[str, Any]) -> list[str]:
    return [d["id"] for d in result["diagnoses"] if d["status"] == "confirmed"]


def summary(result: dict[str, Any]) -> str:
    ranked = ", ".join(f"{d['id']} ({d['status']} {d['score']:.2f})" for d in result["diagnoses"][:4]) or "no diagnosis"
    findings = [f"{f['severity']} {f['rule']} @ {f['path']}" for f in (result.get("bundle") or {}).get("findings", [])]
    return f"{ranked}; findings: {findings}"


# ---- the bundles, built once ------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    root = tmp_path_factory.mktemp("rich")
    cache: dict[tuple[str, tuple[str, ...], tuple[str, ...]], Path] = {}

    def get(channel: str, faults: tuple[str, ...] = (), variants: tuple[str, ...] = ()) -> Path:
        key = (channel, faults, variants)
        if key not in cache:
            cache[key] = build(root / "built" / "-".join((channel, *faults, *variants)), channel, faults, variants)
        return cache[key]

    return get


ES_CATEGORY = "com.apple.system_extension.endpoint_security"


def _sysex_list(state: MacState) -> str:
    """`systemextensionsctl list` with each category in its own section, as the tool prints it
    (the Endpoint Security extension of a security suite under its own heading)."""
    es = [r for r in state.sysex_rows if r.bundle_id == ES_ID]
    ne = [r for r in state.sysex_rows if r.bundle_id != ES_ID]
    text = sysex_list(ne)
    if not es:
        return text
    _count, *rest = text.splitlines(keepends=True)
    es_text = sysex_list(es, ES_CATEGORY).splitlines(keepends=True)[1:]
    return f"{len(ne) + len(es)} extension(s)\n" + "".join(rest) + "".join(es_text)


def mac_for(
    workdir: Path, app: Path, channel: str, change: Callable[[MacState], None] | None = None, folder: str = "Applications"
) -> tuple[FakeMac, Path]:
    """A copy of `app` in `folder` of this Mac (default its Applications folder), and the healthy
    Mac it works on."""
    shutil.rmtree(workdir, ignore_errors=True)
    applications = workdir / "Applications"
    applications.mkdir(parents=True)
    (workdir / folder).mkdir(parents=True, exist_ok=True)
    copy = Path(shutil.copytree(app, workdir / folder / app.name, symlinks=True))
    state = healthy_mac(copy, channel, applications)
    if change:
        change(state)
    rendered = scenario(state).with_tool("systemextensionsctl", [when(["list"], Reply(_sysex_list(state)))])
    return FakeMac(workdir / "mac", rendered), copy


# ---- healthy ------------------------------------------------------------------------------------
@pytest.mark.parametrize("channel", RICH_CHANNELS)
def test_rich_bundle_inspects_clean(channel: str, built: Callable[..., Path]) -> None:
    result = inspect(built(channel))
    assert not errors(result["findings"]), result["findings"]
    assert not [f for f in result["findings"] if f["severity"] == "warning"], result["findings"]
    providers = [p for p in result["providers"] if p["network_extension"]]
    assert len(providers) == 1 and len(result["providers"]) >= 4  # the NE provider among the others


def _quarantined(state: MacState) -> None:
    state.quarantine = QUARANTINE  # downloaded with Safari; notarised, so Gatekeeper lets it run


def _sip_disabled(state: MacState) -> None:
    state.sip = "disabled"


def _own_sysex_rows(state: MacState) -> list[SysexEntry]:
    own = {p.bundle_id for p in state.providers if p.kind == "sysex"}
    return [r for r in state.sysex_rows if r.bundle_id in own]


def _upgraded(state: MacState) -> None:
    """Updated in place: the old extension waits to be removed at the next reboot (harmless after
    an upgrade, ne-knowledge.md 4.4), and sysextd logged the normal replacement steps (11.1 #11-16)."""
    for row in _own_sysex_rows(state):
        old = SysexEntry(
            row.team_id, row.bundle_id, "3.4.1", "3401", row.name, "terminated waiting to uninstall on reboot", enabled=False, active=False
        )
        state.sysex_rows.insert(state.sysex_rows.index(row), old)
        state.log_lines += [
            f'2025-11-04 10:11:58.101 Df sysextd[301:1f2e] [com.apple.sx:XPC] activateDecision found entry to replace: {row.bundle_id}, BundleVersion(CFBundleShortVersionString: "3.4.1", CFBundleVersion: "3401")',
            "2025-11-04 10:11:58.102 Df sysextd[301:1f2e] [com.apple.sx:XPC] initial activation decision: requestAppReplaceAction(<sysextd.Extension: 0x7f9b1c804f40>)",
            "2025-11-04 10:11:58.103 Df sysextd[301:1f2e] [com.apple.sx:XPC] notifying client of activation conflict",
            f"2025-11-04 10:11:59.410 Df sysextd[301:1f2e] [com.apple.sx:XPC] Extension point confirmed that extension {row.bundle_id} is runnable.",
            f"2025-11-04 10:11:59.412 Df sysextd[301:1f2e] [com.apple.sx:XPC] changing state of extension {row.bundle_id} to activated_enabled.",
        ]


def _everyday_log(state: MacState) -> None:
    """What a working Mac logs around a working provider: normal steps and known noise
    (ne-knowledge.md 11: verdicts normal / noise)."""
    provider = next(p.bundle_id for p in state.providers if (p.extension_point or "").startswith("com.apple.networkextension"))
    state.log_lines += [
        "2025-11-04 10:12:00.001 E  syspolicyd[412:2b3c] [com.apple.syspolicy:default] Error checking with notarization daemon: 3",
        "2025-11-04 10:12:00.210 Df nesessionmanager[412:1a2b] [com.apple.networkextension:] Starting system extension",
        f"2025-11-04 10:12:00.214 Df nesessionmanager[412:1a2b] [com.apple.networkextension:] Adding event subscription for provider {provider} with extension point com.apple.networkextension.app-proxy",
        "2025-11-04 10:12:00.300 Df taskgated-helper[590:3c4d] [com.apple.ManagedClient:ProvisioningProfiles] Checking profile: ExampleVPN developer-id",
        f"2025-11-04 10:12:00.301 Df taskgated-helper[590:3c4d] [com.apple.ManagedClient:ProvisioningProfiles] allowing entitlement(s) for {provider} due to provisioning profile (isUPP: 1)",
        f"2025-11-04 10:12:00.512 Df neagent[733:4d5e] [com.apple.networkextension:] Extension request with data extension {provider} started with identifier 4F1D2C3B-5A69-4788-9A0B-C1D2E3F40516",
        "2025-11-04 10:12:00.620 Df ExampleVPN[880:5e6f] [com.apple.networkextension:] creating principle object: PacketTunnelProvider",
        "2025-11-04 10:12:00.621 Df ExampleVPN[880:5e6f] [com.apple.networkextension:] AppSandbox request successful",
        "2025-11-04 10:12:00.700 Df nehelper[208:6f70] [com.apple.networkextension:] Configuration for provider com.apple.NetworkExtension.NetworkServiceProxy does not exist (0C1D2E3F-4051-6273-8495-A6B7C8D9E0F1) or is not enabled (0)",
        "2025-11-04 10:12:00.800 E  PacketTunnel[881:7081] [com.apple.networkextension:] NEVirtualInterfaceAdjustReadBufferSize: interface_get_mtu failed (6), defaulting to max mtu",
        "2025-11-04 10:14:30.000 Df nesessionmanager[412:1a2b] [com.apple.networkextension:] NESMVPNSession[Primary Tunnel:ExampleVPN:6A1C:(null)]: status changed to disconnected, last stop reason Stop command received",
    ]
    if state.channel == "macos-development":
        state.log_lines.append(
            "2025-11-04 10:12:00.622 Df PacketTunnel[881:7081] [com.apple.networkextension:] Provider is not signed with a Developer ID certificate"
        )


def _security_extension_off(state: MacState) -> None:
    """The suite's Endpoint Security extension is an optional feature the user has not turned on:
    it was never activated (only the Network Extension one was)."""
    state.sysex_rows = [r for r in state.sysex_rows if r.bundle_id != ES_ID]


MAC_STATES: dict[str, Callable[[MacState], None] | None] = {
    "security-extension-off": _security_extension_off,
    "healthy": None,
    "quarantined": _quarantined,
    "sip-disabled": _sip_disabled,
    "upgraded": _upgraded,
    "everyday-log": _everyday_log,
}


def _second_configuration(state: MacState) -> None:
    """The app saved two VPN configurations (two servers); the other one is not the selected one."""
    mine = next(c for c in state.configurations if c.service.owner == state.app.bundle_id)
    other = VpnService("5D2F7A10-8E3B-4C6D-9F01-23456789ABCD", mine.service.owner, f"{mine.service.name} (Work)", enabled=False)
    state.configurations.insert(1, Configuration(other, mine.provider_id))


MAC_STATES["second-configuration"] = _second_configuration
# Where a correct app may run from (relative to the Mac's root): Xcode's build folder is fine for
# an app extension (development builds run from Xcode), an Applications subfolder for anything.
FOLDERS = {
    "derived-data": "Users/jane/Library/Developer/Xcode/DerivedData/ExampleVPN-abc/Build/Products/Debug",
    "suite-folder": "Applications/Example Suite",
}

PROBE_CASES: list[tuple[str, str, tuple[str, ...]]] = [(c, "healthy", ()) for c in RICH_CHANNELS] + [
    ("macos-developer-id", "quarantined", ()),
    ("macos-developer-id", "sip-disabled", ()),
    ("macos-development", "sip-disabled", ()),
    ("macos-developer-id", "upgraded", ()),
    ("macos-developer-id", "security-extension-off", ()),
    ("macos-development", "security-extension-off", ()),
    ("macos-testflight", "upgraded", ()),
    ("macos-developer-id", "everyday-log", ()),
    ("macos-development", "everyday-log", ()),
    ("macos-app-store", "everyday-log", ()),
    ("macos-app-store", "second-configuration", ()),
    ("macos-developer-id", "healthy", ("ios-style-groups",)),
    ("macos-testflight", "healthy", ("ios-style-groups",)),
    ("macos-developer-id", "healthy", ("unprefixed-sysex-id",)),
    ("macos-developer-id", "healthy", ("tunnel-sysex",)),
    ("macos-app-store", "healthy", ("tunnel-sysex",)),
    ("macos-development", "healthy", ("dev-appex",)),
    ("macos-development", "derived-data", ("dev-appex",)),
    ("macos-development", "second-configuration", ("dev-appex",)),
    ("macos-developer-id", "suite-folder", ()),
    ("ios-app-store", "healthy", ("parental-filter",)),
    ("ios-development", "healthy", ("parental-filter",)),
    ("ios-app-store", "healthy", ("legacy-app-id-prefix",)),
    ("ios-ad-hoc", "healthy", ("legacy-app-id-prefix",)),
]


@pytest.mark.parametrize(("channel", "state", "variants"), PROBE_CASES, ids=["-".join((c, s, *v)) for c, s, v in PROBE_CASES])
def test_rich_bundle_on_a_healthy_mac_confirms_nothing(
    channel: str, state: str, variants: tuple[str, ...], built: Callable[..., Path], tmp_path: Path
) -> None:
    app_dir = built(channel, (), variants)
    if state == "healthy":  # the bundle alone first
        inspected = inspect(app_dir)
        assert not [f for f in inspected["findings"] if f["severity"] in ("error", "warning")], inspected["findings"]
    mac, app = mac_for(tmp_path / "case", app_dir, channel, MAC_STATES.get(state), FOLDERS.get(state, "Applications"))
    result = diagnose_on(mac, app, tmp_path / "report.json")
    assert not confirmed(result), summary(result)
    assert not errors(result["bundle"]["findings"]), summary(result)
    likely = [d["id"] for d in result["diagnoses"] if d["status"] == "likely"]
    assert not likely, summary(result)
    if (channel.startswith("macos-") and "sysex_state" in result["facts"]) or state == "security-extension-off":
        assert result["facts"]["sysex_state"]["value"] == "activated-enabled", result["facts"].get("sysex_state")
    tools = {c.tool for c in mac.calls()}
    if channel.startswith("macos-"):  # the Mac was really asked
        assert {"systemextensionsctl", "pluginkit", "spctl", "csrutil", "codesign"} <= tools, tools


# ---- one fault in a rich bundle ---------------------------------------------------------------
FAULT_CASES = [
    ("macos-developer-id", "sysex-plain-ne-values"),
    ("macos-app-store", "store-appex-no-ne-entitlement"),
    ("macos-developer-id", "developer-id-ne-appex"),
    ("macos-developer-id", "sysex-file-name"),
    ("macos-development", "sysex-file-name"),
    ("ios-app-store", "ios-tunnel-class-missing"),
    ("ios-development", "ios-tunnel-class-missing"),
]


def test_every_rich_variant_runs() -> None:
    assert {v for _, _, variants in PROBE_CASES for v in variants} == set(VARIANTS)


@pytest.mark.parametrize(("channel", "fault"), FAULT_CASES, ids=[f"{f}-{c}" for c, f in FAULT_CASES])
def test_a_fault_in_a_rich_bundle_is_named(channel: str, fault: str, built: Callable[..., Path], tmp_path: Path) -> None:
    expected = FAULTS[fault]
    app = built(channel, (fault,))
    result = inspect(app)
    assert {f["id"] for f in result["findings"] if f["severity"] == "error"} == {expected}, result["findings"]
    mac, copy = mac_for(tmp_path / "case", app, channel)
    diagnosed = diagnose_on(mac, copy, tmp_path / "report.json")
    assert diagnosed["diagnoses"][0]["id"] == expected, summary(diagnosed)
    assert confirmed(diagnosed) == [expected], summary(diagnosed)


def test_every_rich_fault_runs() -> None:
    assert {f for _, f in FAULT_CASES} == set(FAULTS)


def test_a_keyless_system_extension_beside_the_ne_one_is_not_probed_as_a_provider(tmp_path: Path) -> None:
    """An Endpoint Security (or camera...) system extension next to the NE one is another category:
    probes follow the NE one only. Alone, a keyless one is still the provider (its Info.plist may
    be the fault: sysex-unknown-category)."""
    from advisor.probes.discovery import providers_of, read_bundle
    from tests.fake_mac.bundles import ProviderPlist, make_plist_app

    ne = ProviderPlist("com.example.vpn.network-extension", "com.example.vpn.network-extension", kind="sysex")
    es = ProviderPlist("com.example.vpn.security-extension", "com.example.vpn.security-extension", kind="sysex")
    made = make_plist_app(tmp_path / "Suite.app", "com.example.vpn", [ne, es])
    info = (made[es.bundle_id] / "Contents" / "Info.plist").read_bytes()
    import plistlib

    plist = plistlib.loads(info)
    del plist["NetworkExtension"]
    (made[es.bundle_id] / "Contents" / "Info.plist").write_bytes(plistlib.dumps(plist))
    app = read_bundle(made["app"])
    assert app is not None
    assert [p.bundle_id for p in providers_of(app)] == [ne.bundle_id]
    shutil.rmtree(made[ne.bundle_id])
    assert [p.bundle_id for p in providers_of(app)] == [es.bundle_id]
