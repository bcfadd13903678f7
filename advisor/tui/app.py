"""The Textual application: bindings, themes, the command palette, and app-wide actions.

The conversation screen does the work; the app routes app-wide keys and palette commands to it
and writes reports. Run with `AdvisorApp(TuiOptions(...)).run()` (see advisor/tui/launch.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen

from advisor.conversation.session_store import SessionStore
from advisor.exit_status import UserError
from advisor.tui.commands import AdvisorCommands
from advisor.tui.options import TuiOptions
from advisor.tui.screens.conversation import ConversationScreen

if TYPE_CHECKING:
    from advisor.knowledge.model import KnowledgeBase

DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"


class AdvisorApp(App[str]):
    TITLE = "advisor"
    SUB_TITLE = "Network Extension troubleshooter"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere find it
    COMMANDS = App.COMMANDS | {AdvisorCommands}
    BINDINGS = [
        Binding("ctrl+s", "export", "Export"),
        Binding("ctrl+l", "paste_log", "Paste log"),
        Binding("ctrl+o", "open_bundle", "Bundle"),
        Binding("ctrl+r", "run_checks", "Checks"),
        Binding("f3", "change_answer", "Answers", show=False),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False),
        Binding("ctrl+q", "quit", "Quit"),
    ]

    def __init__(
        self, options: TuiOptions | None = None, kb: KnowledgeBase | None = None, store: SessionStore | None = None
    ) -> None:
        super().__init__()
        self.options = options or TuiOptions()
        self.store = store or SessionStore(self.options.state_root)
        self.conversation = ConversationScreen(self.options, self.store, kb)
        self.theme = self.options.theme

    def get_default_screen(self) -> ConversationScreen:
        return self.conversation

    def _dialog_open(self) -> bool:
        return isinstance(self.screen, ModalScreen)

    # ---- reports -----------------------------------------------------------------------------
    def write_report(self, fmt: str, path: str | Path, redact: bool = True) -> Path:
        from advisor.conversation.report_export import write_report

        dialogue = self.conversation.dialogue
        if dialogue is None:
            raise UserError("nothing to report yet")
        return write_report(dialogue.inv.result(), fmt, path, redact)

    def _report_written(self, path: Path | None) -> None:
        if path is None:
            return
        self.conversation.log_view.add("advisor", f"Report written to {path}")
        self.notify(str(path), title="Report written", timeout=8)

    def action_export(self) -> None:
        from advisor.conversation.report_export import default_report_path
        from advisor.tui.screens.export import ExportScreen

        if self._dialog_open():
            self.bell()
            return
        self.push_screen(ExportScreen(self.write_report, default_report_path("markdown")), self._report_written)

    def export_now(self, fmt: str) -> None:
        """Palette entries: write with the default name, no questions asked, and say where."""
        from advisor.conversation.report_export import default_report_path

        try:
            path = self.write_report(fmt, default_report_path(fmt))
        except UserError as exc:
            self.notify(exc.message, title="Report not written", severity="error")
            return
        self._report_written(path)

    # ---- forwarded to the conversation -------------------------------------------------------
    def action_paste_log(self) -> None:
        if not self._dialog_open():
            self.conversation.action_paste_log()

    def action_open_bundle(self) -> None:
        if not self._dialog_open():
            self.conversation.action_open_bundle()

    def action_run_checks(self) -> None:
        if not self._dialog_open():
            self.conversation.action_run_checks()

    def action_change_answer(self) -> None:
        if not self._dialog_open():
            self.conversation.action_change_answer()

    def action_why(self) -> None:
        if self.screen is self.conversation:
            self.conversation.action_why()

    async def action_back(self) -> None:
        # Overrides App.action_back (async): Escape on the conversation steps back in it.
        if self.screen is self.conversation:
            self.conversation.action_back()

    def action_toggle_evidence(self) -> None:
        self.conversation.action_toggle_evidence()

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME
