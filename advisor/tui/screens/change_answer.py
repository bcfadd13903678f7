"""Pick an earlier answer to change; the walk recomputes from there."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


class ChangeAnswerScreen(ModalScreen["str | None"]):
    """Returns the fact whose answer the user wants to change."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, answers: list[tuple[str, str, str]]) -> None:
        """answers: (fact, question text, answer label), oldest first."""
        super().__init__()
        self.answers = answers

    def compose(self) -> ComposeResult:
        with Vertical(id="change-answer", classes="dialog"):
            yield Static("Change an earlier answer", classes="dialog-title")
            yield OptionList(
                *[Option(f"{text}\n  → {label}", id=fact) for fact, text, label in self.answers],
                id="answers",
            )
            yield Static("Enter: ask this again · Esc: cancel", classes="dialog-hint")

    def on_mount(self) -> None:
        answers = self.query_one("#answers", OptionList)
        answers.highlighted = max(0, len(self.answers) - 1)
        answers.focus()

    @on(OptionList.OptionSelected, "#answers")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
