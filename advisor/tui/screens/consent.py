"""Consent before any probe runs: the exact command lines, why each helps, and a clear choice.

Run (Enter / y) or ask me instead (Esc / n). Nothing runs until the user says so.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static


@dataclass(frozen=True)
class ProbeRequest:
    command_line: str
    why: str


class ConsentScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "run", "Run them"),
        Binding("n,escape", "decline", "Ask me instead"),
    ]

    def __init__(self, heading: str, requests: list[ProbeRequest]) -> None:
        super().__init__()
        self.heading = heading
        self.requests = requests

    def compose(self) -> ComposeResult:
        with Vertical(id="consent", classes="dialog"):
            yield Static(self.heading, classes="dialog-title", markup=False)
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
            with Horizontal(classes="dialog-buttons"):
                yield Button("Run (y)", id="run", variant="primary")
                yield Button("Ask me instead (n)", id="decline")

    def on_mount(self) -> None:
        self.query_one("#run", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "run")

    def action_run(self) -> None:
        self.dismiss(True)

    def action_decline(self) -> None:
        self.dismiss(False)
