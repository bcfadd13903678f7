"""The card at the bottom of the conversation: the current question and how to answer it.

Modes:
* describe: the opening free-text prompt ("what is going wrong?"), a description or pasted logs;
* question: numbered choices plus "I don't know"; pick with arrows + Enter, a number key, or
  type free text, which is matched to a choice as you type ("understood: ...") and answered
  on Enter;
* menu: a few actions (after a diagnosis, or at the end);
* busy: a line saying what advisor is doing; nothing to answer.

The card only reports what the user chose (messages); the conversation screen acts on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:  # rapidfuzz and the model load after the first paint (launch speed)
    from advisor.conversation.answer_matching import AnswerMatch, ChoiceOption

DESCRIBE_PROMPT = "What is going wrong? Describe it in your own words, or paste the error or log lines."
QUESTION_HINT = "1-9 / 0 pick · or type · Enter · ? why · Esc back"
DESCRIBE_HINT = "Enter: continue (empty skips) · ^l paste a log · ^o app bundle"
MENU_HINT = "↑↓ choose · Enter"


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
        Binding("up", "cursor_up", "Previous choice", show=False),
        Binding("down", "cursor_down", "Next choice", show=False),
    ]

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
            self.text = text

    class MenuChosen(Message):
        def __init__(self, action: str) -> None:
            super().__init__()
            self.action = action

    class WhyRequested(Message):
        pass

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.mode = "describe"
        self.question_id: str | None = None
        self.options: list[ChoiceOption] = []

    def compose(self) -> ComposeResult:
        yield Static(DESCRIBE_PROMPT, id="card-text", markup=False)
        yield OptionList(id="choices")
        yield AnswerInput(placeholder="describe the problem, or press Enter to skip", id="answer")
        yield Static(DESCRIBE_HINT, id="card-hint", markup=False)

    def on_mount(self) -> None:
        self.query_one("#choices", OptionList).display = False
        self.query_one("#answer", AnswerInput).focus()

    # ---- showing -----------------------------------------------------------------------------
    @property
    def choice_list(self) -> OptionList:
        return self.query_one("#choices", OptionList)

    @property
    def answer_input(self) -> AnswerInput:
        return self.query_one("#answer", AnswerInput)

    def _set(self, mode: str, text: str, hint: str, input_shown: bool, list_shown: bool) -> None:
        self.mode = mode
        self.set_class(mode == "busy", "-busy")
        self.query_one("#card-text", Static).update(text)
        self.query_one("#card-hint", Static).update(hint)
        field = self.answer_input
        field.value = ""
        field.display = input_shown
        self.choice_list.display = list_shown

    def show_describe(self) -> None:
        self.question_id = None
        self._set("describe", DESCRIBE_PROMPT, DESCRIBE_HINT, True, False)
        self.answer_input.placeholder = "describe the problem, or press Enter to skip"
        self.answer_input.focus()

    def show_question(self, question_id: str, text: str, choices: list[tuple[str, str]], previous: str | None = None) -> None:
        from advisor.conversation.answer_matching import UNKNOWN, answer_options

        self.question_id = question_id
        self.options = answer_options(choices)
        hint = QUESTION_HINT
        if previous is not None:
            earlier = next((o.label for o in self.options if o.value == previous), previous)
            hint = f"your earlier answer: {earlier} · {QUESTION_HINT}"
        self._set("question", text, hint, True, True)
        self.answer_input.placeholder = "type an answer, or pick one above"
        prompts = []
        listed = [o for o in self.options if o.value != UNKNOWN]
        for n, option in enumerate(listed, start=1):
            key = str(n) if n <= 9 else " "
            prompts.append(Option(Content.assemble((key, "bold"), "  ", option.label), id=option.value))
        prompts.append(Option(Content.assemble(("0", "bold"), "  ", "I don't know"), id=UNKNOWN))
        choice_list = self.choice_list
        choice_list.set_options(prompts)
        values = [o.value for o in listed] + [UNKNOWN]
        choice_list.highlighted = values.index(previous) if previous in values else 0
        self.answer_input.focus()

    def show_menu(self, text: str, actions: list[tuple[str, str]]) -> None:
        self.question_id = None
        self._set("menu", text, MENU_HINT, False, True)
        choice_list = self.choice_list
        choice_list.set_options([Option(label, id=action) for action, label in actions])
        choice_list.highlighted = 0
        choice_list.focus()

    def show_busy(self, text: str) -> None:
        self.question_id = None
        self._set("busy", text, "", False, False)

    # ---- choosing ----------------------------------------------------------------------------
    def action_cursor_up(self) -> None:
        if self.choice_list.display:
            self.choice_list.action_cursor_up()

    def action_cursor_down(self) -> None:
        if self.choice_list.display:
            self.choice_list.action_cursor_down()

    def _match(self, text: str) -> AnswerMatch:
        from advisor.conversation.answer_matching import match_answer

        return match_answer(text, self.options)

    def _answer(self, option: ChoiceOption, typed: str | None) -> None:
        if self.question_id is None:
            return
        self.post_message(self.Answered(self.question_id, option.value, option.label, typed))

    def _option(self, value: str | None) -> ChoiceOption | None:
        return next((o for o in self.options if o.value == value), None)

    @on(AnswerInput.Shortcut)
    def _shortcut(self, event: AnswerInput.Shortcut) -> None:
        event.stop()
        if event.key == "?":
            self.post_message(self.WhyRequested())
            return
        if self.mode != "question":
            self.answer_input.insert_text_at_cursor(event.key)
            return
        match = self._match(event.key)
        if match.option is not None:
            self._answer(match.option, None)
        else:
            self.app.bell()

    @on(Input.Changed, "#answer")
    def _typed(self, event: Input.Changed) -> None:
        event.stop()
        if self.mode != "question":
            return
        hint = self.query_one("#card-hint", Static)
        if not event.value.strip():
            hint.update(QUESTION_HINT)
            return
        match = self._match(event.value)
        suffix = " · Enter to answer" if match.understood else ""
        hint.update(match.describe() + suffix)
        shown = match.option or (match.close[0] if match.close else None)
        if shown is not None:
            ids = [o.id for o in self.choice_list.options]
            if shown.value in ids:
                self.choice_list.highlighted = ids.index(shown.value)

    @on(Input.Submitted, "#answer")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value
        if self.mode == "describe":
            self.post_message(self.Described(text.strip()))
            return
        if self.mode != "question":
            return
        if not text.strip():
            highlighted = self.choice_list.highlighted_option
            option = self._option(highlighted.id if highlighted else None)
            if option is not None:
                self._answer(option, None)
            return
        match = self._match(text)
        if match.option is not None:
            self._answer(match.option, text.strip())
        else:
            self.query_one("#card-hint", Static).update(match.describe())
            self.app.bell()

    @on(OptionList.OptionSelected, "#choices")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if self.mode == "menu":
            if event.option.id:
                self.post_message(self.MenuChosen(event.option.id))
            return
        option = self._option(event.option.id)
        if self.mode == "question" and option is not None:
            self._answer(option, None)
