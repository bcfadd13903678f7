"""Log triage: stream a log, name the lines that match known messages, turn them into evidence.

Streaming keeps memory bounded whatever the input: the file is read in blocks, lines are cut at
MAX_LINE bytes (the rest of a longer line is skipped, however long), repeated identical lines
are counted rather than stored, and at most MAX_MATCHES distinct matches are kept.
"""

from __future__ import annotations

import codecs
import itertools
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO

from advisor.evidence import Observation, Pointer, Source
from advisor.exit_status import UserError
from advisor.knowledge.model import KnowledgeBase
from advisor.plain_text import printable
from advisor.triage.log_formats import parse_line
from advisor.triage.normalise import captures_of
from advisor.triage.signature_index import SignatureIndex

if TYPE_CHECKING:  # annotations only (the result is plain dictionaries)
    from advisor.result_shape import LogMatchEntry

BLOCK = 4 << 20
MAX_LINE = 64 << 10
MAX_MATCHES = 1000
MAX_TEXT = 500  # characters of a matched line kept for display
_SNIFF = 8192
# ANSI escape sequences (CSI such as colours, OSC such as window titles): formatting, not text.
_ANSI = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")


@dataclass
class LogMatch:
    line: int
    text: str
    signature: str
    score: float
    kind: str
    points_to: list[str]
    captures: dict[str, str]
    count: int = 1
    proves: list[str] = field(default_factory=list)  # diagnoses this verbatim message proves

    def to_json(self) -> LogMatchEntry:
        return {
            "line": self.line,
            "text": self.text,
            "signature": self.signature,
            "score": self.score,
            "kind": self.kind,
            "points_to": list(self.points_to),
            "captures": dict(self.captures),
            "count": self.count,
            "proves": list(self.proves),
        }


@dataclass
class TriageResult:
    matches: list[LogMatch]
    lines_read: int
    omitted: int = 0  # matched lines not kept because MAX_MATCHES distinct matches were already held

    def observations(self, kb: KnowledgeBase, source: Source = Source.LOG) -> list[Observation]:
        """The facts matched lines establish (each signature's `sets`), once per fact value."""
        seen: set[tuple[str, str]] = set()
        out: list[Observation] = []
        for m in self.matches:
            sig = kb.signatures.get(m.signature)
            if sig is None:
                continue
            for fact, value in sig.sets:
                if (fact, value) in seen:
                    continue
                seen.add((fact, value))
                out.append(Observation(fact, value, source, _detail(m), sig.id))
        return out

    def pointers(self, kb: KnowledgeBase, source: Source = Source.LOG) -> list[Pointer]:
        """One pointer per (signature, diagnosis): weight x best score / 100, however often it repeats."""
        best: dict[str, LogMatch] = {}
        for m in self.matches:
            if m.signature not in best or (bool(m.proves), m.score) > (bool(best[m.signature].proves), best[m.signature].score):
                best[m.signature] = m
        out: list[Pointer] = []
        for sig_id, m in best.items():
            sig = kb.signatures.get(sig_id)
            if sig is None:
                continue
            for diagnosis, weight in sig.points_to:
                proves = diagnosis in m.proves
                out.append(Pointer(diagnosis, round(weight * m.score / 100, 3), source, _detail(m), sig.id, proves))
        return out

    def to_json(self) -> dict:
        data: dict = {"matches": [m.to_json() for m in self.matches], "lines_read": self.lines_read}
        if self.omitted:
            data["omitted"] = self.omitted
        return data


def _detail(m: LogMatch) -> str:
    repeat = f" (x{m.count})" if m.count > 1 else ""
    return f"log line {m.line}{repeat}: {m.text}"


@dataclass
class _Collector:
    """Matches in line order, deduplicated by (signature, normalised message)."""

    index: SignatureIndex
    matches: list[LogMatch] = field(default_factory=list)
    by_key: dict[tuple[str, str], LogMatch] = field(default_factory=dict)
    omitted: int = 0

    def offer(self, line_no: int, line: str) -> None:
        if "\x1b" in line:  # colour codes (`log show --color always`, a terminal copy)
            line = _ANSI.sub("", line)
        record = parse_line(line)
        if record is None or not record.message:
            return
        scored = self.index.score_message(line, record.message)
        found = scored.match
        if found is None:
            return
        sig = found.signature
        key = (sig.id, scored.norm)
        known = self.by_key.get(key)
        if known is not None:
            known.count += 1
            return
        if len(self.matches) >= MAX_MATCHES:
            self.omitted += 1
            return
        # Only a match that is kept needs its captures (most matched lines are repeats).
        captures = {**captures_of(scored.folded), **found.captures}
        if record.process:
            captures.setdefault("process", record.process)
        if record.subsystem:
            captures.setdefault("subsystem", record.subsystem)
        text = printable(line.strip())
        if len(text) > MAX_TEXT:
            text = text[: MAX_TEXT - 1] + "…"
        ranked = sorted(sig.points_to, key=lambda p: -p[1])
        proves = list(sig.proves) if found.verbatim else []
        captures = {k: printable(v) for k, v in captures.items()}
        match = LogMatch(line_no, text, sig.id, found.score, sig.kind, [d for d, _ in ranked], captures, proves=proves)
        self.by_key[key] = match
        self.matches.append(match)

    def result(self, lines_read: int) -> TriageResult:
        return TriageResult(self.matches, lines_read, self.omitted)


class LogTriage:
    """The catalog compiled once per knowledge base; reusable for any number of logs."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.index = SignatureIndex.build(kb)

    def triage_lines(self, lines: Iterable[str]) -> TriageResult:
        collector = _Collector(self.index)
        count = 0
        for count, line in enumerate(lines, start=1):
            line = line[:MAX_LINE]
            if self.index.has_anchor(line):
                collector.offer(count, line)
        return collector.result(count)

    def triage_text(self, text: str) -> TriageResult:
        """Triage pasted text (or a description): the same fast path as a file."""
        return self._scan_blocks([text.encode("utf-8", errors="replace")])

    def triage_path(self, path: str) -> TriageResult:
        """Triage a file, or standard input for "-"; UserError if it cannot be read as a log."""
        if path == "-":
            return self.triage_stream(sys.stdin.buffer, "standard input")
        if os.path.isdir(path):
            hint = " (export it first: log show --archive PATH > log.txt)" if path.rstrip("/").endswith(".logarchive") else ""
            raise UserError(f"{path}: is a directory, not a log file{hint}")
        try:
            stream = open(path, "rb")  # noqa: SIM115 (closed by the `with` below, after the errors)
        except FileNotFoundError:
            raise UserError(f"{path}: no such file") from None
        except PermissionError:
            raise UserError(f"{path}: cannot read: permission denied") from None
        except OSError as exc:
            raise UserError(f"{path}: cannot read: {exc.strerror or exc}") from None
        with stream:
            return self.triage_stream(stream, path)

    def triage_stream(self, stream: BinaryIO, name: str) -> TriageResult:
        return self._scan_blocks(_blocks(stream, name))

    def _scan_blocks(self, blocks: Iterable[bytes]) -> TriageResult:
        collector = _Collector(self.index)
        lines_done = 0  # complete lines before the unscanned data
        carry = b""  # the start of a line continued in the next block
        skipping = False  # inside the rest of a line longer than MAX_LINE
        for block in blocks:
            start = 0
            if skipping or carry:
                newline = block.find(b"\n")
                if newline < 0:
                    if not skipping:
                        carry += block
                        if len(carry) > MAX_LINE:
                            self._scan(carry[:MAX_LINE], 0, MAX_LINE, lines_done, collector)
                            carry, skipping = b"", True
                    continue
                if not skipping:
                    line = carry + block[: newline + 1]
                    self._scan(line, 0, min(len(line), MAX_LINE), lines_done, collector)
                lines_done += 1
                carry, skipping = b"", False
                start = newline + 1
            last = block.rfind(b"\n", start)
            if last >= 0:
                lines_done += self._scan(block, start, last + 1, lines_done, collector)
                start = last + 1
            carry = block[start:]
            if len(carry) > MAX_LINE:
                self._scan(carry[:MAX_LINE], 0, MAX_LINE, lines_done, collector)
                carry, skipping = b"", True
        if carry:
            self._scan(carry, 0, len(carry), lines_done, collector)
            lines_done += 1
        elif skipping:
            lines_done += 1
        return collector.result(lines_done)

    def _scan(self, buf: bytes, start: int, end: int, lines_before: int, collector: _Collector) -> int:
        """Offer every anchored line of buf[start:end] (the first is line lines_before+1);
        return how many newlines buf[start:end] holds."""
        newlines = 0
        counted_to = start
        for line_start in self.index.candidate_line_starts(buf, start, end):
            newlines += buf.count(b"\n", counted_to, line_start)
            counted_to = line_start
            line_end = buf.find(b"\n", line_start, end)
            raw = buf[line_start : min(line_end if line_end >= 0 else end, line_start + MAX_LINE)]
            collector.offer(lines_before + newlines + 1, raw.decode("utf-8", errors="replace").rstrip("\r"))
        return newlines + buf.count(b"\n", counted_to, end)


def _blocks(stream: BinaryIO, name: str) -> Iterator[bytes]:
    """The stream in BLOCK-sized reads, as UTF-8 with "\\n" line ends: the first block decides
    the encoding (UTF-16 with or without its byte order mark, else UTF-8) and the line ends
    (a file with only CRs, as classic Mac tools wrote, has its CRs read as line ends), and
    binary or compressed content is refused."""
    raw = _raw_blocks(stream, name)
    first = next(raw, b"")
    if not first:
        return
    encoding = _utf16_encoding(first[:_SNIFF])
    if encoding is None:
        if first.startswith(codecs.BOM_UTF8):
            first = first[len(codecs.BOM_UTF8) :]
        _refuse_binary(first[:_SNIFF], name)
        blocks: Iterator[bytes] = itertools.chain([first], raw)
    else:
        blocks = _transcoded(itertools.chain([first], raw), encoding)
        first = next(blocks, b"")
        blocks = itertools.chain([first], blocks)
    if b"\n" not in first and first.count(b"\r") > 1:
        blocks = (block.replace(b"\r", b"\n") for block in blocks)
    yield from blocks


def _raw_blocks(stream: BinaryIO, name: str) -> Iterator[bytes]:
    while True:
        try:
            block = stream.read(BLOCK)
        except OSError as exc:
            raise UserError(f"{name}: cannot read: {exc.strerror or exc}") from None
        if not block:
            return
        yield block


def _utf16_encoding(head: bytes) -> str | None:
    """"utf-16-le" / "utf-16-be" when `head` looks like UTF-16 text, else None. A byte order
    mark followed by NULs settles it; without one, a log (mostly ASCII) in UTF-16 has a NUL in
    nearly every other byte and printable characters in the others."""
    pairs = len(head) // 2
    if pairs < 8:
        return None
    odd, even = head[1 : 2 * pairs : 2], head[0 : 2 * pairs : 2]
    if head.startswith(codecs.BOM_UTF16_LE) and 0 in odd:
        return "utf-16-le"
    if head.startswith(codecs.BOM_UTF16_BE) and 0 in even:
        return "utf-16-be"
    for encoding, zeros, text in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros.count(0) >= 0.9 * pairs and sum(1 for b in text if 32 <= b < 127 or b in (9, 10, 13)) >= 0.9 * pairs:
            return encoding
    return None


def _transcoded(blocks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    first = True
    for block in blocks:
        text = decoder.decode(block)
        if first:
            text = text.removeprefix("\ufeff")
            first = False
        if text:
            yield text.encode("utf-8", errors="replace")
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail.encode("utf-8", errors="replace")


def _refuse_binary(head: bytes, name: str) -> None:
    if head.startswith(b"\x1f\x8b"):
        raise UserError(f"{name}: gzip-compressed; decompress it first (gunzip)")
    if b"\x00" in head:
        raise UserError(f"{name}: binary data, not log text")
