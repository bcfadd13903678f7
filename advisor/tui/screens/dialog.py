"""The base of advisor's dialogs: a framed box with a title, a body, an optional hint line and
buttons; Esc cancels. Subclasses give the body (`compose_body`) and say what each button does.

A dialog dismisses itself only while it is the top screen: a key or a click it received just
before another screen covered it must not pop that other screen instead.
"""

from __future__ import annotations

from typing import ClassVar, TypeVar

from textual.app import ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

ResultT = TypeVar("ResultT")


class Dialog(ModalScreen[ResultT]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]
    DIALOG_ID: ClassVar[str] = "dialog"
    # (button id, label, primary); "cancel" dismisses with None unless button_pressed says otherwise
    BUTTONS: ClassVar[list[tuple[str, str, bool]]] = []
    HINT: ClassVar[str] = ""

    def __init__(self, heading: str = "") -> None:
        super().__init__()
        self.heading = heading

    def compose(self) -> ComposeResult:
        with Vertical(id=self.DIALOG_ID, classes="dialog"):
            yield Static(self.heading, classes="dialog-title", markup=False)
            yield from self.compose_body()
            yield Static(self.HINT, classes="dialog-hint", id="dialog-hint", markup=False)
            if self.BUTTONS:
                with Horizontal(classes="dialog-buttons"):
                    for button_id, label, primary in self.BUTTONS:
                        yield Button(label, id=button_id, variant="primary" if primary else "default")

    def compose_body(self) -> ComposeResult:
        yield from ()

    def on_mount(self) -> None:
        self.query_one("#dialog-hint", Static).display = bool(self.HINT)

    def say(self, text: str, problem: bool = False) -> None:
        """Show a line in the dialog's hint (what to do, or what went wrong)."""
        hint = self.query_one("#dialog-hint", Static)
        hint.update(text)
        hint.set_class(problem, "-nudge")
        hint.display = True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.button_pressed(event.button.id or "cancel")

    def button_pressed(self, button_id: str) -> None:
        if button_id == "cancel":
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def dismiss(self, result: ResultT | None = None) -> AwaitComplete:
        if not self.is_active:
            return AwaitComplete()
        return super().dismiss(result)
