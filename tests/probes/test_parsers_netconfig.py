"""scutil --nc list / show. Rows as posted publicly (WireGuard, Tailscale, a datasee VPN client)."""

from __future__ import annotations

from advisor.knowledge.model import KnowledgeBase
from advisor.probes import ProbeContext
from advisor.probes.parsers.logs import parse_log_show
from advisor.probes.parsers.netconfig import parse_vpn_service_detail, parse_vpn_services, read_vpn_services
from tests.probes.vocabulary import check_vocabulary

NC_LIST = """Available network connection services in the current set (*=enabled):
* (Disconnected)   F866AE22-4EC1-4524-8769-86A290A0C582 VPN (com.wireguard.macos) "office-wg"           [VPN:com.wireguard.macos]
* (Connected)      9B33EDB3-7576-4A9C-AB78-BC8C08E05BE4 VPN (com.wireguard.macos) "home-wg"       [VPN:com.wireguard.macos]
  (Disconnected)   4E4CABCA-9235-47FD-BB9D-77AFD8737CCA VPN (io.tailscale.ipn.macsys) "Tailscale"  [VPN:io.tailscale.ipn.macsys]
  (Disconnected)   11111111-2222-3333-4444-555555555555 IPSec "Office"                              [IPSec]
"""
DATASEE = (
    "Available network connection services in the current set (*=enabled):\n"
    '* (Disconnected)   3B01D5D3-AECB-4878-8584-29DE29311CFE VPN (kr.co.datasee.VPNClient) "VPN Client"                     [VPN:kr.co.datasee.VPNClient]\n'
)
SHOW = """* (Disconnected)   4E4CABCA-9235-47FD-BB9D-77AFD8737CCA VPN (io.tailscale.ipn.macsys) "Tailscale"  [VPN:io.tailscale.ipn.macsys]
<dictionary> {
  VPN : <dictionary> {
    NEProviderBundleIdentifier : io.tailscale.ipn.macsys.network-extension
    RemoteAddress : Tailscale Mesh
  }
}
"""


def _facts(observations: list) -> dict[str, str]:
    return {o.fact: o.value for o in observations}


def test_service_rows() -> None:
    services = read_vpn_services(NC_LIST)
    assert services is not None
    assert [(s.service_id[:8], s.enabled, s.status, s.owners) for s in services] == [
        ("F866AE22", True, "Disconnected", ("com.wireguard.macos",)),
        ("9B33EDB3", True, "Connected", ("com.wireguard.macos",)),
        ("4E4CABCA", False, "Disconnected", ("io.tailscale.ipn.macsys",)),
        ("11111111", False, "Disconnected", ()),
    ]


def test_configuration_enabled(kb: KnowledgeBase) -> None:
    found = parse_vpn_services(NC_LIST, "", 0, ProbeContext(bundle_id="com.wireguard.macos"))
    assert _facts(found) == {"configuration_saved": "yes", "configuration_enabled": "yes"}
    check_vocabulary(kb, found)
    tailscale = _facts(parse_vpn_services(NC_LIST, "", 0, ProbeContext(bundle_id="io.tailscale.ipn.macsys")))
    assert tailscale == {"configuration_saved": "yes", "configuration_enabled": "no"}
    assert _facts(parse_vpn_services(DATASEE, "", 0, ProbeContext(bundle_id="kr.co.datasee.VPNClient")))["configuration_enabled"] == "yes"


def test_no_configuration_of_ours(kb: KnowledgeBase) -> None:
    # A packet tunnel's configuration would be listed: its absence means none is saved.
    tunnel = ProbeContext(bundle_id="com.example.vpn", extension_points=["com.apple.networkextension.packet-tunnel"])
    found = parse_vpn_services(NC_LIST, "", 0, tunnel)
    assert _facts(found) == {"configuration_saved": "no"}
    assert "com.example.vpn" in found[0].detail and "4 listed" in found[0].detail
    check_vocabulary(kb, found)
    # Filters, DNS proxies and app proxies may not be listed at all: absence says nothing.
    for point in ("filter-data", "dns-proxy", "app-proxy"):
        other = ProbeContext(bundle_id="com.example.vpn", extension_points=[f"com.apple.networkextension.{point}"])
        assert parse_vpn_services(NC_LIST, "", 0, other) == [], point
    assert parse_vpn_services(NC_LIST, "", 0, ProbeContext(bundle_id="com.example.vpn")) == []
    assert parse_vpn_services(NC_LIST, "", 0, None) == []
    assert parse_vpn_services("scutil: garbage\n", "", 0, tunnel) == []
    ios = ProbeContext(bundle_id="com.wireguard.macos", platform="ios", extension_points=["com.apple.networkextension.packet-tunnel"])
    assert parse_vpn_services(NC_LIST, "", 0, ios) == []  # an iOS app's configurations are on its device


def test_provider_id_in_configuration(kb: KnowledgeBase) -> None:
    right = ProbeContext(provider_bundle_ids=["io.tailscale.ipn.macsys.network-extension"])
    wrong = ProbeContext(provider_bundle_ids=["io.tailscale.ipn.macsys.tunnel"])
    found = parse_vpn_service_detail(SHOW, "", 0, right)
    assert _facts(found) == {"provider_id_matches_config": "yes"}
    check_vocabulary(kb, found)
    assert _facts(parse_vpn_service_detail(SHOW, "", 0, wrong)) == {"provider_id_matches_config": "no"}
    assert parse_vpn_service_detail("No service\n", "", 1, right) == []


def test_log_show_feeds_triage_not_facts() -> None:
    assert parse_log_show("2025-11-04 10:12:01.456 E  Tunnel[1:2] Signature check failed\n", "", 0, None) == []
