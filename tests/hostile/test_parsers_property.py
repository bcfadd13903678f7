"""Property: the artifact readers raise nothing but `ArtifactError`, whatever bytes they get.

The readers (property lists, Mach-O files with their code signatures, CMS SignedData,
provisioning profiles, DER entitlements) face files from anywhere. Each is fed arbitrary bytes,
bytes that start like its format, and real-format fixtures (built by tests/fixtures) mutated
by flipped and overwritten bytes, extreme 32-bit fields, cuts, insertions and repeated slices.
Any exception other than ArtifactError is a bug: it would surface as an internal error.

Runs are derandomized (the same examples every run, no example database), so CI stays
deterministic; `ADVISOR_PROPERTY_EXAMPLES` raises the count per property for a longer hunt.
"""

from __future__ import annotations

import contextlib
import functools
import os
import plistlib
import struct
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.inspectors.artifact_error import ArtifactError
from advisor.inspectors.cms import parse_signed_data
from advisor.inspectors.der_entitlements import decode_der_entitlements
from advisor.inspectors.macho import read_macho
from advisor.inspectors.plist_file import parse_plist
from advisor.inspectors.provisioning_profile import ProvisioningProfile
from tests.fixtures.apple_pki import profile_signer, signing_identity
from tests.fixtures.cms_writer import profile_cms
from tests.fixtures.macho_writer import SignatureSpec, SliceSpec, der_entitlements, write_macho

EXAMPLES = int(os.environ.get("ADVISOR_PROPERTY_EXAMPLES", "250"))
PROPERTY = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
TEAM = "A1B2C3D4E5"
ENTITLEMENTS: dict[str, Any] = {
    "com.apple.developer.networking.networkextension": ["packet-tunnel-provider"],
    "com.apple.security.application-groups": [f"{TEAM}.group.example"],
    "com.apple.security.app-sandbox": True,
    "com.apple.developer.team-identifier": TEAM,
}
PROFILE_PLIST: dict[str, Any] = {
    "Name": "Example Development",
    "UUID": "8E1F0A66-5B9A-4C2B-9E5D-1C1F6C8A2B3D",
    "TeamIdentifier": [TEAM],
    "TeamName": "Example Corp",
    "Platform": ["OSX"],
    "CreationDate": datetime(2025, 1, 1, tzinfo=UTC),
    "ExpirationDate": datetime(2026, 1, 1, tzinfo=UTC),
    "ProvisionedDevices": ["00008132-000A103C02F8801C"],
    "Entitlements": ENTITLEMENTS,
    "DeveloperCertificates": [b"\x30\x03\x02\x01\x01"],
}


# ---- real-format fixtures, built once ----------------------------------------------------------
@functools.cache
def _plist_fixtures() -> tuple[bytes, ...]:
    data = {"CFBundleIdentifier": "com.example.app", "NSExtension": {"NSExtensionPointIdentifier": "x", "n": [1, 2.5, True]}}
    return (plistlib.dumps(data, fmt=plistlib.FMT_XML), plistlib.dumps(data, fmt=plistlib.FMT_BINARY))


@functools.cache
def _profile_fixture() -> bytes:
    when = datetime(2025, 6, 1, tzinfo=UTC)
    return profile_cms(plistlib.dumps(PROFILE_PLIST, fmt=plistlib.FMT_XML), profile_signer("macos"), when)


@functools.cache
def _macho_fixtures() -> tuple[bytes, ...]:
    signed = SignatureSpec(
        identifier="com.example.tunnel",
        team_id=TEAM,
        signer=signing_identity("developer-id", TEAM),
        hardened_runtime=True,
        entitlements=ENTITLEMENTS,
        info_plist=b"<plist/>",
    )
    adhoc = SignatureSpec(identifier="com.example.adhoc", hash_types=("sha1", "sha256"))
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        specs = [
            [SliceSpec(arch="arm64", code_size=4096, class_names=("_TtC6Tunnel8Provider",), signature=signed)],
            [SliceSpec(arch="x86_64", code_size=4096, signature=adhoc), SliceSpec(arch="arm64", code_size=4096, signature=adhoc)],
            [SliceSpec(arch="arm64", code_size=4096)],
        ]
        for n, slices in enumerate(specs):
            out.append(write_macho(Path(tmp) / f"m{n}", slices).read_bytes())
    return tuple(out)


@functools.cache
def _der_fixture() -> bytes:
    return der_entitlements(ENTITLEMENTS)


# ---- mutations ---------------------------------------------------------------------------------
_EXTREMES = (0, 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0xFFFFFFF0)


@st.composite
def _mutated(draw: st.DrawFn, originals: Callable[[], tuple[bytes, ...]]) -> bytes:
    """One fixture with a few random edits (each keeps it recognisable, so parsing goes deep)."""
    data = bytearray(draw(st.sampled_from(originals())))
    for _ in range(draw(st.integers(1, 6))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        kind = draw(st.sampled_from(("flip", "byte", "u32", "cut", "insert", "delete", "repeat")))
        if kind == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif kind == "byte":
            data[at] = draw(st.integers(0, 255))
        elif kind == "u32" and at + 4 <= len(data):
            order = draw(st.sampled_from((">I", "<I")))
            data[at : at + 4] = struct.pack(order, draw(st.sampled_from(_EXTREMES)))
        elif kind == "cut":
            del data[at:]
        elif kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif kind == "repeat":
            piece = bytes(data[at : at + draw(st.integers(1, 64))])
            data[at:at] = piece * draw(st.integers(1, 8))
    return bytes(data)


def _prefixed(prefix: bytes) -> st.SearchStrategy[bytes]:
    return st.binary(max_size=512).map(lambda tail: prefix + tail)


def _only_artifact_errors(read: Callable[[bytes], object], data: bytes) -> None:
    """Reading either succeeds or raises ArtifactError; anything else fails the property."""
    with contextlib.suppress(ArtifactError):
        read(data)


def _read_macho_bytes(data: bytes) -> object:
    with tempfile.NamedTemporaryFile(prefix="macho-") as handle:
        handle.write(data)
        handle.flush()
        return read_macho(Path(handle.name))


# ---- the properties ---------------------------------------------------------------------------
_ANY = st.binary(max_size=2048)


@PROPERTY
@given(st.one_of(_ANY, _prefixed(b"bplist00"), _prefixed(b"<?xml version='1.0'?><plist>"), _mutated(_plist_fixtures)))
def test_plist_reader_raises_only_its_own_error(data: bytes) -> None:
    _only_artifact_errors(parse_plist, data)


@PROPERTY
@given(st.one_of(_ANY, _prefixed(b"\x30\x82"), _mutated(lambda: (_profile_fixture(),))))
def test_cms_reader_raises_only_its_own_error(data: bytes) -> None:
    _only_artifact_errors(parse_signed_data, data)


@PROPERTY
@given(st.one_of(_ANY, _mutated(lambda: (_profile_fixture(),))))
def test_provisioning_profile_reader_raises_only_its_own_error(data: bytes) -> None:
    _only_artifact_errors(ProvisioningProfile.from_bytes, data)


@PROPERTY
@given(st.one_of(_ANY, _prefixed(b"\xcf\xfa\xed\xfe"), _prefixed(b"\xca\xfe\xba\xbe"), _mutated(_macho_fixtures)))
def test_macho_reader_raises_only_its_own_error(data: bytes) -> None:
    _only_artifact_errors(_read_macho_bytes, data)


@PROPERTY
@given(st.one_of(_ANY, _prefixed(b"\x70"), _mutated(lambda: (_der_fixture(),))))
def test_der_entitlements_reader_raises_only_its_own_error(data: bytes) -> None:
    _only_artifact_errors(decode_der_entitlements, data)


def test_the_fixtures_are_read_cleanly_before_mutation() -> None:
    """The mutations start from valid artifacts, so they exercise the readers' deep paths."""
    for data in _plist_fixtures():
        assert parse_plist(data)["CFBundleIdentifier"] == "com.example.app"
    profile = ProvisioningProfile.from_bytes(_profile_fixture())
    assert profile.team_id == TEAM and profile.unreadable_certificates == 1
    assert decode_der_entitlements(_der_fixture()) == ENTITLEMENTS
    signed, universal, unsigned = (_read_macho_bytes(data) for data in _macho_fixtures())
    assert signed.primary.signature is not None and signed.primary.signature.team_id == TEAM  # type: ignore[attr-defined]
    assert universal.universal and len(universal.slices) == 2  # type: ignore[attr-defined]
    assert unsigned.primary.signature is None  # type: ignore[attr-defined]
