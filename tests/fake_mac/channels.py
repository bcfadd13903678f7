"""Correct app bundles for every distribution channel, provider type and packaging.

A `Setup` names one healthy product: a channel (tests/matrix/model.CHANNELS), a provider type
and a packaging. `build_setup(dest, setup)` writes it with the project's bundle builder, signed
and provisioned the way that channel ships:

* development: Apple Development, development profile listing the test device
  (`DEFAULT_UDID`), `get-task-allow`;
* Developer ID (macOS): Developer ID Application, hardened runtime, secure timestamp,
  Developer ID profile, `-systemextension` entitlement values (notarised and stapled: that is
  the Mac's view, rendered by tests/fake_mac/mac_state);
* App Store / TestFlight: re-signed by Apple ("Apple Mac OS / iPhone OS Application Signing",
  "TestFlight Beta Distribution": tests/fake_mac/store_signing), store profile listing the
  developer's Apple Distribution certificate; TestFlight adds `beta-reports-active`;
* iOS ad hoc: Apple Distribution, ad hoc profile listing the test device; iOS enterprise:
  Apple Distribution, in-house profile for all devices.

Which provider types exist where follows TN3134 (ne-knowledge.md 1.1): on macOS content
filters and DNS proxies are system extensions only, and an app extension is App Store only
(plus development builds, which run from Xcode); iOS providers are app extensions. A
transparent proxy is an app-proxy extension point whose class is a NETransparentProxyProvider.
The builder knows packet tunnel, app proxy, content filter (filter-data), DNS proxy and app
push today; DNS settings, relay and URL filter have no provider bundle to build here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tests.fake_mac.store_signing import IOS_STORE_SIGNING, MAC_STORE_SIGNING, TESTFLIGHT_SIGNING
from tests.fixtures.bundle_builder import AppSpec, BuiltBundle, ProfileSpec, ProviderSpec, build_app, swift_module

APP_NAME = "ExampleVPN"
APP_ID = "com.example.vpn"
BETA_REPORTS = "beta-reports-active"
MACOS_DEPLOYMENT_TARGET = "13.0"  # what the builder's Mach-O LC_BUILD_VERSION says too

MAC_CHANNELS = ("macos-development", "macos-developer-id", "macos-app-store", "macos-testflight")
IOS_CHANNELS = ("ios-development", "ios-app-store", "ios-testflight", "ios-ad-hoc", "ios-enterprise")
STORE_CHANNELS = ("macos-app-store", "macos-testflight", "ios-app-store", "ios-testflight")

MAC_SYSEX_TYPES = ("packet-tunnel", "app-proxy", "transparent-proxy", "content-filter", "dns-proxy")
MAC_APPEX_TYPES = ("packet-tunnel", "app-proxy", "transparent-proxy")
IOS_TYPES = ("packet-tunnel", "app-proxy", "content-filter", "dns-proxy", "app-push")
# An NE app extension on macOS ships only through the App Store (and runs from Xcode).
MAC_APPEX_CHANNELS = ("macos-development", "macos-app-store", "macos-testflight")

# channel -> (signing kind for build_app, profile type, or None for the builder's default)
_SIGNING: dict[str, tuple[str, str | None]] = {
    "macos-development": ("apple-development", None),
    "macos-developer-id": ("developer-id", None),
    "macos-app-store": (MAC_STORE_SIGNING, "app-store"),
    "macos-testflight": (TESTFLIGHT_SIGNING, "app-store"),
    "ios-development": ("apple-development", None),
    "ios-app-store": (IOS_STORE_SIGNING, "app-store"),
    "ios-testflight": (TESTFLIGHT_SIGNING, "app-store"),
    "ios-ad-hoc": ("apple-distribution", "ad-hoc"),
    "ios-enterprise": ("apple-distribution", "enterprise"),
}


@dataclass(frozen=True)
class Setup:
    channel: str
    provider_type: str
    packaging: str  # appex | sysex

    @property
    def platform(self) -> str:
        return "ios" if self.channel.startswith("ios-") else "macos"

    @property
    def key(self) -> str:
        return f"{self.channel}.{self.provider_type}.{self.packaging}"


def healthy_setups() -> list[Setup]:
    """Every correct (channel, provider type, packaging) the builder can make."""
    setups: list[Setup] = []
    for channel in MAC_CHANNELS:
        setups += [Setup(channel, t, "sysex") for t in MAC_SYSEX_TYPES]
        if channel in MAC_APPEX_CHANNELS:
            setups += [Setup(channel, t, "appex") for t in MAC_APPEX_TYPES]
    for channel in IOS_CHANNELS:
        setups += [Setup(channel, t, "appex") for t in IOS_TYPES]
    return setups


def _profile(channel: str) -> ProfileSpec | str:
    profile_type = _SIGNING[channel][1]
    if profile_type is None:
        return "auto"
    # A store profile lists the developer's distribution certificate, not Apple's re-signer.
    certificate = "apple-distribution" if channel in STORE_CHANNELS else None
    return ProfileSpec(type=profile_type, certificate=certificate)


def _provider(setup: Setup) -> ProviderSpec:
    extra = {BETA_REPORTS: True} if setup.channel.endswith("testflight") else {}
    # Xcode writes every macOS target's deployment target into its Info.plist.
    info = {"LSMinimumSystemVersion": MACOS_DEPLOYMENT_TARGET} if setup.platform == "macos" else {}
    if setup.provider_type != "transparent-proxy":
        return ProviderSpec(
            kind=setup.packaging,
            provider_type=setup.provider_type,
            profile=_profile(setup.channel),
            entitlements_update=extra,
            info_update=info,
        )
    # NETransparentProxyProvider: the app-proxy extension point and entitlement, its own class.
    bundle_id = f"{APP_ID}.transparentproxy"
    executable = bundle_id if setup.packaging == "sysex" else "TransparentProxy"
    return ProviderSpec(
        kind=setup.packaging,
        provider_type="app-proxy",
        bundle_id=bundle_id,
        name=None if setup.packaging == "sysex" else executable,
        principal_class=f"{swift_module(executable)}.TransparentProxyProvider",
        profile=_profile(setup.channel),
        entitlements_update=extra,
        info_update=info,
    )


def build_setup(dest: Path, setup: Setup, *, app_name: str = APP_NAME, app_id: str = APP_ID) -> BuiltBundle:
    """Write the healthy bundle of `setup` as `<dest>/<app_name>.app`."""
    signing = _SIGNING[setup.channel][0]
    extra = {BETA_REPORTS: True} if setup.channel.endswith("testflight") else {}
    app = AppSpec(name=app_name, bundle_id=app_id, profile=_profile(setup.channel), entitlements_update=extra)
    provider = _provider(setup)
    if app_id != APP_ID and provider.bundle_id:
        provider.bundle_id = provider.bundle_id.replace(APP_ID, app_id, 1)
    return build_app(dest, platform=setup.platform, app=app, providers=[provider], signing=signing)
