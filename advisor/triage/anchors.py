"""Derive each signature's anchors: literal fragments that any copy of its message contains.

A line is only scored against a signature when it contains one of that signature's anchors,
which keeps triage of a 150 MB log close to `grep -F` speed. Anchors are case-sensitive
fragments of plain characters (letters, digits, space and `_.,:;=+-`): quotes, slashes and
brackets vary between copies (curly quotes, JSON's `\\/`) and placeholders stand for variable
text, so anchors never span them. A fragment starts, where possible, at a character that is
rare in logs, because the combined prefilter regex only tries to match at positions holding
a possible first character: the rarer the first characters, the fewer attempts.
"""

from __future__ import annotations

import re

_PLAIN = re.compile(r"[A-Za-z0-9 _.,:;=+-]+")
_PLACEHOLDER = re.compile(r"<[A-Za-z_]+>")
# Possible first characters, rarest in macOS logs first (measured on `log show` output: hex
# addresses make "x" and digits common, "Default"/"Debug" columns make "D" common).
RARITY = "QZJGHYOWXKLVMIUTB_ARFPNECSDzjqkvbwy"
RARE_FIRST = frozenset(RARITY)
_RANK = {ch: rank for rank, ch in enumerate(RARITY)}
MIN_ANCHOR = 6
GOOD_ANCHOR = 12
FIRST_ANCHOR = 20  # shorter leading fragments ("System extension") are too common to lead with
MAX_ANCHOR = 60
_REGEX_META = set(".^$*+?{}[]|()")
_QUANTIFIERS = set("*?{")


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


def _shape(run: str) -> str:
    """Cut `run` to at most MAX_ANCHOR characters, starting at its rarest possible first character."""
    starts = [i for i in range(max(1, len(run) - GOOD_ANCHOR + 1)) if run[i] in _RANK]
    if starts:
        run = run[min(starts, key=lambda i: (_RANK[run[i]], i)) :]
    if len(run) > MAX_ANCHOR:
        cut = run.rfind(" ", FIRST_ANCHOR, MAX_ANCHOR)
        run = run[: cut if cut > 0 else MAX_ANCHOR]
    return run


def _pick(runs: list[str], prefer_first: bool) -> str | None:
    """The best anchor among fragments: one with a rare first character if any; then the first
    long one (messages are cut at the end, not the start) or the longest."""
    shaped = [(_shape(r), r) for r in runs if len(r) >= MIN_ANCHOR]
    pool = [s for s in shaped if s[0][0] in _RANK] or shaped
    if not pool:
        return None
    if prefer_first:
        for anchor, run in pool:
            if len(run) >= FIRST_ANCHOR:
                return anchor
    return max(pool, key=lambda s: len(s[1]))[0]


def anchors_from_text(text: str) -> list[str]:
    anchor = _pick(_runs(text), prefer_first=True)
    return [anchor] if anchor else []


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
        elif ch in _REGEX_META or depth > 0:
            close()
        elif i + 1 < len(pattern) and pattern[i + 1] in _QUANTIFIERS:
            close()
        else:
            run.append(ch)
        i += 1
    close()
    return branches


def anchors_from_pattern(pattern: str) -> list[str] | None:
    """One anchor per top-level alternative, or None if some alternative has no usable literal."""
    out: list[str] = []
    for literals in _top_level_branches(pattern):
        anchor = _pick([r for lit in literals for r in _runs(lit, split_colons=False)], prefer_first=False)
        if anchor is None:
            return None
        out.append(anchor)
    return out
