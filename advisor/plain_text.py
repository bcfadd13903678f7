"""Plain-text layout shared by the terminal renderers (diagnose, inspect, triage).

Wrapping never breaks inside a `code span`, a command, a path or a URL: a reader copies those,
so a line may run long rather than split one. Hyphens are not break points either
(`packet-tunnel-provider` stays whole).
"""

from __future__ import annotations

import re
import textwrap

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


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """`1 line`, `2 lines`, `0 errors`."""
    return f"{count:,} {singular if count == 1 else (plural_form or singular + 's')}"
