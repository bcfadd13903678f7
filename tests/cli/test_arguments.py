"""Argument values refused in one line (issue 12, items 4, 5, 8 and 16): probe timeouts out of
range, multi-line answers, a closed standard input, and inputs too large to read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.hostile.io_support import assert_clean, run_advisor

NO_TOOLS = {"PATH": "/nonexistent"}


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "1e309", "0", "-1", "1e-9", "0.01", "601", "ten", ""])
@pytest.mark.parametrize("command", ["diagnose", "collect"])
def test_probe_timeout_outside_a_sane_range_is_refused(tmp_path: Path, command: str, value: str) -> None:
    extra = ["--output", str(tmp_path / "t.yaml")] if command == "collect" else ["--probe", "yes"]
    r = run_advisor(command, "--probe-timeout", value, *extra, cwd=tmp_path, env=NO_TOOLS)
    assert_clean(r, 2)
    assert "--probe-timeout" in r.stderr
    assert not (tmp_path / "t.yaml").exists()


@pytest.mark.parametrize("value", ["0.1", "2", "2.5", "600"])
def test_probe_timeout_within_the_range_is_accepted(tmp_path: Path, value: str) -> None:
    r = run_advisor("diagnose", "--probe", "yes", "--probe-timeout", value, "--answer", "platform=macos", cwd=tmp_path, env=NO_TOOLS)
    assert_clean(r, 0, 1)


@pytest.mark.parametrize(
    "answer",
    ["platform=mac\nos", "platform=macos\n", "plat\nform=macos", "platform=macos\r", "platform=mac\x1b[31mos", "platform=\u2028macos", "a\nb"],
)
def test_a_multi_line_answer_is_a_one_line_error(tmp_path: Path, answer: str) -> None:
    r = run_advisor("diagnose", "--answer", answer, cwd=tmp_path)
    assert_clean(r, 2)
    assert "--answer" in r.stderr


def test_a_multi_line_value_in_an_answers_file_is_a_one_line_error(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text('platform: "mac\\nos"\ndistribution: "a\\u001b[0m"\n')
    r = run_advisor("diagnose", "--answers", str(answers), cwd=tmp_path)
    assert_clean(r, 2)
    assert f"{answers}:1:" in r.stderr


@pytest.mark.parametrize(
    "args",
    [["triage", "-"], ["triage"], ["diagnose", "--log", "-"], ["collect", "--log", "-", "--output", "t.yaml"]],
)
def test_reading_a_closed_standard_input_is_a_one_line_error(tmp_path: Path, args: list[str]) -> None:
    r = run_advisor(*args, cwd=tmp_path, close_stdin=True, env=NO_TOOLS)
    assert_clean(r, 2)
    assert "standard input is closed" in r.stderr
    assert not (tmp_path / "t.yaml").exists()


@pytest.mark.parametrize(
    "args, cap",
    [
        (["diagnose", "--answers", "/dev/zero"], "1 MB"),
        (["diagnose", "--from", "/dev/zero"], "64 MB"),
        (["report", "/dev/zero"], "64 MB"),
        (["replay", "/dev/zero"], "64 MB"),
    ],
)
def test_endless_inputs_are_refused_after_reading_at_most_the_cap(tmp_path: Path, args: list[str], cap: str) -> None:
    """Before the fix these grew past 20 GB; under a 1 GB address-space limit they now end in
    one line stating the cap."""
    r = run_advisor(*args, cwd=tmp_path)
    assert_clean(r, 2)
    assert f"larger than {cap}" in (r.stderr + r.out)


def test_a_huge_sparse_answers_file_is_refused_by_its_size_without_reading_it(tmp_path: Path) -> None:
    sparse = tmp_path / "answers.yaml"
    with sparse.open("wb") as fh:
        fh.truncate(2 << 30)  # 2 GB of holes: before the fix, 6 GB of memory before the refusal
    r = run_advisor("diagnose", "--answers", str(sparse), cwd=tmp_path, memory=256 << 20)
    assert_clean(r, 2)
    assert "larger than 1 MB" in r.stderr and "(2048 MB)" in r.stderr


def test_an_endless_log_stays_bounded(tmp_path: Path) -> None:
    r = run_advisor("diagnose", "--log", "/dev/zero", cwd=tmp_path)
    assert_clean(r, 2)
    assert "binary data" in r.stderr


def test_a_fifo_input_is_read(tmp_path: Path) -> None:
    """A pipe given as the answers file is streamed through the same cap."""
    fifo = tmp_path / "answers"
    os.mkfifo(fifo)
    import threading

    writer = threading.Thread(target=lambda: fifo.write_text("platform: macos\npackaging: sysex\napp_location: elsewhere\n"))
    writer.start()
    r = run_advisor("diagnose", "--answers", str(fifo), "--format", "json", cwd=tmp_path)
    writer.join(30)
    assert_clean(r, 0)
    assert b"sysex-not-in-applications" in r.stdout
