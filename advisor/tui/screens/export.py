"""Export the report: pick a format, confirm the path, write it, and say where it went."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Select, Static

from advisor.conversation.report_export import FORMAT_NAMES, with_suffix_for
from advisor.exit_status import UserError

# (format, path, redact) -> the absolute path written; raises UserError
ReportWriter = Callable[[str, str, bool], Path]


class ExportScreen(ModalScreen["Path | None"]):
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, writer: ReportWriter, default_path: Path, fmt: str = "markdown") -> None:
        super().__init__()
        self.writer = writer
        self.default_path = default_path
        self.fmt = fmt

    def compose(self) -> ComposeResult:
        with Vertical(id="export", classes="dialog"):
            yield Static("Export the report", classes="dialog-title")
            yield Select(
                [(name, fmt) for fmt, name in FORMAT_NAMES.items()], value=self.fmt, allow_blank=False, id="formats"
            )
            yield Static("Write to:", markup=False)
            yield Input(str(self.default_path), id="export-path")
            yield Checkbox("Hide personal identifiers (UDIDs, names, e-mail addresses)", value=True, id="redact")
            yield Static("", id="export-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button("Write (Enter)", id="write", variant="primary")
                yield Button("Cancel (Esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    @on(Select.Changed, "#formats")
    def _format_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.fmt = str(event.value)
        field = self.query_one("#export-path", Input)
        field.value = with_suffix_for(field.value, self.fmt)

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.write()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "write":
            self.write()
        else:
            self.dismiss(None)

    def write(self) -> None:
        path = self.query_one("#export-path", Input).value.strip()
        if not path:
            self.query_one("#export-error", Static).update("Give a file name.")
            return
        try:
            written = self.writer(self.fmt, path, self.query_one("#redact", Checkbox).value)
        except UserError as exc:
            self.query_one("#export-error", Static).update(f"Not written: {exc.message}")
            return
        self.dismiss(written)

    def action_cancel(self) -> None:
        self.dismiss(None)
