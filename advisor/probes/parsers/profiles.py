"""`security cms -D -i <embedded.provisionprofile>`: the decoded profile plist (ne-knowledge.md 5).

Whether this Mac is in the profile needs its Provisioning UDID from another probe, so
device_in_profile is derived in cross_facts from the summaries read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from advisor.evidence import Observation
from advisor.probes.context import ProbeContext
from advisor.probes.parsers.codesign import load_plist_text
from advisor.probes.parsers.observation import seen
from advisor.probes.parsers.spec import ParserSpec

# `Platform` of a macOS profile (iOS profiles say "iOS", sometimes with "xrOS"/"visionOS").
MACOS_PROFILE_PLATFORM = "OSX"


@dataclass(frozen=True)
class ProfileSummary:
    name: str
    team_ids: tuple[str, ...]
    provisioned_devices: tuple[str, ...] | None  # None: the profile has no device list
    provisions_all_devices: bool
    expiration: datetime | None
    platforms: tuple[str, ...]

    @property
    def lists_devices(self) -> bool:
        """Development and ad hoc profiles name devices; distribution profiles do not."""
        return self.provisioned_devices is not None or self.provisions_all_devices

    def allows_device(self, udid: str) -> bool:
        if self.provisions_all_devices:
            return True
        return udid.upper() in {d.upper() for d in self.provisioned_devices or ()}


def _strings(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def read_profile(stdout: str) -> ProfileSummary | None:
    data = load_plist_text(stdout)
    if not isinstance(data, dict) or not any(k in data for k in ("ExpirationDate", "ProvisionedDevices", "TeamIdentifier", "Entitlements")):
        return None
    expiration = data.get("ExpirationDate")
    if isinstance(expiration, datetime) and expiration.tzinfo is None:
        expiration = expiration.replace(tzinfo=UTC)  # plistlib dates are UTC
    devices = data.get("ProvisionedDevices")
    return ProfileSummary(
        name=str(data.get("Name", "")),
        team_ids=_strings(data.get("TeamIdentifier")),
        provisioned_devices=_strings(devices) if isinstance(devices, list) else None,
        provisions_all_devices=data.get("ProvisionsAllDevices") is True,
        expiration=expiration if isinstance(expiration, datetime) else None,
        platforms=_strings(data.get("Platform")),
    )


def profile_expired(profile: ProfileSummary, now: datetime | None = None) -> bool | None:
    if profile.expiration is None:
        return None
    return profile.expiration < (now or datetime.now(UTC))


def parse_profile(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    profile = read_profile(stdout) if exit_code == 0 else None
    if profile is None or profile_expired(profile, context.moment() if context else None) is not True:
        return []  # "not expired" needs every profile: see cross_facts
    assert profile.expiration is not None
    return [seen("profile_expired", "yes", f"ExpirationDate {profile.expiration:%Y-%m-%d %H:%M:%S}Z (profile \"{profile.name}\")")]


SPECS = (ParserSpec("provisioning_profile", parse_profile),)
