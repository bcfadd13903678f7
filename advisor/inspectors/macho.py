"""Mach-O executables, thin or universal: the slices, their load commands, their signatures.

The file is memory-mapped; only the headers, the load commands, the code-signature region and
(small) named sections are read, so a multi-gigabyte binary costs what its signature costs.
Mach-O headers are in the slice's byte order (little-endian on Intel and Apple silicon);
fat headers are big-endian.
"""

from __future__ import annotations

import mmap
import os
import stat
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advisor.inspectors.artifact_error import ArtifactError
from advisor.inspectors.code_signature import CodeSignature, parse_code_signature

__all__ = ["CodeSignature", "DylibReference", "MachOFile", "MachOSlice", "read_macho"]

FAT_MAGIC = 0xCAFEBABE
FAT_MAGIC_64 = 0xCAFEBABF
MH_MAGIC = 0xFEEDFACE
MH_MAGIC_64 = 0xFEEDFACF
LC_SEGMENT = 0x1
LC_SEGMENT_64 = 0x19
LC_CODE_SIGNATURE = 0x1D
LC_VERSION_MIN_MACOSX = 0x24
LC_VERSION_MIN_IPHONEOS = 0x25
LC_BUILD_VERSION = 0x32
LC_LOAD_DYLIB = 0xC
LC_LAZY_LOAD_DYLIB = 0x20
LC_LOAD_WEAK_DYLIB = 0x80000018
LC_REEXPORT_DYLIB = 0x8000001F
LC_LOAD_UPWARD_DYLIB = 0x80000023
LC_RPATH = 0x8000001C
_DYLIB_COMMANDS = {LC_LOAD_DYLIB, LC_LAZY_LOAD_DYLIB, LC_LOAD_WEAK_DYLIB, LC_REEXPORT_DYLIB, LC_LOAD_UPWARD_DYLIB}
_MAX_PATH = 4096

_CPU_ABI64 = 0x01000000
_CPU_ABI64_32 = 0x02000000
_CPU_NAMES = {
    7: "i386",
    7 | _CPU_ABI64: "x86_64",
    12: "arm",
    12 | _CPU_ABI64: "arm64",
    12 | _CPU_ABI64_32: "arm64_32",
    18: "ppc",
    18 | _CPU_ABI64: "ppc64",
}
_BUILD_PLATFORMS = {1: "macos", 2: "ios", 3: "tvos", 4: "watchos", 6: "maccatalyst", 7: "ios-simulator", 11: "visionos"}

_MAX_SLICES = 32  # also rejects Java class files, which share the 0xcafebabe magic
_MAX_LOAD_COMMANDS_SIZE = 16 * 1024 * 1024
_SECTION_LIMIT = 8 * 1024 * 1024
_WANTED_SECTIONS = {("__TEXT", "__objc_classname")}


@dataclass(frozen=True)
class MachOSlice:
    arch: str
    offset: int  # in the file
    size: int
    filetype: int
    platform: str | None  # from LC_BUILD_VERSION / LC_VERSION_MIN_*
    min_os: str | None
    signature: CodeSignature | None  # None: no LC_CODE_SIGNATURE (unsigned)
    signature_error: str | None = None  # LC_CODE_SIGNATURE present but unreadable
    objc_class_names: frozenset[str] | None = None  # None: no __objc_classname section
    dylibs: tuple[DylibReference, ...] = ()  # LC_LOAD_DYLIB and friends, in load order
    rpaths: tuple[str, ...] = ()  # LC_RPATH entries, in search order

    def to_json(self) -> dict[str, Any]:
        return {
            "arch": self.arch,
            "platform": self.platform,
            "min_os": self.min_os,
            "signature": self.signature.to_json() if self.signature else None,
            "signature_error": self.signature_error,
            "dylibs": [d.name for d in self.dylibs],
            "rpaths": list(self.rpaths),
        }


@dataclass(frozen=True)
class DylibReference:
    """A library the slice loads: its install name, and whether dyld tolerates its absence."""

    name: str
    weak: bool = False


@dataclass(frozen=True)
class MachOFile:
    path: str
    size: int
    universal: bool
    slices: tuple[MachOSlice, ...] = field(default_factory=tuple)

    @property
    def format(self) -> str:
        archs = " ".join(s.arch for s in self.slices)
        return f"Mach-O universal ({archs})" if self.universal else f"Mach-O thin ({archs})"

    @property
    def primary(self) -> MachOSlice:
        """The slice whose signature stands for the file: arm64, then x86_64, then the first."""
        for arch in ("arm64", "x86_64"):
            for s in self.slices:
                if s.arch == arch:
                    return s
        return self.slices[0]

    def to_json(self) -> dict[str, Any]:
        return {"format": self.format, "size": self.size, "slices": [s.to_json() for s in self.slices]}


def _version(value: int) -> str:
    return f"{value >> 16}.{(value >> 8) & 0xFF}.{value & 0xFF}"


def _slice(buf: mmap.mmap, offset: int, size: int) -> MachOSlice:
    if size < 28:
        raise ArtifactError(f"Mach-O slice at {offset} is too small for a header")
    order = next((o for o in "<>" if struct.unpack_from(o + "I", buf, offset)[0] in (MH_MAGIC, MH_MAGIC_64)), None)
    if order is None:
        magic = struct.unpack_from(">I", buf, offset)[0]
        raise ArtifactError(f"bytes at {offset} are not a Mach-O header (magic 0x{magic:08x})")
    magic = struct.unpack_from(order + "I", buf, offset)[0]
    is_64 = magic == MH_MAGIC_64
    header_size = 32 if is_64 else 28
    if size < header_size:
        raise ArtifactError("Mach-O header is truncated")
    cputype, _subtype, filetype, ncmds, sizeofcmds = struct.unpack_from(order + "5I", buf, offset + 4)
    if sizeofcmds > min(size - header_size, _MAX_LOAD_COMMANDS_SIZE) or ncmds > sizeofcmds // 8:
        raise ArtifactError(f"Mach-O load commands ({ncmds}, {sizeofcmds} bytes) do not fit the file")
    arch = _CPU_NAMES.get(cputype, f"cpu{cputype:#x}")

    signature_range: tuple[int, int] | None = None
    platform = min_os = None
    sections: dict[tuple[str, str], tuple[int, int]] = {}
    dylibs: list[DylibReference] = []
    rpaths: list[str] = []
    cursor = offset + header_size
    end = cursor + sizeofcmds
    for _ in range(ncmds):
        if cursor + 8 > end:
            raise ArtifactError("Mach-O load command runs past sizeofcmds")
        cmd, cmdsize = struct.unpack_from(order + "II", buf, cursor)
        if cmdsize < 8 or cursor + cmdsize > end:
            raise ArtifactError(f"Mach-O load command 0x{cmd:x} has an invalid size {cmdsize}")
        if cmd == LC_CODE_SIGNATURE and cmdsize >= 16:
            signature_range = struct.unpack_from(order + "II", buf, cursor + 8)
        elif cmd == LC_BUILD_VERSION and cmdsize >= 24:
            code, minos = struct.unpack_from(order + "II", buf, cursor + 8)
            platform, min_os = _BUILD_PLATFORMS.get(code, f"platform{code}"), _version(minos)
        elif cmd in (LC_VERSION_MIN_MACOSX, LC_VERSION_MIN_IPHONEOS) and cmdsize >= 16:
            platform = "macos" if cmd == LC_VERSION_MIN_MACOSX else "ios"
            min_os = _version(struct.unpack_from(order + "I", buf, cursor + 8)[0])
        elif cmd in (LC_SEGMENT, LC_SEGMENT_64):
            _collect_sections(buf, order, cursor, cmdsize, cmd == LC_SEGMENT_64, sections)
        elif cmd in _DYLIB_COMMANDS and cmdsize >= 24:
            name = _load_command_string(buf, order, cursor, cmdsize)
            if name is not None:
                dylibs.append(DylibReference(name, weak=cmd == LC_LOAD_WEAK_DYLIB))
        elif cmd == LC_RPATH and cmdsize >= 12:
            path = _load_command_string(buf, order, cursor, cmdsize)
            if path is not None:
                rpaths.append(path)
        cursor += cmdsize

    signature = None
    signature_error = None
    if signature_range is not None:
        dataoff, datasize = signature_range
        if dataoff + datasize > size or datasize == 0:
            signature_error = f"LC_CODE_SIGNATURE points at {dataoff}+{datasize}, outside the {size}-byte slice"
        else:
            try:
                signature = parse_code_signature(buf, offset + dataoff, datasize)
            except ArtifactError as exc:
                signature_error = exc.message
            except (struct.error, ValueError, IndexError) as exc:
                signature_error = f"code signature is malformed ({exc})"

    class_names = None
    located = sections.get(("__TEXT", "__objc_classname"))
    if located is not None:
        sect_off, sect_size = located
        if sect_off + sect_size <= size and sect_size <= _SECTION_LIMIT:
            raw = bytes(buf[offset + sect_off : offset + sect_off + sect_size])
            class_names = frozenset(n.decode("utf-8", "replace") for n in raw.split(b"\x00") if n)
    return MachOSlice(
        arch,
        offset,
        size,
        filetype,
        platform,
        min_os,
        signature,
        signature_error,
        class_names,
        tuple(dylibs),
        tuple(rpaths),
    )


def _load_command_string(buf: mmap.mmap, order: str, cursor: int, cmdsize: int) -> str | None:
    """The lc_str of a dylib or rpath command (its offset is the command's third word)."""
    str_offset = struct.unpack_from(order + "I", buf, cursor + 8)[0]
    if not 12 <= str_offset < cmdsize:
        return None
    raw = bytes(buf[cursor + str_offset : cursor + min(cmdsize, str_offset + _MAX_PATH)])
    text = raw.split(b"\x00", 1)[0].decode("utf-8", "replace")
    return text or None


def _collect_sections(
    buf: mmap.mmap, order: str, cursor: int, cmdsize: int, is_64: bool, out: dict[tuple[str, str], tuple[int, int]]
) -> None:
    seg_header, sect_size = (72, 80) if is_64 else (56, 68)
    if cmdsize < seg_header:
        raise ArtifactError("Mach-O segment command is truncated")
    nsects = struct.unpack_from(order + "I", buf, cursor + seg_header - 8)[0]
    if seg_header + nsects * sect_size > cmdsize:
        raise ArtifactError("Mach-O segment declares more sections than its command holds")
    for i in range(nsects):
        base = cursor + seg_header + i * sect_size
        sectname = bytes(buf[base : base + 16]).split(b"\x00", 1)[0].decode("ascii", "replace")
        segname = bytes(buf[base + 16 : base + 32]).split(b"\x00", 1)[0].decode("ascii", "replace")
        if (segname, sectname) not in _WANTED_SECTIONS:
            continue
        if is_64:
            size, file_offset = struct.unpack_from(order + "QI", buf, base + 40)
        else:
            size, file_offset = struct.unpack_from(order + "II", buf, base + 36)
        out[(segname, sectname)] = (file_offset, size)


def _fat_slices(buf: mmap.mmap, file_size: int) -> list[tuple[int, int]]:
    magic, count = struct.unpack_from(">II", buf, 0)
    if count == 0 or count > _MAX_SLICES:
        raise ArtifactError(f"universal header claims {count} architectures")
    entry = 32 if magic == FAT_MAGIC_64 else 20
    if 8 + count * entry > file_size:
        raise ArtifactError("universal header is truncated")
    out = []
    for i in range(count):
        base = 8 + i * entry
        if magic == FAT_MAGIC_64:
            offset, size = struct.unpack_from(">QQ", buf, base + 8)
        else:
            offset, size = struct.unpack_from(">II", buf, base + 8)
        if offset < 8 + count * entry or offset + size > file_size:
            raise ArtifactError(f"universal slice {i} ({offset}+{size}) lies outside the {file_size}-byte file")
        out.append((offset, size))
    return out


def read_macho(path: Path, display: str = "") -> MachOFile:
    """Read the slices and signatures of the Mach-O file at `path` (ArtifactError if it is not one)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ArtifactError("missing") from None
    except OSError as exc:
        raise ArtifactError(f"cannot be read: {exc.strerror or exc}") from None
    if not stat.S_ISREG(st.st_mode):
        raise ArtifactError("is not a regular file")
    if st.st_size < 28:
        raise ArtifactError(f"is {st.st_size} bytes, too small to be a Mach-O file")
    try:
        with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as buf:
            magic = struct.unpack_from(">I", buf, 0)[0]
            if magic in (FAT_MAGIC, FAT_MAGIC_64):
                slices = tuple(_slice(buf, off, size) for off, size in _fat_slices(buf, st.st_size))
                return MachOFile(display or str(path), st.st_size, True, slices)
            return MachOFile(display or str(path), st.st_size, False, (_slice(buf, 0, st.st_size),))
    except OSError as exc:
        raise ArtifactError(f"cannot be read: {exc.strerror or exc}") from None
    except (struct.error, ValueError, IndexError, OverflowError) as exc:
        raise ArtifactError(f"is a malformed Mach-O file ({exc})") from None
