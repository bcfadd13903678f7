"""The command palette (ctrl+p): every action of the app by name, with a line of help."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from advisor.tui.app import AdvisorApp


class AdvisorCommands(Provider):
    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app: AdvisorApp = self.app  # type: ignore[assignment]
        talk = app.conversation
        return [
            ("Export report as Markdown", "Write the report (Markdown) and show where it went", partial(app.export_now, "markdown")),
            ("Export report as HTML", "Write the report (HTML) and show where it went", partial(app.export_now, "html")),
            ("Export report as JSON", "Write the report (JSON) and show where it went", partial(app.export_now, "json")),
            ("Export report…", "Choose the format and the file name", app.action_export),
            ("Paste log lines", "Open an area to paste log show / Console / crash text", talk.action_paste_log),
            ("Point at the app bundle", "Read the app's Info.plist, signature, entitlements and profiles", talk.action_open_bundle),
            ("Run the checks advisor can run here", "Read-only commands, shown before anything runs", talk.action_run_checks),
            ("Why this question?", "What the current question would tell advisor", talk.action_why),
            ("Back", "Change the last answer", talk.action_back),
            ("Change an earlier answer", "Pick any earlier answer and answer it again", talk.action_change_answer),
            ("Show or hide the evidence panel", "Facts known so far and the diagnoses in play", talk.action_toggle_evidence),
            ("Switch dark / light theme", "Toggle between the dark and the light theme", app.action_toggle_theme),
        ]

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
