"""A multi-line area for log text: `log show` / `log stream` output, Console copies, crash text."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea


class PasteLogScreen(ModalScreen["str | None"]):
    BINDINGS = [
        Binding("ctrl+s", "submit", "Use these lines", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="paste-log", classes="dialog"):
            yield Static("Paste log lines", classes="dialog-title")
            yield Static("Paste below (or type), then ctrl+s. advisor matches them against the messages it knows.", markup=False)
            yield TextArea(id="log-text", soft_wrap=False, show_line_numbers=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Use these lines (^s)", id="use", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#log-text", TextArea).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "use":
            self.action_submit()
        else:
            self.dismiss(None)

    def action_submit(self) -> None:
        text = self.query_one("#log-text", TextArea).text
        self.dismiss(text if text.strip() else None)

    def action_cancel(self) -> None:
        self.dismiss(None)
