"""Choose each signature's anchors: literal fragments that any copy of its message contains.

A line is only scored against a signature when it holds one of that signature's anchors, which
keeps triage of a 150 MB log near `grep -F` speed. Anchors are case-sensitive fragments of
plain characters (letters, digits, space and `_.,:;=+-`): quotes, slashes and brackets vary
between copies (curly quotes, JSON's `\\/`) and placeholders stand for variable text, so
anchors never span them.

Speed comes from Python's regex engine, which scans fast only for a pattern that starts with a
literal character: the prefilter runs one regex per distinct first character, so anchors are
cut to start at as few distinct characters as possible, preferring ones rare in logs (fewer
places to try). That is a weighted set cover, solved greedily once per knowledge base.
"""

from __future__ import annotations

import re

_PLAIN = re.compile(r"[A-Za-z0-9 _.,:;=+-]+")
_PLACEHOLDER = re.compile(r"<[A-Za-z_]+>")
MIN_ANCHOR = 6  # shortest usable fragment
MIN_CUT = 10  # an anchor cut from inside a fragment keeps at least this many characters
FIRST_ANCHOR = 20  # a leading fragment shorter than this ("System extension") is too common
MAX_ANCHOR = 24  # short anchors survive messages cut short
HEAD = 40  # and come from the head of a long fragment, which a cut keeps
_REGEX_META = set(".^$*+?{}[]|()")
_QUANTIFIERS = set("*?{")

# Approximate share (%) of each letter in `log show` output: hex addresses make "x" and digits
# common, the "Default"/"Debug" column makes "D" common. A scan costs one pass plus a little per
# occurrence of its first character.
_FREQUENCY = {
    "Q": 0.005, "Z": 0.005, "J": 0.01, "G": 0.02, "H": 0.02, "Y": 0.02, "O": 0.02, "W": 0.04,
    "X": 0.06, "K": 0.08, "L": 0.12, "V": 0.13, "M": 0.14, "I": 0.15, "U": 0.16, "T": 0.16,
    "B": 0.24, "A": 0.28, "R": 0.29, "F": 0.3, "P": 0.34, "N": 0.38, "E": 0.52, "C": 0.55,
    "S": 0.55, "D": 0.93, "_": 0.28, "z": 0.01, "j": 0.01, "q": 0.08, "k": 0.31, "v": 0.4,
    "w": 0.44, "b": 0.44, "y": 0.58, "g": 0.61, "h": 0.7, "x": 1.3, "m": 1.4, "f": 1.5,
    "u": 1.6, "d": 1.9, "p": 2.3, "c": 2.4, "l": 2.4, "s": 2.7, "i": 2.9, "r": 3.0, "o": 3.3,
    "n": 3.4, "a": 3.6, "t": 3.7, "e": 5.9,
}
_ATTEMPT_COST = 1.0  # cost of 1 % occurrences, in passes


def _cost(ch: str) -> float:
    return 1.0 + _ATTEMPT_COST * _FREQUENCY.get(ch, 4.0)


def _runs(text: str, split_colons: bool = True) -> list[str]:
    """Plain fragments of `text`, split at placeholders, quotes, brackets and (in message text,
    where tools pad after colons) at ': '."""
    out: list[str] = []
    for piece in _PLACEHOLDER.split(text):
        for run in _PLAIN.findall(piece):
            for part in run.split(": ") if split_colons else (run,):
                part = part.strip(" .,;:")
                if part:
                    out.append(part)
    return out


def text_slot(text: str) -> list[str]:
    """Where a signature text's anchor may come from: its first long fragment (messages are
    cut at the end, not the start), else its longest one. Empty if it has none."""
    runs = [r for r in _runs(text) if len(r) >= MIN_ANCHOR]
    if not runs:
        return []
    run = next((r for r in runs if len(r) >= FIRST_ANCHOR), max(runs, key=len))
    return [run[:HEAD]]


def _top_level_branches(pattern: str) -> list[list[str]]:
    """The literal runs of each top-level alternative of a regular expression.

    Only text outside groups counts (a group may be optional or an alternation), and a
    character followed by a quantifier is not required, so it ends the run.
    """
    branches: list[list[str]] = [[]]
    run: list[str] = []
    depth = 0
    i = 0

    def close() -> None:
        if run:
            branches[-1].append("".join(run))
            run.clear()

    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            nxt = pattern[i + 1]
            literal = nxt if not nxt.isalnum() else None  # \s, \d, \w, \b are classes, not text
            i += 2
            if depth == 0 and literal is not None and not (i < len(pattern) and pattern[i] in _QUANTIFIERS):
                run.append(literal)
            else:
                close()
            continue
        if ch == "[":
            close()
            end = pattern.find("]", i + 2)
            i = end + 1 if end > 0 else len(pattern)
            continue
        if ch == "(":
            close()
            depth += 1
        elif ch == ")":
            close()
            depth = max(0, depth - 1)
        elif ch == "|" and depth == 0:
            close()
            branches.append([])
        elif ch in _REGEX_META or depth > 0 or (i + 1 < len(pattern) and pattern[i + 1] in _QUANTIFIERS):
            close()
        else:
            run.append(ch)
        i += 1
    close()
    return branches


def pattern_slots(pattern: str) -> list[list[str]] | None:
    """One slot per top-level alternative, or None if some alternative has no usable literal."""
    out: list[list[str]] = []
    for literals in _top_level_branches(pattern):
        runs = [r for lit in literals for r in _runs(lit, split_colons=False) if len(r) >= MIN_ANCHOR]
        if not runs:
            return None
        out.append(runs)
    return out


def _starts(run: str) -> dict[str, int]:
    """Each character an anchor cut from `run` could start with, and the earliest such cut."""
    if len(run) < MIN_CUT:
        return {run[0]: 0}
    out: dict[str, int] = {}
    for i in range(len(run) - MIN_CUT + 1):
        out.setdefault(run[i], i)
    return out


def _cut(run: str, start: int) -> str:
    anchor = run[start:]
    if len(anchor) > MAX_ANCHOR:
        space = anchor.rfind(" ", MIN_CUT, MAX_ANCHOR + 1)
        anchor = anchor[: space if space > 0 else MAX_ANCHOR]
    return anchor


def choose_anchors(slots: list[list[str]]) -> list[str]:
    """One anchor per slot (a slot lists the fragments it may be cut from), starting at as few,
    and as rare, distinct characters as the slots allow: a greedy weighted set cover, then
    dropping any chosen character whose slots the others can take over."""
    options: list[dict[str, tuple[str, int]]] = []
    for slot in slots:
        opts: dict[str, tuple[str, int]] = {}
        for run in slot:
            for ch, start in _starts(run).items():
                if ch not in opts or len(run) - start > len(opts[ch][0]) - opts[ch][1]:
                    opts[ch] = (run, start)  # the longest anchor that can start with ch
        options.append(opts)
    chosen: list[str] = []
    open_slots = set(range(len(slots)))
    while open_slots:
        coverage: dict[str, int] = {}
        for index in open_slots:
            for ch in options[index]:
                coverage[ch] = coverage.get(ch, 0) + 1
        best = max(coverage, key=lambda c: (coverage[c] / _cost(c), -_cost(c), c))
        chosen.append(best)
        open_slots = {i for i in open_slots if best not in options[i]}
    for ch in sorted(chosen, key=_cost, reverse=True):
        others = [c for c in chosen if c != ch]
        if all(any(c in opts for c in others) for opts in options):
            chosen = others
    ranked = sorted(chosen, key=_cost)
    out = []
    for opts in options:
        ch = next(c for c in ranked if c in opts)
        run, start = opts[ch]
        out.append(_cut(run, start))
    return out
