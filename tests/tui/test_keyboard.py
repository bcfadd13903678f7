"""The keyboard rule of every screen, driven with Textual's pilot on the small knowledge base.

Nothing is chosen until the user chooses: a digit (or an arrow) chooses, Enter confirms, and
Enter with nothing typed or chosen records nothing and says what to do. The chosen line is
marked ▶, so it shows without colour. The diagnosis page scrolls with the keyboard from the
moment it opens, and its steps are chosen by number and copied command by command.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from advisor.tui.screens.change_answer import ChangeAnswerScreen
from advisor.tui.screens.consent import ConsentScreen
from advisor.tui.screens.diagnosis import DiagnosisScreen, commands_in, step_content
from advisor.tui.widgets.choice_list import MARK, ChoiceList
from advisor.tui.widgets.question_card import NOTHING_CHOSEN, CardMode
from tests.fake_mac import Reply
from tests.tui.conftest import SIP_DISABLED, current_question, fake_csrutil, skip_description, started, wait_until
from tests.tui.test_flows import KEYS, SIZE, answer_until_diagnosis


def _rendered(choice_list: ChoiceList, index: int) -> str:
    """One choice as the terminal shows it, without colour."""
    out = io.StringIO()
    Console(file=out, width=60, no_color=True, color_system=None).print(choice_list.get_option_at_index(index).prompt)
    return out.getvalue()


async def test_enter_on_an_untouched_question_records_nothing_and_says_what_to_do(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        first = current_question(app)
        card = app.conversation.card
        assert card.choice_list.chosen is None  # nothing pre-selected
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert current_question(app) == first
        assert app.conversation.dialogue.inv.session.answers == {}
        assert card.hint == NOTHING_CHOSEN["question"]


async def test_a_digit_chooses_and_enter_confirms_without_chaining(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        first = current_question(app)
        card = app.conversation.card
        await pilot.press("2")
        await pilot.pause(0.1)
        assert current_question(app) == first and app.conversation.dialogue.inv.session.answers == {}  # chosen, not answered
        chosen = card.choice_list.chosen
        assert chosen is not None and chosen.key == "2"
        assert card.hint == f"chosen: {chosen.label} · Enter: answer"
        await pilot.press("1")  # changing one's mind is free
        assert card.choice_list.chosen.key == "1"
        await pilot.press("enter", "enter")  # a second Enter must not answer the next question
        await wait_until(pilot, lambda: current_question(app) != first, "the next question")
        await pilot.pause(0.2)
        session = app.conversation.dialogue.inv.session
        assert len(session.answers) == 1
        assert card.choice_list.chosen is None  # the next question starts with nothing chosen


async def test_no_choice_with_that_number_is_said(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        await pilot.press("7", "enter")
        await pilot.pause(0.1)
        assert app.conversation.dialogue.inv.session.answers == {}
        assert app.conversation.card.hint == NOTHING_CHOSEN["question"]


async def test_the_chosen_line_is_marked_without_colour(make_app, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app()
    assert app.no_color
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        choices = app.conversation.card.choice_list
        assert all(MARK not in _rendered(choices, i) for i in range(choices.option_count))
        await pilot.press("0")
        marked = [i for i in range(choices.option_count) if MARK in _rendered(choices, i)]
        assert marked == [choices.option_count - 1]  # "0 I don't know", the last line
        assert _rendered(choices, marked[0]).startswith(f"{MARK} 0 I don't know")


async def test_arrows_choose_from_nothing_and_typing_then_erasing_chooses_nothing(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        choices = app.conversation.card.choice_list
        await pilot.press("up")  # from nothing: the last choice
        assert choices.chosen.key == "0"
        await pilot.press("down")  # wraps to the first
        assert choices.chosen.key == "1"
        choices.clear_choice()
        await pilot.press(*"dunno")
        assert choices.chosen.key == "0"  # follows the typed text
        await pilot.press(*["backspace"] * 5)
        assert choices.chosen is None  # erased: nothing chosen again
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert app.conversation.dialogue.inv.session.answers == {}


async def test_the_description_screen_follows_the_same_rule(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        card = app.conversation.card
        await pilot.press("enter")  # nothing typed, nothing chosen
        await pilot.pause(0.1)
        assert card.mode is CardMode.DESCRIBE and not app.conversation.dialogue.state.described
        assert card.hint == NOTHING_CHOSEN["describe"]
        await pilot.press("0")  # 0 chooses "no description"...
        assert card.choice_list.chosen is not None and card.answer_input.value == ""
        await pilot.press(*"10 macs fail")  # ...but typing replaces the choice (digits are text here)
        assert card.choice_list.chosen is None and card.answer_input.value == "10 macs fail"
        await pilot.press("enter")
        await wait_until(pilot, lambda: card.mode is CardMode.QUESTION, "the first question")
        assert app.conversation.dialogue.inv.describe == "10 macs fail"


async def test_zero_then_enter_skips_the_description(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("0", "enter")
        await wait_until(pilot, lambda: current_question(app) is not None, "the first question")
        assert app.conversation.dialogue.inv.describe == ""
        assert "you: (no description)" in app.conversation.log_view.texts()


async def test_the_menu_after_a_diagnosis_has_nothing_chosen(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        await answer_until_diagnosis(pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.conversation, "the conversation")
        card = app.conversation.card
        assert card.mode is CardMode.MENU and card.choice_list.chosen is None
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert app.screen is app.conversation and card.hint == NOTHING_CHOSEN["menu"]
        await pilot.press("2", "enter")  # "Show the diagnosis again"
        await wait_until(pilot, lambda: isinstance(app.screen, DiagnosisScreen), "the diagnosis again")


async def test_enter_alone_runs_no_probe(make_app, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    mac = fake_csrutil(tmp_path, monkeypatch, Reply(SIP_DISABLED))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        await wait_until(pilot, lambda: isinstance(app.screen, ConsentScreen), "the consent dialog")
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert isinstance(app.screen, ConsentScreen) and mac.calls() == []
        assert "Nothing chosen yet" in str(app.screen.query_one("#dialog-hint").content)
        await pilot.press("n")
        await wait_until(pilot, lambda: current_question(app) == "sip", "the question")


async def test_enter_alone_reopens_no_earlier_answer(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        first = current_question(app)
        await pilot.press(KEYS[first], "enter")
        await wait_until(pilot, lambda: current_question(app) != first, "the second question")
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, ChangeAnswerScreen), "the answers list")
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, ChangeAnswerScreen)
        assert app.conversation.dialogue.kb.questions[first].fact in app.conversation.dialogue.inv.session.answers


async def test_the_diagnosis_page_scrolls_by_keyboard_at_once_to_the_references(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await skip_description(pilot)
        screen = await answer_until_diagnosis(pilot)
        await pilot.pause()
        body = screen.body
        assert app.focused is body  # the page, not a widget inside it
        assert not [w for w in body.query("*") if w.is_scrollable and w is not body and w.max_scroll_y]  # one scroll area
        await pilot.press("end")
        await pilot.pause()
        references = screen.query_one("#dx-references")
        assert body.scroll_y == body.max_scroll_y
        assert references.region.bottom <= body.region.bottom  # the last reference is on screen
        await pilot.press("home")
        await pilot.pause()
        assert body.scroll_y == 0


async def test_a_step_is_chosen_by_number_and_its_commands_copied_one_by_one(make_app) -> None:  # type: ignore[no-untyped-def]
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await skip_description(pilot)
        screen = await answer_until_diagnosis(pilot)
        copied: list[str] = []
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        await pilot.press("c")  # nothing chosen: nothing copied
        assert copied == []
        await pilot.press("1")
        assert screen.chosen_step == 0 and screen.query_one("#step-1").has_class("-chosen")
        commands = commands_in(screen.steps[0])
        for _ in range(len(commands) + 1):
            await pilot.press("c")
        assert copied == [*commands, commands[0]]  # in turn, then round again


def test_fix_steps_render_their_code_without_backticks_and_copy_commands_first() -> None:
    step = "Check with `csrutil status`; bump `CFBundleVersion`, then `codesign --verify --deep --strict -vvvv MyApp.app`."
    assert commands_in(step) == ["csrutil status", "codesign --verify --deep --strict -vvvv MyApp.app", "CFBundleVersion"]
    out = io.StringIO()
    Console(file=out, width=100, no_color=True, color_system=None).print(step_content(3, step))
    text = out.getvalue()
    assert "`" not in text
    assert "   3. Check with csrutil status; bump CFBundleVersion, then\n" in text
    assert "\n      codesign --verify --deep --strict -vvvv MyApp.app" in text  # a long command on a line of its own
    odd = "A lone ` backtick stays as written"
    assert commands_in(odd) == [odd]
    out = io.StringIO()
    Console(file=out, width=100, no_color=True, color_system=None).print(step_content(1, odd))
    assert "A lone ` backtick stays as written" in out.getvalue()


async def test_a_stray_key_in_the_export_dialog_edits_the_path_never_replaces_it(make_app) -> None:  # type: ignore[no-untyped-def]
    from advisor.tui.screens.export import ExportScreen

    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await skip_description(pilot)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen), "the export dialog")
        field = app.screen.query_one("#export-path")
        default = field.value
        await pilot.press("2")
        assert field.value == default + "2"
