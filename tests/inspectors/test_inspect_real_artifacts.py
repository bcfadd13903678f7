"""Cross-check the parsers on real Apple-signed artifacts (see ../shared/real-artifacts/PROVENANCE.md)."""

from __future__ import annotations

import base64
import plistlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from advisor.inspectors.certificates import CertificateKind
from advisor.inspectors.code_signature import SLOT_INFO_PLIST, SLOT_RESOURCE_DIR
from advisor.inspectors.macho import read_macho
from advisor.inspectors.provisioning_profile import ProfileKind, ProvisioningProfile


def test_sparkle_downloader_universal_developer_id(real_artifacts: Path) -> None:
    macho = read_macho(real_artifacts / "sparkle.Downloader.macho")
    assert macho.universal and [s.arch for s in macho.slices] == ["x86_64", "arm64"]
    for slice_ in macho.slices:
        sig = slice_.signature
        assert sig is not None and not sig.problems
        assert sig.identifier == "org.sparkle-project.DownloaderService"
        assert sig.team_id == "2MMGJGVTB4"
        assert sig.primary.version == 0x20500 and sig.hardened_runtime and sig.flag_names == ["runtime"]
        assert sig.has_designated_requirement
        assert sig.entitlements is not None and sig.der_entitlements is not None
        assert sig.entitlements == sig.der_entitlements
        assert sig.certificate_kind is CertificateKind.DEVELOPER_ID
        assert [c.common_name for c in sig.cms.chain] == [
            "Developer ID Application: Wouter Hennen (2MMGJGVTB4)",
            "Developer ID Certification Authority",
            "Apple Root CA",
        ]
        assert sig.cms.has_timestamp and sig.cms.timestamp.date().isoformat() == "2024-09-01"


def test_sparkle_cdhash_matches_the_bundle_seal(real_artifacts: Path) -> None:
    """codesign recorded the Downloader's cdhash in Sparkle.framework's CodeResources."""
    seal = plistlib.loads((real_artifacts / "sparkle.framework.CodeResources").read_bytes())
    recorded = seal["files2"]["XPCServices/Downloader.xpc"]["cdhash"]
    macho = read_macho(real_artifacts / "sparkle.Downloader.macho")
    cdhashes = {s.arch: s.signature.best.cdhash for s in macho.slices}
    assert recorded in cdhashes.values(), (base64.b64encode(recorded), {k: v.hex() for k, v in cdhashes.items()})
    requirement = seal["files2"]["XPCServices/Downloader.xpc"]["requirement"]
    assert 'identifier "org.sparkle-project.DownloaderService"' in requirement  # the identifier we read


def test_sparkle_special_slots_seal_info_plist_and_resources(real_artifacts: Path) -> None:
    sig = read_macho(real_artifacts / "sparkle.Downloader.macho").primary.signature
    assert (
        sig.best.special_slot_matches(SLOT_INFO_PLIST, (real_artifacts / "sparkle.Downloader.Info.plist").read_bytes())
        is True
    )
    assert (
        sig.best.special_slot_matches(
            SLOT_RESOURCE_DIR, (real_artifacts / "sparkle.Downloader.CodeResources").read_bytes()
        )
        is True
    )


def test_mdimporter_apple_signed_thin(real_artifacts: Path) -> None:
    macho = read_macho(real_artifacts / "mdimporter.RichText.macho")
    assert not macho.universal and macho.slices[0].arch == "x86_64"
    sig = macho.primary.signature
    assert sig.primary.version == 0x20100 and sig.team_id is None
    assert sig.identifier == "com.apple.MDImporter.RichText"
    assert sig.certificate_kind is CertificateKind.APPLE_SOFTWARE
    assert sig.signer.team_id is None  # "Apple Software" is not a Team ID
    assert sig.entitlements is None and sig.has_designated_requirement
    assert (
        sig.best.special_slot_matches(SLOT_RESOURCE_DIR, (real_artifacts / "mdimporter.CodeResources").read_bytes())
        is True
    )
    # The repository edited this Info.plist after Apple signed it: the seal shows it.
    assert (
        sig.best.special_slot_matches(SLOT_INFO_PLIST, (real_artifacts / "mdimporter.Info.plist").read_bytes()) is False
    )


@pytest.mark.parametrize(
    ("name", "kind", "team", "certificate_kind", "all_devices", "devices"),
    [
        ("credctl", ProfileKind.DEVELOPMENT, "JWR3NGC3Z6", CertificateKind.APPLE_DEVELOPMENT, False, 1),
        ("mediamate", ProfileKind.DEVELOPER_ID, "2MMGJGVTB4", CertificateKind.DEVELOPER_ID, True, 0),
        ("kdrive", ProfileKind.DEVELOPER_ID, "864VDCS2QY", CertificateKind.DEVELOPER_ID, True, 0),
        ("vpnworld", ProfileKind.APP_STORE, "MVY72CHU7M", CertificateKind.APPLE_DISTRIBUTION, False, 0),
    ],
)
def test_real_profiles(
    real_artifacts: Path,
    name: str,
    kind: ProfileKind,
    team: str,
    certificate_kind: CertificateKind,
    all_devices: bool,
    devices: int,
) -> None:
    profile = ProvisioningProfile.read(real_artifacts / f"{name}.embedded.provisionprofile")
    assert profile.kind is kind and profile.team_id == team
    assert profile.platforms == ("OSX",)
    assert profile.signer is not None and profile.signer.common_name == "Mac OS X Provisioning Profile Signing"
    assert profile.provisions_all_devices is all_devices and len(profile.provisioned_devices) == devices
    assert profile.developer_certificates and {c.kind for c in profile.developer_certificates} == {certificate_kind}
    assert all(c.team_id == team for c in profile.developer_certificates)
    assert profile.application_identifier and profile.application_identifier.startswith(team + ".")
    assert profile.uuid and profile.name and profile.expiration_date is not None


def test_real_profile_details(real_artifacts: Path) -> None:
    credctl = ProvisioningProfile.read(real_artifacts / "credctl.embedded.provisionprofile")
    assert credctl.is_xcode_managed is True and credctl.lists_device("00006000-000E19D101D8801E")
    assert credctl.expired(datetime(2026, 3, 7, tzinfo=UTC)) and not credctl.expired(datetime(2026, 3, 1, tzinfo=UTC))
    kdrive = ProvisioningProfile.read(real_artifacts / "kdrive.embedded.provisionprofile")
    assert kdrive.authorises("com.apple.developer.system-extension.install", True)
    assert kdrive.authorises("keychain-access-groups", ["864VDCS2QY.com.infomaniak.drive"])
    assert not kdrive.authorises(
        "com.apple.developer.networking.networkextension", ["packet-tunnel-provider-systemextension"]
    )
    vpnworld = ProvisioningProfile.read(real_artifacts / "vpnworld.embedded.provisionprofile")
    assert vpnworld.authorises("com.apple.application-identifier", "MVY72CHU7M.com.anything")  # wildcard App ID
