"""Open a .zip or .ipa of an app bundle safely: extract only what the inspector reads.

Refuses path traversal, encrypted entries, archives with too many entries, entries nested
deeper or named longer than any real bundle's, entries whose declared size or compression ratio
marks a zip bomb, entries the file system cannot hold, and stops extracting at a total limit.
Only property lists, profiles, seals and the bundles' main executables are written out;
every other entry contributes just its folder, so layout checks still see it.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from advisor.exit_status import UserError
from advisor.inspectors.artifact_error import ArtifactError
from advisor.inspectors.plist_file import read_plist_dict

MAX_ENTRIES = 100_000
# Real bundles nest a few dozen folders at most (frameworks, node_modules); this is far beyond.
MAX_DEPTH = 128
MAX_NAME_CHARS = 4096
MAX_ENTRY_BYTES = 2 * 1024**3
MAX_TOTAL_BYTES = 3 * 1024**3
MAX_RATIO = 200  # deflate rarely beats 10:1 on real binaries; bombs reach 1000:1
RATIO_FLOOR = 1024 * 1024  # small entries (plists full of repeats) may compress well
SMALL_FILE_NAMES = frozenset(
    {"Info.plist", "embedded.provisionprofile", "embedded.mobileprovision", "CodeResources", "PkgInfo"}
)
BUNDLE_SUFFIXES = (".app", ".appex", ".systemextension")
_CHUNK = 1024 * 1024


@dataclass
class ExtractedBundle:
    workdir: Path
    bundle_dir: Path
    modes_known: bool  # False when the archive does not record Unix permissions

    def cleanup(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


def _fail(archive: Path, message: str) -> UserError:
    return UserError(f"{archive}: {message}")


def _shown(name: str) -> str:
    """An entry name for a one-line message: quoted, and cut when very long."""
    return repr(name) if len(name) <= 200 else repr(name[:100]) + "…" + repr(name[-60:])


def _safe_parts(archive: Path, name: str) -> tuple[str, ...]:
    if "\x00" in name or "\\" in name or name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        raise _fail(archive, f"zip entry {_shown(name)} has an unsafe path (absolute or not POSIX)")
    if len(name) > MAX_NAME_CHARS:
        raise _fail(archive, f"zip entry {_shown(name)} has a {len(name):,}-character name, more than {MAX_NAME_CHARS:,}")
    parts = tuple(p for p in name.split("/") if p not in ("", "."))
    if ".." in parts:
        raise _fail(archive, f"zip entry {_shown(name)} escapes the archive (path traversal)")
    if len(parts) > MAX_DEPTH:
        raise _fail(archive, f"zip entry {_shown(name)} is nested {len(parts):,} folders deep, more than {MAX_DEPTH}")
    return parts


def _bundle_prefix(archive: Path, names: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The shallowest folder named *.app (or a provider bundle), else the archive root."""
    best: tuple[str, ...] | None = None
    for parts in names:
        for depth, part in enumerate(parts[:-1] if parts else ()):
            if part.endswith(BUNDLE_SUFFIXES):
                if best is None or depth + 1 < len(best):
                    best = parts[: depth + 1]
                break
    if best is not None:
        return best
    if ("Contents", "Info.plist") in names or ("Info.plist",) in names:
        return ()
    raise _fail(archive, "the archive holds no app bundle (no *.app folder and no Info.plist at its root)")


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def _check_sizes(archive: Path, info: zipfile.ZipInfo) -> None:
    if info.flag_bits & 0x1:
        raise _fail(archive, f"zip entry {_shown(info.filename)} is encrypted")
    if info.file_size > MAX_ENTRY_BYTES:
        raise _fail(archive, f"zip entry {_shown(info.filename)} declares {info.file_size} bytes, more than the limit")
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise _fail(
            archive,
            f"zip entry {_shown(info.filename)} expands {info.file_size // max(info.compress_size, 1)}:1 (a zip bomb?)",
        )


def _make_folder(archive: Path, folder: Path, name: str) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file where a folder goes (duplicate names), a name too long here
        raise _fail(archive, f"zip entry {_shown(name)} cannot be extracted ({exc.strerror or exc})") from None


def _extract(archive: Path, zf: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path, budget: list[int]) -> None:
    _check_sizes(archive, info)
    _make_folder(archive, target.parent, info.filename)
    written = 0
    try:
        with zf.open(info) as source, open(target, "wb") as sink:
            while chunk := source.read(_CHUNK):
                written += len(chunk)
                budget[0] -= len(chunk)
                if written > info.file_size or budget[0] < 0:
                    raise _fail(archive, "the archive expands past the extraction limit (a zip bomb?)")
                sink.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise _fail(archive, f"zip entry {_shown(info.filename)} cannot be extracted ({exc})") from None
    except OSError as exc:  # the target is a folder already (a duplicate name), or unwritable
        raise _fail(archive, f"zip entry {_shown(info.filename)} cannot be extracted ({exc.strerror or exc})") from None
    if info.create_system == 3 and (info.external_attr >> 16) & 0o777:
        os.chmod(target, ((info.external_attr >> 16) & 0o777) | 0o400)


def extract_bundle(archive: Path) -> ExtractedBundle:
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _fail(archive, f"not a readable zip archive ({exc})") from None
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_ENTRIES:
            raise _fail(archive, f"the archive has {len(infos)} entries, more than {MAX_ENTRIES}")
        entries: list[tuple[tuple[str, ...], zipfile.ZipInfo]] = []
        for info in infos:
            parts = _safe_parts(archive, info.filename)
            if not parts or parts[0] == "__MACOSX" or parts[-1].startswith("._"):
                continue
            if info.flag_bits & 0x1:
                raise _fail(archive, f"zip entry {_shown(info.filename)} is encrypted")
            entries.append((parts, info))
        prefix = _bundle_prefix(archive, [p for p, i in entries if not i.is_dir()])
        bundle_name = prefix[-1] if prefix else archive.stem + ".app"
        workdir = Path(tempfile.mkdtemp(prefix="advisor-inspect-"))
        try:
            return _populate(archive, zf, entries, prefix, workdir, bundle_name)
        except BaseException:
            shutil.rmtree(workdir, ignore_errors=True)
            raise


def _populate(
    archive: Path,
    zf: zipfile.ZipFile,
    entries: list[tuple[tuple[str, ...], zipfile.ZipInfo]],
    prefix: tuple[str, ...],
    workdir: Path,
    bundle_name: str,
) -> ExtractedBundle:
    bundle_dir = workdir / bundle_name
    bundle_dir.mkdir()
    inside = [
        (parts[len(prefix) :], info)
        for parts, info in entries
        if parts[: len(prefix)] == prefix and len(parts) > len(prefix)
    ]
    files: dict[tuple[str, ...], zipfile.ZipInfo] = {}
    for rel, info in inside:
        folder = rel if info.is_dir() else rel[:-1]
        if folder:
            _make_folder(archive, bundle_dir.joinpath(*folder), info.filename)
        if not info.is_dir() and not _is_symlink(info):
            files[rel] = info
    budget = [MAX_TOTAL_BYTES]
    modes_known = True
    # First the small files, then the executables their Info.plists name.
    for rel, info in files.items():
        if rel[-1] in SMALL_FILE_NAMES:
            _extract(archive, zf, info, bundle_dir.joinpath(*rel), budget)
    for rel in files:
        if rel[-1] != "Info.plist":
            continue
        executable = _executable_for(bundle_dir.joinpath(*rel), rel)
        exe_info = files.get(executable) if executable else None
        if executable and exe_info is not None:
            _extract(archive, zf, exe_info, bundle_dir.joinpath(*executable), budget)
            modes_known &= exe_info.create_system == 3 and (exe_info.external_attr >> 16) != 0
    return ExtractedBundle(workdir, bundle_dir, modes_known)


def _executable_for(plist_path: Path, rel: tuple[str, ...]) -> tuple[str, ...] | None:
    try:
        name = read_plist_dict(plist_path).get("CFBundleExecutable")
    except ArtifactError:
        return None
    if not isinstance(name, str) or not name or "/" in name or name in (".", ".."):
        return None
    if len(rel) >= 2 and rel[-2] == "Contents":  # macOS layout: X/Contents/MacOS/<name>
        return (*rel[:-1], "MacOS", name)
    return (*rel[:-1], name)  # iOS layout: X/<name>
