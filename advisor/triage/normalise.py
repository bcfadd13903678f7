"""The variable parts of a message: placeholders for matching, captures for evidence.

Real copies of one message differ in bundle ids, paths, pids, UUIDs, addresses, curly versus
straight quotes and spacing. Both the catalog text and each log message go through `normalise`,
so a signature written with `<id>`, `<path>`, `<uuid>`, `<hex>` or `<n>` lines up with any
concrete value. Apple's own identifiers (`com.apple.…`) stay literal: they are part of the
message, not a variable (`com.apple.security.application-groups`, an extension point).
Error codes stay literal too: code 1 and code 5 are different messages. `captures_of` keeps
the variable parts worth reporting (error domain and code, a bundle id, a path).
"""

from __future__ import annotations

import re

_QUOTES = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"',
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\t": " ",
})

_UUID = re.compile(r"\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b")
# Addresses, not short codes: "Code 0x1" keeps its value.
_HEX = re.compile(r"\b0x[0-9A-Fa-f]{5,}\b")
# Two or more path components (so "/Applications folder" keeps its meaning), or a file: URL.
_PATH = re.compile(r"(?:file://)?(?<![\w.<>])~?/(?:[^\s/\"'<>\[\]]+/)+[^\s\"'<>\[\],;)]*")
# Reverse-DNS identifiers (optionally Team ID prefixed) that are not Apple's.
_BUNDLE_ID = re.compile(
    r"(?<![\w.<>/-])(?:[A-Z0-9]{10}\.)?(?!com\.apple\.)[A-Za-z][\w-]*(?:\.[A-Za-z0-9_][\w-]*){2,}(?![\w-])"
)
_PID = re.compile(r"\((pid:?\s*)\d+\)|\[\d+(?::[0-9A-Fa-fx]+)?\]", re.IGNORECASE)
_ERROR_CODE = re.compile(
    r"(?:Error Domain=|\()(?P<domain>[A-Za-z][\w.]*ErrorDomain\w*|[A-Za-z][\w.]*Error)(?: Code=| error )(?P<code>-?\d+)"
)
_NUMBER = re.compile(r"(?<![\w<])-?\d+(?![\w>])")


def fold_quotes(text: str) -> str:
    """Curly quotes, primes and backticks to straight quotes; odd spaces to plain ones."""
    return text.translate(_QUOTES).replace("\u2026", "...")


def _pid(match: re.Match[str]) -> str:
    return f"({match.group(1)}<n>)" if match.group(0).startswith("(") else "[<n>]"


def normalise(text: str) -> str:
    """The comparable form of a message or a signature text."""
    return normalise_folded(fold_quotes(text))


def normalise_folded(text: str) -> str:
    """`normalise` of text already through `fold_quotes`."""
    # Each substitution only where its tell-tale character occurs (most messages have few).
    if "-" in text:
        text = _UUID.sub("<uuid>", text)
    if "/" in text:
        text = _PATH.sub("<path>", text)
    if "0x" in text:
        text = _HEX.sub("<hex>", text)
    if "." in text:
        text = _BUNDLE_ID.sub("<id>", text)
    if "(" in text or "[" in text:
        text = _PID.sub(_pid, text)
    return " ".join(text.split()).lower()  # str.split() splits at exactly what \s matches


def number_tokens(text: str) -> list[str]:
    """The standalone numbers in normalised text (error codes, counts), in order."""
    return _NUMBER.findall(text)


def captures_of(message: str) -> dict[str, str]:
    """What is worth keeping from a matched message: error domain and code, a bundle id, a path."""
    out: dict[str, str] = {}
    if found := _ERROR_CODE.search(message):
        out["error_domain"] = found.group("domain")
        out["error_code"] = found.group("code")
    if found := _BUNDLE_ID.search(message):
        out["bundle_id"] = found.group(0)
    if found := _PATH.search(message):
        out["path"] = found.group(0)
    return out
