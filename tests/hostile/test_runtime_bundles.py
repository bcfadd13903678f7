"""Hostile bundles and zips: archives and folders that `advisor inspect` (and `diagnose --app`)
must survive, each run as a user would (a subprocess under a memory cap and a time ceiling).

The zips start from a real signed app (tests/fixtures/bundle_builder) and are then bombed,
traversed, nested 2,000 deep, truncated, duplicated, given non-UTF-8 names, symlinks, unknown
compression... The folders swap files for FIFOs, devices, loops and directories. Refusals are
one line naming the archive; everything else is inspected, and what the bundle holds is still
reported (nothing lost): the app's id and its provider.
"""

from __future__ import annotations

import atexit
import functools
import io
import json
import os
import shutil
import stat
import struct
import tempfile
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fixtures.bundle_builder import build_app
from tests.hostile.runtime_harness import assert_well_behaved, run_advisor

APP = "ExampleVPN.app"
APP_ID = "com.example.vpn"
PROVIDER_ID = "com.example.vpn.tunnel"
INFO = f"{APP}/Contents/Info.plist"

Entry = tuple[str, bytes, int]  # name, content, Unix mode (0 = none recorded)


@functools.cache
def _base() -> tuple[Path, tuple[Entry, ...]]:
    """A real signed macOS app with a system extension, built once per worker, and its files."""
    root = Path(tempfile.mkdtemp(prefix="hostile-base-"))
    atexit.register(shutil.rmtree, root, True)
    built = build_app(root, pack="zip")
    with zipfile.ZipFile(built.path) as zf:
        entries = tuple((i.filename, zf.read(i), (i.external_attr >> 16) & 0o777) for i in zf.infolist())
    return built.app_dir, entries


def _zip(entries: list[Entry] | tuple[Entry, ...], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", method) as zf:
        warnings.simplefilter("ignore")  # duplicate names are the point of one case
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            if mode:
                info.create_system = 3
                info.external_attr = (0o100000 | mode) << 16
            zf.writestr(info, data)
    return buffer.getvalue()


def _with(extra: list[Entry]) -> bytes:
    return _zip([*_base()[1], *extra])


def _symlink_entry(name: str, target: str) -> bytes:
    """The app with `name` as a symlink entry to `target` (replacing a file of that name)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for entry_name, data, mode in _base()[1]:
            if entry_name == name:
                continue
            info = zipfile.ZipInfo(entry_name)
            info.create_system, info.external_attr = 3, (0o100000 | (mode or 0o644)) << 16
            zf.writestr(info, data)
        link = zipfile.ZipInfo(name)
        link.create_system, link.external_attr = 3, (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, target)
    return buffer.getvalue()


def _patch_central(data: bytes, name: bytes, offset: int, fmt: str, value: int) -> bytes:
    """Overwrite one field of `name`'s central directory record (offset from its signature)."""
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + name_len] == name:
            return data[: at + offset] + struct.pack(fmt, value) + data[at + offset + struct.calcsize(fmt) :]
        at = data.find(b"PK\x01\x02", at + 4)
    raise AssertionError(f"no central record for {name!r}")


def _patch_local(data: bytes, name: bytes, offset: int, fmt: str, value: int) -> bytes:
    at = data.find(b"PK\x03\x04")
    while at >= 0:
        name_len = struct.unpack_from("<H", data, at + 26)[0]
        if data[at + 30 : at + 30 + name_len] == name:
            return data[: at + offset] + struct.pack(fmt, value) + data[at + offset + struct.calcsize(fmt) :]
        at = data.find(b"PK\x03\x04", at + 4)
    raise AssertionError(f"no local header for {name!r}")


APP_EXE_ENTRY = f"{APP}/Contents/MacOS/ExampleVPN"


def _bomb(at: str = APP_EXE_ENTRY) -> bytes:
    """48 MB of zeros (about 50 KB deflated) as the entry `at` (replacing it if it exists)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data, _ in _base()[1]:
            if name != at:
                zf.writestr(name, data)
        with zf.open(at, "w") as sink:
            for _ in range(48):
                sink.write(bytes(1 << 20))
    return buffer.getvalue()


def _truncated_member() -> bytes:
    """Info.plist's compressed size (in both headers) cut to a few bytes: its data ends early."""
    data = _zip(_base()[1])
    return _patch_central(_patch_local(data, INFO.encode(), 18, "<I", 16), INFO.encode(), 20, "<I", 16)


def _utf8_flag_on_invalid_name() -> bytes:
    data = _with([(f"{APP}/Contents/Resources/n\xe9.txt", b"x", 0o644)])
    # zipfile wrote the name in UTF-8 with flag bit 11; make its bytes invalid UTF-8.
    return data.replace("n\xe9.txt".encode(), b"n\xff\xfe.txt")


def _cp437_names() -> bytes:
    data = _with([(f"{APP}/Contents/Resources/caf\xe9-\u00e6.txt", b"x", 0o644)])
    # Clear the UTF-8 flag (bit 11) everywhere: the names are then read as CP437.
    return data.replace(b"\x14\x00\x00\x08", b"\x14\x00\x00\x00")


@dataclass
class ZipCase:
    make: Callable[[], bytes]
    refused: str | None = None  # a fragment of the one-line error (exit 2)
    suffix: str = ".zip"
    inspected: bool = True  # when not refused: the app and its provider must be reported


ZIPS: dict[str, ZipCase] = {
    "the real app (control)": ZipCase(lambda: _zip(_base()[1])),
    "as an .ipa layout (Payload/)": ZipCase(lambda: _zip([(f"Payload/{n}", d, m) for n, d, m in _base()[1]]), suffix=".ipa"),
    "zip bomb as the executable (48 MB of zeros)": ZipCase(_bomb, refused="zip bomb"),
    "zip bomb among resources (not extracted)": ZipCase(lambda: _bomb(f"{APP}/Contents/Resources/bomb.bin")),
    "executable declaring 3 GB": ZipCase(
        lambda: _patch_central(_zip(_base()[1]), APP_EXE_ENTRY.encode(), 24, "<I", 3 << 30), refused="more than the limit"
    ),
    "Info.plist that inflates past its declared size": ZipCase(
        lambda: _patch_local(_patch_central(_zip(_base()[1]), INFO.encode(), 24, "<I", 40), INFO.encode(), 22, "<I", 40),
        refused="cannot be extracted",
    ),
    "path traversal ../../": ZipCase(lambda: _with([("../../../tmp/advisor-pwned", b"x", 0o644)]), refused="path traversal"),
    "traversal inside the bundle": ZipCase(lambda: _with([(f"{APP}/Contents/../../../../etc/x", b"x", 0o644)]), refused="path traversal"),
    "absolute path": ZipCase(lambda: _with([("/etc/advisor-pwned", b"x", 0o644)]), refused="unsafe path"),
    "backslash path": ZipCase(lambda: _with([(f"{APP}\\..\\..\\evil", b"x", 0o644)]), refused="unsafe path"),
    "drive-letter path": ZipCase(lambda: _with([("C:/Windows/evil", b"x", 0o644)]), refused="unsafe path"),
    "2,000-level-deep path": ZipCase(lambda: _with([(f"{APP}/Contents/Resources/" + "d/" * 2000 + "f", b"x", 0o644)]), refused="folders deep"),
    "5,000-character name": ZipCase(lambda: _with([(f"{APP}/Contents/Resources/" + "n" * 5000, b"x", 0o644)]), refused="-character name"),
    "300-character folder name": ZipCase(lambda: _with([(f"{APP}/Contents/" + "f" * 300 + "/Info.plist", b"x", 0o644)]), refused="cannot be extracted"),
    "symlink in Resources to /etc/passwd": ZipCase(lambda: _symlink_entry(f"{APP}/Contents/Resources/passwd", "/etc/passwd")),
    "executable is a symlink to /etc/passwd": ZipCase(lambda: _symlink_entry(APP_EXE_ENTRY, "/etc/passwd")),
    "symlink pointing out of the archive": ZipCase(lambda: _symlink_entry(f"{APP}/Contents/PkgInfo", "../../../../etc/shadow")),
    "truncated member (Info.plist data cut short)": ZipCase(_truncated_member, refused="cannot be extracted"),
    "truncated archive (no central directory)": ZipCase(lambda: _zip(_base()[1])[: len(_zip(_base()[1])) // 2], refused="not a readable zip archive"),
    "duplicate Info.plist entries": ZipCase(lambda: _with([(INFO, b"<plist><dict/></plist>", 0o644)]), inspected=False),
    "a file where a folder goes": ZipCase(lambda: _with([(f"{INFO}/inside", b"x", 0o644)]), refused="cannot be extracted"),
    "non-UTF-8 (CP437) names": ZipCase(_cp437_names),
    "UTF-8 flag on invalid bytes": ZipCase(_utf8_flag_on_invalid_name, refused="not a readable zip archive"),
    "encrypted entry flag": ZipCase(lambda: _patch_central(_zip(_base()[1]), INFO.encode(), 8, "<H", 0x0801), refused="encrypted"),
    "CRC mismatch on Info.plist": ZipCase(lambda: _patch_central(_patch_local(_zip(_base()[1]), INFO.encode(), 14, "<I", 0xDEADBEEF), INFO.encode(), 16, "<I", 0xDEADBEEF), refused="cannot be extracted"),
    "unknown compression method": ZipCase(lambda: _patch_central(_patch_local(_zip(_base()[1]), INFO.encode(), 8, "<H", 99), INFO.encode(), 10, "<H", 99), refused="cannot be extracted"),
    "empty archive": ZipCase(lambda: _zip([]), refused="holds no app bundle"),
    "only __MACOSX metadata": ZipCase(lambda: _zip([(f"__MACOSX/{n}", d, m) for n, d, m in _base()[1]]), refused="holds no app bundle"),
    "random bytes named .zip": ZipCase(lambda: bytes(range(256)) * 64, refused="not a readable zip archive"),
    "zip bomb inside the zip": ZipCase(lambda: _with([(f"{APP}/Contents/Resources/inner.zip", _bomb(), 0o644)])),
    "20,000 entries": ZipCase(lambda: _with([(f"{APP}/Contents/Resources/many/{i}.txt", b"", 0o644) for i in range(20_000)])),
    "Info.plist replaced by garbage": ZipCase(
        lambda: _zip([(n, b"\x00garbage" * 100 if n == INFO else d, m) for n, d, m in _base()[1]]), refused="not an XML or binary property list"
    ),
    "stored (uncompressed) entries, no modes": ZipCase(lambda: _zip([(n, d, 0) for n, d, _ in _base()[1]], method=zipfile.ZIP_STORED)),
    "64 KB archive comment": ZipCase(lambda: _zip(_base()[1])[:-2] + struct.pack("<H", 65535) + b"c" * 65535),
}


@pytest.mark.parametrize("name", list(ZIPS))
def test_inspect_zip_survives(name: str, tmp_path: Path) -> None:
    case = ZIPS[name]
    archive = tmp_path / f"Hostile{case.suffix}"
    archive.write_bytes(case.make())
    outcome = run_advisor(["inspect", str(archive), "--format", "json"], ceiling=60.0)
    if case.refused is not None:
        assert_well_behaved(outcome, {2}, names=str(archive))
        assert case.refused in outcome.stderr
        return
    assert_well_behaved(outcome, {0, 1})
    result = json.loads(outcome.stdout)
    if case.inspected:
        assert result["bundle"]["bundle_id"] == APP_ID, result["bundle"]
        assert [p.get("bundle_id") for p in result["providers"]] == [PROVIDER_ID]
    assert not (tmp_path.parent / "advisor-pwned").exists() and not Path("/tmp/advisor-pwned").exists()


# ---- bundles on disk --------------------------------------------------------------------------
def _copy(tmp_path: Path) -> Path:
    target = tmp_path / APP
    shutil.copytree(_base()[0], target, symlinks=True)
    return target


def _replace(path: Path, make: Callable[[Path], None]) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    else:
        path.unlink()
    make(path)


PROVIDER = f"Contents/Library/SystemExtensions/{PROVIDER_ID}.systemextension"
APP_EXE = "Contents/MacOS/ExampleVPN"
PROVIDER_EXE = f"{PROVIDER}/Contents/MacOS/{PROVIDER_ID}"


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _loop(path: Path) -> None:
    other = path.with_name(path.name + ".loop")
    os.symlink(other.name, other.with_name(path.name + ".x"))
    os.symlink(path.name + ".x", other)
    os.symlink(other.name, path)


def _remove_deep_folders(root: Path) -> None:
    """Undo `_deep_folders` one level at a time (rmtree recurses, and would hit the limit)."""
    while (root / "d").is_dir():
        if (root / "d" / "d").is_dir():
            os.rename(root / "d" / "d", root / "up")
            os.rmdir(root / "d")
            os.rename(root / "up", root / "d")
        else:
            os.rmdir(root / "d")


def _deep_folders(root: Path, depth: int) -> None:
    """`depth` nested folders, made one at a time (no recursion, relative paths)."""
    fd = os.open(root, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)


@dataclass
class FolderCase:
    change: Callable[[Path], None]
    refused: str | None = None  # the app's own Info.plist is unusable: one line, exit 2


NO_APP = "not an app bundle"
FOLDERS: dict[str, FolderCase] = {
    "Info.plist is a FIFO": FolderCase(lambda app: _replace(app / "Contents/Info.plist", _fifo), refused=NO_APP),
    "Info.plist is a folder": FolderCase(lambda app: _replace(app / "Contents/Info.plist", lambda p: p.mkdir()), refused=NO_APP),
    "Info.plist is a symlink loop": FolderCase(lambda app: _replace(app / "Contents/Info.plist", _loop), refused=NO_APP),
    "Info.plist links to /dev/zero": FolderCase(lambda app: _replace(app / "Contents/Info.plist", lambda p: p.symlink_to("/dev/zero")), refused=NO_APP),
    "Info.plist of 20 MB": FolderCase(lambda app: (app / "Contents/Info.plist").write_bytes(b"<plist>" + b" " * (20 << 20)), refused="limit"),
    "provider Info.plist is a FIFO": FolderCase(lambda app: _replace(app / PROVIDER / "Contents/Info.plist", _fifo)),
    "executable is a FIFO": FolderCase(lambda app: _replace(app / APP_EXE, _fifo)),
    "executable links to /dev/urandom": FolderCase(lambda app: _replace(app / APP_EXE, lambda p: p.symlink_to("/dev/urandom"))),
    "executable is empty": FolderCase(lambda app: (app / APP_EXE).write_bytes(b"")),
    "executable is a folder": FolderCase(lambda app: _replace(app / APP_EXE, lambda p: p.mkdir())),
    "provider executable is 32 MB of zeros": FolderCase(lambda app: (app / PROVIDER_EXE).write_bytes(bytes(32 << 20))),
    "provisioning profile is a FIFO": FolderCase(lambda app: _replace(app / "Contents/embedded.provisionprofile", _fifo)),
    "provisioning profile is random bytes": FolderCase(lambda app: (app / "Contents/embedded.provisionprofile").write_bytes(bytes(range(256)) * 100)),
    "CodeResources is a symlink loop": FolderCase(lambda app: _replace(app / "Contents/_CodeSignature/CodeResources", _loop)),
    "3,000 empty extensions beside the provider": FolderCase(
        lambda app: [(app / f"Contents/Library/SystemExtensions/x{i}.systemextension").mkdir() for i in range(3000)] and None
    ),
    "1,500 folders deep in Resources": FolderCase(lambda app: (app / "Contents/Resources").mkdir() or _deep_folders(app / "Contents/Resources", 1500)),
    "PlugIns is a symlink to the bundle itself": FolderCase(lambda app: (app / "Contents/PlugIns").symlink_to("..")),
}


@pytest.mark.parametrize("name", list(FOLDERS))
def test_inspect_folder_survives(name: str, tmp_path: Path) -> None:
    case = FOLDERS[name]
    app = _copy(tmp_path)
    case.change(app)
    outcome = run_advisor(["inspect", str(app), "--format", "json"], ceiling=60.0)
    _remove_deep_folders(app / "Contents/Resources")
    if case.refused is not None:
        assert_well_behaved(outcome, {2}, names=str(app))
        assert case.refused in outcome.stderr
        return
    assert_well_behaved(outcome, {0, 1})
    result = json.loads(outcome.stdout)
    assert result["bundle"]["bundle_id"] == APP_ID
    providers = [p.get("bundle_id") or p.get("path") for p in result["providers"]]
    assert PROVIDER_ID in providers or any(PROVIDER_ID in str(p) for p in providers), providers


@pytest.mark.parametrize("name", ["2,000-level-deep path", "zip bomb as the executable (48 MB of zeros)", "executable is a symlink to /etc/passwd"])
def test_diagnose_app_zip_survives(name: str, tmp_path: Path) -> None:
    case = ZIPS[name]
    archive = tmp_path / "Hostile.zip"
    archive.write_bytes(case.make())
    outcome = run_advisor(["diagnose", "--app", str(archive), "--format", "json"], ceiling=60.0)
    if case.refused is not None:
        assert_well_behaved(outcome, {2}, names=str(archive))
        return
    assert_well_behaved(outcome, {0, 1})
    assert json.loads(outcome.stdout)["bundle"]["bundle"]["bundle_id"] == APP_ID


def test_the_deep_zip_is_refused_by_name_not_by_recursion(tmp_path: Path) -> None:
    """#8: a 2,000-level path was a RecursionError (exit 3); now one line, exit 2."""
    archive = tmp_path / "Deep.zip"
    archive.write_bytes(ZIPS["2,000-level-deep path"].make())
    outcome = run_advisor(["inspect", str(archive)])
    assert outcome.returncode == 2, outcome.describe()
    assert "is nested 2,00" in outcome.stderr and "RecursionError" not in outcome.stderr
    assert len(outcome.stderr.strip().splitlines()) == 1 and len(outcome.stderr) < 400

