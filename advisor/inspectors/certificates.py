"""Signing certificates: what a certificate says about itself, and which kind of identity it is.

The kind comes from Apple's marker extensions on the leaf certificate (TN3127 / TN3161 OIDs)
and, failing that, from the common-name prefix Apple gives each certificate type.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from asn1crypto import x509

from advisor.inspectors.artifact_error import ArtifactError

TEAM_ID = re.compile(r"[A-Z0-9]{10}")


class CertificateKind(StrEnum):
    APPLE_DEVELOPMENT = "apple-development"  # Apple Development, Mac Developer, iPhone Developer
    APPLE_DISTRIBUTION = (
        "apple-distribution"  # Apple Distribution, iPhone Distribution, 3rd Party Mac Developer Application
    )
    DEVELOPER_ID = "developer-id"  # Developer ID Application
    APP_STORE = "app-store"  # Apple's own re-signing of apps delivered by the App Store
    TESTFLIGHT = "testflight"  # Apple's own re-signing of TestFlight builds ("TestFlight Beta Distribution")
    APPLE_SOFTWARE = "apple-software"  # Apple's own code ("Software Signing")
    OTHER = "other"  # not an Apple code-signing certificate (self-signed, another CA)


# Leaf-certificate marker extensions, most specific first.
_LEAF_OIDS: tuple[tuple[str, CertificateKind], ...] = (
    ("1.2.840.113635.100.6.1.13", CertificateKind.DEVELOPER_ID),
    ("1.2.840.113635.100.6.1.25.1", CertificateKind.TESTFLIGHT),  # TestFlight (production)
    ("1.2.840.113635.100.6.1.25.2", CertificateKind.TESTFLIGHT),  # TestFlight (Apple-internal QA)
    ("1.2.840.113635.100.6.1.9", CertificateKind.APP_STORE),  # Mac App Store code signing
    ("1.2.840.113635.100.6.1.3", CertificateKind.APP_STORE),  # iPhone OS application signing
    ("1.2.840.113635.100.6.1.4", CertificateKind.APPLE_DISTRIBUTION),  # iPhone Distribution
    ("1.2.840.113635.100.6.1.7", CertificateKind.APPLE_DISTRIBUTION),  # Mac App distribution
    ("1.2.840.113635.100.6.1.12", CertificateKind.APPLE_DEVELOPMENT),  # Mac Developer
    ("1.2.840.113635.100.6.1.2", CertificateKind.APPLE_DEVELOPMENT),  # iPhone Developer
    ("1.2.840.113635.100.6.22", CertificateKind.APPLE_SOFTWARE),  # Software Signing
)

_CN_PREFIXES: tuple[tuple[str, CertificateKind], ...] = (
    ("Developer ID Application:", CertificateKind.DEVELOPER_ID),
    ("Apple Development:", CertificateKind.APPLE_DEVELOPMENT),
    ("Mac Developer:", CertificateKind.APPLE_DEVELOPMENT),
    ("iPhone Developer:", CertificateKind.APPLE_DEVELOPMENT),
    ("Apple Distribution:", CertificateKind.APPLE_DISTRIBUTION),
    ("iPhone Distribution:", CertificateKind.APPLE_DISTRIBUTION),
    ("3rd Party Mac Developer Application:", CertificateKind.APPLE_DISTRIBUTION),
    ("Apple Mac OS Application Signing", CertificateKind.APP_STORE),
    ("Apple iPhone OS Application Signing", CertificateKind.APP_STORE),
    ("TestFlight Beta Distribution", CertificateKind.TESTFLIGHT),
    ("Software Signing", CertificateKind.APPLE_SOFTWARE),
)


@dataclass(frozen=True)
class CertificateInfo:
    der: bytes
    common_name: str
    organizational_unit: str  # the Team ID on Apple developer certificates
    organization: str
    subject: str
    issuer_common_name: str
    serial_number: int
    not_before: datetime | None
    not_after: datetime | None
    extension_oids: frozenset[str] = field(default_factory=frozenset)
    subject_key_id: bytes | None = None
    issuer_der: bytes = b""
    subject_der: bytes = b""

    @property
    def sha1(self) -> str:
        return hashlib.sha1(self.der, usedforsecurity=False).hexdigest().upper()

    @property
    def team_id(self) -> str | None:
        """The OU when it has the shape of a Team ID (Apple's own certificates say "Apple Software")."""
        return self.organizational_unit if TEAM_ID.fullmatch(self.organizational_unit) else None

    @property
    def kind(self) -> CertificateKind:
        return certificate_kind(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "common_name": self.common_name,
            "team_id": self.team_id,
            "organization": self.organization,
            "kind": self.kind.value,
            "issuer": self.issuer_common_name,
            "serial_number": format(self.serial_number, "x"),
            "not_after": self.not_after.isoformat() if self.not_after else None,
            "sha1": self.sha1,
        }


def _name_value(name: x509.Name, key: str) -> str:
    value = name.native.get(key, "")
    if isinstance(value, list):  # several RDNs of one type
        value = value[0] if value else ""
    return str(value)


# The same few certificates (a team's signing certificate, Apple's intermediates and roots) come
# back in every signature and profile of a bundle: each is described once (by its DER bytes).
_DESCRIBED: dict[bytes, CertificateInfo] = {}
_DESCRIBED_LIMIT = 512


def describe_certificate(cert: x509.Certificate) -> CertificateInfo:
    """Read everything needed from an asn1crypto certificate now (asn1crypto parses lazily)."""
    try:
        der = cert.dump()
    except (ValueError, TypeError) as exc:
        raise ArtifactError(f"certificate is malformed ({type(exc).__name__}: {str(exc)[:100]})") from None
    known = _DESCRIBED.get(der)
    if known is not None:
        return known
    info = _describe(cert, der)
    if len(_DESCRIBED) >= _DESCRIBED_LIMIT:
        _DESCRIBED.clear()
    _DESCRIBED[der] = info
    return info


def _describe(cert: x509.Certificate, der: bytes) -> CertificateInfo:
    try:
        tbs = cert["tbs_certificate"]
        subject = tbs["subject"]
        issuer = tbs["issuer"]
        oids = frozenset(ext["extn_id"].dotted for ext in (tbs["extensions"] or []))
        validity = tbs["validity"]
        return CertificateInfo(
            der=der,
            common_name=_name_value(subject, "common_name"),
            organizational_unit=_name_value(subject, "organizational_unit_name"),
            organization=_name_value(subject, "organization_name"),
            subject=subject.human_friendly,
            issuer_common_name=_name_value(issuer, "common_name"),
            serial_number=int(tbs["serial_number"].native),
            not_before=validity["not_before"].native,
            not_after=validity["not_after"].native,
            extension_oids=oids,
            subject_key_id=cert.key_identifier,
            issuer_der=issuer.dump(),
            subject_der=subject.dump(),
        )
    except (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError) as exc:
        raise ArtifactError(f"certificate is malformed ({type(exc).__name__}: {str(exc)[:100]})") from None


def load_certificate(der: bytes) -> CertificateInfo:
    try:
        cert = x509.Certificate.load(der)
    except (ValueError, TypeError) as exc:
        raise ArtifactError(f"certificate is malformed ({str(exc)[:100]})") from None
    return describe_certificate(cert)


def certificate_kind(cert: CertificateInfo) -> CertificateKind:
    for oid, kind in _LEAF_OIDS:
        if oid in cert.extension_oids:
            return kind
    for prefix, kind in _CN_PREFIXES:
        if cert.common_name.startswith(prefix):
            return kind
    return CertificateKind.OTHER


def chain_from(leaf: CertificateInfo, pool: tuple[CertificateInfo, ...]) -> tuple[CertificateInfo, ...]:
    """Leaf first, then each issuer found in `pool` (what codesign prints as Authority= lines)."""
    chain = [leaf]
    current = leaf
    for _ in range(len(pool)):
        if current.issuer_der == current.subject_der:
            break  # self-signed root
        parent = next((c for c in pool if c.subject_der == current.issuer_der and c not in chain), None)
        if parent is None:
            break
        chain.append(parent)
        current = parent
    return tuple(chain)
