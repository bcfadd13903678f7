"""Embedded code signatures: SuperBlob -> CodeDirectory, requirements, entitlements, CMS.

Every offset and length read from the file is checked against the enclosing blob before use,
and only the blobs that are needed are copied out of the memory map. Blob fields are
big-endian (the layout is in xnu's `cs_blobs.h`).
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass, field
from typing import Any

from advisor.inspectors.artifact_error import ArtifactError
from advisor.inspectors.certificates import CertificateInfo, CertificateKind
from advisor.inspectors.cms import SignedData, parse_signed_data
from advisor.inspectors.der_entitlements import decode_der_entitlements
from advisor.inspectors.plist_file import parse_plist_dict

MAGIC_EMBEDDED_SIGNATURE = 0xFADE0CC0
MAGIC_CODE_DIRECTORY = 0xFADE0C02
MAGIC_REQUIREMENTS = 0xFADE0C01
MAGIC_ENTITLEMENTS = 0xFADE7171
MAGIC_DER_ENTITLEMENTS = 0xFADE7172
MAGIC_BLOB_WRAPPER = 0xFADE0B01

SLOT_CODE_DIRECTORY = 0
SLOT_INFO_PLIST = 1
SLOT_REQUIREMENTS = 2
SLOT_RESOURCE_DIR = 3
SLOT_ENTITLEMENTS = 5
SLOT_DER_ENTITLEMENTS = 7
SLOT_ALTERNATE_CODE_DIRECTORIES = range(0x1000, 0x1005)
SLOT_CMS_SIGNATURE = 0x10000

REQUIREMENT_DESIGNATED = 3

FLAG_ADHOC = 0x2
FLAG_RUNTIME = 0x10000
FLAG_LINKER_SIGNED = 0x20000
_FLAG_NAMES = {
    0x1: "host",
    0x2: "adhoc",
    0x4: "force-hard",
    0x8: "kill",
    0x10: "expires",
    0x20: "restrict",
    0x40: "enforcement",
    0x80: "library-validation",
    0x10000: "runtime",
    0x20000: "linker-signed",
}
HASH_TYPES = {1: "sha1", 2: "sha256", 3: "sha256", 4: "sha384"}  # 3 = SHA-256 truncated to 20 bytes
_HASH_PREFERENCE = {2: 3, 4: 2, 3: 1, 1: 0}

SIGNATURE_LIMIT = 256 * 1024 * 1024  # a whole SuperBlob; its CodeDirectories hold one hash per 4 KB page
_BLOB_LIMIT = 64 * 1024 * 1024  # one blob copied out of the map
_MAX_BLOBS = 64
_MAX_STRING = 4096


def _u32(data: bytes | memoryview, offset: int) -> int:
    return struct.unpack_from(">I", data, offset)[0]


def _c_string(blob: bytes, offset: int, what: str) -> str:
    if not 0 < offset < len(blob):
        raise ArtifactError(f"CodeDirectory {what} offset {offset} is outside the blob")
    end = blob.find(b"\x00", offset, offset + _MAX_STRING)
    if end < 0:
        raise ArtifactError(f"CodeDirectory {what} is not terminated")
    return blob[offset:end].decode("utf-8", errors="replace")


@dataclass(frozen=True)
class CodeDirectory:
    version: int
    flags: int
    hash_type: int
    hash_size: int
    page_size: int  # bytes; 0 means one hash for the whole code
    code_limit: int
    special_slot_count: int
    code_slot_count: int
    identifier: str
    team_id: str | None
    platform: int
    runtime_version: int | None  # the SDK the hardened runtime targets (v >= 0x20500)
    cdhash: bytes  # first 20 bytes of the hash of this CodeDirectory (what codesign calls CDHash)
    special_hashes: dict[int, bytes] = field(default_factory=dict)

    @property
    def hash_name(self) -> str:
        return HASH_TYPES.get(self.hash_type, f"unknown({self.hash_type})")

    @classmethod
    def parse(cls, blob: bytes) -> CodeDirectory:
        if len(blob) < 44:
            raise ArtifactError("CodeDirectory is shorter than its fixed header")
        version, flags, hash_offset, ident_offset, n_special, n_code, code_limit = struct.unpack_from(">7I", blob, 8)
        hash_size, hash_type, platform, page_shift = struct.unpack_from(">4B", blob, 36)
        if hash_type not in HASH_TYPES:
            raise ArtifactError(f"CodeDirectory hash type {hash_type} is unknown")
        if not 1 <= hash_size <= 64:
            raise ArtifactError(f"CodeDirectory hash size {hash_size} is invalid")
        if page_shift > 30:
            raise ArtifactError(f"CodeDirectory page size 2^{page_shift} is invalid")
        if hash_offset > len(blob) or n_special * hash_size > hash_offset:
            raise ArtifactError("CodeDirectory special slots lie outside the blob")
        if hash_offset + n_code * hash_size > len(blob):
            raise ArtifactError("CodeDirectory code slots run past the end of the blob")
        identifier = _c_string(blob, ident_offset, "identifier")
        team_id = None
        if version >= 0x20200 and len(blob) >= 52:
            team_offset = _u32(blob, 48)
            if team_offset:
                team_id = _c_string(blob, team_offset, "team identifier")
        if version >= 0x20300 and len(blob) >= 64:
            code_limit = struct.unpack_from(">Q", blob, 56)[0] or code_limit
        runtime = _u32(blob, 88) if version >= 0x20500 and len(blob) >= 92 else None
        specials: dict[int, bytes] = {}
        for slot in range(1, n_special + 1):
            digest = blob[hash_offset - slot * hash_size : hash_offset - (slot - 1) * hash_size]
            if any(digest):
                specials[slot] = digest
        name = HASH_TYPES[hash_type]
        return cls(
            version=version,
            flags=flags,
            hash_type=hash_type,
            hash_size=hash_size,
            page_size=(1 << page_shift) if page_shift else 0,
            code_limit=code_limit,
            special_slot_count=n_special,
            code_slot_count=n_code,
            identifier=identifier,
            team_id=team_id,
            platform=platform,
            runtime_version=runtime,
            cdhash=hashlib.new(name, blob).digest()[:20],
            special_hashes=specials,
        )

    def special_slot_matches(self, slot: int, content: bytes) -> bool | None:
        """Whether `content` hashes to special slot `slot`; None when the slot is empty."""
        expected = self.special_hashes.get(slot)
        if expected is None:
            return None
        return hashlib.new(self.hash_name, content).digest()[: self.hash_size] == expected


@dataclass(frozen=True)
class CodeSignature:
    code_directories: tuple[CodeDirectory, ...]  # the primary (slot 0) first
    requirement_types: tuple[int, ...]
    entitlements: dict[str, Any] | None  # from the XML blob
    der_entitlements: dict[str, Any] | None  # from the DER blob
    cms_blob_present: bool
    cms: SignedData | None  # None for ad-hoc signatures (empty or missing CMS blob)
    cms_error: str | None = None  # the CMS blob is present but unreadable
    problems: tuple[str, ...] = ()  # blobs present but unreadable (cms_error included)

    @property
    def primary(self) -> CodeDirectory:
        return self.code_directories[0]

    @property
    def best(self) -> CodeDirectory:
        """The strongest-hash CodeDirectory (the one the system prefers)."""
        return max(self.code_directories, key=lambda cd: _HASH_PREFERENCE.get(cd.hash_type, -1))

    @property
    def identifier(self) -> str:
        return self.primary.identifier

    @property
    def team_id(self) -> str | None:
        return self.primary.team_id

    @property
    def flags(self) -> int:
        return self.primary.flags

    @property
    def flag_names(self) -> list[str]:
        return [name for bit, name in _FLAG_NAMES.items() if self.flags & bit]

    @property
    def hardened_runtime(self) -> bool:
        return bool(self.flags & FLAG_RUNTIME)

    @property
    def signer(self) -> CertificateInfo | None:
        return self.cms.signer if self.cms else None

    @property
    def is_ad_hoc(self) -> bool:
        if self.flags & (FLAG_ADHOC | FLAG_LINKER_SIGNED):
            return True
        return self.cms is None and self.cms_error is None

    @property
    def certificate_kind(self) -> CertificateKind | None:
        return self.signer.kind if self.signer else None

    @property
    def has_designated_requirement(self) -> bool:
        return REQUIREMENT_DESIGNATED in self.requirement_types

    @property
    def effective_entitlements(self) -> dict[str, Any]:
        """The entitlements the system sees (XML blob; the DER blob when only it is present)."""
        if self.entitlements is not None:
            return self.entitlements
        return self.der_entitlements or {}

    def to_json(self) -> dict[str, Any]:
        cms = self.cms
        return {
            "identifier": self.identifier,
            "team_id": self.team_id,
            "flags": [f"0x{self.flags:x}", *self.flag_names],
            "hardened_runtime": self.hardened_runtime,
            "code_directory_version": f"0x{self.primary.version:x}",
            "hash_types": [cd.hash_name for cd in self.code_directories],
            "cdhash": self.best.cdhash.hex(),
            "designated_requirement": self.has_designated_requirement,
            "entitlements_blobs": [
                n for n, v in (("xml", self.entitlements), ("der", self.der_entitlements)) if v is not None
            ],
            "ad_hoc": self.is_ad_hoc,
            "authority": [c.common_name for c in cms.chain] if cms else [],
            "signing_certificate": cms.signer.to_json() if cms and cms.signer else None,
            "signing_time": cms.signing_time.isoformat() if cms and cms.signing_time else None,
            "secure_timestamp": (
                (cms.timestamp.isoformat() if cms.timestamp else True) if cms and cms.has_timestamp else None
            ),
            "problems": list(self.problems),
        }


def _blob(buf: Any, start: int, length: int, offset: int) -> tuple[int, bytes]:
    """(magic, bytes) of the blob at `offset` inside the SuperBlob at `start`."""
    if offset < 12 or offset + 8 > length:
        raise ArtifactError(f"blob offset {offset} lies outside the signature")
    magic, blob_length = struct.unpack(">II", buf[start + offset : start + offset + 8])
    if blob_length < 8 or offset + blob_length > length:
        raise ArtifactError(f"blob 0x{magic:08x} at {offset} runs past the end of the signature")
    if blob_length > _BLOB_LIMIT:
        raise ArtifactError(f"blob 0x{magic:08x} is {blob_length} bytes, more than the limit")
    return magic, bytes(buf[start + offset : start + offset + blob_length])


def parse_code_signature(buf: Any, start: int, size: int) -> CodeSignature:
    """Parse the SuperBlob at `buf[start:start+size]` (`buf` may be an mmap)."""
    if size < 12:
        raise ArtifactError("code signature is shorter than a SuperBlob header")
    if size > SIGNATURE_LIMIT:
        raise ArtifactError(f"code signature is {size} bytes, more than the limit")
    magic, length, count = struct.unpack(">III", buf[start : start + 12])
    if magic != MAGIC_EMBEDDED_SIGNATURE:
        raise ArtifactError(f"code signature magic is 0x{magic:08x}, not an embedded signature (0xfade0cc0)")
    if length > size or length < 12:
        raise ArtifactError(f"code signature length {length} does not fit its {size}-byte region")
    if count > _MAX_BLOBS or 12 + count * 8 > length:
        raise ArtifactError(f"code signature claims {count} blobs, more than fit")
    index = struct.unpack(f">{count * 2}I", buf[start + 12 : start + 12 + count * 8])
    slots = {index[i * 2]: index[i * 2 + 1] for i in range(count)}
    if SLOT_CODE_DIRECTORY not in slots:
        raise ArtifactError("code signature has no CodeDirectory")

    directories: list[CodeDirectory] = []
    for slot in (SLOT_CODE_DIRECTORY, *SLOT_ALTERNATE_CODE_DIRECTORIES):
        if slot not in slots:
            continue
        magic, blob = _blob(buf, start, length, slots[slot])
        if magic != MAGIC_CODE_DIRECTORY:
            raise ArtifactError(f"slot {slot:#x} holds blob 0x{magic:08x}, not a CodeDirectory")
        directories.append(CodeDirectory.parse(blob))

    problems: list[str] = []

    def payload(slot: int, expected: int, what: str) -> bytes | None:
        if slot not in slots:
            return None
        try:
            magic, blob = _blob(buf, start, length, slots[slot])
        except ArtifactError as exc:
            problems.append(f"{what}: {exc}")
            return None
        if magic != expected:
            problems.append(f"{what}: blob magic 0x{magic:08x}, expected 0x{expected:08x}")
            return None
        return blob

    requirement_types: tuple[int, ...] = ()
    requirements = payload(SLOT_REQUIREMENTS, MAGIC_REQUIREMENTS, "requirements")
    if requirements is not None:
        requirement_types = _requirement_types(requirements, problems)

    entitlements = None
    xml = payload(SLOT_ENTITLEMENTS, MAGIC_ENTITLEMENTS, "entitlements")
    if xml is not None:
        try:
            entitlements = parse_plist_dict(xml[8:])
        except ArtifactError as exc:
            problems.append(f"entitlements {exc}")

    der_entitlements = None
    der = payload(SLOT_DER_ENTITLEMENTS, MAGIC_DER_ENTITLEMENTS, "DER entitlements")
    if der is not None:
        try:
            der_entitlements = decode_der_entitlements(der[8:])
        except ArtifactError as exc:
            problems.append(str(exc))

    cms, cms_error = None, None
    problem_count = len(problems)
    wrapper = payload(SLOT_CMS_SIGNATURE, MAGIC_BLOB_WRAPPER, "CMS signature")
    if len(problems) > problem_count:
        cms_error = problems[-1]
    elif wrapper is not None and len(wrapper) > 8:
        try:
            cms = parse_signed_data(wrapper[8:])
        except ArtifactError as exc:
            cms_error = f"CMS signature {exc}"
            problems.append(cms_error)
    return CodeSignature(
        code_directories=tuple(directories),
        requirement_types=requirement_types,
        entitlements=entitlements,
        der_entitlements=der_entitlements,
        cms_blob_present=SLOT_CMS_SIGNATURE in slots,
        cms=cms,
        cms_error=cms_error,
        problems=tuple(problems),
    )


def _requirement_types(blob: bytes, problems: list[str]) -> tuple[int, ...]:
    if len(blob) < 12:
        problems.append("requirements: blob shorter than its header")
        return ()
    count = _u32(blob, 8)
    if count > 16 or 12 + count * 8 > len(blob):
        problems.append(f"requirements: {count} entries do not fit the blob")
        return ()
    return tuple(_u32(blob, 12 + i * 8) for i in range(count))
