"""Apple's Network Extension identifiers: extension points, entitlement values, key names.

These are API constants (strings the system matches), not advice; what a mismatch means and how
to fix it lives in knowledge/bundle-rules.yaml and the diagnoses.
"""

from __future__ import annotations

NE_ENTITLEMENT = "com.apple.developer.networking.networkextension"
SYSEX_INSTALL_ENTITLEMENT = "com.apple.developer.system-extension.install"
APP_GROUPS_ENTITLEMENT = "com.apple.security.application-groups"
SANDBOX_ENTITLEMENT = "com.apple.security.app-sandbox"
NETWORK_CLIENT_ENTITLEMENT = "com.apple.security.network.client"
NETWORK_SERVER_ENTITLEMENT = "com.apple.security.network.server"
GET_TASK_ALLOW_ENTITLEMENTS = ("com.apple.security.get-task-allow", "get-task-allow")
TEAM_ID_ENTITLEMENT = "com.apple.developer.team-identifier"
SYSEX_REDISTRIBUTABLE_ENTITLEMENT = "com.apple.developer.system-extension.redistributable"
APPLICATION_ID_ENTITLEMENTS = ("com.apple.application-identifier", "application-identifier")

SYSTEM_EXTENSION_SUFFIX = "-systemextension"

# NSExtensionPointIdentifier / NEProviderClasses key -> provider_type fact value.
EXTENSION_POINTS: dict[str, str] = {
    "com.apple.networkextension.packet-tunnel": "packet-tunnel",
    "com.apple.networkextension.app-proxy": "app-proxy",
    "com.apple.networkextension.filter-data": "content-filter",
    "com.apple.networkextension.filter-control": "content-filter",
    "com.apple.networkextension.filter-packet": "content-filter",
    "com.apple.networkextension.dns-proxy": "dns-proxy",
    "com.apple.networkextension.app-push": "app-push",
    "com.apple.networkextension.url-filter-control": "url-filter",  # an ExtensionKit extension
}
NE_EXTENSION_POINT_PREFIX = "com.apple.networkextension."
FILTER_DATA_POINT = "com.apple.networkextension.filter-data"
FILTER_CONTROL_POINT = "com.apple.networkextension.filter-control"

# provider_type -> the plain NE entitlement value that allows it.
PROVIDER_ENTITLEMENT_VALUES: dict[str, str] = {
    "packet-tunnel": "packet-tunnel-provider",
    "app-proxy": "app-proxy-provider",
    "transparent-proxy": "app-proxy-provider",
    "content-filter": "content-filter-provider",
    "dns-proxy": "dns-proxy",
    "app-push": "app-push-provider",
    "url-filter": "url-filter-provider",
}
# Values that configure the system without a provider bundle of the app's own.
APP_ONLY_VALUES = frozenset({"dns-settings", "relay"})
# Plain values that have a Developer ID (-systemextension) form.
VALUES_WITH_SYSTEM_EXTENSION_FORM = frozenset(
    {"packet-tunnel-provider", "app-proxy-provider", "content-filter-provider", "dns-proxy"}
)


def plain_value(value: str) -> str:
    return value[: -len(SYSTEM_EXTENSION_SUFFIX)] if value.endswith(SYSTEM_EXTENSION_SUFFIX) else value


def provider_values(entitlements: dict) -> list[str]:
    """The NE entitlement's values (a malformed, non-list value reads as none)."""
    value = entitlements.get(NE_ENTITLEMENT)
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def allows_provider(entitlements: dict, provider_type: str) -> bool:
    wanted = PROVIDER_ENTITLEMENT_VALUES.get(provider_type)
    return wanted is not None and any(plain_value(v) == wanted for v in provider_values(entitlements))


def app_groups(entitlements: dict) -> list[str]:
    value = entitlements.get(APP_GROUPS_ENTITLEMENT)
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []
