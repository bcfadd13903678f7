"""Plain-text layout shared by the terminal renderers (diagnose, inspect, triage).

Wrapping never breaks inside a `code span`, a command, a path or a URL: a reader copies those,
so a line may run long rather than split one. Hyphens are not break points either
(`packet-tunnel-provider` stays whole).
"""

from __future__ import annotations

import re
import textwrap
import unicodedata

# Knowledge-base prose marks commands and identifiers as `code`, Markdown style.
_CODE_SPAN = re.compile(r"`[^`\n]+`")
# Inside a code span, spaces become this placeholder so the wrapper sees one word.
_GLUE = "\x00"


def fill(text: str, width: int, initial_indent: str = "", subsequent_indent: str = "") -> str:
    """One paragraph, whitespace folded, wrapped at `width` between words only."""
    folded = " ".join(str(text).split())
    glued = _CODE_SPAN.sub(lambda m: m.group(0).replace(" ", _GLUE), folded)
    wrapped = textwrap.fill(
        glued,
        width,
        initial_indent=initial_indent,
        subsequent_indent=subsequent_indent,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return wrapped.replace(_GLUE, " ")


def fill_paragraphs(text: str, width: int, indent: str = "") -> str:
    """Blank-line separated paragraphs, each filled with the same indent."""
    paragraphs = [p for p in str(text).split("\n\n") if p.strip()]
    return "\n".join(fill(p, width, indent, indent) for p in paragraphs)


# Characters a terminal would act on rather than show: controls (ESC, line breaks), format and
# bidi overrides (U+202E), separators, surrogates, private-use and unassigned code points.
_UNSAFE_CATEGORIES = frozenset(("Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"))
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r"}


def printable(value: object, limit: int = 0) -> str:
    """`value` as text a terminal shows literally, on one line: every character it would act on
    is written as an escape (\\n, \\x1b, \\u202e). Untrusted text (a bundle's strings, a log
    line, user input in an error) goes through this before it is printed. With `limit`, cut to
    that many characters with an ellipsis."""
    text = str(value)
    if not text.isprintable():
        out = []
        for ch in text:
            if ch in _NAMED_ESCAPES:
                out.append(_NAMED_ESCAPES[ch])
            elif ch == "\t" or ch.isprintable() or unicodedata.category(ch) not in _UNSAFE_CATEGORIES:
                out.append(ch)
            elif ord(ch) <= 0xFF:
                out.append(f"\\x{ord(ch):02x}")
            elif ord(ch) <= 0xFFFF:
                out.append(f"\\u{ord(ch):04x}")
            else:
                out.append(f"\\U{ord(ch):08x}")
        text = "".join(out)
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 line`, `2 lines`, `0 errors`."""
    return f"{count:,} {singular if count == 1 else (plural_form or singular + 's')}"
