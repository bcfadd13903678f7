"""The TUI on the real knowledge base, without depending on its exact texts (it keeps growing):
questions are read from the screen's state, answered, and the walk must reach an end."""

from __future__ import annotations

import pytest

from advisor.knowledge.loader import load_knowledge
from advisor.knowledge.model import KnowledgeBase
from advisor.tui.app import AdvisorApp
from advisor.tui.options import TuiOptions
from advisor.tui.screens.diagnosis import DiagnosisScreen
from advisor.tui.screens.explain import ExplainScreen
from tests.tui.conftest import current_question, skip_description, wait_until


@pytest.fixture(scope="module")
def real_kb() -> KnowledgeBase:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ADVISOR_NO_CACHE", "1")
        return load_knowledge()


async def test_walk_the_real_knowledge_base_to_an_end(real_kb: KnowledgeBase, state_root) -> None:  # type: ignore[no-untyped-def]
    app = AdvisorApp(TuiOptions(state_root=state_root), kb=real_kb)
    async with app.run_test(size=(80, 24)) as pilot:
        await skip_description(pilot)
        first = current_question(app)
        assert first in real_kb.questions
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(app.screen, ExplainScreen), "why")
        assert app.screen.lines[0] == real_kb.questions[first].text
        await pilot.press("escape")
        for step in range(40):
            if isinstance(app.screen, DiagnosisScreen):
                break
            if app.conversation.card.mode == "menu":
                break
            question = current_question(app)
            assert question is not None
            await pilot.press("1" if step % 3 == 0 else "0", "enter")
            await wait_until(
                pilot,
                lambda q=question: current_question(app) != q or isinstance(app.screen, DiagnosisScreen),
                f"the step after {question}",
            )
        else:
            raise AssertionError("no end after 40 answers")
        answers = app.conversation.dialogue.inv.session.answers
        assert real_kb.questions[first].fact in answers
