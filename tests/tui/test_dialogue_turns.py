"""How the TUI renders what the dialogue offers with a turn: advice that answers the developer's
own question at once (and F4 to open it), the command that answers a question that needs a look,
and facts read from the description offered for correction.

The turns here carry those fields the way advisor.conversation.dialogue hands them over
(`advice`, `check`, `cost`, `probes` on a turn); the screen reads them by name.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from advisor.conversation.dialogue import AskQuestion, Dialogue
from advisor.evidence import Observation, Source
from advisor.tui.screens.change_answer import ChangeAnswerScreen
from advisor.tui.screens.diagnosis import DiagnosisScreen
from tests.tui.conftest import current_question, skip_description, wait_until
from tests.tui.test_flows import SIZE


@dataclass(frozen=True)
class RichAsk(AskQuestion):
    check: str = ""
    cost: str = "memory"
    probes: tuple[Any, ...] = ()
    advice: tuple[Any, ...] = ()


def _rich_turns(monkeypatch: pytest.MonkeyPatch, check: str, cost: str, with_advice: bool) -> None:
    plain = Dialogue.next_turn
    given: set[str] = set()

    def next_turn(self: Dialogue):  # type: ignore[no-untyped-def]
        turn = plain(self)
        if not isinstance(turn, AskQuestion):
            return turn
        advice: tuple[Any, ...] = ()
        if with_advice and "advice" not in given:
            given.add("advice")
            advice = (self.inv.session.ranking.all["sip-not-required"],)
        return RichAsk(turn.choice, turn.previous, check=check, cost=cost, advice=advice)

    monkeypatch.setattr(Dialogue, "next_turn", next_turn)


async def test_advice_is_shown_at_once_and_f4_opens_it(make_app, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    _rich_turns(monkeypatch, "", "memory", with_advice=True)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        texts = app.conversation.log_view.texts()
        advice = [t for t in texts if t.startswith("advice: ")]
        assert len(advice) == 1 and advice[0].startswith("advice: SIP need not be disabled to develop a Network Extension.")
        assert advice[0].endswith("(F4: the whole answer)")
        assert current_question(app) is not None  # the advice did not take the question's place
        await pilot.press("f4")
        await wait_until(pilot, lambda: isinstance(app.screen, DiagnosisScreen), "the advice")
        assert app.screen.assessment.id == "sip-not-required"
        assert str(app.screen.query_one("#dx-status").content) == "advice: a side note, not a cause of the failure"


async def test_a_question_that_needs_a_look_shows_its_command(make_app, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    _rich_turns(monkeypatch, "xattr -p com.apple.quarantine /Applications/MyApp.app", "look", with_advice=False)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        line = str(app.conversation.card.query_one("#card-check").content)
        assert line == "To find out, run: xattr -p com.apple.quarantine /Applications/MyApp.app"
        assert app.conversation.card.query_one("#card-check").display


async def test_a_question_known_offhand_shows_no_command(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        assert not app.conversation.card.query_one("#card-check").display


async def test_facts_from_the_description_are_offered_for_correction(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        inv = app.conversation.dialogue.inv
        inv.add_context_observations([Observation("platform", "macos", Source.DESCRIBE, "on my Mac", "description")])
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, ChangeAnswerScreen), "the answers list")
        assert ("platform", "Which platform does the failing provider run on?", "macOS (from your description)") in app.screen.answers
