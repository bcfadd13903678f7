"""The card at the bottom of the conversation: what advisor asks now, and how to answer it.

One keyboard rule on every card (and every screen): nothing is chosen until the user chooses.
A digit (or ↑↓) chooses, Enter confirms; Enter with nothing typed or chosen records nothing and
says what to do. Typed text is matched to a choice as you type ("understood: ...") and answered
on Enter. The card's mode is a reactive attribute; its watcher shows what each mode needs:

* describe: the opening prompt ("what is going wrong?"); type a description or paste log
  lines, or choose 0 to go straight to the questions;
* question: numbered choices plus "0 I don't know";
* menu: a few numbered actions (after a diagnosis, or at the end);
* busy: a line saying what advisor is doing; nothing to answer.

The card only reports what the user chose (messages); the conversation screen acts on it.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import Input, Static

from advisor.tui.inline_code import inline_code
from advisor.tui.widgets.choice_list import Choice, ChoiceList

if TYPE_CHECKING:  # rapidfuzz and the model load after the first paint (launch speed)
    from advisor.conversation.answer_matching import AnswerMatch, ChoiceOption

DESCRIBE_PROMPT = "What is going wrong? Describe it in your own words, or paste the error or log lines."
SKIP_DESCRIPTION = "skip"
SKIP_LABEL = "No description: go straight to the questions"
QUESTION_HINT = "digit: choose · Enter: answer · ? why · Esc back"
DESCRIBE_HINT = "Enter: send · 0+Enter: skip · ^l log · ^o bundle"
MENU_HINT = "digit or ↑↓: choose · Enter: do it"
NOTHING_CHOSEN = {
    "question": "Nothing chosen yet: press a number (0: I don't know) or ↑↓, then Enter; or type an answer.",
    "describe": "Nothing typed yet: describe the problem, then Enter; or press 0, then Enter, to skip.",
    "menu": "Nothing chosen yet: press a number or ↑↓, then Enter.",
}
INPUT_PLACEHOLDER = {
    "describe": "describe the problem, or paste the error",
    "question": "type an answer, or choose one above",
}


class CardMode(StrEnum):
    DESCRIBE = "describe"
    QUESTION = "question"
    MENU = "menu"
    BUSY = "busy"


class AnswerInput(Input):
    """The card's text field. On an empty field, digits and "?" act as keys; a multi-line paste
    is log text, not an answer."""

    # Plain classes, not dataclasses: these modules load before the first paint.
    class Shortcut(Message):
        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class PastedLines(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    # Textual also calls Input's own handlers after these (they walk the class hierarchy)
    # unless prevent_default() is called, which is how a handled key or paste stops there.
    async def _on_key(self, event: events.Key) -> None:
        if not self.value and event.character and (event.character.isdigit() or event.character == "?"):
            event.stop()
            event.prevent_default()
            self.post_message(self.Shortcut(event.character))

    def _on_paste(self, event: events.Paste) -> None:
        text = event.text.replace("\r\n", "\n").replace("\r", "\n")  # terminals paste lines with CR
        if len([line for line in text.split("\n") if line.strip()]) > 1:
            event.stop()
            event.prevent_default()
            self.post_message(self.PastedLines(text))


class QuestionCard(Vertical):
    BINDINGS = [
        Binding("up", "move(-1)", "Previous choice", show=False),
        Binding("down", "move(1)", "Next choice", show=False),
    ]

    mode: reactive[CardMode] = reactive(CardMode.DESCRIBE, init=False)

    class Answered(Message):
        def __init__(self, question_id: str, value: str, label: str, typed: str | None) -> None:
            super().__init__()
            self.question_id = question_id
            self.value = value
            self.label = label
            self.typed = typed  # the free text, when the answer was typed

    class Described(Message):
        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text  # "" when the user chose to skip

    class MenuChosen(Message):
        def __init__(self, action: str) -> None:
            super().__init__()
            self.action = action

    class WhyRequested(Message):
        pass

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.question_id: str | None = None
        self.options: list[ChoiceOption] = []
        self._typed_choice = False  # the list's choice follows the typed text (not a key)
        self._check = ""  # the command line shown under the question

    def compose(self) -> ComposeResult:
        yield Static(DESCRIBE_PROMPT, id="card-text", markup=False)
        yield Static("", id="card-check", markup=False)
        yield ChoiceList(id="choices")
        yield AnswerInput(placeholder=INPUT_PLACEHOLDER["describe"], id="answer")
        yield Static(DESCRIBE_HINT, id="card-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#card-check", Static).display = False
        self.choice_list.set_choices([Choice("0", SKIP_LABEL, SKIP_DESCRIPTION)])
        self.answer_input.focus()

    # ---- parts -------------------------------------------------------------------------------
    @property
    def choice_list(self) -> ChoiceList:
        return self.query_one("#choices", ChoiceList)

    @property
    def answer_input(self) -> AnswerInput:
        return self.query_one("#answer", AnswerInput)

    @property
    def hint(self) -> str:
        return str(self.query_one("#card-hint", Static).content)

    def _hint(self, text: str, nudge: bool = False) -> None:
        hint = self.query_one("#card-hint", Static)
        hint.update(text)
        hint.set_class(nudge, "-nudge")

    # ---- showing -----------------------------------------------------------------------------
    def watch_mode(self, mode: CardMode) -> None:
        typing = mode in (CardMode.DESCRIBE, CardMode.QUESTION)
        self.set_class(mode is CardMode.BUSY, "-busy")
        field = self.answer_input
        field.display = typing
        self.choice_list.display = mode is not CardMode.BUSY
        if typing:
            field.placeholder = INPUT_PLACEHOLDER[mode]
            field.focus()
        elif mode is CardMode.MENU:
            self.choice_list.focus()

    def _show(self, mode: CardMode, text: str, hint: str, choices: list[Choice], check: str = "") -> None:
        self.query_one("#card-text", Static).update(inline_code(text))
        if check or self._check:  # most questions have none: leave the hidden line alone
            self._check = check
            check_line = self.query_one("#card-check", Static)
            check_line.update(inline_code(check))
            check_line.display = bool(check)
        self._hint(hint)
        self.answer_input.value = ""
        self._typed_choice = False
        self.choice_list.set_choices(choices)
        self.mode = mode
        if mode is CardMode.MENU:
            self.choice_list.focus()
        elif mode is not CardMode.BUSY:
            self.answer_input.focus()

    def show_describe(self) -> None:
        self.question_id = None
        self._show(CardMode.DESCRIBE, DESCRIBE_PROMPT, DESCRIBE_HINT, [Choice("0", SKIP_LABEL, SKIP_DESCRIPTION)])

    def show_question(
        self, question_id: str, text: str, choices: list[tuple[str, str]], previous: str | None = None, check: str = ""
    ) -> None:
        from advisor.conversation.answer_matching import UNKNOWN, answer_options

        self.question_id = question_id
        self.options = answer_options(choices)
        hint = QUESTION_HINT
        if previous is not None:
            earlier = next((o.label for o in self.options if o.value == previous), previous)
            hint = f"your earlier answer: {earlier} · {QUESTION_HINT}"
        listed = [o for o in self.options if o.value != UNKNOWN]
        shown = [Choice(str(n) if n <= 9 else "", o.label, o.value) for n, o in enumerate(listed, start=1)]
        shown.append(Choice("0", "I don't know", UNKNOWN))
        self._show(CardMode.QUESTION, text, hint, shown, check)

    def show_menu(self, text: str, actions: list[tuple[str, str]]) -> None:
        self.question_id = None
        shown = [Choice(str(n) if n <= 9 else "", label, action) for n, (action, label) in enumerate(actions, start=1)]
        self._show(CardMode.MENU, text, MENU_HINT, shown)

    def show_busy(self, text: str) -> None:
        self.question_id = None
        self._show(CardMode.BUSY, text, "", [])

    # ---- choosing ----------------------------------------------------------------------------
    def action_move(self, step: int) -> None:
        if self.mode in (CardMode.QUESTION, CardMode.DESCRIBE):
            self._typed_choice = False
            self.choice_list.move(step)

    @on(ChoiceList.Chosen, "#choices")
    def _chosen(self, event: ChoiceList.Chosen) -> None:
        event.stop()
        if self._typed_choice:
            return
        if self.mode is CardMode.DESCRIBE:
            self._hint("chosen: no description · Enter: go to the questions")
        else:
            self._hint(f"chosen: {event.choice.label} · Enter: {'do it' if self.mode is CardMode.MENU else 'answer'}")

    @on(ChoiceList.NothingChosen, "#choices")
    def _nothing_chosen(self, event: ChoiceList.NothingChosen) -> None:
        event.stop()
        self.say_what_to_do()

    def say_what_to_do(self) -> None:
        """Enter with nothing typed or chosen: nothing is recorded; the hint says what to do."""
        self._hint(NOTHING_CHOSEN.get(self.mode, MENU_HINT), nudge=True)

    def _match(self, text: str) -> AnswerMatch:
        from advisor.conversation.answer_matching import match_answer

        return match_answer(text, self.options)

    def _answer(self, option: ChoiceOption, typed: str | None) -> None:
        if self.question_id is None:
            return
        # A second Enter before the next question is shown posts this again; the screen takes an
        # answer only for the question it is asking, so it records nothing.
        self.post_message(self.Answered(self.question_id, option.value, option.label, typed))

    def _option(self, value: str | None) -> ChoiceOption | None:
        return next((o for o in self.options if o.value == value), None)

    @on(AnswerInput.Shortcut)
    def _shortcut(self, event: AnswerInput.Shortcut) -> None:
        event.stop()
        if event.key == "?":
            self.post_message(self.WhyRequested())
            return
        self._typed_choice = False
        if self.choice_list.choose_key(event.key) is not None:
            return
        if self.mode is CardMode.DESCRIBE:  # a description may start with a number
            self.answer_input.insert_text_at_cursor(event.key)
            return
        self._hint(f"There is no choice {event.key} here. {NOTHING_CHOSEN['question']}", nudge=True)
        self.app.bell()

    @on(Input.Changed, "#answer")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.mode is CardMode.DESCRIBE:
            if event.value and self.choice_list.chosen is not None:
                self.choice_list.clear_choice()  # typing a description replaces "skip"
                self._hint(DESCRIBE_HINT)
            return
        if self.mode is not CardMode.QUESTION:
            return
        if not event.value.strip():
            if self._typed_choice:
                self.choice_list.clear_choice()
                self._typed_choice = False
            self._hint(QUESTION_HINT)
            return
        match = self._match(event.value)
        suffix = " · Enter: answer" if match.understood else ""
        self._hint(match.describe() + suffix)
        shown = match.option or (match.close[0] if match.close else None)
        self._typed_choice = True
        if shown is not None:
            self.choice_list.choose_id(shown.value)
        else:
            self.choice_list.clear_choice()

    @on(Input.Submitted, "#answer")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        chosen = self.choice_list.chosen
        if self.mode is CardMode.DESCRIBE:
            if text or (chosen is not None and chosen.id == SKIP_DESCRIPTION):
                self.post_message(self.Described(text))
                self.show_busy("Reading your description…" if text else "Choosing the first question…")
            else:
                self.say_what_to_do()
            return
        if self.mode is not CardMode.QUESTION:
            return
        if not text:
            option = self._option(chosen.id) if chosen is not None else None
            if option is None:
                self.say_what_to_do()
            else:
                self._answer(option, None)
            return
        match = self._match(text)
        if match.option is not None:
            self._answer(match.option, text)
        else:
            self._hint(match.describe(), nudge=True)
            self.app.bell()

    @on(ChoiceList.OptionSelected, "#choices")
    def _picked(self, event: ChoiceList.OptionSelected) -> None:
        """Enter on a focused list with a choice made, or a click: both are explicit."""
        event.stop()
        choice_id = event.option.id or ""
        if self.mode is CardMode.MENU:
            self.post_message(self.MenuChosen(choice_id))
        elif self.mode is CardMode.DESCRIBE and choice_id == SKIP_DESCRIPTION:
            self.post_message(self.Described(""))
            self.show_busy("Choosing the first question…")
        elif self.mode is CardMode.QUESTION:
            option = self._option(choice_id)
            if option is not None:
                self._answer(option, None)
