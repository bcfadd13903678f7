"""The artifact parsers on fixture-made inputs: plists, DER entitlements, CMS, certificates,
profiles, Mach-O files and code signatures, including malformed ones."""

from __future__ import annotations

import plistlib
import struct
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from advisor.inspectors.artifact_error import ArtifactError
from advisor.inspectors.certificates import CertificateKind, load_certificate
from advisor.inspectors.cms import parse_signed_data
from advisor.inspectors.code_signature import SLOT_ENTITLEMENTS, SLOT_INFO_PLIST
from advisor.inspectors.der_entitlements import decode_der_entitlements
from advisor.inspectors.macho import read_macho
from advisor.inspectors.plist_file import parse_plist, parse_plist_dict, read_plist_dict
from advisor.inspectors.provisioning_profile import ProfileKind, ProvisioningProfile
from tests.fixtures.apple_pki import profile_signer, signing_identity
from tests.fixtures.bundle_builder import DEFAULT_TEAM, DEFAULT_UDID, ProfileSpec, _profile_bytes
from tests.fixtures.cms_writer import profile_cms
from tests.fixtures.macho_writer import SignatureSpec, SliceSpec, der_entitlements, write_macho

ENTITLEMENTS = {
    "com.apple.developer.networking.networkextension": ["packet-tunnel-provider-systemextension"],
    "com.apple.security.app-sandbox": True,
    "com.apple.security.get-task-allow": False,
    "answer": 42,
    "negative": -1,
    "nested": {"inner": ["a", {"deep": True}], "empty": {}},
    "utf8": "réseau",
}


# ---- property lists --------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [plistlib.FMT_XML, plistlib.FMT_BINARY])
def test_plist_xml_and_binary(fmt: int) -> None:
    assert parse_plist_dict(plistlib.dumps({"CFBundleIdentifier": "a.b", "n": [1, 2]}, fmt=fmt)) == {
        "CFBundleIdentifier": "a.b",
        "n": [1, 2],
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"hello", "not an XML or binary property list"),
        (b"<?xml version='1.0'?><plist><dict><key>a</key>", "not a valid xml property list"),
        (plistlib.dumps({"a": 1}, fmt=plistlib.FMT_BINARY)[:-10], "not a valid binary property list"),
        (b"bplist00" + b"\xff" * 40, "not a valid binary property list"),
        (plistlib.dumps([1, 2]), "top level is list"),
    ],
)
def test_plist_errors(data: bytes, message: str) -> None:
    with pytest.raises(ArtifactError, match=message):
        parse_plist_dict(data)


def test_plist_entity_expansion_is_refused() -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE plist [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>
<plist version="1.0"><dict><key>k</key><string>&b;&b;&b;</string></dict></plist>"""
    with pytest.raises(ArtifactError):
        parse_plist(bomb)


def _binary_plist(objects: list[bytes]) -> bytes:
    """A binary plist from encoded objects (1-byte object refs and offsets), object 0 the top."""
    body = b""
    offsets = []
    for obj in objects:
        offsets.append(8 + len(body))
        body += obj
    table_at = 8 + len(body)
    trailer = struct.pack(">6xBBQQQ", 1, 1, len(objects), 0, table_at)
    return b"bplist00" + body + bytes(offsets) + trailer


def test_self_referencing_binary_plist_is_an_error() -> None:
    # Object 0: a dict {object 1: object 0}, i.e. a dictionary that contains itself.
    data = _binary_plist([b"\xd1\x01\x00", b"\x51k"])
    with pytest.raises(ArtifactError, match="nested more than"):
        parse_plist(data)


def test_shared_object_bomb_is_an_error() -> None:
    # Object i is the array [i+1, i+1]: 40 objects expand to 2^40 values when walked.
    objects = [bytes([0xA2, i + 1, i + 1]) for i in range(40)] + [b"\x09"]  # last: true
    with pytest.raises(ArtifactError, match="more than"):
        parse_plist(_binary_plist(objects))


def test_plist_file_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "Info.plist"
    with open(path, "wb") as handle:
        handle.truncate(64 * 1024 * 1024)  # sparse
    with pytest.raises(ArtifactError, match="more than the"):
        read_plist_dict(path)


def test_plist_fifo_is_not_read(tmp_path: Path) -> None:
    import os

    path = tmp_path / "Info.plist"
    os.mkfifo(path)
    with pytest.raises(ArtifactError, match="not a regular file"):
        read_plist_dict(path)


# ---- DER entitlements ------------------------------------------------------------------------


def test_der_entitlements_round_trip() -> None:
    assert decode_der_entitlements(der_entitlements(ENTITLEMENTS)) == ENTITLEMENTS


def test_der_entitlements_known_encoding() -> None:
    # {"key": true} as codesign writes it: [APPLICATION 16] { INTEGER 1, [CONTEXT 16] { SEQ { "key", TRUE } } }
    raw = bytes([0x70, 15, 2, 1, 1, 0xB0, 10, 0x30, 8, 0x0C, 3]) + b"key" + bytes([1, 1, 0xFF])
    assert decode_der_entitlements(raw) == {"key": True}


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x70\x80\x02\x01\x01\xb0\x00\x00\x00",  # indefinite length
        der_entitlements({"a": 1})[:-1],  # truncated
        b"\x30\x05\x02\x01\x01\xb0\x00",  # wrong envelope
        b"\x70\x05\x02\x01\x02\xb0\x00",  # version 2
        b"\x70\x07\x02\x01\x01\x04\x02hi",  # OCTET STRING is not a value type
        b"\x70\x85\xff\xff\xff\xff\xff",  # absurd length
    ],
)
def test_der_entitlements_errors(raw: bytes) -> None:
    with pytest.raises(ArtifactError):
        decode_der_entitlements(raw)


def test_der_entitlements_depth_is_bounded() -> None:
    value: object = True
    for _ in range(200):
        value = [value]
    with pytest.raises(ArtifactError, match="nested too deeply"):
        decode_der_entitlements(der_entitlements({"k": value}))


# ---- CMS and certificates --------------------------------------------------------------------


def test_cms_kind_is_checked_before_parsing() -> None:
    with pytest.raises(ArtifactError, match="it is an XML property list"):
        parse_signed_data(plistlib.dumps({"a": 1}))
    with pytest.raises(ArtifactError, match="binary property list"):
        parse_signed_data(plistlib.dumps({"a": 1}, fmt=plistlib.FMT_BINARY))


def test_cms_truncated() -> None:
    data = profile_cms(plistlib.dumps({"UUID": "x"}), profile_signer("macos"))
    with pytest.raises(ArtifactError, match="not valid CMS SignedData"):
        parse_signed_data(data[: len(data) // 2])


def test_cms_signature_verifies_with_the_signer_key() -> None:
    """The fixtures are real CMS: the signed attributes verify against the signer's public key."""
    from asn1crypto import cms
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    signer = profile_signer("ios")
    info = cms.ContentInfo.load(profile_cms(b"<plist/>", signer))["content"]["signer_infos"][0]
    attrs = info["signed_attrs"].untag().dump()  # signed as a SET, stored as [0]
    signer.certificate.public_key().verify(info["signature"].native, attrs, ec.ECDSA(hashes.SHA256()))


@pytest.mark.parametrize(
    ("kind", "oids", "prefix", "expected"),
    [
        ("apple-development", True, True, CertificateKind.APPLE_DEVELOPMENT),
        ("apple-development", False, True, CertificateKind.APPLE_DEVELOPMENT),
        ("apple-development", True, False, CertificateKind.APPLE_DEVELOPMENT),
        ("apple-distribution", True, False, CertificateKind.APPLE_DISTRIBUTION),
        ("apple-distribution", False, True, CertificateKind.APPLE_DISTRIBUTION),
        ("developer-id", True, False, CertificateKind.DEVELOPER_ID),
        ("developer-id", False, True, CertificateKind.DEVELOPER_ID),
        ("mac-developer", False, True, CertificateKind.APPLE_DEVELOPMENT),
        ("3rd-party-mac-developer", False, True, CertificateKind.APPLE_DISTRIBUTION),
        ("developer-id", False, False, CertificateKind.OTHER),
        ("other", True, True, CertificateKind.OTHER),
    ],
)
def test_certificate_kind_from_oids_or_name(kind: str, oids: bool, prefix: bool, expected: CertificateKind) -> None:
    cert = load_certificate(signing_identity(kind, DEFAULT_TEAM, oids, prefix).der)
    assert cert.kind is expected
    assert cert.team_id == DEFAULT_TEAM


def test_malformed_certificate() -> None:
    with pytest.raises(ArtifactError):
        load_certificate(b"\x30\x03\x02\x01\x01")


# ---- provisioning profiles -------------------------------------------------------------------


def _profile(
    spec: ProfileSpec, signing: str = "apple-development", platform: str = "macos", signed: dict | None = None
) -> ProvisioningProfile:
    ents = signed or {
        "com.apple.application-identifier": f"{DEFAULT_TEAM}.com.example.vpn",
        "keychain-access-groups": [f"{DEFAULT_TEAM}.com.example.vpn"],
    }
    identity = signing_identity(signing, DEFAULT_TEAM) if signing not in ("ad-hoc", "unsigned") else None
    return ProvisioningProfile.from_bytes(
        _profile_bytes(spec, platform, signing, DEFAULT_TEAM, "com.example.vpn", ents, identity), "p"
    )


@pytest.mark.parametrize(
    ("spec", "signing", "platform", "kind"),
    [
        (ProfileSpec(), "apple-development", "macos", ProfileKind.DEVELOPMENT),
        (ProfileSpec(), "developer-id", "macos", ProfileKind.DEVELOPER_ID),
        (ProfileSpec(), "apple-distribution", "ios", ProfileKind.APP_STORE),
        (ProfileSpec(type="ad-hoc"), "apple-distribution", "ios", ProfileKind.AD_HOC),
        (ProfileSpec(type="enterprise"), "apple-distribution", "ios", ProfileKind.ENTERPRISE),
    ],
)
def test_profile_kinds(spec: ProfileSpec, signing: str, platform: str, kind: ProfileKind) -> None:
    assert _profile(spec, signing, platform).kind is kind


def test_profile_fields_and_matching() -> None:
    profile = _profile(
        ProfileSpec(
            entitlements_update={
                "com.apple.developer.networking.networkextension": ["packet-tunnel-provider", "dns-proxy"]
            }
        )
    )
    assert profile.team_id == DEFAULT_TEAM and profile.platforms == ("OSX",)
    assert profile.application_identifier == f"{DEFAULT_TEAM}.com.example.vpn"
    assert profile.lists_device(DEFAULT_UDID.lower()) and not profile.lists_device("00000000-0000000000000000")
    assert profile.lists_certificate(load_certificate(signing_identity("apple-development", DEFAULT_TEAM).der))
    assert not profile.lists_certificate(
        load_certificate(signing_identity("apple-development", DEFAULT_TEAM, True, True, "x").der)
    )
    ne = "com.apple.developer.networking.networkextension"
    assert profile.authorises(ne, ["dns-proxy"]) and not profile.authorises(ne, ["dns-proxy-systemextension"])
    assert profile.authorises("keychain-access-groups", [f"{DEFAULT_TEAM}.anything"])  # TEAM.* wildcard
    assert not profile.authorises("keychain-access-groups", ["OTHERTEAM1.anything"])
    assert profile.authorises("com.apple.developer.system-extension.install", False)
    assert not profile.authorises("com.apple.developer.system-extension.install", True)
    now = datetime.now(UTC)
    assert not profile.expired(now) and profile.expired(now + timedelta(days=400))


def test_profile_that_is_a_plain_plist() -> None:
    with pytest.raises(ArtifactError, match="XML property list"):
        ProvisioningProfile.from_bytes(plistlib.dumps({"Name": "x"}))


def test_profile_whose_content_is_not_a_profile() -> None:
    data = profile_cms(plistlib.dumps({"Something": "else"}), profile_signer("macos"))
    with pytest.raises(ArtifactError, match="not a provisioning profile"):
        ProvisioningProfile.from_bytes(data)


# ---- Mach-O and code signatures --------------------------------------------------------------


def _signature(**kwargs: object) -> SignatureSpec:
    base: dict = dict(
        identifier="com.example.tool",
        team_id=DEFAULT_TEAM,
        signer=signing_identity("developer-id", DEFAULT_TEAM),
        hardened_runtime=True,
        timestamp=True,
        entitlements=ENTITLEMENTS,
        info_plist=b"<plist/>",
    )
    base.update(kwargs)
    return SignatureSpec(**base)  # type: ignore[arg-type]


def test_thin_signed_macho(tmp_path: Path) -> None:
    path = write_macho(
        tmp_path / "tool", [SliceSpec(arch="x86_64", class_names=("_TtC4Tool8Provider",), signature=_signature())]
    )
    macho = read_macho(path)
    assert not macho.universal and macho.format == "Mach-O thin (x86_64)"
    [slice_] = macho.slices
    assert slice_.platform == "macos" and slice_.min_os == "13.0.0"
    assert slice_.objc_class_names == frozenset({"_TtC4Tool8Provider"})
    sig = slice_.signature
    assert sig is not None and not sig.problems
    assert (sig.identifier, sig.team_id, sig.hardened_runtime, sig.is_ad_hoc) == (
        "com.example.tool",
        DEFAULT_TEAM,
        True,
        False,
    )
    assert sig.primary.hash_name == "sha256" and sig.primary.page_size == 4096
    assert sig.entitlements == ENTITLEMENTS and sig.der_entitlements == ENTITLEMENTS
    assert sig.has_designated_requirement
    assert sig.certificate_kind is CertificateKind.DEVELOPER_ID
    assert [c.common_name for c in sig.cms.chain] == [
        f"Developer ID Application: Example Corp ({DEFAULT_TEAM})",
        "Developer ID Certification Authority",
        "Apple Root CA",
    ]
    assert sig.cms.has_timestamp and sig.cms.timestamp is not None
    assert sig.best.special_slot_matches(SLOT_INFO_PLIST, b"<plist/>") is True
    assert sig.best.special_slot_matches(SLOT_INFO_PLIST, b"<plist>changed</plist>") is False


def test_universal_with_sha1_and_sha256_directories(tmp_path: Path) -> None:
    spec = _signature(hash_types=("sha1", "sha256"))
    path = write_macho(
        tmp_path / "tool", [SliceSpec(arch="x86_64", signature=spec), SliceSpec(arch="arm64", signature=spec)]
    )
    macho = read_macho(path)
    assert macho.universal and [s.arch for s in macho.slices] == ["x86_64", "arm64"]
    assert macho.primary.arch == "arm64"
    sig = macho.primary.signature
    assert [cd.hash_name for cd in sig.code_directories] == ["sha1", "sha256"]
    assert sig.best.hash_name == "sha256" and len(sig.best.cdhash) == 20


def test_fat64_header(tmp_path: Path) -> None:
    path = write_macho(tmp_path / "tool", [SliceSpec(arch="arm64", signature=_signature())], fat64=True, force_fat=True)
    assert read_macho(path).universal


def test_ad_hoc_and_unsigned(tmp_path: Path) -> None:
    adhoc = read_macho(
        write_macho(
            tmp_path / "adhoc",
            [SliceSpec(signature=_signature(signer=None, team_id=None, designated_requirement=False))],
        )
    )
    sig = adhoc.primary.signature
    assert sig.is_ad_hoc and sig.signer is None and "adhoc" in sig.flag_names and not sig.has_designated_requirement
    unsigned = read_macho(write_macho(tmp_path / "unsigned", [SliceSpec(signature=None)]))
    assert unsigned.primary.signature is None and unsigned.primary.signature_error is None


def _corrupt(path: Path, offset: int, data: bytes) -> Path:
    raw = bytearray(path.read_bytes())
    raw[offset : offset + len(data)] = data
    path.write_bytes(bytes(raw))
    return path


def _signature_offset(path: Path) -> int:
    return path.read_bytes().find(b"\xfa\xde\x0c\xc0")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda p: p.write_bytes(p.read_bytes()[:20]), "too small"),
        (
            lambda p: p.write_bytes(b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + b"\x00" * 64),
            "claims 52 architectures",
        ),  # a Java class file
        (
            lambda p: p.write_bytes(
                b"\xca\xfe\xba\xbe\x00\x00\x00\x01" + struct.pack(">iiIIi", 7, 3, 4096, 0xFFFF0000, 12)
            ),
            "outside",
        ),
        (lambda p: _corrupt(p, 16, struct.pack("<I", 0x7FFFFFFF)), "do not fit"),  # sizeofcmds
        (lambda p: _corrupt(p, 0, b"\x7fELF"), "not a Mach-O header"),
    ],
)
def test_malformed_macho_files(tmp_path: Path, damage, message: str) -> None:  # type: ignore[no-untyped-def]
    path = write_macho(tmp_path / "tool", [SliceSpec(signature=_signature())])
    damage(path)
    with pytest.raises(ArtifactError, match=message):
        read_macho(path)


@pytest.mark.parametrize(
    ("where", "data", "message"),
    [
        (0, b"\x00\x00\x00\x00", "not an embedded signature"),
        (8, b"\x00\x00\xff\xff", "more than fit"),  # blob count
        (4, b"\xff\xff\xff\xff", "does not fit"),  # SuperBlob length
        (16, b"\x7f\xff\xff\xff", "outside the signature"),  # first blob offset
    ],
)
def test_malformed_signatures_are_reported_not_raised(tmp_path: Path, where: int, data: bytes, message: str) -> None:
    path = write_macho(tmp_path / "tool", [SliceSpec(signature=_signature())])
    _corrupt(path, _signature_offset(path) + where, data)
    macho = read_macho(path)
    assert macho.primary.signature is None
    assert message in macho.primary.signature_error


def test_corrupt_entitlements_blob_is_a_problem_not_a_failure(tmp_path: Path) -> None:
    path = write_macho(tmp_path / "tool", [SliceSpec(signature=_signature())])
    raw = path.read_bytes()
    at = raw.find(b"<?xml", _signature_offset(path))
    _corrupt(path, at, b"<?xmX")
    sig = read_macho(path).primary.signature
    assert sig.entitlements is None and sig.der_entitlements == ENTITLEMENTS
    assert sig.effective_entitlements == ENTITLEMENTS
    assert any("entitlements" in p for p in sig.problems)
    assert SLOT_ENTITLEMENTS in sig.best.special_hashes


def test_corrupt_cms_blob(tmp_path: Path) -> None:
    path = write_macho(tmp_path / "tool", [SliceSpec(signature=_signature())])
    raw = path.read_bytes()
    at = raw.find(b"\xfa\xde\x0b\x01")
    _corrupt(path, at + 8, b"\x04\x00")  # an OCTET STRING where a SEQUENCE should start
    sig = read_macho(path).primary.signature
    assert sig.cms is None and sig.cms_error and not sig.is_ad_hoc


def test_huge_sparse_universal_file_is_read_by_its_signatures_only(tmp_path: Path) -> None:
    size = 3 * 1024**3  # per slice: a Mach-O slice must stay under 4 GB, the fat64 file need not
    slices = [SliceSpec(arch=arch, code_size=size, signature=_signature()) for arch in ("x86_64", "arm64")]
    path = write_macho(tmp_path / "big", slices, fat64=True)
    assert path.stat().st_size > 2 * size and path.stat().st_blocks * 512 < 256 * 1024**2  # sparse
    macho = read_macho(path)
    assert macho.slices[1].offset >= size
    assert [s.signature.primary.code_slot_count for s in macho.slices] == [size // 4096] * 2


def test_code_limit_past_end_of_file(tmp_path: Path) -> None:
    path = write_macho(tmp_path / "tool", [SliceSpec(signature=_signature())])
    raw = path.read_bytes()
    sig_at = _signature_offset(path)
    path.write_bytes(raw[: sig_at + 100])  # truncated inside the signature
    macho = read_macho(path)
    assert macho.primary.signature is None and "outside" in macho.primary.signature_error
