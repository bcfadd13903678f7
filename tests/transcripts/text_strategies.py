"""Hypothesis strategies for "any text": every Unicode character, lone surrogates included, with
the characters that have broken YAML writers before drawn often."""

from __future__ import annotations

from hypothesis import strategies as st

# TAB, line breaks of every kind, ANSI escape, NUL, DEL, NEL, line/paragraph separators, BOM,
# lone surrogates (non-UTF-8 bytes decoded with surrogateescape), and YAML's own punctuation.
AWKWARD = [
    "\t", "\n", "\r", "\r\n", "\x1b", "\x1b[0m", "\x00", "\x7f", "\x85", "\u2028", "\u2029", "\ufeff",
    "\udc80", "\udcff", "\ud800", " ", "  ", "#", ": ", "- ", "'", '"', "\\", "|", ">", "&", "*", "!", "%", "@", "`",
    "{", "}", "[", "]", ",", "?", "---", "...", "\U0001f600", "\xa0", "é",
]

# Pieces joined: a piece is one character of any kind or an awkward sequence.
any_text = st.lists(st.one_of(st.characters(exclude_categories=[]), st.sampled_from(AWKWARD)), max_size=40).map("".join)
# Text as a command line can carry it: no NUL (argv elements are C strings).
argv_text = any_text.map(lambda s: s.replace("\x00", ""))
