"""Bad input never gives a traceback or unbounded work: a one-line error (exit 2) or a finding."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from advisor.cli import main
from advisor.exit_status import UserError
from advisor.inspectors import inspect_bundle
from tests.fixtures.bundle_builder import ProviderSpec, build_app

REPO = Path(__file__).resolve().parents[2]


def _run(capsys: pytest.CaptureFixture[str], kb_dir: Path, *args: str) -> tuple[int, str, str]:
    code = main(["inspect", *args, "--knowledge", str(kb_dir)])
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(capsys: pytest.CaptureFixture[str], kb_dir: Path, path: Path, *expected: str) -> None:
    code, out, err = _run(capsys, kb_dir, str(path))
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and err.startswith("advisor: ") and str(path) in err, err
    assert "Traceback" not in err
    for text in expected:
        assert text in err, err


def test_missing_path(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _one_line_error(capsys, minimal_kb_dir, tmp_path / "Nope.app", "no such file")


def test_folder_that_is_not_a_bundle(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "Documents"
    folder.mkdir()
    (folder / "notes.txt").write_text("hello")
    _one_line_error(capsys, minimal_kb_dir, folder, "not an app bundle")


def test_symlink_loop(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    loop = tmp_path / "Loop.app"
    loop.symlink_to(tmp_path / "Loop.app")
    _one_line_error(capsys, minimal_kb_dir, loop, "symbolic link loop")


def test_symlink_loops_inside_a_bundle_are_skipped(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    built = build_app(tmp_path)
    plugins = built.contents() / "PlugIns"
    plugins.mkdir()
    (plugins / "Loop.appex").symlink_to(plugins / "Loop.appex")
    (built.contents() / "Frameworks").symlink_to(built.contents() / "Frameworks")
    inspection = inspect_bundle(built.path, kb)
    assert inspection.findings == [] and len(inspection.providers) == 1


def test_several_gigabyte_file(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    big = tmp_path / "big.bin"
    with open(big, "wb") as handle:
        handle.truncate(5 * 1024**3)  # sparse: costs nothing on disk
    _one_line_error(capsys, minimal_kb_dir, big, "not an app bundle")


def test_several_gigabyte_zip_named_file(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    big = tmp_path / "big.zip"
    with open(big, "wb") as handle:
        handle.truncate(5 * 1024**3)
    _one_line_error(capsys, minimal_kb_dir, big)


def test_app_info_plist_truncated(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    built = build_app(tmp_path)
    info = built.contents() / "Info.plist"
    info.write_bytes(info.read_bytes()[:100])
    _one_line_error(capsys, minimal_kb_dir, built.path, "Contents/Info.plist", "not a valid xml property list")


def test_app_info_plist_huge_sparse(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    built = build_app(tmp_path)
    with open(built.contents() / "Info.plist", "r+b") as handle:
        handle.truncate(3 * 1024**3)
    _one_line_error(capsys, minimal_kb_dir, built.path, "limit")


def test_truncated_provider_executable_is_a_finding(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    built = build_app(tmp_path)
    exe = next((built.contents(built.providers[0]) / "MacOS").iterdir())
    exe.write_bytes(exe.read_bytes()[:200])
    inspection = inspect_bundle(built.path, kb)
    rules = {f.rule for f in inspection.findings}
    assert "provider-executable-unreadable" in rules


def test_truncated_profile_is_a_finding(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    built = build_app(tmp_path)
    profile = built.contents() / "embedded.provisionprofile"
    profile.write_bytes(profile.read_bytes()[:300])
    [finding] = [f for f in inspect_bundle(built.path, kb).findings if f.rule == "profile-unreadable"]
    assert "CMS" in finding.detail and finding.path.endswith("Contents/embedded.provisionprofile")


def test_huge_sparse_provider_executable(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    built = build_app(tmp_path, providers=[ProviderSpec(executable_size=3 * 1024**3)])
    inspection = inspect_bundle(built.path, kb)
    assert inspection.findings == []


def _zip(path: Path, entries: list[tuple[zipfile.ZipInfo | str, bytes]], **kwargs: object) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, **kwargs) as zf:  # type: ignore[arg-type]
        for name, data in entries:
            zf.writestr(name, data)
    return path


def test_zip_with_path_traversal(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    archive = _zip(
        tmp_path / "evil.zip", [("X.app/Contents/Info.plist", b"<plist/>"), ("X.app/../../escaped.txt", b"gotcha")]
    )
    _one_line_error(capsys, minimal_kb_dir, archive, "path traversal")
    assert not (tmp_path / "escaped.txt").exists()


def test_zip_with_absolute_path(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    archive = _zip(tmp_path / "evil.zip", [("/etc/evil", b"x"), ("X.app/Contents/Info.plist", b"<plist/>")])
    _one_line_error(capsys, minimal_kb_dir, archive, "unsafe path")


def test_zip_bomb(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    built = build_app(tmp_path / "src")
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ExampleVPN.app/Contents/Info.plist", (built.contents() / "Info.plist").read_bytes())
        with zf.open("ExampleVPN.app/Contents/MacOS/ExampleVPN", "w", force_zip64=True) as sink:
            chunk = b"\x00" * (1 << 20)
            for _ in range(300):  # 300 MB of zeros: deflates about 1000:1
                sink.write(chunk)
    assert archive.stat().st_size < 2 * 1024**2
    _one_line_error(capsys, minimal_kb_dir, archive, "zip bomb")


def test_zip_with_encrypted_entry(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    archive = _zip(tmp_path / "locked.zip", [("X.app/Contents/Info.plist", b"<plist/>")])
    raw = bytearray(archive.read_bytes())
    # Set the "encrypted" flag bit in the local header and the central directory entry.
    raw[6] |= 1
    central = raw.find(b"PK\x01\x02")
    raw[central + 8] |= 1
    archive.write_bytes(bytes(raw))
    _one_line_error(capsys, minimal_kb_dir, archive, "encrypted")


def test_corrupt_zip(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    archive = tmp_path / "broken.zip"
    archive.write_bytes(b"PK\x03\x04" + os.urandom(200))
    _one_line_error(capsys, minimal_kb_dir, archive, "not a readable zip archive")


def test_zip_without_a_bundle(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    archive = _zip(tmp_path / "docs.zip", [("docs/readme.txt", b"hello")])
    _one_line_error(capsys, minimal_kb_dir, archive, "holds no app bundle")


def test_zip_crc_error_in_a_needed_entry(capsys, minimal_kb_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    built = build_app(tmp_path / "src", pack="zip")
    raw = bytearray(built.path.read_bytes())
    at = raw.find(b"ExampleVPN.app/Contents/Info.plist") + len("ExampleVPN.app/Contents/Info.plist") + 10
    raw[at] ^= 0xFF
    broken = tmp_path / "crc.zip"
    broken.write_bytes(bytes(raw))
    _one_line_error(capsys, minimal_kb_dir, broken)


def test_unusable_input_in_a_real_process(minimal_kb_dir: Path, tmp_path: Path) -> None:
    """The whole program, as a user runs it: exit 2, one line, no traceback."""
    folder = tmp_path / "NotABundle"
    folder.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "advisor", "inspect", str(folder), "--knowledge", str(minimal_kb_dir)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        f"advisor: {folder}: not an app bundle (no Contents/Info.plist or Info.plist inside)"
    ]


def test_inspect_bundle_raises_user_error(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UserError, match=str(tmp_path)):
        inspect_bundle(tmp_path, kb)


WRONG_TYPES = [
    {"NetworkExtension": ["not", "a", "dict"]},
    {"NetworkExtension": {"NEProviderClasses": "PacketTunnelProvider", "NEMachServiceName": 42}},
    {"NetworkExtension": {"NEProviderClasses": {"com.apple.networkextension.packet-tunnel": ["x"]}}},
    {"NSExtension": "not a dict", "CFBundleIdentifier": 7, "CFBundleExecutable": ["a"]},
    {"CFBundlePackageType": None, "CFBundleExecutable": "../../escape"},
]


@pytest.mark.parametrize("info", WRONG_TYPES)
def test_wrongly_typed_info_plist_values(tmp_path: Path, kb, info: dict) -> None:  # type: ignore[no-untyped-def]
    built = build_app(tmp_path, providers=[ProviderSpec(info_update=info)])
    inspection = inspect_bundle(built.path, kb)
    assert inspection.findings  # reported, not crashed
    json.dumps(inspection.to_json())


@pytest.mark.parametrize(
    "entitlements",
    [
        {"com.apple.developer.networking.networkextension": {"a": "dict"}},
        {"com.apple.security.application-groups": "ABCDE12345.group.not-a-list"},
        {"com.apple.security.app-sandbox": "yes", "com.apple.developer.team-identifier": ["x"]},
    ],
)
def test_wrongly_typed_entitlements(tmp_path: Path, kb, entitlements: dict) -> None:  # type: ignore[no-untyped-def]
    built = build_app(tmp_path, providers=[ProviderSpec(entitlements_update=entitlements)])
    inspection = inspect_bundle(built.path, kb)
    assert inspection.findings
    json.dumps(inspection.to_json())


def test_profile_with_wrongly_typed_keys(tmp_path: Path, kb) -> None:  # type: ignore[no-untyped-def]
    import plistlib

    from tests.fixtures.apple_pki import profile_signer
    from tests.fixtures.cms_writer import profile_cms

    payload = {
        "UUID": 5,
        "Entitlements": ["x"],
        "ProvisionedDevices": "abc",
        "DeveloperCertificates": [b"junk", "str"],
        "ExpirationDate": "soon",
        "TeamIdentifier": 3,
    }
    raw = profile_cms(plistlib.dumps(payload), profile_signer("macos"))
    from tests.fixtures.bundle_builder import AppSpec, ProfileSpec

    built = build_app(tmp_path, app=AppSpec(profile=ProfileSpec(raw=raw)))
    inspection = inspect_bundle(built.path, kb, udid="00008103-000A1B2C3D4E5F60")
    assert "entitlement-not-in-profile" in {f.rule for f in inspection.findings}
    json.dumps(inspection.to_json())
