"""Every registered copy of the app or its providers: `pluginkit`, `mdfind`, `lsregister -dump`.

A copy other than the one being examined means the system may pick the wrong one
(other_copy_installed); a copy under `…/Wrapper/…` is an iOS build (App Store or TestFlight,
"iOS apps on Mac") of the same bundle id (ios_copy_installed). Formats: ne-knowledge.md 8.2
(pluginkit, incl. the iOS `Wrapper/` layout), 8.3 (lsregister), 12.5 (mdfind).

A single listing only ever proves that another copy exists; "no other copy" needs every
listing that ran, so it is derived in cross_facts.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from advisor.evidence import Observation
from advisor.probes.context import ProbeContext
from advisor.probes.parsers.observation import seen, text_lines
from advisor.probes.parsers.spec import ParserSpec

WRAPPER_SEGMENT = "/Wrapper/"  # iOS apps on a Mac live in /Applications/<Name>.app/Wrapper/<Name>.app
# Archived builds are not installed copies; nothing launches providers from an .xcarchive.
_IGNORED_SEGMENTS = (".xcarchive/",)

_PLUGIN_RECORD = re.compile(
    r"^\s*(?P<flags>(?:[+\-=!?]|H\.)*)\s*(?P<id>[A-Za-z0-9][A-Za-z0-9._-]*)\((?P<version>[^()]*)\)(?P<rest>.*)$"
)
_PLUGIN_FIELD = re.compile(r"^\s+(?P<key>[A-Za-z][A-Za-z ]*?)\s+=\s+(?P<value>.*?)\s*$")
_PLUGIN_SUMMARY = re.compile(r"^\s*\((?:no matches|\d+ plug-ins?)\)\s*$")
_LS_FIELD = re.compile(r"^(?P<key>path|identifier):\s+(?P<value>.*?)\s*$")
_LS_SEPARATOR = re.compile(r"^-{10,}\s*$")
_LS_ADDRESS = re.compile(r"\s+\(0x[0-9A-Fa-f]+\)$")


@dataclass(frozen=True)
class RegisteredCopy:
    bundle_id: str | None  # None when the listing was already filtered by id (mdfind)
    path: str
    line: str  # the output line naming the path

    @property
    def is_ios_wrapper(self) -> bool:
        return WRAPPER_SEGMENT in self.path


@dataclass(frozen=True)
class CopyListing:
    copies: tuple[RegisteredCopy, ...]
    filtered_by_id: bool  # every copy is of the one queried id (pluginkit -i, mdfind by id)


def comparable_path(path: str) -> str:
    """The same bundle seen through different spellings compares equal."""
    path = posixpath.normpath(path.strip())
    for alias, real in (("/System/Volumes/Data/", "/"), ("/private/var/", "/var/"), ("/private/tmp/", "/tmp/")):  # noqa: S108 (path spellings, not a temp file)
        if path.startswith(alias):
            path = real + path[len(alias) :]
    return path


def _counts(path: str) -> bool:
    return not any(seg in path for seg in _IGNORED_SEGMENTS)


# ---- pluginkit ----------------------------------------------------------------------------
def read_pluginkit(stdout: str, stderr: str) -> CopyListing | None:
    """`pluginkit -m -v…` in either layout: one line per plug-in (`-v`: tab-separated UUID,
    timestamp, path) or a record line followed by `Key = value` lines (`-vv` and more)."""
    text = stdout if stdout.strip() else stderr
    records: list[dict[str, str]] = []
    recognised = False
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line.strip():
            continue
        if _PLUGIN_SUMMARY.match(line):
            recognised = True
            continue
        m = _PLUGIN_RECORD.match(line)
        if not m:
            field = _PLUGIN_FIELD.match(line)
            if field and records:  # "            Path = /Applications/…" belongs to the record above
                records[-1].setdefault(field.group("key"), field.group("value"))
                records[-1].setdefault("_line_" + field.group("key"), line)
            continue
        record = {"id": m.group("id"), "_line": line}
        rest = m.group("rest")
        path = next((f.strip() for f in rest.split("\t") if f.strip().startswith("/")), "")
        if not path and " /" in rest:
            path = rest[rest.index(" /") + 1 :].strip()
        if path:
            record["Path"] = path
            record["_line_Path"] = line
        records.append(record)
        recognised = True
    if not recognised:
        return None
    copies = tuple(
        RegisteredCopy(r["id"], r["Path"], r.get("_line_Path", r["_line"]))
        for r in records
        if r.get("Path", "").startswith("/")
    )
    ids = {r["id"] for r in records}
    return CopyListing(copies, filtered_by_id=len(ids) <= 1)


def parse_pluginkit(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    listing = read_pluginkit(stdout, stderr) if exit_code == 0 else None
    return copy_observations(listing, context) if listing else []


# ---- mdfind -------------------------------------------------------------------------------
def read_mdfind(stdout: str) -> CopyListing | None:
    lines = text_lines(stdout)
    if any(not line.startswith("/") for line in lines):
        return None  # not a list of paths: garbage or an error message
    return CopyListing(tuple(RegisteredCopy(None, line, line) for line in lines), filtered_by_id=True)


def parse_mdfind(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    listing = read_mdfind(stdout) if exit_code == 0 else None
    return copy_observations(listing, context) if listing else []


# ---- lsregister -dump ---------------------------------------------------------------------
def lsregister_line(line: str) -> bool:
    """The lines of `lsregister -dump` worth keeping (the dump itself is hundreds of MB)."""
    return line.startswith(("path:", "identifier:", "----------"))


def read_lsregister(stdout: str) -> CopyListing | None:
    copies: list[RegisteredCopy] = []
    path = ident = None
    path_line = ""
    records = 0

    def flush() -> None:
        nonlocal path, ident, path_line, records
        if path and ident:
            copies.append(RegisteredCopy(ident, path, path_line))
            records += 1
        path = ident = None
        path_line = ""

    for line in stdout.splitlines():
        if _LS_SEPARATOR.match(line):
            flush()
            continue
        m = _LS_FIELD.match(line)
        if not m:
            continue
        value = _LS_ADDRESS.sub("", m.group("value"))
        if m.group("key") == "path" and path is None and value.startswith("/"):
            path, path_line = value, line
        elif m.group("key") == "identifier" and ident is None:
            ident = value.split()[0] if value else None
    flush()
    if not records:
        return None
    return CopyListing(tuple(copies), filtered_by_id=False)


def parse_lsregister(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    listing = read_lsregister(stdout) if exit_code == 0 else None
    return copy_observations(listing, context) if listing else []


# ---- what the copies mean -----------------------------------------------------------------
def other_copies(listing: CopyListing, context: ProbeContext | None) -> list[RegisteredCopy] | None:
    """Copies of this app or its providers other than the ones examined; None if undecidable."""
    own_ids = set(context.own_bundle_ids) if context else set()
    own_paths = {comparable_path(p) for p in context.own_paths} if context else set()
    copies = [c for c in listing.copies if _counts(c.path)]
    if not listing.filtered_by_id:
        if not own_ids:
            return None  # a listing of everything says nothing without knowing what is ours
        copies = [c for c in copies if c.bundle_id in own_ids]
    elif own_ids and copies and copies[0].bundle_id is not None and copies[0].bundle_id not in own_ids:
        return []  # a listing of somebody else's id
    if own_paths:
        return [c for c in copies if comparable_path(c.path) not in own_paths]
    # Which copy is "ours" is unknown: only two or more distinct copies prove another one.
    distinct = {comparable_path(c.path) for c in copies}
    return copies if len(distinct) >= 2 else []


def copy_observations(listing: CopyListing, context: ProbeContext | None) -> list[Observation]:
    others = other_copies(listing, context)
    if not others:
        return []
    out = [seen("other_copy_installed", "yes", others[0].line)]
    own_paths = {comparable_path(p) for p in context.own_paths} if context else set()
    wrapped = [c for c in others if c.is_ios_wrapper]
    # Without knowing our own path, a Wrapper copy proves an iOS copy only beside a native one.
    native_seen = bool(own_paths) or any(not c.is_ios_wrapper for c in others)
    if wrapped and native_seen:
        out.append(seen("ios_copy_installed", "yes", wrapped[0].line))
    return out


SPECS = (
    ParserSpec("pluginkit", parse_pluginkit),
    ParserSpec("mdfind_bundle_id", parse_mdfind),
    ParserSpec("lsregister_dump", parse_lsregister, stdout_filter=lsregister_line),
)
