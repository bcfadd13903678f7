"""The side panel: what advisor knows so far (and from where), and the diagnoses in play.

Facts show their source (answer, probe, bundle, log, describe); choosing an answered fact
changes that answer. Diagnoses come in three lists, each headed with the count of what it lists:
causes (status in words, not only colour), advice (side notes such as "SIP need not be
disabled", never mixed with causes) and ruled out. Choosing one opens it (a ruled-out one says
why it was ruled out).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from advisor.conversation.dialogue import Dialogue

STATUS_MARKS = {"confirmed": "●", "likely": "◐", "possible": "○"}
MAX_DIAGNOSES = 8
MAX_RULED_OUT = 6


class EvidencePanel(Vertical):
    class FactChosen(Message):
        def __init__(self, fact: str) -> None:
            super().__init__()
            self.fact = fact

    class DiagnosisChosen(Message):
        def __init__(self, diagnosis_id: str) -> None:
            super().__init__()
            self.diagnosis_id = diagnosis_id

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._shown: dict[str, list[tuple[str, str | None]]] = {}

    def _set(self, list_id: str, options: list[Option]) -> None:
        """Show these options: nothing to do when unchanged, append when only new ones came
        (an answer adds one fact), rebuild otherwise. Rebuilding a long list every step costs
        more than the rest of an answer."""
        key = [(str(o.prompt), o.id) for o in options]
        old = self._shown.get(list_id, [])
        if key == old:
            return
        self._shown[list_id] = key
        option_list = self.query_one(f"#{list_id}", OptionList)
        if old and all(i is not None for _, i in old) and key[: len(old)] == old:
            option_list.add_options(options[len(old) :])
        else:
            option_list.set_options(options)

    def compose(self) -> ComposeResult:
        yield Static("Known so far", classes="panel-title")
        yield OptionList(id="facts")
        yield Static("Diagnoses", classes="panel-title")
        yield OptionList(id="diagnoses")

    def on_mount(self) -> None:
        self.query_one("#facts", OptionList).set_options([Option("nothing yet", disabled=True)])
        self.query_one("#diagnoses", OptionList).set_options([Option("none supported yet", disabled=True)])

    def show(self, dialogue: Dialogue) -> None:
        session = dialogue.inv.session
        facts = [
            Option(
                Content.assemble((f"{fact}", "bold"), f" {dialogue.value_label(fact, r.value)} ", (f"[{r.source}]", "dim")),
                id=f"fact:{fact}",
            )
            for fact, r in session.facts.resolved.items()
            if r.known or fact in session.answers
        ]
        self._set("facts", facts or [Option("nothing yet", disabled=True)])
        ranking = session.ranking
        causes = [a for a in ranking.ranked if not a.diagnosis.advice]
        advice = [a for a in ranking.ranked if a.diagnosis.advice]
        shown: list[Option] = []
        # Each heading counts exactly what is listed under it (or says how many more there are).
        if causes:
            shown += _section("causes", f"Causes ({len(causes)})", [
                Content.assemble(f"{STATUS_MARKS.get(str(a.status), '○')} ", (f"{a.status}", "bold"), f" {a.diagnosis.title}")
                for a in causes
            ], [a.id for a in causes], MAX_DIAGNOSES)
        if advice:
            shown += _section("advice", f"Advice ({len(advice)})", [
                Content.assemble("» ", (a.diagnosis.title, "")) for a in advice
            ], [a.id for a in advice], MAX_DIAGNOSES)
        ruled = ranking.ruled_out
        if ruled:
            shown += _section("ruled", f"Ruled out ({len(ruled)})", [
                Content.assemble("✗ ", (a.diagnosis.title, "dim")) for a in ruled
            ], [a.id for a in ruled], MAX_RULED_OUT)
        self._set("diagnoses", shown or [Option("none supported yet", disabled=True)])

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        kind, _, key = option_id.partition(":")
        if kind == "fact":
            self.post_message(self.FactChosen(key))
        elif kind == "dx":
            self.post_message(self.DiagnosisChosen(key))


def _section(key: str, heading: str, prompts: list[Content], ids: list[str], limit: int) -> list[Option]:
    options = [Option(Content.styled(heading, "bold underline"), id=f"h:{key}", disabled=True)]
    options += [Option(p, id=f"dx:{i}") for p, i in zip(prompts[:limit], ids[:limit], strict=False)]
    if len(prompts) > limit:
        options.append(Option(f"(and {len(prompts) - limit} more: see the report)", id=f"more:{key}", disabled=True))
    return options
