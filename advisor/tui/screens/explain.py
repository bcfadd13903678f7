"""A read-only explanation: why a question is asked, or how a diagnosis was reached."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from advisor.tui.inline_code import inline_code
from advisor.tui.screens.dialog import Dialog


class ExplainScreen(Dialog[None]):
    BINDINGS = [Binding("escape,q,enter", "cancel", "Close")]
    DIALOG_ID = "explain"
    HINT = "↑↓ PgUp PgDn scroll · Esc, q or Enter close"

    def __init__(self, title: str, lines: list[str]) -> None:
        super().__init__(title)
        self.title_text = title
        self.lines = lines

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="explain-body"):
            yield Static(Content("\n").join(inline_code(line) for line in self.lines), id="explain-text", markup=False)

    def on_mount(self) -> None:
        self.query_one("#explain-body", VerticalScroll).focus()
