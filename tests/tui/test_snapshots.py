"""Snapshots of the main screens at 80x24 (and one wide), on the small knowledge base.

Update after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at the SVGs (tests/tui/__snapshots__/) before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.tui.screens.consent import ConsentScreen
from advisor.tui.screens.diagnosis import DiagnosisScreen
from advisor.tui.screens.explain import ExplainScreen
from advisor.tui.screens.export import ExportScreen
from tests.fake_mac import Reply
from tests.tui.conftest import (
    SIP_DISABLED,
    current_question,
    fake_csrutil,
    skip_description,
    started,
    wait_until,
)

KEYS = {"sip": "1", "platform": "1", "packaging": "1", "distribution": "2"}


def steady(prepare):  # type: ignore[no-untyped-def]
    """Run `prepare`, then stop every text cursor blinking, so the picture does not depend on
    when within the blink it was taken."""
    from textual.widgets import Input

    async def run(pilot) -> None:  # type: ignore[no-untyped-def]
        await prepare(pilot)
        for screen in pilot.app.screen_stack:
            for field in screen.query(Input):
                field.cursor_blink = False
        await pilot.pause()

    return run


async def _to_diagnosis(pilot) -> None:  # type: ignore[no-untyped-def]
    await skip_description(pilot)
    app = pilot.app
    while not isinstance(app.screen, DiagnosisScreen):
        question = current_question(app)
        await pilot.press(KEYS[question], "enter")
        await wait_until(pilot, lambda q=question: current_question(app) != q, "the next step")
    await pilot.pause()


def test_first_prompt(snap_compare, make_app) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), run_before=steady(started))


def test_first_question(snap_compare, make_app) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), run_before=steady(skip_description))


def test_free_text_understood(snap_compare, make_app) -> None:  # type: ignore[no-untyped-def]
    async def typed(pilot) -> None:  # type: ignore[no-untyped-def]
        await skip_description(pilot)
        await pilot.press(*"on")

    assert snap_compare(make_app(), run_before=steady(typed))


def test_why_dialog(snap_compare, make_app) -> None:  # type: ignore[no-untyped-def]
    async def why(pilot) -> None:  # type: ignore[no-untyped-def]
        await skip_description(pilot)
        await pilot.press("f1")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ExplainScreen), "why")

    assert snap_compare(make_app(), run_before=steady(why))


def test_consent_dialog(snap_compare, make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    fake_csrutil(tmp_path, monkeypatch, Reply(SIP_DISABLED))

    async def consent(pilot) -> None:  # type: ignore[no-untyped-def]
        await skip_description(pilot)
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ConsentScreen), "consent")

    assert snap_compare(make_app(), run_before=steady(consent))


def test_diagnosis(snap_compare, make_app) -> None:  # type: ignore[no-untyped-def]
    assert snap_compare(make_app(), run_before=steady(_to_diagnosis))


def test_conversation_after_diagnosis(snap_compare, make_app) -> None:  # type: ignore[no-untyped-def]
    async def back(pilot) -> None:  # type: ignore[no-untyped-def]
        await _to_diagnosis(pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: pilot.app.screen is pilot.app.conversation, "conversation")

    assert snap_compare(make_app(), run_before=steady(back))


def test_export_dialog(snap_compare, make_app) -> None:  # type: ignore[no-untyped-def]
    async def export(pilot) -> None:  # type: ignore[no-untyped-def]
        await _to_diagnosis(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, ExportScreen), "export")
        pilot.app.screen.query_one("#export-path").value = "/reports/advisor-report.md"
        await pilot.pause()

    assert snap_compare(make_app(), run_before=steady(export))


def test_a_choice_made(snap_compare, make_app) -> None:  # type: ignore[no-untyped-def]
    async def chosen(pilot) -> None:  # type: ignore[no-untyped-def]
        await skip_description(pilot)
        await pilot.press("2")
        await pilot.pause()

    assert snap_compare(make_app(), run_before=steady(chosen))


def test_enter_with_nothing_chosen(snap_compare, make_app) -> None:  # type: ignore[no-untyped-def]
    async def nudged(pilot) -> None:  # type: ignore[no-untyped-def]
        await skip_description(pilot)
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(make_app(), run_before=steady(nudged))


def test_diagnosis_step_chosen_at_the_references(snap_compare, make_app) -> None:  # type: ignore[no-untyped-def]
    async def at_the_end(pilot) -> None:  # type: ignore[no-untyped-def]
        await _to_diagnosis(pilot)
        await pilot.press("1", "end")
        await pilot.pause()

    assert snap_compare(make_app(), run_before=steady(at_the_end))


def test_light_theme_wide(snap_compare, make_app) -> None:  # type: ignore[no-untyped-def]
    async def light(pilot) -> None:  # type: ignore[no-untyped-def]
        await skip_description(pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()

    assert snap_compare(make_app(), run_before=steady(light), terminal_size=(120, 32))
