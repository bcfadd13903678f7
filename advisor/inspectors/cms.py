"""CMS (PKCS #7) SignedData: the wrapper of provisioning profiles and of code signatures.

Only reads: which content is signed, which certificates travel with it, who signed it, when,
and whether a trusted timestamp is attached. The signature itself is not verified (advisor
diagnoses configuration, it is not a trust decision).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from asn1crypto import cms, tsp

from advisor.inspectors.artifact_error import ArtifactError
from advisor.inspectors.certificates import CertificateInfo, chain_from, describe_certificate
from advisor.inspectors.plist_file import plist_kind

CMS_LIMIT = 4 * 1024 * 1024  # real profiles are 10-30 KB, code-signature CMS blobs under 20 KB

_ASN1_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, AttributeError, RecursionError)


@dataclass(frozen=True)
class SignedData:
    content: bytes | None  # None when detached (code signatures sign the CodeDirectory)
    certificates: tuple[CertificateInfo, ...]
    signer: CertificateInfo | None
    signing_time: datetime | None
    has_timestamp: bool  # an RFC 3161 time-stamp token is attached (a "secure timestamp")
    timestamp: datetime | None  # its genTime, when readable

    @property
    def chain(self) -> tuple[CertificateInfo, ...]:
        return chain_from(self.signer, self.certificates) if self.signer else ()


def describe_data_kind(data: bytes) -> str:
    kind = plist_kind(data)
    if kind != "unknown":
        return f"an {kind.upper() if kind == 'xml' else kind} property list"
    if not data:
        return "empty"
    return "not DER-encoded data"


def parse_signed_data(data: bytes) -> SignedData:
    """Parse a DER/BER ContentInfo holding SignedData. Raises ArtifactError on anything else."""
    if len(data) > CMS_LIMIT:
        raise ArtifactError(f"CMS data is {len(data)} bytes, more than the {CMS_LIMIT}-byte limit")
    if not data or data[0] != 0x30:  # a ContentInfo is a SEQUENCE
        raise ArtifactError(f"is not CMS SignedData: it is {describe_data_kind(data)}")
    try:
        info = cms.ContentInfo.load(data)
        content_type = info["content_type"].native
        if content_type != "signed_data":
            raise ArtifactError(f"is CMS {content_type}, not SignedData")
        signed = info["content"]
        encapsulated = signed["encap_content_info"]["content"]
        content = None if encapsulated.native is None else bytes(encapsulated.native)
        certificates = tuple(
            describe_certificate(choice.chosen)
            for choice in (signed["certificates"] or [])
            if choice.name == "certificate"
        )
        signer, signing_time, has_timestamp, timestamp = _signer(signed, certificates)
    except ArtifactError:
        raise
    except _ASN1_ERRORS as exc:
        raise ArtifactError(f"is not valid CMS SignedData ({type(exc).__name__}: {str(exc)[:100]})") from None
    return SignedData(content, certificates, signer, signing_time, has_timestamp, timestamp)


def _signer(
    signed: cms.SignedData, certificates: tuple[CertificateInfo, ...]
) -> tuple[CertificateInfo | None, datetime | None, bool, datetime | None]:
    infos = signed["signer_infos"]
    if len(infos) == 0:
        return None, None, False, None
    info = infos[0]
    sid = info["sid"]
    signer: CertificateInfo | None = None
    if sid.name == "issuer_and_serial_number":
        issuer = sid.chosen["issuer"].dump()
        serial = int(sid.chosen["serial_number"].native)
        signer = next((c for c in certificates if c.issuer_der == issuer and c.serial_number == serial), None)
    else:
        key_id = bytes(sid.chosen.native)
        signer = next((c for c in certificates if c.subject_key_id == key_id), None)
    signing_time = None
    for attr in info["signed_attrs"] or []:
        if attr["type"].native == "signing_time":
            signing_time = attr["values"][0].native
    has_timestamp, timestamp = False, None
    for attr in info["unsigned_attrs"] or []:
        if attr["type"].native == "signature_time_stamp_token":
            has_timestamp, timestamp = True, _timestamp_time(attr["values"][0])
    return signer, signing_time, has_timestamp, timestamp


def _timestamp_time(token: cms.ContentInfo) -> datetime | None:
    """genTime of an RFC 3161 token, or None when the token cannot be read."""
    try:
        tst = token["content"]["encap_content_info"]["content"].parse(tsp.TSTInfo)
        return tst["gen_time"].native
    except _ASN1_ERRORS:
        return None
