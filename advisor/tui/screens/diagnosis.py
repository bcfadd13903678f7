"""One diagnosis: what is wrong, why, the fix (commands copyable), references, and the way on.

Keys: h how do you know (the evidence chain), c copy the highlighted fix step's commands,
k keep checking for further problems, ctrl+s export, Esc back to the conversation.
Dismisses with "keep" or "back".
"""

from __future__ import annotations

import re

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from advisor.conversation.dialogue import Dialogue
from advisor.engine.scoring import Assessment

_CODE = re.compile(r"`([^`]+)`")
_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")


def reflow(text: str) -> str:
    """Knowledge text is written with hard line breaks; let the terminal wrap it instead.
    Blank lines (paragraphs) and list items keep their own lines."""
    out: list[str] = []
    for line in text.strip().splitlines():
        stripped = line.strip()
        if not stripped:
            if out and out[-1] != "":
                out.append("")
        elif out and out[-1] and not _LIST_ITEM.match(line):
            out[-1] = f"{out[-1]} {stripped}"
        else:
            out.append(stripped if not _LIST_ITEM.match(line) else line.rstrip())
    return "\n".join(out)


def step_content(number: int, step: str) -> Content:
    """A fix step with its `commands` in bold, so they stand out and read without colour."""
    parts: list[str | tuple[str, str]] = [(f"{number}. ", "bold")]
    for i, piece in enumerate(step.split("`")):
        if piece:
            parts.append((piece, "bold underline") if i % 2 else piece)
    return Content.assemble(*parts)


def commands_in(step: str) -> str:
    """What "copy" puts on the clipboard: the step's commands, one a line, or the whole step."""
    commands = _CODE.findall(step)
    return "\n".join(commands) if commands else step


class DiagnosisScreen(Screen[str]):
    BINDINGS = [
        Binding("h", "how", "How do you know?"),
        Binding("c", "copy_step", "Copy step"),
        Binding("k", "keep_checking", "Keep checking"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, dialogue: Dialogue, assessment: Assessment) -> None:
        super().__init__()
        self.dialogue = dialogue
        self.assessment = assessment

    def compose(self) -> ComposeResult:
        a = self.assessment
        d = a.diagnosis
        yield Header()
        with VerticalScroll(id="diagnosis-body"):
            yield Static(d.title, id="dx-title", markup=False)
            yield Static(self._status_line(), id="dx-status", markup=False)
            if d.summary:
                yield Static(reflow(d.summary), id="dx-summary", markup=False)
            if d.explanation:
                yield Static(reflow(d.explanation), id="dx-explanation", markup=False)
            yield Static("How to fix it", classes="section-title")
            yield OptionList(
                *[Option(step_content(n, reflow(step)), id=f"step-{n}") for n, step in enumerate(d.fix, start=1)],
                id="fix-steps",
            )
            if d.references:
                yield Static("References", classes="section-title")
                yield Static(
                    "\n".join(f"• {r.title}\n  {r.url}" for r in d.references), id="dx-references", markup=False
                )
        with Horizontal(id="dx-buttons", classes="dialog-buttons"):
            yield Button("How do you know? (h)", id="how")
            yield Button("Keep checking (k)", id="keep", variant="primary")
            yield Button("Back (Esc)", id="back")
        yield Footer()

    def _status_line(self) -> str:
        a = self.assessment
        if a.ruled_out:
            return f"ruled out: {a.ruled_out[0]}"
        line = f"{a.status} · score {a.score:.2f}"
        if a.confirmed_by:
            line += f" · confirmed by {a.confirmed_by}"
        elif a.unknown_required:
            line += " · still unknown: " + ", ".join(a.unknown_required)
        return line

    def on_mount(self) -> None:
        self.query_one("#fix-steps", OptionList).focus(scroll_visible=False)
        self.call_after_refresh(self.query_one("#diagnosis-body", VerticalScroll).scroll_home, animate=False)

    @on(Button.Pressed)
    def _button(self, event: Button.Pressed) -> None:
        event.stop()
        {"how": self.action_how, "keep": self.action_keep_checking, "back": self.action_back}[event.button.id or "back"]()

    @on(OptionList.OptionSelected, "#fix-steps")
    def _step_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_copy_step()

    def action_how(self) -> None:
        from advisor.tui.screens.explain import ExplainScreen

        self.app.push_screen(ExplainScreen("How do you know?", self.dialogue.how_lines(self.assessment)))

    def action_copy_step(self) -> None:
        steps = self.assessment.diagnosis.fix
        index = self.query_one("#fix-steps", OptionList).highlighted
        if not steps or index is None:
            return
        text = commands_in(steps[index].strip())
        self.app.copy_to_clipboard(text)
        self.notify(f"Copied to the clipboard: {text.splitlines()[0][:60]}", title="Copied")

    def action_keep_checking(self) -> None:
        self.dismiss("keep")

    def action_back(self) -> None:
        self.dismiss("back")
