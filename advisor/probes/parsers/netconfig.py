"""NE configurations: `scutil --nc list` and `scutil --nc show <service id>` (ne-knowledge.md 9.3).

List rows look like
`* (Disconnected)   F866AE22-… VPN (com.wireguard.macos) "office-wg"   [VPN:com.wireguard.macos]`:
`*` marks an enabled service; the parenthesised and bracketed ids name the owning app (real
rows show the app's id, not the provider's). The provider id is only in `--nc show`, as a
`ProviderBundleIdentifier : …` line of the VPN dictionary (wording seen in public tools,
unconfirmed by Apple): absent that line, no fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor.evidence import Observation
from advisor.probes.context import ProbeContext
from advisor.probes.parsers.observation import seen, text_lines
from advisor.probes.parsers.spec import ParserSpec

_SERVICE = re.compile(
    r"^(?P<enabled>\*)?\s*\((?P<status>[^()]*)\)\s+(?P<id>[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12})\s+(?P<rest>.*)$"
)
_OWNER = re.compile(r"\bVPN \((?P<paren>[A-Za-z0-9][A-Za-z0-9._-]*)\)|\[VPN:(?P<bracket>[A-Za-z0-9][A-Za-z0-9._-]*)\]")
# Configurations `scutil --nc list` is known to list (NETunnelProviderManager packet tunnels, as
# in the WireGuard row above). Whether app proxies, filters or DNS proxies appear is not
# documented, so only for packet tunnels does an absent row mean "no configuration saved".
LISTED_EXTENSION_POINTS = frozenset({"com.apple.networkextension.packet-tunnel"})
_PROVIDER_ID = re.compile(r"^\s*(?:NE)?ProviderBundleIdentifier\s*:\s*(?P<id>[A-Za-z0-9][A-Za-z0-9._-]*)\s*$")


@dataclass(frozen=True)
class VpnService:
    service_id: str
    enabled: bool
    status: str
    owners: tuple[str, ...]
    line: str


def read_vpn_services(stdout: str) -> list[VpnService] | None:
    lines = text_lines(stdout)
    if not lines or not lines[0].startswith("Available network connection services"):
        return None
    services = []
    for line in lines[1:]:
        m = _SERVICE.match(line.strip())
        if not m:
            continue
        owners = tuple(dict.fromkeys(o.group("paren") or o.group("bracket") for o in _OWNER.finditer(m.group("rest"))))
        services.append(VpnService(m.group("id"), bool(m.group("enabled")), m.group("status"), owners, line.strip()))
    return services


def own_services(services: list[VpnService], context: ProbeContext) -> list[VpnService]:
    own = set(context.own_bundle_ids)
    return [s for s in services if own.intersection(s.owners)]


def parse_vpn_services(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    services = read_vpn_services(stdout) if exit_code == 0 else None
    if not services or context is None or not context.own_bundle_ids or context.about_ios_app:
        return []  # an iOS app's configurations live on its device, not in this Mac's list
    mine = own_services(services, context)
    if not mine:
        if context.extension_points and set(context.extension_points) <= LISTED_EXTENSION_POINTS:
            ids = ", ".join(context.own_bundle_ids)
            return [seen("configuration_saved", "no", f"no service of {ids} among the {len(services)} listed by `scutil --nc list`")]
        return []  # filters, DNS proxies (and maybe proxies) are not listed: absence says nothing
    enabled = [s for s in mine if s.enabled]
    state = seen("configuration_enabled", "yes", enabled[0].line) if enabled else seen("configuration_enabled", "no", mine[0].line)
    return [seen("configuration_saved", "yes", mine[0].line), state]


def parse_vpn_service_detail(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    if exit_code != 0 or context is None or not context.provider_bundle_ids or context.about_ios_app:
        return []
    for line in text_lines(stdout):
        m = _PROVIDER_ID.match(line)
        if m:
            matches = m.group("id") in context.provider_bundle_ids
            return [seen("provider_id_matches_config", "yes" if matches else "no", line)]
    return []


SPECS = (
    ParserSpec("vpn_services", parse_vpn_services),
    ParserSpec("vpn_service_detail", parse_vpn_service_detail),
)
