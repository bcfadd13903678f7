"""A multi-line area for log text: `log show` / `log stream` output, Console copies, crash text."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static, TextArea

from advisor.tui.screens.dialog import Dialog


class PasteLogScreen(Dialog["str | None"]):
    BINDINGS = [
        Binding("ctrl+s", "submit", "Use these lines", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]
    DIALOG_ID = "paste-log"
    BUTTONS = [("use", "Use these lines (^s)", True), ("cancel", "Cancel (Esc)", False)]

    def __init__(self) -> None:
        super().__init__("Paste log lines")

    def compose_body(self) -> ComposeResult:
        yield Static("Paste below (or type), then ctrl+s. advisor matches them against the messages it knows.", markup=False)
        yield TextArea(id="log-text", soft_wrap=False, show_line_numbers=False)

    def on_mount(self) -> None:
        self.query_one("#log-text", TextArea).focus()

    def button_pressed(self, button_id: str) -> None:
        if button_id == "use":
            self.action_submit()
        else:
            self.action_cancel()

    def action_submit(self) -> None:
        text = self.query_one("#log-text", TextArea).text
        if not text.strip():
            self.say("Nothing pasted yet: paste the lines, then ctrl+s (Esc cancels).", problem=True)
            return
        self.dismiss(text)
