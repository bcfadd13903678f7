"""The Textual application: app-wide keys, themes, the command palette, reports, and how it ends.

The conversation screen does the work and owns its own keys; the app keeps only what applies
on every screen (export, theme, quit). It ends in one of three ways, which the launcher turns
into the command line's exit statuses: normally, with a UserError (`fail`: one line, exit 2),
or with an internal error (kept in `internal_error` and re-raised after the terminal is
restored, so it prints as one line, or as a traceback under ADVISOR_DEBUG, as on the CLI).
Run with `AdvisorApp(TuiOptions(...)).run()` (see advisor/tui/launch.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App
from textual.binding import Binding
from textual.screen import ModalScreen

from advisor.conversation.session_store import SessionStore
from advisor.exit_status import ExitStatus, UserError
from advisor.tui.commands import AdvisorCommands
from advisor.tui.options import TuiOptions
from advisor.tui.screens.conversation import ConversationScreen

if TYPE_CHECKING:
    from advisor.knowledge.model import KnowledgeBase

DARK_THEME = "textual-dark"
LIGHT_THEME = "textual-light"


class AdvisorApp(App[None]):
    TITLE = "advisor"
    SUB_TITLE = "Network Extension troubleshooter"
    CSS_PATH = Path(__file__).with_name("app.tcss")  # absolute, so subclasses elsewhere find it
    COMMANDS = App.COMMANDS | {AdvisorCommands}
    BINDINGS = [
        Binding("ctrl+s", "export", "Export"),
        Binding("ctrl+q", "quit", "Quit"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False),
    ]

    def __init__(
        self, options: TuiOptions | None = None, kb: KnowledgeBase | None = None, store: SessionStore | None = None
    ) -> None:
        super().__init__()
        self.options = options or TuiOptions()
        self.store = store or SessionStore(self.options.state_root)
        self.conversation = ConversationScreen(self.options, self.store, kb)
        self.theme = self.options.theme
        self.user_error: UserError | None = None
        self.internal_error: Exception | None = None

    def get_default_screen(self) -> ConversationScreen:
        return self.conversation

    # ---- how it ends -------------------------------------------------------------------------
    def fail(self, error: UserError) -> None:
        """End the app because of bad input (a knowledge folder, a saved session): one line, exit 2."""
        self.user_error = error
        self.exit(return_code=int(ExitStatus.BAD_INPUT))

    def _handle_exception(self, error: Exception) -> None:
        self.internal_error = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        # Textual would print its own traceback here; the launcher re-raises `internal_error`
        # instead, so the TUI ends like the command line (advisor.entry_point.guarded).
        self.bell()
        self._close_messages_no_wait()

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

        if isinstance(self.screen, ModalScreen):
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

    def action_toggle_theme(self) -> None:
        self.theme = LIGHT_THEME if self.theme == DARK_THEME else DARK_THEME
