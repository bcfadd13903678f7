"""What the probes are about: the app, its providers and their ids, validated once.

Every value that may end up in a probe's argv passes through here. Bundle ids and extension
points must match a strict pattern and paths must be absolute, so no value can smuggle an
option, a second argument or a quote into a command. A provider or profile found on disk whose
path holds a line break or NUL (a folder named so) is left out of the probes, with a note in
`skipped`, rather than refusing the whole context: the other subjects are still probed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from advisor.exit_status import UserError

IDENTIFIER_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.-]*$")
# Service ids of `scutil --nc list` are UUIDs.
SERVICE_ID_PATTERN = re.compile(r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$")
VERSION_PATTERN = re.compile(r"^\d+(?:\.\d+){0,3}$")
BUNDLE_VERSION_PATTERN = re.compile(r"^[A-Za-z0-9._ -]{0,64}/[A-Za-z0-9._ -]{0,64}$")
PLATFORMS = (None, "macos", "ios")


def is_identifier(value: str) -> bool:
    return bool(IDENTIFIER_PATTERN.fullmatch(value))


def check_identifier(value: object, what: str) -> str:
    if not isinstance(value, str) or not IDENTIFIER_PATTERN.fullmatch(value):
        raise UserError(f"{what} {value!r} is not a valid identifier (letters, digits, '.' and '-' only)")
    return value


def has_line_break(value: str) -> bool:
    return "\x00" in value or "\n" in value or "\r" in value


def check_path(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise UserError(f"{what} must be a non-empty path")
    if has_line_break(value):
        raise UserError(f"{what} {value!r} contains a NUL or line break")
    if not value.startswith("/"):
        raise UserError(f"{what} {value!r} must be an absolute path")
    return value


@dataclass
class ProbeContext:
    """The subjects of the probes. Construction validates every field (UserError otherwise)."""

    app_path: str | None = None
    # The platform the app is built for (macos | ios; None when unknown). An iOS app looked at
    # on a Mac is never held to this Mac's state (see probes.yaml `platforms`).
    platform: str | None = None
    provider_paths: list[str] = field(default_factory=list)
    bundle_id: str | None = None
    provider_bundle_ids: list[str] = field(default_factory=list)
    extension_points: list[str] = field(default_factory=list)
    # Embedded provisioning profiles of the app and its providers (files that exist).
    profile_paths: list[str] = field(default_factory=list)
    # Provider ids packaged as system extensions (their state is in `systemextensionsctl list`).
    sysex_bundle_ids: list[str] = field(default_factory=list)
    # bundle id -> LSMinimumSystemVersion of macOS providers, to compare with `sw_vers`.
    minimum_system_versions: dict[str, str] = field(default_factory=dict)
    # bundle id -> "CFBundleShortVersionString/CFBundleVersion" (as `systemextensionsctl` prints it).
    bundle_versions: dict[str, str] = field(default_factory=dict)
    # NE configurations of this app found by `scutil --nc list` (see refine_context).
    vpn_service_ids: list[str] = field(default_factory=list)
    # The folder treated as /Applications (ADVISOR_APPLICATIONS_DIR lets tests move it).
    applications_dir: str = "/Applications"
    # When the probes ran (ISO 8601, UTC). Replay judges expiry dates as of then, not today.
    observed_at: str | None = None
    # Why some subjects found on disk are not probed (one sentence each).
    skipped: list[str] = field(default_factory=list)

    def moment(self) -> datetime:
        if self.observed_at:
            try:
                moment = datetime.fromisoformat(self.observed_at.replace("Z", "+00:00"))
            except ValueError:
                raise UserError(f"observed_at {self.observed_at!r} is not an ISO 8601 time") from None
            return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return datetime.now(UTC)

    def __post_init__(self) -> None:
        if self.platform not in PLATFORMS:
            raise UserError(f"platform {self.platform!r} must be one of: {', '.join(p for p in PLATFORMS if p)}")
        if self.observed_at is not None:
            self.moment()  # validates
        if self.app_path is not None:
            check_path(self.app_path, "app path")
        if not isinstance(self.skipped, list) or not all(isinstance(s, str) for s in self.skipped):
            raise UserError("skipped must be a list of sentences")
        self.skipped = list(self.skipped)  # not shared with the context this one was copied from
        self.provider_paths = self._probeable(self.provider_paths, "provider")
        self.profile_paths = self._probeable(self.profile_paths, "profile")
        if self.bundle_id is not None:
            check_identifier(self.bundle_id, "bundle id")
        self.provider_bundle_ids = _unique([check_identifier(b, "provider bundle id") for b in self.provider_bundle_ids])
        self.extension_points = _unique([check_identifier(e, "extension point") for e in self.extension_points])
        self.sysex_bundle_ids = _unique([check_identifier(b, "system extension bundle id") for b in self.sysex_bundle_ids])
        for bid, version in self.minimum_system_versions.items():
            check_identifier(bid, "bundle id")
            if not isinstance(version, str) or not VERSION_PATTERN.fullmatch(version):
                raise UserError(f"minimum system version {version!r} of {bid} is not a version number")
        for bid, version in self.bundle_versions.items():
            check_identifier(bid, "bundle id")
            if not isinstance(version, str) or not BUNDLE_VERSION_PATTERN.fullmatch(version):
                raise UserError(f"bundle version {version!r} of {bid} is not a version")
        for sid in self.vpn_service_ids:
            if not isinstance(sid, str) or not SERVICE_ID_PATTERN.fullmatch(sid):
                raise UserError(f"VPN service id {sid!r} is not a UUID")
        self.vpn_service_ids = _unique(self.vpn_service_ids)
        check_path(self.applications_dir, "applications folder")

    def _probeable(self, paths: list[str], what: str) -> list[str]:
        """The valid paths, without those holding a line break (noted in `skipped` instead)."""
        kept = []
        for path in paths:
            if isinstance(path, str) and has_line_break(path):
                note = f"{what} {path!r} is not probed: its path holds a line break or NUL"
                if note not in self.skipped:
                    self.skipped.append(note)
                continue
            kept.append(check_path(path, f"{what} path"))
        return _unique(kept)

    @property
    def own_bundle_ids(self) -> list[str]:
        """The app's and its providers' ids: what counts as "ours" in registry listings."""
        return _unique(([self.bundle_id] if self.bundle_id else []) + self.provider_bundle_ids)

    @property
    def about_ios_app(self) -> bool:
        """The subject is an iOS app: nothing about this Mac's own state concerns it."""
        return self.platform == "ios"

    @property
    def own_paths(self) -> list[str]:
        return _unique(([self.app_path] if self.app_path else []) + self.provider_paths)

    def placeholder_values(self) -> dict[str, list[str]]:
        """Every value each probes.yaml placeholder may take (a probe runs once per value)."""
        return {
            "app_path": [self.app_path] if self.app_path else [],
            "provider_path": list(self.provider_paths),
            "bundle_id": [self.bundle_id] if self.bundle_id else [],
            "provider_bundle_id": list(self.provider_bundle_ids),
            "extension_point": list(self.extension_points),
            "profile_path": list(self.profile_paths),
            "vpn_service_id": list(self.vpn_service_ids),
        }


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


PLACEHOLDERS = tuple(ProbeContext().placeholder_values())
