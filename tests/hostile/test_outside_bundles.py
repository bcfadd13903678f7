"""An outside tester's hostile app bundles, folder form: Info.plist keys of every wrong type (app
and provider), a provisioning profile whose fields are garbage, provider executables cut at every
Mach-O header boundary, fat headers that overlap or run past the end, LC_CODE_SIGNATURE and
superblob counts out of range, and an app path that is a file, a loop or a device.

Each starts from a real signed app (tests/fixtures/bundle_builder), changes one thing, and runs
`advisor inspect --format json` as a user would: exit 0, 1 or 2 (one line naming the bundle),
never a traceback; JSON that parses; and no verdict the garbage cannot support.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import plistlib
import shutil
import struct
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.apple_pki import profile_signer
from tests.fixtures.bundle_builder import build_app
from tests.fixtures.cms_writer import profile_cms
from tests.hostile.runtime_harness import assert_well_behaved, run_advisor

APP = "ExampleVPN.app"
PROFILE = "Contents/embedded.provisionprofile"
Mutation = Callable[[Path, Path], None]  # (app folder, provider folder)


@functools.cache
def _base() -> tuple[Path, Path]:
    """A real signed macOS app with a packet-tunnel system extension, built once per worker."""
    root = Path(tempfile.mkdtemp(prefix="outside-base-"))
    atexit.register(shutil.rmtree, root, True)
    built = build_app(root)
    return built.app_dir, built.providers[0].relative_to(built.app_dir)


def _executable(component: Path) -> Path:
    return component / "Contents" / "MacOS" / plistlib.loads((component / "Contents/Info.plist").read_bytes())["CFBundleExecutable"]


def _set_info(key: str, value: Any, provider: bool) -> Mutation:
    def mutate(app: Path, prov: Path) -> None:
        path = (prov if provider else app) / "Contents/Info.plist"
        info = plistlib.loads(path.read_bytes())
        info[key] = value
        path.write_bytes(plistlib.dumps(info))

    return mutate


def _set_provider_ne(key: str, value: Any) -> Mutation:
    def mutate(app: Path, prov: Path) -> None:
        path = prov / "Contents/Info.plist"
        info = plistlib.loads(path.read_bytes())
        info["NetworkExtension"][key] = value
        path.write_bytes(plistlib.dumps(info))

    return mutate


def _info_bytes(data: bytes, provider: bool) -> Mutation:
    return lambda app, prov: ((prov if provider else app) / "Contents/Info.plist").write_bytes(data)


def _profile_with(key: str, value: Any) -> Mutation:
    """The app's profile, re-signed with one field replaced (a profile no Apple tool wrote)."""

    def mutate(app: Path, prov: Path) -> None:
        raw = (app / PROFILE).read_bytes()
        payload = plistlib.loads(raw[raw.index(b"<?xml") : raw.index(b"</plist>") + 8])
        if value is None:
            payload.pop(key, None)
        else:
            payload[key] = value
        (app / PROFILE).write_bytes(profile_cms(plistlib.dumps(payload), profile_signer("macos")))

    return mutate


def _cut_provider(size: int | None) -> Mutation:
    def mutate(app: Path, prov: Path) -> None:
        exe = _executable(prov)
        data = exe.read_bytes()
        exe.write_bytes(data[: size if size is not None else len(data) // 2])

    return mutate


def _patch_provider(where: Callable[[bytes], int], fmt: str, *values: int) -> Mutation:
    def mutate(app: Path, prov: Path) -> None:
        exe = _executable(prov)
        data = bytearray(exe.read_bytes())
        struct.pack_into(fmt, data, where(bytes(data)), *values)
        exe.write_bytes(bytes(data))

    return mutate


def _signature_command(data: bytes) -> int:
    ncmds = struct.unpack_from("<I", data, 16)[0]
    cursor = 32
    for _ in range(ncmds):
        cmd, size = struct.unpack_from("<II", data, cursor)
        if cmd == 0x1D:  # LC_CODE_SIGNATURE
            return cursor
        cursor += size
    raise AssertionError("the fixture is signed")


def _superblob(data: bytes) -> int:
    return struct.unpack_from("<I", data, _signature_command(data) + 8)[0]


def _fat(slices: list[tuple[int, int]], count: int | None = None) -> Mutation:
    """The provider's executable behind a fat header listing `slices` (offset, size)."""

    def mutate(app: Path, prov: Path) -> None:
        exe = _executable(prov)
        thin = exe.read_bytes()
        header = struct.pack(">II", 0xCAFEBABE, len(slices) if count is None else count)
        for offset, size in slices:
            header += struct.pack(">iiIII", 0x0100000C, 0, offset, size if size >= 0 else len(thin), 14)
        exe.write_bytes(header.ljust(16384, b"\0") + thin)

    return mutate


MUTATIONS: dict[str, Mutation] = {}
for _who in ("app", "provider"):
    for _key, _values in {
        "CFBundleIdentifier": [42, ["com.example.vpn"], {"a": 1}, "", True],
        "CFBundleExecutable": [42, ["x"], "", "../../../../../../etc/passwd", "/bin/sh", "."],
        "CFBundleVersion": [{"a": 1}, 1.5, "9" * 5000],
        "CFBundleShortVersionString": [3, ["1"]],
        "LSMinimumSystemVersion": [["13"], "abc", 13, "99999999999999999999.0"],
        "CFBundleSupportedPlatforms": ["MacOSX", [1, 2]],
        "NSExtension": [[1], "x"],
        "NetworkExtension": [[1], "x"],
    }.items():
        for _i, _value in enumerate(_values):
            MUTATIONS[f"{_who} {_key} = {_value!r:.30}"] = _set_info(_key, _value, _who == "provider")
    for _name, _data in {
        "a list": plistlib.dumps([1, 2]),
        "a string": plistlib.dumps("text"),
        "empty": b"",
        "a dangling key": b"<?xml version='1.0'?><plist><dict><key>a</key></dict></plist>",
        "broken binary plist": b"bplist00" + b"\xff" * 64,
        "10,000 open tags": b"<plist>" * 10_000,
    }.items():
        MUTATIONS[f"{_who} Info.plist is {_name}"] = _info_bytes(_data, _who == "provider")
for _i, _value in enumerate([["a"], {"com.apple.networkextension.packet-tunnel": 5}, {"": ""}, "x", {"x" * 5000: "y" * 5000}]):
    MUTATIONS[f"NEProviderClasses = {_value!r:.30}"] = _set_provider_ne("NEProviderClasses", _value)
for _value in (5, ["a"], "", "x" * 5000):
    MUTATIONS[f"NEMachServiceName = {_value!r:.20}"] = _set_provider_ne("NEMachServiceName", _value)
for _key, _value in [
    ("ExpirationDate", "garbage"), ("ExpirationDate", 5), ("ExpirationDate", None), ("CreationDate", ["x"]),
    ("ProvisionedDevices", "UDID"), ("ProvisionedDevices", [1, 2]), ("Entitlements", ["a"]), ("Entitlements", "x"),
    ("Entitlements", None), ("TeamIdentifier", 5), ("TeamIdentifier", []), ("DeveloperCertificates", ["text"]),
    ("DeveloperCertificates", [b"garbage"]), ("DeveloperCertificates", 5), ("DeveloperCertificates", [10**12]),
    ("Platform", 5), ("Name", 5), ("UUID", [1]),
]:  # fmt: skip
    MUTATIONS[f"profile {_key} = {_value!r:.20}"] = _profile_with(_key, _value)
MUTATIONS.update({
    "profile is XML, not CMS": lambda app, prov: (app / PROFILE).write_bytes(plistlib.dumps({"UUID": "x", "Entitlements": {}})),
    "profile is empty": lambda app, prov: (app / PROFILE).write_bytes(b""),
    "profile content is not a plist": lambda app, prov: (app / PROFILE).write_bytes(profile_cms(b"not a plist", profile_signer("macos"))),
    "profile content is empty": lambda app, prov: (app / PROFILE).write_bytes(profile_cms(b"", profile_signer("macos"))),
    "profile content is a list": lambda app, prov: (app / PROFILE).write_bytes(profile_cms(plistlib.dumps([1]), profile_signer("macos"))),
})  # fmt: skip
for _cut in (4, 8, 28, 32, 64, 200, 1000, 4096, None):
    MUTATIONS[f"provider executable cut at {_cut or 'half'}"] = _cut_provider(_cut)
MUTATIONS.update({
    "LC_CODE_SIGNATURE past the end": _patch_provider(lambda d: _signature_command(d) + 8, "<II", 0xFFFFFF00, 0xFFFF),
    "LC_CODE_SIGNATURE of 4 GB": _patch_provider(lambda d: _signature_command(d) + 8, "<II", 0, 0xFFFFFFFF),
    "LC_CODE_SIGNATURE empty": _patch_provider(lambda d: _signature_command(d) + 8, "<II", 0, 0),
    "first load command of size 0": _patch_provider(lambda d: 36, "<I", 0),
    "2^32-1 load commands": _patch_provider(lambda d: 16, "<II", 0xFFFFFFFF, 0xFFFFFFFF),
    "superblob count 2^32-1": _patch_provider(lambda d: _superblob(d) + 8, ">I", 0xFFFFFFFF),
    "superblob length 2^32-1": _patch_provider(lambda d: _superblob(d) + 4, ">I", 0xFFFFFFFF),
    "superblob index past the end": _patch_provider(lambda d: _superblob(d) + 12, ">II", 0, 0xFFFFFFF0),
    "superblob index pointing at itself": _patch_provider(lambda d: _superblob(d) + 12, ">II", 0, 0),
    "superblob magic wrong": _patch_provider(_superblob, ">I", 0xDEADBEEF),
    "fat slices overlapping": _fat([(16384, -1), (16400, -1)]),
    "fat slice past the end": _fat([(0xFFFFFF00, 0xFFFFFFF0)]),
    "fat slice covering the header": _fat([(0, -1)]),
    "fat count 2^32-1": _fat([(16384, -1)], count=0xFFFFFFFF),
    "fat with 1,000 slices": _fat([(16384, -1)] * 1000),
    "Contents is a file": lambda app, prov: (shutil.rmtree(app / "Contents"), (app / "Contents").write_text("x")),
    "Contents/MacOS is a file": lambda app, prov: (shutil.rmtree(app / "Contents/MacOS"), (app / "Contents/MacOS").write_text("x")),
    "SystemExtensions is a file": lambda app, prov: (shutil.rmtree(prov.parent), prov.parent.write_text("x")),
    "provider Contents links to itself": lambda app, prov: (shutil.rmtree(prov / "Contents"), (prov / "Contents").symlink_to("Contents")),
    "provider links to the app": lambda app, prov: (shutil.rmtree(prov), prov.symlink_to(app)),
    "_CodeSignature is a file": lambda app, prov: (shutil.rmtree(app / "Contents/_CodeSignature", ignore_errors=True), (app / "Contents/_CodeSignature").write_text("x")),
})  # fmt: skip
WHOLE_APP: dict[str, Callable[[Path], None]] = {
    "the app is a file named .app": lambda app: app.write_bytes(b"hello"),
    "the app is an empty folder": lambda app: app.mkdir(),
    "the app links to itself": lambda app: app.symlink_to(APP),
    "the app links to /dev/zero": lambda app: app.symlink_to("/dev/zero"),
    "the app is a FIFO": lambda app: os.mkfifo(app),
}


def _inspect(app: Path, tmp_path: Path) -> dict[str, Any] | None:
    run = run_advisor(["inspect", str(app), "--format", "json"], cwd=tmp_path)
    assert_well_behaved(run, (0, 1, 2), names=APP if run.returncode == 2 else None)
    return json.loads(run.stdout) if run.returncode != 2 else None


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_inspect_survives(name: str, tmp_path: Path) -> None:
    base, provider = _base()
    app = tmp_path / APP
    shutil.copytree(base, app, symlinks=True)
    MUTATIONS[name](app, app / provider)
    report = _inspect(app, tmp_path)
    if report is not None:
        assert report["bundle"], name


@pytest.mark.parametrize("name", list(WHOLE_APP))
def test_inspect_refuses_what_is_no_app(name: str, tmp_path: Path) -> None:
    WHOLE_APP[name](tmp_path / APP)
    for args in (["inspect", str(tmp_path / APP)], ["diagnose", "--app", str(tmp_path / APP)]):
        run = run_advisor(args, cwd=tmp_path, ceiling=30)
        assert_well_behaved(run, (2,), names=APP)


@pytest.mark.parametrize("certificates", [["text"], [b"garbage"], 5, [10**12]])
def test_unreadable_profile_certificates_convict_no_signer(certificates: Any, tmp_path: Path) -> None:
    """Whether the signer is listed cannot be told from a list that cannot be read: no
    profile-certificate-mismatch (before: an int crashed inspect, text convicted the signer)."""
    base, provider = _base()
    app = tmp_path / APP
    shutil.copytree(base, app, symlinks=True)
    _profile_with("DeveloperCertificates", certificates)(app, app / provider)
    report = _inspect(app, tmp_path)
    assert report is not None
    assert "profile-certificate-mismatch" not in {f["id"] for f in report["findings"]}, report["findings"]
    run = run_advisor(["diagnose", "--app", str(app), "--format", "json"], cwd=tmp_path)
    assert_well_behaved(run, (0, 1))
    assert not [d for d in json.loads(run.stdout)["diagnoses"] if d["status"] == "confirmed"], run.stdout


def test_the_bundles_family_is_large_enough() -> None:
    assert len(MUTATIONS) + len(WHOLE_APP) >= 100
