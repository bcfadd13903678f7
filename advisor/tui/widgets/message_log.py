"""The conversation transcript as the user sees it: questions, answers, findings, probe results.

Each entry is one Static with a kind class (`-advisor`, `-you`, `-probe`...), so the stylesheet
colours it by theme, and a plain-text prefix, so it reads the same without colour (NO_COLOR).
"""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

PREFIXES = {
    "advisor": "advisor",
    "you": "you",
    "probe": "probe",
    "fact": "learned",
    "diagnosis": "diagnosis",
    "ruled-out": "ruled out",
    "log": "log",
    "bundle": "bundle",
    "describe": "understood",
    "error": "problem",
    "note": "note",
}
MAX_ENTRIES = 400  # older entries scroll away for good: the saved session keeps the evidence


class MessageLog(VerticalScroll, can_focus=True):
    """Append-only; newest at the bottom, kept in view."""

    def add(self, kind: str, text: str) -> None:
        self.add_many([(kind, text)])

    def add_many(self, entries: list[tuple[str, str]]) -> None:
        if not entries:
            return
        widgets = [self._entry(kind, text) for kind, text in entries]
        self.mount_all(widgets)
        excess = len(self.children) - MAX_ENTRIES
        if excess > 0:
            for old in list(self.children)[:excess]:
                old.remove()
        self.call_after_refresh(self.scroll_end, animate=False)

    def _entry(self, kind: str, text: str) -> Static:
        prefix = PREFIXES.get(kind, kind)
        content = Content.assemble((f"{prefix}: ", "bold"), text)
        return Static(content, classes=f"msg -{kind}", markup=False)

    def texts(self) -> list[str]:
        """Every entry as plain text (for tests and the tmux check)."""
        return [str(w.content) for w in self.query(".msg").results(Static)]
