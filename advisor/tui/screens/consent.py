"""Consent before any probe runs: the exact command lines, why each helps, and a clear choice.

y runs them, n (or Esc) answers instead. Nothing is chosen for the user: Enter alone runs
nothing and says which key does what (the keyboard rule of every screen).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from advisor.tui.screens.dialog import Dialog

HINT = "y: run · n or Esc: ask me instead"


@dataclass(frozen=True)
class ProbeRequest:
    command_line: str
    why: str


class ConsentScreen(Dialog[bool]):
    BINDINGS = [
        Binding("y", "run", "Run them"),
        Binding("n,escape", "cancel", "Ask me instead"),
        Binding("enter", "nothing_chosen", show=False),
    ]
    DIALOG_ID = "consent"
    BUTTONS = [("run", "Run (y)", True), ("cancel", "Ask me instead (n)", False)]
    HINT = HINT

    def __init__(self, heading: str, requests: list[ProbeRequest]) -> None:
        super().__init__(heading)
        self.requests = requests

    def compose_body(self) -> ComposeResult:
        n = len(self.requests)
        yield Static(
            f"advisor can find this out itself. {'These read-only commands' if n > 1 else 'This read-only command'} "
            "would run on this machine, exactly as shown:",
            markup=False,
        )
        with VerticalScroll(id="consent-commands"):
            for request in self.requests:
                yield Static(f"$ {request.command_line}", classes="command", markup=False)
                if request.why:
                    yield Static(f"  {request.why}", classes="command-why", markup=False)

    def on_mount(self) -> None:
        self.query_one("#consent-commands", VerticalScroll).focus()  # no button pre-selected

    def button_pressed(self, button_id: str) -> None:
        self.dismiss(button_id == "run")

    def action_run(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_nothing_chosen(self) -> None:
        self.say(f"Nothing chosen yet: {HINT}", problem=True)
