"""Export the report: pick a format, confirm the path, write it, and say where it went."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.widgets import Checkbox, Input, Select, Static

from advisor.conversation.report_export import FORMAT_NAMES, with_suffix_for
from advisor.exit_status import UserError
from advisor.tui.screens.dialog import Dialog

# (format, path, redact) -> the absolute path written; raises UserError
ReportWriter = Callable[[str, str, bool], Path]


class ExportScreen(Dialog["Path | None"]):
    DIALOG_ID = "export"
    BUTTONS = [("write", "Write (Enter)", True), ("cancel", "Cancel (Esc)", False)]

    def __init__(self, writer: ReportWriter, default_path: Path, fmt: str = "markdown") -> None:
        super().__init__("Export the report")
        self.writer = writer
        self.default_path = default_path
        self.fmt = fmt

    def compose_body(self) -> ComposeResult:
        yield Select([(name, fmt) for fmt, name in FORMAT_NAMES.items()], value=self.fmt, allow_blank=False, id="formats")
        yield Static("Write to:", markup=False)
        # The cursor at the end, the path not selected: a key typed by mistake edits it, never replaces it.
        yield Input(str(self.default_path), id="export-path", select_on_focus=False)
        yield Checkbox("Hide personal identifiers (UDIDs, names, e-mail addresses)", value=True, id="redact")

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

    def button_pressed(self, button_id: str) -> None:
        if button_id == "write":
            self.write()
        else:
            self.action_cancel()

    def write(self) -> None:
        path = self.query_one("#export-path", Input).value.strip()
        if not path:
            self.say("Give a file name.", problem=True)
            return
        try:
            written = self.writer(self.fmt, path, self.query_one("#redact", Checkbox).value)
        except UserError as exc:
            self.say(f"Not written: {exc.message}", problem=True)
            return
        self.dismiss(written)
