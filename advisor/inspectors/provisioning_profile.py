"""Provisioning profiles (embedded.provisionprofile / embedded.mobileprovision), per TN3125.

A profile is a property list inside CMS SignedData. Its `Entitlements` are an allow-list (values
may end in `*` wildcards), `DeveloperCertificates` the certificates allowed to sign with it, and
`ProvisionedDevices` / `ProvisionsAllDevices` where it may run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from advisor.inspectors.artifact_error import ArtifactError
from advisor.inspectors.bounded_read import read_bounded
from advisor.inspectors.certificates import CertificateInfo, CertificateKind, load_certificate
from advisor.inspectors.cms import CMS_LIMIT, parse_signed_data
from advisor.inspectors.plist_file import parse_plist_dict


class ProfileKind(StrEnum):
    DEVELOPMENT = "development"
    AD_HOC = "ad-hoc"
    APP_STORE = "app-store"  # App Store and TestFlight: no device list
    DEVELOPER_ID = "developer-id"
    ENTERPRISE = "enterprise"


def _aware(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, str))
    if isinstance(value, str):
        return (value,)
    return ()


def _pattern_matches(pattern: str, value: str) -> bool:
    """Profile entitlement values may contain `*` wildcards (e.g. `ABCDE12345.*`)."""
    if "*" not in pattern:
        return pattern == value
    regex = ".*".join(re.escape(part) for part in pattern.split("*"))
    return re.fullmatch(regex, value) is not None


def _value_authorised(allowed: Any, signed: Any) -> bool:
    if isinstance(signed, bool):
        # Claiming `false` needs no permission; `true` needs the profile to grant something.
        return (not signed) or bool(allowed)
    if isinstance(signed, str):
        return any(_pattern_matches(p, signed) for p in _strings(allowed))
    if isinstance(signed, list):
        patterns = _strings(allowed)
        return all(isinstance(v, str) and any(_pattern_matches(p, v) for p in patterns) for v in signed)
    return allowed == signed


@dataclass(frozen=True)
class ProvisioningProfile:
    path: str
    name: str
    uuid: str
    app_id_name: str
    team_ids: tuple[str, ...]
    team_name: str
    platforms: tuple[str, ...]
    creation_date: datetime | None
    expiration_date: datetime | None
    is_xcode_managed: bool | None
    provisions_all_devices: bool
    provisioned_devices: tuple[str, ...]
    entitlements: dict[str, Any]
    developer_certificates: tuple[CertificateInfo, ...]
    signer: CertificateInfo | None = None
    unreadable_certificates: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_bytes(cls, data: bytes, path: str = "") -> ProvisioningProfile:
        signed = parse_signed_data(data)
        if signed.content is None:
            raise ArtifactError("is CMS SignedData without content, not a provisioning profile")
        plist = parse_plist_dict(signed.content)
        if "Entitlements" not in plist and "UUID" not in plist:
            raise ArtifactError("signed content is a property list but not a provisioning profile")
        certificates: list[CertificateInfo] = []
        listed = plist.get("DeveloperCertificates") or []
        unreadable = 0 if isinstance(listed, list) else 1  # any other type is one unreadable entry
        for der in listed if isinstance(listed, list) else []:
            try:
                # Only data is a certificate: bytes(an int) would allocate that many zeros.
                if not isinstance(der, (bytes, bytearray)):
                    raise TypeError
                certificates.append(load_certificate(bytes(der)))
            except (ArtifactError, TypeError):
                unreadable += 1
        entitlements = plist.get("Entitlements")
        devices = plist.get("ProvisionedDevices")
        xcode_managed = plist.get("IsXcodeManaged")
        return cls(
            path=path,
            name=str(plist.get("Name", "")),
            uuid=str(plist.get("UUID", "")),
            app_id_name=str(plist.get("AppIDName", "")),
            team_ids=_strings(plist.get("TeamIdentifier")),
            team_name=str(plist.get("TeamName", "")),
            platforms=_strings(plist.get("Platform")),
            creation_date=_aware(plist.get("CreationDate")),
            expiration_date=_aware(plist.get("ExpirationDate")),
            is_xcode_managed=xcode_managed if isinstance(xcode_managed, bool) else None,
            provisions_all_devices=plist.get("ProvisionsAllDevices") is True,
            provisioned_devices=_strings(devices) if isinstance(devices, list) else (),
            entitlements=entitlements if isinstance(entitlements, dict) else {},
            developer_certificates=tuple(certificates),
            signer=signed.signer,
            unreadable_certificates=unreadable,
            extra={k: plist[k] for k in ("LocalProvision", "TimeToLive", "ApplicationIdentifierPrefix") if k in plist},
        )

    @classmethod
    def read(cls, path: Path, display: str = "") -> ProvisioningProfile:
        return cls.from_bytes(read_bounded(path, CMS_LIMIT), display or str(path))

    @property
    def team_id(self) -> str | None:
        return self.team_ids[0] if self.team_ids else None

    @property
    def app_id_prefixes(self) -> tuple[str, ...]:
        """ApplicationIdentifierPrefix: usually the Team ID; an App ID created before June 2011 may
        keep a prefix of its own (TN2311), which is then not a Team ID."""
        return _strings(self.extra.get("ApplicationIdentifierPrefix"))

    @property
    def application_identifier(self) -> str | None:
        value = self.entitlements.get(
            "com.apple.application-identifier", self.entitlements.get("application-identifier")
        )
        return value if isinstance(value, str) else None

    @property
    def kind(self) -> ProfileKind:
        cert_kinds = {c.kind for c in self.developer_certificates}
        if self.provisions_all_devices:
            if CertificateKind.DEVELOPER_ID in cert_kinds or "OSX" in self.platforms:
                return ProfileKind.DEVELOPER_ID
            return ProfileKind.ENTERPRISE
        if self.provisioned_devices:
            development = (
                CertificateKind.APPLE_DEVELOPMENT in cert_kinds or self.entitlements.get("get-task-allow") is True
            )
            if development or not cert_kinds:
                return ProfileKind.DEVELOPMENT
            return ProfileKind.AD_HOC
        return ProfileKind.APP_STORE

    def expired(self, now: datetime) -> bool:
        return self.expiration_date is not None and self.expiration_date <= now

    def authorises(self, key: str, value: Any) -> bool:
        if key not in self.entitlements:
            return isinstance(value, bool) and not value
        return _value_authorised(self.entitlements[key], value)

    def lists_certificate(self, cert: CertificateInfo) -> bool:
        return any(c.der == cert.der for c in self.developer_certificates)

    def lists_device(self, udid: str) -> bool:
        wanted = udid.strip().upper()
        return any(d.strip().upper() == wanted for d in self.provisioned_devices)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "name": self.name,
            "uuid": self.uuid,
            "kind": self.kind.value,
            "team_ids": list(self.team_ids),
            "team_name": self.team_name,
            "platforms": list(self.platforms),
            "app_id_name": self.app_id_name,
            "application_identifier": self.application_identifier,
            "creation_date": self.creation_date.isoformat() if self.creation_date else None,
            "expiration_date": self.expiration_date.isoformat() if self.expiration_date else None,
            "is_xcode_managed": self.is_xcode_managed,
            "provisions_all_devices": self.provisions_all_devices,
            "provisioned_devices": list(self.provisioned_devices),
            "entitlements": self.entitlements,
            "developer_certificates": [c.to_json() for c in self.developer_certificates],
        }
