"""Numbered choices with nothing chosen at first: the keyboard rule every screen shares.

A digit (or the arrows) chooses; Enter confirms what is chosen; Enter with nothing chosen
records nothing and says what to do. The chosen line carries a ▶ and is drawn in reverse video,
so it shows without colour (NO_COLOR) as well as with it.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import events
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

MARK = "▶"


@dataclass(frozen=True)
class Choice:
    key: str  # the digit that chooses it ("" when it has none: past 9)
    label: str
    id: str


def _prompt(choice: Choice, chosen: bool) -> Content:
    """The mark, the key, the label. Content, not a Rich table: these are drawn on every answer,
    and the answer's budget is one frame."""
    if chosen:
        return Content.assemble((f"{MARK} ", "bold"), (choice.key or " ", "bold"), " ", (choice.label, "bold"))
    return Content.assemble("  ", (choice.key or " ", "bold"), " ", choice.label)


class ChoiceList(OptionList):
    """An OptionList whose highlight is the user's explicit choice (none until they make one)."""

    class NothingChosen(Message):
        """Enter was pressed with nothing chosen: the owner says what to do."""

        def __init__(self, choice_list: ChoiceList) -> None:
            super().__init__()
            self.choice_list = choice_list

        @property
        def control(self) -> ChoiceList:
            return self.choice_list

    class Chosen(Message):
        """A choice was made (by digit, arrow or mouse); not yet confirmed."""

        def __init__(self, choice_list: ChoiceList, choice: Choice) -> None:
            super().__init__()
            self.choice_list = choice_list
            self.choice = choice

        @property
        def control(self) -> ChoiceList:
            return self.choice_list

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.choices: list[Choice] = []
        self._marked: int | None = None

    def set_choices(self, choices: list[Choice]) -> None:
        self.choices = list(choices)
        self._marked = None
        self.set_options([Option(_prompt(c, False), id=c.id) for c in self.choices])  # highlight: None

    @property
    def chosen(self) -> Choice | None:
        index = self.highlighted
        return self.choices[index] if index is not None and index < len(self.choices) else None

    def choose_key(self, key: str) -> Choice | None:
        """Choose the choice with this digit; None when no choice has it."""
        for index, choice in enumerate(self.choices):
            if choice.key == key:
                self.highlighted = index
                return choice
        return None

    def choose_id(self, choice_id: str | None) -> None:
        for index, choice in enumerate(self.choices):
            if choice.id == choice_id:
                self.highlighted = index
                return

    def clear_choice(self) -> None:
        self.highlighted = None

    def move(self, step: int) -> None:
        """Arrows: from nothing chosen, down starts at the top and up at the bottom."""
        if not self.choices:
            return
        if self.highlighted is None:
            self.highlighted = 0 if step > 0 else len(self.choices) - 1
        else:
            self.highlighted = (self.highlighted + step) % len(self.choices)

    def watch_highlighted(self, highlighted: int | None) -> None:
        if self._marked is not None and self._marked < len(self.choices):
            self.replace_option_prompt_at_index(self._marked, _prompt(self.choices[self._marked], False))
        self._marked = highlighted
        if highlighted is not None and highlighted < len(self.choices):
            self.replace_option_prompt_at_index(highlighted, _prompt(self.choices[highlighted], True))
            self.post_message(self.Chosen(self, self.choices[highlighted]))
        super().watch_highlighted(highlighted)

    # ---- keys, when the list itself has focus (menus) -------------------------------------------
    def action_cursor_down(self) -> None:
        self.move(1)

    def action_cursor_up(self) -> None:
        self.move(-1)

    def action_select(self) -> None:
        if self.highlighted is None:
            self.post_message(self.NothingChosen(self))
            return
        super().action_select()

    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit():
            event.stop()
            event.prevent_default()
            if self.choose_key(event.character) is None:
                self.app.bell()
