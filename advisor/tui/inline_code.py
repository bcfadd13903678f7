"""Knowledge text marks commands, paths and names as `code`; the TUI shows them in bold without
the backticks (bold reads without colour too). An unpaired backtick is shown as it is."""

from __future__ import annotations

from textual.content import Content


def split_code(text: str) -> list[tuple[str, bool]]:
    """(piece, is_code) in order; no code when the backticks do not pair up."""
    pieces = text.split("`")
    if len(pieces) % 2 == 0:
        return [(text, False)]
    return [(piece, bool(i % 2)) for i, piece in enumerate(pieces) if piece]


def inline_code(text: str, style: str = "") -> Content:
    if "`" not in text:
        return Content.styled(text, style) if style else Content(text)
    parts = [(piece, f"{style} bold".strip() if code else style) for piece, code in split_code(text)]
    return Content.assemble(*parts)
