"""Pick an earlier answer to change; the walk recomputes from there."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult

from advisor.tui.screens.dialog import Dialog
from advisor.tui.widgets.choice_list import Choice, ChoiceList

HINT = "digit or ↑↓: choose · Enter: ask it again · Esc: cancel"


class ChangeAnswerScreen(Dialog["str | None"]):
    """Returns the fact whose answer the user wants to change."""

    DIALOG_ID = "change-answer"
    HINT = HINT

    def __init__(self, answers: list[tuple[str, str, str]]) -> None:
        """answers: (fact, question text, answer label), oldest first."""
        super().__init__("Change an earlier answer")
        self.answers = answers

    def compose_body(self) -> ComposeResult:
        yield ChoiceList(id="answers")

    def on_mount(self) -> None:
        answers = self.query_one("#answers", ChoiceList)
        answers.set_choices([
            Choice(str(n) if n <= 9 else "", f"{text}\n→ {label}", fact)
            for n, (fact, text, label) in enumerate(self.answers, start=1)
        ])
        answers.focus()

    @on(ChoiceList.OptionSelected, "#answers")
    def _chosen(self, event: ChoiceList.OptionSelected) -> None:
        event.stop()
        self.dismiss(event.option.id)

    @on(ChoiceList.NothingChosen, "#answers")
    def _nothing_chosen(self, event: ChoiceList.NothingChosen) -> None:
        event.stop()
        self.say(f"Nothing chosen yet: {HINT}", problem=True)
