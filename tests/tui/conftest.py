"""Fixtures for the TUI tests: a small knowledge base, an isolated machine, and pilot helpers.

Every test runs with PATH pointing at an empty fake-Mac folder (no real tool can answer), the
state directory and the current folder in tmp, so nothing leaks between tests or to the host.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from advisor.knowledge.model import KnowledgeBase
from advisor.tui.app import AdvisorApp
from advisor.tui.options import TuiOptions
from tests.conversation.conftest import SIP_DISABLED, fake_csrutil, isolated  # noqa: F401 (shared with the conversation tests)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests (pilot tests) in a fresh event loop; no asyncio plugin needed."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None


@pytest.fixture
def make_app(small_kb: KnowledgeBase, state_root: Path) -> Callable[..., AdvisorApp]:
    def make(**options: object) -> AdvisorApp:
        return AdvisorApp(TuiOptions(state_root=state_root, **options), kb=small_kb)  # type: ignore[arg-type]

    return make


async def wait_until(pilot, condition: Callable[[], bool], what: str, limit: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    """Let the app run until `condition` holds (bounded, so a broken flow fails, not hangs)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await pilot.pause(0.02)


async def started(pilot) -> None:  # type: ignore[no-untyped-def]
    app = pilot.app
    await wait_until(pilot, lambda: app.conversation.ready.is_set(), "the knowledge base to load")
    await pilot.pause()


async def skip_description(pilot) -> None:  # type: ignore[no-untyped-def]
    """Choose "0 No description" and confirm it (nothing is chosen until the user chooses)."""
    from advisor.tui.widgets.question_card import CardMode

    await started(pilot)
    await pilot.press("0", "enter")
    await wait_until(pilot, lambda: pilot.app.conversation.card.mode not in (CardMode.DESCRIBE, CardMode.BUSY), "the first question")


def current_question(app: AdvisorApp) -> str | None:
    from advisor.tui.widgets.question_card import CardMode

    card = app.conversation.card
    return card.question_id if card.mode is CardMode.QUESTION else None


AwaitPilot = Callable[[object], Awaitable[None]]
