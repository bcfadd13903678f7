"""The signature catalog compiled once for fast, tolerant matching.

Two stages. The prefilter finds the lines that hold an anchor of some signature (one regex per
anchors' first character, see `anchors`). Only those lines are parsed, normalised and scored:
a signature's patterns first (exact, with captures), then rapidfuzz `partial_ratio` of its
normalised text against the normalised message, with guards that keep precision high:

* numbers must agree: `Code=1` never matches a signature for `Code=5`;
* quoted parts of the signature ("permission denied") must appear in the message;
* the message must cover the signature's text, or most of it when it was cut short ("…");
* of several signatures matching one line, the most specific (longest) solid match wins.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from rapidfuzz import fuzz

from advisor.knowledge.model import KnowledgeBase, Signature
from advisor.triage.anchors import choose_anchors, pattern_slots, text_slot
from advisor.triage.normalise import captures_of, fold_quotes, normalise, normalise_folded, number_tokens

DEFAULT_MIN_SCORE = 92.0
SOLID_SCORE = 95.0  # at or above this, a longer signature beats a shorter exact one
MIN_COVERAGE = 0.9  # a message must cover this share of the signature text...
MIN_COVERAGE_CUT = 0.6  # ...or this share when it was cut short (ends with an ellipsis)
MAX_SCORED_CHARS = 4096  # fuzzy scoring looks at the start of very long messages only
# Patterns look at less: a lazy group such as `(/[^:]+?) not valid` costs time quadratic in
# the text it searches when the literal after it is missing (a hostile line of "/a/a/a...").
MAX_PATTERN_CHARS = 1024
# Scores remembered for repeated messages: at most this many, of messages at most this long
# (a log's repeats are short lines; memory stays a few MB whatever the log holds).
MEMO_ENTRIES = 4096
MEMO_KEY_CHARS = 1024
SPARSE_TRIES = 512  # occurrences of a first character tried one by one before a regex pass

K = TypeVar("K")
V = TypeVar("V")
_QUOTED = re.compile(r'"([^"]{3,})"')


class CatalogError(Exception):
    """A signature that cannot be matched as written (no anchor): a knowledge-base bug."""


@dataclass(frozen=True)
class ScoredMatch:
    signature: Signature
    score: float
    captures: dict[str, str]
    specificity: int
    # The whole signature text is in the message (after normalisation), not cut short: only such
    # a match of a signature that `proves` a diagnosis can confirm it.
    verbatim: bool = False

    def rank(self) -> tuple[bool, int, float]:
        return (self.score >= SOLID_SCORE, self.specificity, self.score)


@dataclass
class CompiledSignature:
    signature: Signature
    norm: str
    required: list[str]  # literal pieces of quoted parts, normalised
    patterns: list[re.Pattern[str]]
    min_score: float
    # Its place in scoring order: most specific (longest text) first, then catalog order.
    order: tuple[int, int] = (0, 0)

    @classmethod
    def build(cls, sig: Signature) -> CompiledSignature:
        norm = normalise(sig.text)
        required = [
            piece.strip()
            for quoted in _QUOTED.findall(norm)
            for piece in re.split(r"<[a-z]+>", quoted)
            if len(piece.strip()) >= 3
        ]
        return cls(
            signature=sig,
            norm=norm,
            required=required,
            patterns=[re.compile(p) for p in sig.patterns],
            min_score=sig.min_score or DEFAULT_MIN_SCORE,
        )

    def anchor_slots(self) -> list[list[str]]:
        """Where this signature's anchors may come from: its text, and each pattern alternative."""
        sig = self.signature
        slots = [slot] if (slot := text_slot(sig.text)) else []
        for pattern in sig.patterns:
            found = pattern_slots(pattern)
            if found is None:
                raise CatalogError(f"{sig.location}: pattern {pattern!r} of '{sig.id}' has no literal of 6+ characters")
            slots.extend(found)
        if not slots:
            raise CatalogError(f"{sig.location}: text of '{sig.id}' has no literal of 6+ characters")
        return slots

    def score(
        self, folded: str, norm: str, cut_short: bool, memo: Memo[tuple[int, str, bool], ScoredMatch | None] | None = None
    ) -> ScoredMatch | None:
        head = folded[:MAX_PATTERN_CHARS]
        # Checked only where it matters: a proving signature's text, whole, in the message, or one
        # of its patterns (each written as exactly as the text: an error code, a message id).
        proving = bool(self.signature.proves) and not cut_short
        for pattern in self.patterns:
            found = pattern.search(head)
            if found:
                captures = {k: v for k, v in found.groupdict().items() if v}
                return ScoredMatch(self.signature, 100.0, captures, len(self.norm), proving)
        if memo is None:
            fuzzy = self._fuzzy(norm, cut_short)
        else:
            # Messages that differ only in what normalising folds (ids, paths, pids) score alike.
            fuzzy = memo.get_or_make((id(self), norm, cut_short), len(norm), lambda: self._fuzzy(norm, cut_short))
        # Verbatim depends on the message only, so it is decided outside the memo.
        if fuzzy is not None and proving and self.norm in norm:
            return dataclasses.replace(fuzzy, verbatim=True)
        return fuzzy

    def _fuzzy(self, norm: str, cut_short: bool) -> ScoredMatch | None:
        text = norm[:MAX_SCORED_CHARS]
        aligned = fuzz.partial_ratio_alignment(self.norm, text, score_cutoff=self.min_score)
        if aligned is None or aligned.score < self.min_score:
            return None
        sig_part = self.norm[aligned.src_start : aligned.src_end]
        # A complete short message is not a longer one cut short ("Code=5" is not 'Code=5 "IPC failed"').
        if len(sig_part) < (MIN_COVERAGE_CUT if cut_short else MIN_COVERAGE) * len(self.norm):
            return None
        # A few characters of slack: the alignment's edges can shift by an edit or two.
        line_part = text[max(0, aligned.dest_start - 3) : aligned.dest_end + 3]
        if not set(number_tokens(sig_part)) <= set(number_tokens(line_part)):
            return None
        for piece in self.required:
            if self.norm.find(piece) < aligned.src_end and piece not in text:
                return None
        return ScoredMatch(self.signature, round(aligned.score, 1), {}, len(self.norm))


@dataclass
class SignatureIndex:
    """Every signature of a knowledge base, with the prefilter: one regex per anchors' first
    character (a literal first character is what the regex engine scans for quickly)."""

    signatures: list[CompiledSignature]
    by_anchor: dict[str, list[CompiledSignature]] = field(default_factory=dict)
    _firsts: list[bytes] = field(default_factory=list)
    _scans_bytes: list[re.Pattern[bytes]] = field(default_factory=list)
    _scans_text: list[re.Pattern[str]] = field(default_factory=list)
    # For each anchor the prefilter scans for: its signatures, and the longer anchors that
    # contain it with theirs (a line holding one of those holds this one too).
    _found_by: dict[str, list[tuple[str, list[CompiledSignature]]]] = field(default_factory=dict)
    # All those anchors in one regex: on one short line, one search beats one per first character.
    _anchors_in_line: re.Pattern[str] = field(default_factory=lambda: re.compile(r"(?!)"))
    _scores: Memo[tuple[tuple[int, ...], str], MessageScore] = field(default_factory=lambda: Memo())
    _fuzzy_scores: Memo[tuple[int, str, bool], ScoredMatch | None] = field(default_factory=lambda: Memo())

    @classmethod
    def build(cls, kb: KnowledgeBase) -> SignatureIndex:
        compiled = [CompiledSignature.build(sig) for sig in kb.signatures.values()]
        owners: list[CompiledSignature] = []
        slots: list[list[str]] = []
        for cs in compiled:
            for slot in cs.anchor_slots():
                owners.append(cs)
                slots.append(slot)
        index = cls(compiled)
        for cs, anchor in zip(owners, choose_anchors(slots), strict=False):
            index.by_anchor.setdefault(anchor, [])
            if cs not in index.by_anchor[anchor]:
                index.by_anchor[anchor].append(cs)
        # A line holding a longer anchor also holds any anchor inside it: the prefilter needs the shortest.
        needed = [a for a in index.by_anchor if not any(b != a and b in a for b in index.by_anchor)]
        index._found_by = {a: [(b, index.by_anchor[b]) for b in index.by_anchor if a in b] for a in needed}
        for n, cs in enumerate(compiled):
            cs.order = (-len(cs.norm), n)
        if needed:
            index._anchors_in_line = re.compile(_trie_regex(sorted(needed)))
        groups: dict[str, list[str]] = {}
        for anchor in needed:
            groups.setdefault(anchor[0], []).append(anchor[1:])
        for first, rests in sorted(groups.items()):
            pattern = re.escape(first) + _trie_regex(sorted(rests))
            index._firsts.append(first.encode())
            index._scans_text.append(re.compile(pattern))
            index._scans_bytes.append(re.compile(pattern.encode()))
        return index

    @property
    def anchors(self) -> list[str]:
        return list(self.by_anchor)

    def candidate_line_starts(self, buf: bytes, start: int, end: int) -> list[int]:
        """Offsets of the starts of the lines of buf[start:end] that hold an anchor, sorted.

        `buf[start:end]` holds whole lines; offsets are into `buf` (no copy of the region).
        Each first character is looked for with `bytes.find` (memchr, far faster than a regex
        pass) while it stays rare in this region, then the regex takes over.
        """
        starts: set[int] = set()

        def take_line(at: int) -> int:
            """Record the line holding offset `at`; where to look next (0: the region ended)."""
            starts.add(buf.rfind(b"\n", start, at) + 1 or start)
            return buf.find(b"\n", at, end) + 1

        for first, scan in zip(self._firsts, self._scans_bytes, strict=False):
            pos, tries = start, 0
            while tries < SPARSE_TRIES:
                at = buf.find(first, pos, end)
                if at < 0:
                    break
                tries += 1
                pos = at + 1 if scan.match(buf, at, end) is None else take_line(at)
                if pos == 0:
                    break
            else:
                while (found := scan.search(buf, pos, end)) is not None:
                    pos = take_line(found.start())
                    if pos == 0:
                        break
        return sorted(starts)

    def has_anchor(self, line: str) -> bool:
        return any(scan.search(line) for scan in self._scans_text)

    def best_match(self, line: str, message: str) -> ScoredMatch | None:
        """The most specific signature matching `message`, among those anchored in `line`."""
        found = self.score_message(line, message)
        if found.match is None:
            return None
        best = found.match
        return dataclasses.replace(best, captures={**captures_of(found.folded), **best.captures})

    def _candidates(self, line: str) -> list[CompiledSignature]:
        """The signatures with an anchor in `line`, most specific first: the prefilter's regexes
        find the shortest anchors (a few fast scans, whatever the number of anchors)."""
        found: dict[int, CompiledSignature] = {}
        scan = self._anchors_in_line
        match = scan.search(line)
        while match is not None:  # from each start + 1: anchors may overlap
            for anchor, sigs in self._found_by.get(match.group(), ()):
                if anchor == match.group() or anchor in line:
                    for cs in sigs:
                        found[id(cs)] = cs
            match = scan.search(line, match.start() + 1)
        return sorted(found.values(), key=lambda cs: cs.order)

    def score_message(self, line: str, message: str) -> MessageScore:
        """`best_match` without the message's captures, plus its normalised form (the
        caller's key for repeats). Repeated messages are scored once (see `Memo`)."""
        candidates = self._candidates(line)
        if not candidates:
            return MessageScore(None, message, "")
        key = (tuple(id(cs) for cs in candidates), message)
        return self._scores.get_or_make(key, len(message), lambda: self._score(candidates, message))

    def _score(self, candidates: list[CompiledSignature], message: str) -> MessageScore:
        folded = fold_quotes(message)
        # A copied message cut short ends in an ellipsis: compare what is left of it.
        cut = _without_ellipsis(folded)
        cut_short = cut is not None
        norm = normalise_folded(cut if cut is not None else folded)
        best: ScoredMatch | None = None
        for cs in candidates:
            if best is not None and _outranks_the_rest(best, len(cs.norm)):
                break
            found = cs.score(folded, norm, cut_short, self._fuzzy_scores)
            if found is not None and (best is None or found.rank() > best.rank()):
                best = found
        return MessageScore(best, folded, norm)


@dataclass(frozen=True)
class MessageScore:
    match: ScoredMatch | None  # without the message's own captures (see captures_of)
    folded: str  # the message with quotes and spaces folded
    norm: str  # its normalised form


class Memo(Generic[K, V]):
    """Results remembered for keys seen recently. A log repeats its messages (the same failure
    every second, with a new timestamp): each distinct one is worked out once. Bounded in
    entries and in key size (a long key is not remembered), and emptied when full, so memory
    stays flat whatever the log holds."""

    def __init__(self, entries: int = MEMO_ENTRIES, key_chars: int = MEMO_KEY_CHARS) -> None:
        self.entries = entries
        self.key_chars = key_chars
        self._items: dict[K, V] = {}

    def get_or_make(self, key: K, size: int, make: Callable[[], V]) -> V:
        if key in self._items:
            return self._items[key]
        value = make()
        if size <= self.key_chars:
            if len(self._items) >= self.entries:
                self._items.clear()
            self._items[key] = value
        return value


def _without_ellipsis(message: str) -> str | None:
    """The message without the "..." it ends with (a copy cut short), or None if it has none.
    (A regex `\\s*\\.\\.\\.\\s*$` would backtrack quadratically through a long run of spaces.)"""
    end = message.rstrip()
    return end[:-3].rstrip() if end.endswith("...") else None


def _outranks_the_rest(best: ScoredMatch, specificity: int) -> bool:
    """Whether no signature of this specificity or less (scored most specific first) can
    outrank `best`: a solid match loses only to a more specific one, or to an equally
    specific one with a better score (none beats a full score)."""
    if best.score < SOLID_SCORE:
        return False
    return specificity < best.specificity or (specificity == best.specificity and best.score >= 100.0)


def _trie_regex(words: list[str]) -> str:
    """One regex alternation for many literals, factored by common prefixes (fewer branches)."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        if "" in node or not node:
            return ""  # a shorter word already ends here: for a prefilter the longer adds nothing
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items())]
        return branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"

    return emit(trie)
