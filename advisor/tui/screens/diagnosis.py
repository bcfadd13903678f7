"""One diagnosis: what is wrong, why, the fix, references, and the way on.

The page is one scroll area with the keyboard focus from the start: ↑↓, PgUp/PgDn, Home/End
read it all the way to the references, at 80x24 too. Fix steps are numbered: a step's number
chooses it (▶, reverse video: visible without colour), c copies the command of the chosen step
(c again: its next command). h how do you know (the evidence chain), k keep checking for
further problems, Esc back to the conversation. Dismisses with "keep" or "back".
"""

from __future__ import annotations

import re

from rich.table import Table
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from advisor.conversation.dialogue import Dialogue
from advisor.engine.scoring import Assessment
from advisor.tui.inline_code import inline_code, split_code

_LIST_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)])\s")
# A code span that reads like a command line: a lowercase program or a path, then arguments.
_COMMAND = re.compile(r"^(?:sudo\s+)?(?:[a-z][\w.+-]*|[~/.][\w./~+-]*)\s+\S.*(?<!:)$")
LONG_COMMAND = 36  # a command longer than this gets a line of its own, so it never breaks mid-line
STEP_MARK = "▶"


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


def step_content(number: int, step: str, chosen: bool = False) -> Table:
    """A fix step as written: prose, and its `code` in bold without the backticks, wrapped under
    its own text (not under the number). A long command stands on a line of its own (the
    punctuation that followed it is dropped), so the terminal never breaks it mid-line where it
    fits. The chosen step is marked ▶."""
    parts: list[str | tuple[str, str]] = []
    after_block = False
    for piece, code in split_code(step):
        if code and len(piece) > LONG_COMMAND and is_command(piece):
            if parts and isinstance(parts[-1], str):
                parts[-1] = parts[-1].rstrip()
            parts += ["\n" if parts else "", (piece, "bold")]
            after_block = True
            continue
        if after_block:
            piece = piece.lstrip(" .,;:")
            if not piece:
                continue
            parts.append("\n")
            after_block = False
        parts.append((piece, "bold") if code else piece)
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=5, no_wrap=True, justify="right")
    grid.add_column(ratio=1)
    grid.add_row(Text(f"{STEP_MARK} {number}." if chosen else f"{number}.", style="bold"), Text.assemble(*parts))
    return grid


def references_table(references: list[tuple[str, str]]) -> Table:
    """• title, and the address under it, both wrapped under the title (not under the bullet)."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=1, no_wrap=True)
    grid.add_column(ratio=1, overflow="fold")  # an address longer than the line folds, never cut
    for title, url in references:
        grid.add_row("•", Text.assemble(title, "\n", (url, "underline")))
    return grid


def is_command(span: str) -> bool:
    return bool(_COMMAND.match(span.strip()))


def commands_in(step: str) -> list[str]:
    """What "copy" offers, first to last: the step's command lines, then its other code spans
    (names, paths); the whole step when it has no code at all."""
    spans = [piece.strip() for piece, code in split_code(step) if code and piece.strip()]
    commands = [s for s in spans if is_command(s)]
    rest = [s for s in spans if s not in commands]
    found = list(dict.fromkeys(commands + rest))
    return found or [" ".join(step.split())]


class DiagnosisScreen(Screen[str]):
    BINDINGS = [
        Binding("c", "copy_step", "Copy"),
        Binding("h", "how", "How?"),
        Binding("k", "keep_checking", "Keep checking"),
        Binding("escape", "back", "Back"),
    ]

    chosen_step: reactive[int | None] = reactive(None, init=False)

    def __init__(self, dialogue: Dialogue, assessment: Assessment) -> None:
        super().__init__()
        self.dialogue = dialogue
        self.assessment = assessment
        self.steps = [reflow(step) for step in assessment.diagnosis.fix]
        self._copied: tuple[int, int] | None = None  # (step, command index) copied last

    def compose(self) -> ComposeResult:
        a = self.assessment
        d = a.diagnosis
        yield Header()
        with VerticalScroll(id="diagnosis-body"):
            yield Static(d.title, id="dx-title", markup=False)
            yield Static(self._status_line(), id="dx-status", markup=False)
            if d.summary:
                yield Static(inline_code(reflow(d.summary)), id="dx-summary", markup=False)
            if d.explanation:
                yield Static(inline_code(reflow(d.explanation)), id="dx-explanation", markup=False)
            if self.steps:
                yield Static("How to fix it" if not d.advice else "What to do", classes="section-title")
                yield Static(self._steps_hint(), id="dx-steps-hint", markup=False)
                for n, step in enumerate(self.steps, start=1):
                    yield Static(step_content(n, step), id=f"step-{n}", classes="fix-step", markup=False)
            if d.references:
                yield Static("References", classes="section-title")
                yield Static(references_table([(r.title, r.url) for r in d.references]), id="dx-references")
        yield Footer()

    def _steps_hint(self) -> str:
        n = len(self.steps)
        keys = "1" if n == 1 else f"1-{min(n, 9)}"
        return f"Press a step's number ({keys}) to choose it, then c to copy its command."

    def _status_line(self) -> str:
        a = self.assessment
        if a.ruled_out:
            return f"ruled out: {a.ruled_out[0]}"
        if a.diagnosis.advice:
            return "advice: a side note, not a cause of the failure"
        line = f"{a.status} · score {a.score:.2f}"
        if a.confirmed_by:
            line += f" · confirmed by {a.confirmed_by}"
        elif a.unknown_required:
            line += " · still unknown: " + ", ".join(a.unknown_required)
        return line

    @property
    def body(self) -> VerticalScroll:
        return self.query_one("#diagnosis-body", VerticalScroll)

    def on_mount(self) -> None:
        self.body.focus(scroll_visible=False)  # the keys scroll the page from the first moment
        self.body.scroll_home(animate=False)

    # ---- choosing and copying a step ------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        if event.character and event.character.isdigit() and event.character != "0":
            event.stop()
            index = int(event.character) - 1
            if index < len(self.steps):
                self.chosen_step = index
            else:
                self.app.bell()
                self.notify(f"There is no step {event.character}: {self._steps_hint()}", title="No such step")

    def watch_chosen_step(self, old: int | None, new: int | None) -> None:
        for index, chosen in ((old, False), (new, True)):
            if index is None:
                continue
            widget = self.query_one(f"#step-{index + 1}", Static)
            widget.update(step_content(index + 1, self.steps[index], chosen))
            widget.set_class(chosen, "-chosen")
        if new is not None:
            self.query_one(f"#step-{new + 1}", Static).scroll_visible(animate=False)
        self._copied = None

    def action_copy_step(self) -> None:
        index = self.chosen_step
        if index is None:
            self.notify(self._steps_hint() if self.steps else "This diagnosis has no steps to copy.", title="Nothing chosen yet")
            return
        commands = commands_in(self.steps[index])
        nth = 0 if self._copied is None or self._copied[0] != index else (self._copied[1] + 1) % len(commands)
        self._copied = (index, nth)
        text = commands[nth]
        self.app.copy_to_clipboard(text)
        more = f" ({nth + 1} of {len(commands)}; c again: the next)" if len(commands) > 1 else ""
        self.notify(f"{text[:120]}{more}", title=f"Copied from step {index + 1}")

    # ---- the way on -----------------------------------------------------------------------------
    def action_how(self) -> None:
        from advisor.tui.screens.explain import ExplainScreen

        self.app.push_screen(ExplainScreen("How do you know?", self.dialogue.how_lines(self.assessment)))

    def action_keep_checking(self) -> None:
        self.dismiss("keep")

    def action_back(self) -> None:
        self.dismiss("back")
