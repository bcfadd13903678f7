"""Point advisor at the app bundle (a .app, a provider inside one, or a .zip of one)."""

from __future__ import annotations

import os
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.suggester import Suggester
from textual.widgets import Input, Static

from advisor.tui.screens.dialog import Dialog

BUNDLE_SUFFIXES = (".app", ".appex", ".systemextension", ".zip")


class PathSuggester(Suggester):
    """Completes the last path component from what is on disk (Right arrow accepts)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        folder, sep, stem = value.rpartition("/")
        real_folder = os.path.expanduser(folder) if folder else ("/" if sep else ".")
        try:
            names = sorted(os.listdir(real_folder))
        except OSError:
            return None
        for name in names:
            if name.startswith(stem) and name != stem and not name.startswith("."):
                completed = f"{folder}{sep}{name}"
                if os.path.isdir(os.path.join(real_folder, name)) and not name.endswith(BUNDLE_SUFFIXES):
                    completed += "/"
                return completed
        return None


def check_bundle_path(text: str) -> tuple[str | None, str]:
    """(absolute path, "") when it looks usable, else (None, why not)."""
    if not text.strip():
        return None, "Give the path of the app (.app), a provider inside it, or a .zip of it."
    path = Path(os.path.expanduser(text.strip()))
    if not path.exists():
        return None, f"{path}: no such file or folder"
    if not str(path).rstrip("/").endswith(BUNDLE_SUFFIXES):
        return None, f"{path}: not an .app, .appex, .systemextension or .zip"
    return str(path.resolve()), ""


class OpenBundleScreen(Dialog["str | None"]):
    DIALOG_ID = "open-bundle"
    BUTTONS = [("read", "Read it (Enter)", True), ("cancel", "Cancel (Esc)", False)]
    HINT = "→ completes the path · Enter reads it · Esc cancels"

    def __init__(self) -> None:
        super().__init__("Point advisor at the app bundle")

    def compose_body(self) -> ComposeResult:
        yield Static("advisor reads its Info.plist files, signatures, entitlements and profiles (nothing is changed).", markup=False)
        yield Input(placeholder="/path/to/MyVPN.app", id="bundle-path", suggester=PathSuggester())

    def on_mount(self) -> None:
        self.query_one("#bundle-path", Input).focus()

    @on(Input.Submitted, "#bundle-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._read()

    def button_pressed(self, button_id: str) -> None:
        if button_id == "read":
            self._read()
        else:
            self.action_cancel()

    def _read(self) -> None:
        path, problem = check_bundle_path(self.query_one("#bundle-path", Input).value)
        if path is None:
            self.say(problem, problem=True)
            return
        self.dismiss(path)
