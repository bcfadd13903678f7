"""The conversation transcript as the user sees it: questions, answers, findings, probe results.

One step's messages become one widget (one mount per step keeps each answer fast however long
the conversation gets). Every line has a plain-text prefix ("you:", "probe:"...), so it reads
the same without colour (NO_COLOR); colours come from the theme's variables.
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

# kind -> (prefix, prefix style, text style); styles use theme variables, so both themes work.
KINDS: dict[str, tuple[str, str, str]] = {
    "advisor": ("advisor", "bold", ""),
    "you": ("you", "bold $text-accent", "$text-accent"),
    "probe": ("probe", "bold $text-secondary", "$text-secondary"),
    "fact": ("learned", "bold $text-success", "$text-success"),
    "describe": ("understood", "bold $text-success", "$text-success"),
    "diagnosis": ("diagnosis", "bold $text-warning", "bold $text-warning"),
    "ruled-out": ("ruled out", "bold $text-muted", "$text-muted"),
    "log": ("log", "bold $text-muted", "$text-muted"),
    "bundle": ("bundle", "bold $text-secondary", "$text-secondary"),
    "error": ("problem", "bold $text-error", "$text-error"),
    "note": ("note", "bold $text-muted", "$text-muted"),
}
MAX_BLOCKS = 200  # older steps scroll away for good: the saved session keeps the evidence


class MessageLog(VerticalScroll, can_focus=True):
    """Append-only; newest at the bottom, kept in view."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._lines: list[str] = []
        self._pending: list[tuple[str, str]] = []

    def add(self, kind: str, text: str) -> None:
        self.add_many([(kind, text)])

    def add_many(self, entries: list[tuple[str, str]]) -> None:
        """Queue messages; everything added during one step is shown as one block."""
        if not entries:
            return
        if not self._pending:
            self.call_later(self._flush)
        self._pending += entries
        self._lines += [f"{KINDS.get(kind, (kind,))[0]}: {text}" for kind, text in entries]

    def _flush(self) -> None:
        entries, self._pending = self._pending, []
        if not entries:
            return
        parts: list[str | tuple[str, str]] = []
        for i, (kind, text) in enumerate(entries):
            prefix, prefix_style, text_style = KINDS.get(kind, (kind, "bold", ""))
            if i:
                parts.append("\n")
            parts += [(f"{prefix}: ", prefix_style), (text, text_style) if text_style else text]
        self.mount(Static(Content.assemble(*parts), classes="msg", markup=False))
        excess = len(self.children) - MAX_BLOCKS
        if excess > 0:
            for old in list(self.children)[:excess]:
                old.remove()
        self.call_after_refresh(self.scroll_end, animate=False)

    def texts(self) -> list[str]:
        """Every message as plain text, oldest first (for tests and the tmux check)."""
        return list(self._lines)
