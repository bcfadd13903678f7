"""sw_vers, uname -m, csrutil status, system_profiler, systemextensionsctl list.

Samples: ne-knowledge.md 4.5, 5.4, 12.1, and public posts quoted there (LuLu, Tailscale,
Surfshark, F5, Karabiner, tinygrad outputs of `systemextensionsctl list`).
"""

from __future__ import annotations

import pytest

from advisor.knowledge.model import KnowledgeBase
from advisor.probes import ProbeContext
from advisor.probes.parsers.sysex import parse_sysex_list, read_sysex_listing
from advisor.probes.parsers.system import (
    parse_csrutil_status,
    parse_hardware_overview,
    parse_sw_vers,
    parse_uname_arch,
    read_hardware_overview,
)
from tests.probes.vocabulary import check_vocabulary

SW_VERS = "ProductName:\t\tmacOS\nProductVersion:\t\t15.5\nBuildVersion:\t\t24F74\n"
APPLE_SILICON = """Hardware:

    Hardware Overview:

      Model Name: MacBook Pro
      Model Identifier: Mac15,6
      Chip: Apple M3 Pro
      Total Number of Cores: 11 (5 performance and 6 efficiency)
      Memory: 18 GB
      System Firmware Version: 11881.41.5
      OS Loader Version: 11881.41.5
      Serial Number (system): XXXXXXXXXX
      Hardware UUID: 6F1A2B3C-4D5E-6F70-8192-A3B4C5D6E7F8
      Provisioning UDID: 00008132-000A103C02F8801C
      Activation Lock Status: Disabled
"""
INTEL = """Hardware:

    Hardware Overview:

      Model Name: MacBook Pro
      Processor Name: Dual-Core Intel Core i7
      Processor Speed: 3,5 GHz
      Number of Processors: 1
      Total Number of Cores: 2
      Hardware UUID: B6B7D385-F0F0-53DC-80C7-3F89BF001BE6
      Provisioning UDID: B6B7D385-F0F0-53DC-80C7-3F89BF001BE6
"""
OLD_MACOS = """Hardware:

    Hardware Overview:

      Model Name: iMac
      Processor Name: Quad-Core Intel Core i5
      Hardware UUID: 4203018E-580F-C1B5-9525-B745CECA79EB
"""
CUSTOM_SIP = """System Integrity Protection status: unknown (Custom Configuration).

Configuration:
\tApple Internal: disabled
\tKext Signing: disabled
\tFilesystem Protections: enabled
This is an unsupported configuration, likely to break in the future and leave your machine in an unknown state.
"""

SYSEX_FOUR = (
    "4 extension(s)\n"
    "--- com.apple.system_extension.network_extension (Go to 'System Settings > General > Login Items & Extensions > Network Extensions' to modify these system extension(s))\n"
    "enabled\tactive\tteamID\tbundleID (version)\tname\t[state]\n"
    "*\t*\tW5364U7YZB\tio.tailscale.ipn.macsys.network-extension (1.98.8/101.98.8)\tTailscale Network Extension\t[activated enabled]\n"
    "\t\tYHUG37CKN8\tcom.surfshark.vpnclient.macos.direct.TransparentProxy (4.29.0/4541)\tSurfshark. TransparentProxy\t[terminated waiting to uninstall on reboot]\n"
    "\t*\t57P38MF5GS\tcom.f5.access.macos.PacketTunnel (7260.0.0.1/7260.0.0.1)\tPacketTunnel\t[activated waiting for user]\n"
    "--- com.apple.system_extension.cmio (Go to 'System Settings')\n"
    "enabled\tactive\tteamID\tbundleID (version)\tname\t[state]\n"
    "*\t*\t__________\tcom.sony.ImagingEdgeWebcam.CameraExt (1.2.0.02210/1)\tCameraExt\t[activated enabled]\n"
)
LULU = (
    "2 extension(s)\n"
    "--- com.apple.system_extension.network_extension\n"
    "enabled\tactive\tteamID\tbundleID (version)\tname\t[state]\n"
    "\t\tVBG97UB4TA\tcom.objective-see.lulu.extension (2.4.0/2.4.0)\tExtension\t[terminated waiting to uninstall on reboot]\n"
    "*\t*\tVBG97UB4TA\tcom.objective-see.lulu.extension (2.4.2/2.4.2)\tExtension\t[activated enabled]\n"
)
KARABINER_NO_TAB = (
    "1 extension(s)\n"
    "--- com.apple.system_extension.driver_extension\n"
    "enabled active  teamID  bundleID (version)      name    [state]\n"
    "*       *       G43BCU2T37      org.pqrs.driverkit.KarabinerDriverKitVirtualHIDKeyboard (0.2.13/0.2.13) org.pqrs.driverkit.KarabinerDriverKitVirtualHIDKeyboard[activated enabled]\n"
)
SPACES = (
    "4 extension(s)\n"
    "--- com.apple.system_extension.driver_extension (Go to 'System Settings > General > Login Items & Extensions > Driver Extensions' to modify these system extension(s))\n"
    "enabled active teamID bundleID (version) name [state]\n"
    "* * - org.tinygrad.arkey.tinygpu.driver2 (1.0.0/10) org.tinygrad.arkey.tinygpu.driver2 [activated enabled]\n"
    "  * 9YG3G8543N org.tinygrad.tinygpu.driver2 (1.0.0/3) org.tinygrad.tinygpu.driver2 [activated disabled]\n"
)


def _facts(observations: list) -> dict[str, str]:
    return {o.fact: o.value for o in observations}


def test_sw_vers_compares_with_provider_minimums(kb: KnowledgeBase) -> None:
    ok = ProbeContext(minimum_system_versions={"com.example.tunnel": "13.0", "com.example.proxy": "15.5.0"})
    high = ProbeContext(minimum_system_versions={"com.example.tunnel": "15.6"})
    assert _facts(parse_sw_vers(SW_VERS, "", 0, ok)) == {"deployment_target_ok": "yes"}
    found = parse_sw_vers(SW_VERS, "", 0, high)
    assert _facts(found) == {"deployment_target_ok": "no"}
    assert "15.5" in found[0].detail and "com.example.tunnel needs 15.6" in found[0].detail
    check_vocabulary(kb, found)
    assert parse_sw_vers(SW_VERS, "", 0, None) == []  # nothing to compare with


def test_uname_settles_only_apple_silicon() -> None:
    assert _facts(parse_uname_arch("arm64\n", "", 0, None)) == {"arch": "arm64"}
    assert parse_uname_arch("x86_64\n", "", 0, None) == []  # could be Rosetta
    assert parse_uname_arch("Linux\n", "", 0, None) == []


@pytest.mark.parametrize(
    ("stdout", "expected"),
    [
        ("System Integrity Protection status: enabled.\n", {"sip": "enabled"}),
        ("System Integrity Protection status: disabled.\n", {"sip": "disabled"}),
        (CUSTOM_SIP, {}),
        ("System Integrity Protection status: enabled (Custom Configuration).\n", {}),
        ("csrutil: command not found\n", {}),
    ],
)
def test_csrutil(stdout: str, expected: dict) -> None:
    assert _facts(parse_csrutil_status(stdout, "", 0, None)) == expected


def test_hardware_overview_reads_udid_and_arch() -> None:
    silicon = read_hardware_overview(APPLE_SILICON)
    assert silicon is not None and silicon.provisioning_udid == "00008132-000A103C02F8801C"
    assert _facts(parse_hardware_overview(APPLE_SILICON, "", 0, None)) == {"arch": "arm64"}
    intel = read_hardware_overview(INTEL)
    assert intel is not None and intel.provisioning_udid == "B6B7D385-F0F0-53DC-80C7-3F89BF001BE6"
    assert _facts(parse_hardware_overview(INTEL, "", 0, None)) == {"arch": "x86_64"}
    old = read_hardware_overview(OLD_MACOS)  # no Provisioning UDID line: the Hardware UUID counts
    assert old is not None and old.provisioning_udid == "4203018E-580F-C1B5-9525-B745CECA79EB"


def test_sysex_rows_in_every_layout() -> None:
    four = read_sysex_listing(SYSEX_FOUR)
    assert four is not None and four.count == 4
    assert [(r.bundle_id, r.state, r.enabled, r.active) for r in four.rows] == [
        ("io.tailscale.ipn.macsys.network-extension", "activated-enabled", True, True),
        ("com.surfshark.vpnclient.macos.direct.TransparentProxy", "terminated-waiting-to-uninstall", False, False),
        ("com.f5.access.macos.PacketTunnel", "activated-waiting-for-user", False, True),
        ("com.sony.ImagingEdgeWebcam.CameraExt", "activated-enabled", True, True),
    ]
    assert (four.rows[0].short_version, four.rows[0].bundle_version) == ("1.98.8", "101.98.8")
    karabiner = read_sysex_listing(KARABINER_NO_TAB)
    assert karabiner is not None and karabiner.rows[0].state == "activated-enabled"
    spaces = read_sysex_listing(SPACES)
    assert spaces is not None
    assert [(r.team_id, r.bundle_id, r.state) for r in spaces.rows] == [
        ("-", "org.tinygrad.arkey.tinygpu.driver2", "activated-enabled"),
        ("9YG3G8543N", "org.tinygrad.tinygpu.driver2", "activated-disabled"),
    ]


@pytest.mark.parametrize(
    ("stdout", "bundle_id", "state"),
    [
        (LULU, "com.objective-see.lulu.extension", "activated-enabled"),  # the new row, not the old one
        (SYSEX_FOUR, "com.f5.access.macos.PacketTunnel", "activated-waiting-for-user"),
        (SYSEX_FOUR, "com.surfshark.vpnclient.macos.direct.TransparentProxy", "terminated-waiting-to-uninstall"),
        (SPACES, "org.tinygrad.tinygpu.driver2", "activated-disabled"),
        ("0 extension(s)\n", "com.example.vpn.tunnel", "not-installed"),
        (SYSEX_FOUR, "com.example.vpn.tunnel", "not-installed"),
        (
            "1 extension(s)\n--- com.apple.system_extension.network_extension\n"
            "enabled\tactive\tteamID\tbundleID (version)\tname\t[state]\n"
            "\t\tABCDE12345\tcom.example.vpn.tunnel (1.0/7)\tTunnel\t[validating by category]\n",
            "com.example.vpn.tunnel",
            "validating-by-category",
        ),
    ],
)
def test_sysex_state_of_this_apps_extension(kb: KnowledgeBase, stdout: str, bundle_id: str, state: str) -> None:
    found = parse_sysex_list(stdout, "", 0, ProbeContext(sysex_bundle_ids=[bundle_id]))
    assert _facts(found)["sysex_state"] == state
    check_vocabulary(kb, found)


def test_sysex_version_compared_with_this_build() -> None:
    same = ProbeContext(sysex_bundle_ids=["com.objective-see.lulu.extension"], bundle_versions={"com.objective-see.lulu.extension": "2.4.2/2.4.2"})
    newer = ProbeContext(sysex_bundle_ids=["com.objective-see.lulu.extension"], bundle_versions={"com.objective-see.lulu.extension": "2.4.3/2.4.3"})
    # Equal versions: the listed copy may be this build itself, so nothing is proved.
    assert "sysex_version_bumped" not in _facts(parse_sysex_list(LULU, "", 0, same))
    assert _facts(parse_sysex_list(LULU, "", 0, newer))["sysex_version_bumped"] == "yes"


def test_sysex_upgrade_waiting_for_the_old_copy(kb: KnowledgeBase) -> None:
    # Two rows while an upgrade waits for a reboot (a public Tailscale listing).
    listing = (
        "2 extension(s)\n--- com.apple.system_extension.network_extension\n"
        "enabled\tactive\tteamID\tbundleID (version)\tname\t[state]\n"
        "\t\tW5364U7YZB\tio.tailscale.ipn.macsys.network-extension (1.98.9/101.98.9)\tTailscale Network Extension\t[terminating for uninstall]\n"
        "*\t\tW5364U7YZB\tio.tailscale.ipn.macsys.network-extension (1.102.3/101.102.3)\tTailscale Network Extension\t[activated waiting to upgrade]\n"
    )
    bid = "io.tailscale.ipn.macsys.network-extension"
    found = parse_sysex_list(listing, "", 0, ProbeContext(sysex_bundle_ids=[bid], bundle_versions={bid: "1.102.3/101.102.3"}))
    assert _facts(found) == {"sysex_state": "activated-waiting-to-upgrade"}
    assert "[activated waiting to upgrade]" in found[0].detail
    check_vocabulary(kb, found)


def test_sysex_unclear_output_says_nothing() -> None:
    ctx = ProbeContext(sysex_bundle_ids=["com.example.vpn.tunnel"])
    assert parse_sysex_list("", "", 0, ctx) == []  # empty is not "0 extension(s)"
    assert parse_sysex_list("systemextensionsctl: unknown option\n", "", 64, ctx) == []
    unknown_state = "1 extension(s)\n\t\tABCDE12345\tcom.example.vpn.tunnel (1.0/7)\tTunnel\t[uninstalling]\n"
    assert parse_sysex_list(unknown_state, "", 0, ctx) == []
    assert parse_sysex_list(LULU, "", 0, None) == []  # which extension is ours is unknown
