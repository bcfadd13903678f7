"""Hostile logs: generated log files that `advisor triage` and `advisor diagnose --log` must
survive, each run as a user would (a subprocess under a memory cap and a time ceiling).

Every case plants known catalog messages where a reader could lose them (after a giant line,
inside colour codes, in UTF-16, with only CRs, after 300,000 matching lines...) and checks they
are all found with the right line numbers and line count: nothing lost. Input that is not a
log (binary, compressed) is refused in one line naming the file.
"""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.hostile.runtime_harness import assert_well_behaved, run_advisor

SIG = "Signature check failed: code failed to satisfy specified code requirement(s)"
SIG_ID = "ne-signature-check-failed"
NOISE = "Provider is not signed with a Developer ID certificate"
NOISE_ID = "ne-provider-not-developer-id"
SYSEX = (
    "System extension activation failed: Invalid extension configuration in Info.plist and/or entitlements: "
    "System extension com.example.vpn.tunnel.systemextension does not appear to belong to any extension categories"
)
SYSEX_ID = "sysex-unknown-category"
IPC = 'Failed to save configuration: Error Domain=NEVPNErrorDomain Code=5 "IPC failed" UserInfo={NSLocalizedDescription=IPC failed}'
IPC_ID = "nevpn-ipc-failed"


def compact(message: str, n: int = 0, process: str = "AcmeTunnel") -> str:
    """A `log show --style compact` line."""
    return f"2025-11-04 10:{n // 3600 % 60:02d}:{n // 60 % 60:02d}.{n % 1000:03d} E  {process}[{900 + n % 97}:2c3d] [com.apple.networkextension:] {message}"


def default_style(message: str, n: int = 0) -> str:
    """A `log show` default-style line."""
    return f"2025-11-04 10:12:01.{n % 1000000:06d}-0700 0x{n % 65536:<7x} Default 0x0 412 0 nesessionmanager: (NetworkExtension) [com.apple.networkextension:] {message}"


CHATTER = "2025-11-04 10:12:01.458 Df trustd[120:3c] [com.apple.securityd:trust] Trust evaluate result: 0 for photos.apple.com"


def lines_bytes(lines: list[str], end: str = "\n") -> bytes:
    return (end.join(lines) + end).encode()


@dataclass
class LogCase:
    make: Callable[[], bytes]
    found: dict[int, str] = field(default_factory=dict)  # line number -> signature id that must be reported
    lines: int | None = None  # lines_read, when the case knows it
    refused: str | None = None  # a fragment of the one-line error (exit 2) instead of a result
    ceiling: float = 60.0


def _many(message_of: Callable[[int], str], count: int) -> bytes:
    return "".join(compact(message_of(i), i) + "\n" for i in range(count)).encode()


def _random_bytes(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


CASES: dict[str, LogCase] = {
    "empty": LogCase(lambda: b"", lines=0),
    "only newlines": LogCase(lambda: b"\n" * 200_000, lines=200_000),
    "only spaces and tabs": LogCase(lambda: b" \t \n" * 50_000, lines=50_000),
    "one line, no newline": LogCase(lambda: compact(SIG).encode(), {1: SIG_ID}, lines=1),
    "no newline at all, 8 MB": LogCase(lambda: compact(SIG).encode() + b" x" * 4_000_000, {1: SIG_ID}, lines=1),
    "giant line then the message": LogCase(
        lambda: b"a" * (20 << 20) + b"\n" + lines_bytes([compact(SIG, 1)]), {2: SIG_ID}, lines=2
    ),
    "message inside a giant line's head": LogCase(
        lambda: compact(SIG).encode() + b" " + b"z" * (12 << 20) + b"\n" + lines_bytes([compact(NOISE, 1)]),
        {1: SIG_ID, 2: NOISE_ID},
        lines=2,
    ),
    "many giant lines": LogCase(
        lambda: b"".join(b"q" * (3 << 20) + b"\n" for _ in range(6)) + lines_bytes([compact(SIG)]), {7: SIG_ID}, lines=7
    ),
    "CRLF line ends": LogCase(lambda: lines_bytes([CHATTER, compact(SIG), CHATTER, compact(NOISE)], "\r\n"), {2: SIG_ID, 4: NOISE_ID}, lines=4),
    "CR-only line ends (classic Mac)": LogCase(
        lambda: lines_bytes([CHATTER, compact(SIG), CHATTER, compact(NOISE)], "\r"), {2: SIG_ID, 4: NOISE_ID}, lines=4
    ),
    "mixed line ends": LogCase(
        lambda: (compact(SIG) + "\r\n" + CHATTER + "\n" + compact(NOISE) + "\r\n").encode(), {1: SIG_ID, 3: NOISE_ID}, lines=3
    ),
    "ANSI colours around the message": LogCase(
        lambda: lines_bytes([CHATTER, f"\x1b[1;31m{compact(SIG)}\x1b[0m", f"\x1b[2m{compact(NOISE)}\x1b[0m"]),
        {2: SIG_ID, 3: NOISE_ID},
        lines=3,
    ),
    "ANSI colours between the fields": LogCase(
        lambda: lines_bytes([f"\x1b[32m2025-11-04 10:12:01.456\x1b[0m E  \x1b[34mAcmeTunnel[9:2]\x1b[0m {SIG}"]), {1: SIG_ID}, lines=1
    ),
    "terminal title and bell sequences": LogCase(
        lambda: lines_bytes([f"\x1b]0;pwned\x07{compact(SIG)}\x07\x1b[2J"]), {1: SIG_ID}, lines=1
    ),
    "control characters and bidi overrides": LogCase(
        lambda: lines_bytes([compact(SIG) + " \x08\x0b\x0c\x7f\u202e\u2066txet", compact(NOISE, 1)]), {1: SIG_ID, 2: NOISE_ID}, lines=2
    ),
    "NUL in the first block: binary": LogCase(lambda: b"\x00" + lines_bytes([compact(SIG)]), refused="binary data"),
    "NUL far into the file": LogCase(
        lambda: lines_bytes([CHATTER] * 2000) + b"\x00\x00garbage\x00\n" + lines_bytes([compact(SIG)]), {2002: SIG_ID}, lines=2002
    ),
    "random bytes": LogCase(lambda: _random_bytes(2 << 20, 1), refused="binary data"),
    "random bytes without NUL": LogCase(lambda: _random_bytes(2 << 20, 2).replace(b"\x00", b"\x01"), lines=None),
    "gzip-compressed log": LogCase(lambda: gzip.compress(lines_bytes([compact(SIG)])), refused="gzip"),
    "UTF-16 LE with BOM": LogCase(
        lambda: lines_bytes([CHATTER, compact(SIG), compact(NOISE)]).decode().encode("utf-16"), {2: SIG_ID, 3: NOISE_ID}, lines=3
    ),
    "UTF-16 BE with BOM": LogCase(
        lambda: b"\xfe\xff" + lines_bytes([compact(SIG), CHATTER]).decode().encode("utf-16-be"), {1: SIG_ID}, lines=2
    ),
    "UTF-16 LE without BOM, CRLF": LogCase(
        lambda: lines_bytes([CHATTER, compact(NOISE), compact(SIG)], "\r\n").decode().encode("utf-16-le"),
        {2: NOISE_ID, 3: SIG_ID},
        lines=3,
    ),
    "UTF-8 BOM": LogCase(lambda: b"\xef\xbb\xbf" + lines_bytes([compact(SIG), CHATTER]), {1: SIG_ID}, lines=2),
    "Latin-1 and broken UTF-8 around the message": LogCase(
        lambda: b"caf\xe9 \xc3\x28 \xff\n" + compact(SIG).encode() + b" \xe2\x80\n" + "Grüße\n".encode("latin-1"), {2: SIG_ID}, lines=3
    ),
    "curly quotes and odd spaces": LogCase(
        lambda: lines_bytes([compact(IPC.replace('"', "\u201c", 1).replace('"', "\u201d", 1).replace(" ", "\u00a0", 3))]), {1: IPC_ID}, lines=1
    ),
    "300,000 matching lines": LogCase(  # (bench_triage times 300,000 distinct ones)
        lambda: _many(lambda i: (SIG, NOISE, SYSEX, IPC)[i % 4], 300_000),
        {1: SIG_ID, 2: NOISE_ID, 3: SYSEX_ID, 4: IPC_ID},
        lines=300_000,
        ceiling=120.0,
    ),
    "50,000 distinct matching lines (numbers differ)": LogCase(
        lambda: _many(lambda i: f"{SIG} attempt {i}", 50_000), {1: SIG_ID}, lines=50_000, ceiling=120.0
    ),
    "hostile lines for a lazy catalog pattern": LogCase(
        lambda: lines_bytes(["/a" * 15_000 + f" AppleMobileFileIntegrityError Code=-413 {i}" for i in range(100)] + [compact(SIG)]),
        {101: SIG_ID},
        lines=101,
    ),
    "one line repeating the message 5,000 times": LogCase(lambda: lines_bytes([" ".join([SIG] * 5000)]), {1: SIG_ID}, lines=1),
    "anchor characters repeated across a huge line": LogCase(
        lambda: lines_bytes(["N" * 60_000, "Ni" * 30_000, compact(SIG)]), {3: SIG_ID}, lines=3
    ),
    "JSON key line with 60,000 spaces": LogCase(
        lambda: lines_bytes(['  "eventMessage" : "Signature check failed' + " " * 60_000 + 'x",', compact(SIG)]),
        {2: SIG_ID},
        lines=2,
        ceiling=20.0,  # two quadratic regexes made this one line cost over 30 s
    ),
    "JSON object nested 20,000 deep": LogCase(
        lambda: lines_bytes(['{"eventMessage": "' + SIG + '", "x": ' + "[" * 20_000 + "]" * 20_000 + "}", compact(NOISE)]),
        {2: NOISE_ID},
        lines=2,
    ),
    "ndjson log show --style ndjson": LogCase(
        lambda: lines_bytes([json.dumps({"eventMessage": m, "processImagePath": "/usr/libexec/nesessionmanager", "subsystem": "com.apple.networkextension"}) for m in (SIG, "hello", NOISE)]),
        {1: SIG_ID, 3: NOISE_ID},
        lines=3,
    ),
    "log show --style json, pretty": LogCase(
        lambda: json.dumps([{"eventMessage": SIG, "formatString": SIG, "subsystem": "x"}], indent=2).encode() + b"\n",
        {3: SIG_ID},
    ),
    "paths, ids and pids by the thousand": LogCase(
        lambda: lines_bytes(["/a" * 20_000 + " " + "a." * 20_000 + " " + "(pid " * 5_000 + " " + "[1" * 10_000, compact(SIG)]),
        {2: SIG_ID},
        lines=2,
    ),
    "regex-hostile repetition in a matching line": LogCase(
        lambda: lines_bytes([SIG + " " + "(Error" * 8_000 + " " + "0x" * 8_000 + " " + "~/" * 8_000]), {1: SIG_ID}, lines=1
    ),
}


def _write(tmp_path: Path, case: LogCase) -> Path:
    path = tmp_path / "hostile.log"
    path.write_bytes(case.make())
    return path


def _check_found(result: dict, case: LogCase) -> None:
    found = {m["line"]: m["signature"] for m in result["matches"]}
    for line, signature in case.found.items():
        assert found.get(line) == signature, f"line {line} should match {signature}; found {sorted(found.items())[:10]}"
    if case.lines is not None:
        assert result["lines_read"] == case.lines
    for m in result["matches"]:  # what reaches a terminal carries no raw control character
        assert not any((ord(c) < 32 and c != "\t") or 0x7F <= ord(c) < 0xA0 or c == "\u202e" for c in m["text"]), m["text"]


@pytest.mark.parametrize("name", list(CASES))
def test_triage_survives(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    path = _write(tmp_path, case)
    outcome = run_advisor(["triage", str(path), "--format", "json"], ceiling=case.ceiling)
    if case.refused:
        assert_well_behaved(outcome, {2}, names=str(path))
        assert case.refused in outcome.stderr and outcome.stdout == ""
        return
    assert_well_behaved(outcome, {0})
    _check_found(json.loads(outcome.stdout), case)


# The same logs through `diagnose --log` (and standard input), where the matches become evidence.
DIAGNOSE_CASES = [
    "no newline at all, 8 MB",
    "UTF-16 LE with BOM",
    "ANSI colours around the message",
    "NUL in the first block: binary",
    "JSON key line with 60,000 spaces",
]


@pytest.mark.parametrize("name", DIAGNOSE_CASES)
def test_diagnose_log_survives(name: str, tmp_path: Path) -> None:
    case = CASES[name]
    path = _write(tmp_path, case)
    outcome = run_advisor(["diagnose", "--log", str(path), "--format", "json"], ceiling=case.ceiling)
    if case.refused:
        assert_well_behaved(outcome, {2}, names=str(path))
        return
    assert_well_behaved(outcome, {0, 1})
    result = json.loads(outcome.stdout)
    _check_found({"matches": result["log_matches"], "lines_read": case.lines}, LogCase(case.make, case.found))
    if SIG_ID in case.found.values():
        assert any(e["fact"] == "log" for d in result["diagnoses"] for e in d["evidence"]), "the matched line became no evidence"


@pytest.mark.parametrize("name", ["UTF-16 LE without BOM, CRLF", "random bytes", "message inside a giant line's head"])
def test_triage_from_standard_input(name: str) -> None:
    case = CASES[name]
    outcome = run_advisor(["triage", "-", "--format", "json"], stdin=case.make(), ceiling=case.ceiling)
    if case.refused:
        assert_well_behaved(outcome, {2}, names="standard input")
        return
    assert_well_behaved(outcome, {0})
    _check_found(json.loads(outcome.stdout), case)
