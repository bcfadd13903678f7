"""The runner through the real subprocess path, against fake tools that misbehave."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from advisor.probes.runner import DEFAULT_MAX_BYTES, run_command
from tests.fake_mac import FakeMac, Reply, Scenario, always, broken


def _process_gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(") ", 1)[1].startswith("Z")  # a zombie has stopped running
    except FileNotFoundError:
        return True
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False


def _wait_until_gone(pid: int, limit: float = 10.0) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if _process_gone(pid):
            return True
        time.sleep(0.05)
    return _process_gone(pid)


@pytest.fixture
def mac(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeMac:
    scenario = Scenario(
        {
            "hangs": broken("hang"),
            "forks": broken("hang-with-child"),
            "fails": broken("nonzero", "fails"),
            "garbage": broken("garbage"),
            "floods": broken("megabytes"),
            "envtool": always(Reply(echo_env=["LC_ALL", "PATH"])),
            "argvtool": always(Reply(echo_argv=True)),
            "lines": always(Reply("".join(f"path: /a/{i}\nnoise {i}\n" for i in range(1000)))),
        }
    )
    fake = FakeMac(tmp_path / "mac", scenario)
    fake.activate(monkeypatch)
    return fake


def test_hung_tool_is_killed_at_its_timeout(mac: FakeMac) -> None:
    result = run_command(["hangs"], 0.5)
    assert result.timed_out
    assert result.exit_code is None
    assert result.error is not None and "timed out after 0.5 s" in result.error
    assert result.stdout == "partial output before hanging\n"  # what it printed before is kept
    assert result.duration_ms >= 500


def test_timeout_kills_the_whole_process_group(mac: FakeMac) -> None:
    result = run_command(["forks"], 0.5)
    assert result.timed_out
    child = mac.child_pid("forks")
    assert child is not None
    assert _wait_until_gone(child), f"child {child} of the hung tool survived the timeout"


def test_nonzero_exit_is_reported_not_raised(mac: FakeMac) -> None:
    result = run_command(["fails"], 5)
    assert result.exit_code == 1
    assert not result.timed_out and result.error is None
    assert "operation not permitted" in result.stderr


def test_garbage_bytes_are_decoded_without_failing(mac: FakeMac) -> None:
    result = run_command(["garbage"], 5)
    assert result.exit_code == 0
    assert len(result.stdout) > 100_000
    assert "\ufffd" in result.stdout  # invalid UTF-8 replaced, not an exception


def test_megabytes_of_output_are_capped(mac: FakeMac) -> None:
    result = run_command(["floods"], 20)
    assert result.exit_code == 0  # the tool was drained to its end, not blocked on a full pipe
    assert result.truncated
    assert len(result.stdout.encode()) == DEFAULT_MAX_BYTES
    assert result.stdout.startswith("x" * 1023 + "\n")


def test_tail_mode_keeps_the_end(mac: FakeMac) -> None:
    result = run_command(["lines"], 5, max_bytes=40, keep_tail=True)
    assert result.truncated
    assert result.stdout.endswith("noise 999\n")
    assert len(result.stdout.encode()) == 40


def test_line_filter_keeps_only_matching_lines(mac: FakeMac) -> None:
    result = run_command(["lines"], 5, stdout_filter=lambda line: line.startswith("path:"))
    lines = result.stdout.splitlines()
    assert len(lines) == 1000
    assert all(line.startswith("path: /a/") for line in lines)
    assert not result.truncated


def test_missing_tool_is_an_error_not_an_exception(mac: FakeMac) -> None:
    result = run_command(["no-such-tool-anywhere"], 5)
    assert result.exit_code is None
    assert result.error == "command not found: no-such-tool-anywhere"


def test_commands_run_in_the_c_locale(mac: FakeMac, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    result = run_command(["envtool"], 5)
    assert "LC_ALL=C\n" in result.stdout
    assert f"PATH={mac.path}\n" in result.stdout  # the caller's PATH is kept (fake tools found)


def test_arguments_reach_the_tool_verbatim_without_a_shell(mac: FakeMac, tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    argv = ["argvtool", "/Applications/My App.app", f"$(touch {marker})", "; rm -rf /", "'quoted'", "*"]
    result = run_command(argv, 5)
    assert json.loads(result.stdout.splitlines()[0]) == argv[1:]
    assert not marker.exists()
    assert mac.calls()[-1].args == argv[1:]
