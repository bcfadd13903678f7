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

from advisor.knowledge.loader import load_knowledge
from advisor.knowledge.model import KnowledgeBase
from advisor.tui.app import AdvisorApp
from advisor.tui.options import TuiOptions
from tests.fake_mac import FakeMac, Reply, Scenario, always
from tests.tui.small_kb import write_small_kb

SIP_DISABLED = "System Integrity Protection status: disabled.\n"


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests (pilot tests) in a fresh event loop; no asyncio plugin needed."""
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        args = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**args))
        return True
    return None


@pytest.fixture(scope="session")
def small_kb_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_small_kb(tmp_path_factory.mktemp("kb") / "knowledge", probe_timeout=0.5)


@pytest.fixture(scope="session")
def small_kb(small_kb_root: Path) -> KnowledgeBase:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ADVISOR_NO_CACHE", "1")  # parse it: a cached model may predate today's code
        return load_knowledge(small_kb_root)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No real tools, no real state folder, reports land in tmp."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def state_root(tmp_path: Path) -> Path:
    return tmp_path / "state" / "advisor"


@pytest.fixture
def make_app(small_kb: KnowledgeBase, state_root: Path) -> Callable[..., AdvisorApp]:
    def make(**options: object) -> AdvisorApp:
        return AdvisorApp(TuiOptions(state_root=state_root, **options), kb=small_kb)  # type: ignore[arg-type]

    return make


def fake_csrutil(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reply: Reply) -> FakeMac:
    mac = FakeMac(tmp_path / "mac", Scenario({"csrutil": always(reply)}))
    mac.activate(monkeypatch)
    return mac


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
    await started(pilot)
    await pilot.press("enter")
    await wait_until(pilot, lambda: pilot.app.conversation.card.mode != "describe", "the first question")


def current_question(app: AdvisorApp) -> str | None:
    card = app.conversation.card
    return card.question_id if card.mode == "question" else None


AwaitPilot = Callable[[object], Awaitable[None]]
