"""The runner through the real subprocess path, against fake tools that misbehave."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
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


# ---- timeouts that hold whatever the tool's helpers do (issue 12, #3) -------------------------
def _tool(folder: Path, name: str, body: str) -> str:
    """A Python tool in `folder` (on PATH) running `body`; escaped helpers' pids go to folder/pids."""
    folder.mkdir(exist_ok=True)
    (folder / "pids").mkdir(exist_ok=True)
    path = folder / name
    path.write_text(f"#!{sys.executable}\nimport os, sys, time\nPIDS = {str(folder / 'pids')!r}\n{body}\n")
    path.chmod(0o755)
    return name


ESCAPE = """
pid = os.fork()
if pid == 0:
    os.setsid()  # its own session and group: killing the tool's group cannot reach it
    time.sleep(60)  # ...and it keeps the tool's stdout and stderr open all that time
    os._exit(0)
open(os.path.join(PIDS, str(pid)), "w").close()
"""


@pytest.fixture
def tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "tools"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    yield folder
    for entry in (folder / "pids").glob("*") if (folder / "pids").exists() else ():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(entry.name), signal.SIGKILL)


def test_a_helper_that_escaped_the_group_cannot_hold_a_finished_tool(tools: Path) -> None:
    """`setsid sleep 60 &` then exit: the tool's answer comes back at once, not after 60 s."""
    name = _tool(tools, "escapes", ESCAPE + "print('System Integrity Protection status: enabled.')")
    result = run_command([name], 2)
    assert result.exit_code == 0 and not result.timed_out and result.error is None
    assert result.stdout == "System Integrity Protection status: enabled.\n"
    assert result.duration_ms < 10_000  # a ceiling far below the helper's 60 s, not a benchmark


def test_a_hung_tool_with_an_escaped_helper_ends_at_its_timeout(tools: Path) -> None:
    name = _tool(tools, "escapes-and-hangs", ESCAPE + "print('partial', flush=True)\ntime.sleep(3600)")
    result = run_command([name], 1)
    assert result.timed_out and result.exit_code is None
    assert result.stdout == "partial\n"
    assert result.duration_ms < 10_000


def test_a_tool_that_closes_its_output_and_stays_is_timed_out(tools: Path) -> None:
    name = _tool(tools, "daemon", "os.close(1)\nos.close(2)\ntime.sleep(3600)")
    result = run_command([name], 0.5)
    assert result.timed_out and result.exit_code is None
    assert result.duration_ms < 10_000


def test_endless_output_stops_at_the_deadline(tools: Path) -> None:
    name = _tool(tools, "endless", "while True:\n    sys.stdout.write('y' * 65536)")
    result = run_command([name], 0.5, max_bytes=1024)
    assert result.timed_out and result.truncated
    assert len(result.stdout) == 1024
    assert result.duration_ms < 10_000


@pytest.mark.parametrize("timeout", [float("nan"), -1.0, 0.0])
def test_a_meaningless_timeout_means_no_time_not_forever(tools: Path, timeout: float) -> None:
    name = _tool(tools, "sleeper", "time.sleep(3600)")
    result = run_command([name], timeout)
    assert result.timed_out and result.duration_ms < 10_000


def test_the_session_budget_cuts_probes_short_and_skips_the_rest(tools: Path) -> None:
    """Six hung probes, two workers, 1 s each but a 1.7 s budget: the first two time out on
    their own (at 1 s), the next two are cut short by the budget (at 1.7 s), the last two never
    start."""
    from advisor.knowledge.model import Location, Probe
    from advisor.probes import PlannedProbe, ProbeContext
    from advisor.probes.execution import ProbeBudget, run_probes

    context = ProbeContext()
    planned = []
    for i in range(6):
        name = _tool(tools, f"hung{i}", "time.sleep(3600)")
        probe = Probe(f"hung-{i}", name, (name,), "log_show", (), "test", 1.0, Location("test", 1))
        planned.append(PlannedProbe(probe, [name], context))
    runs = run_probes(planned, max_workers=2, budget=ProbeBudget.starting_now(1.7))
    assert [r.probe_id for r in runs] == [f"hung-{i}" for i in range(6)]
    assert [(r.timed_out, r.cut_short, r.not_run) for r in runs] == [
        (True, False, False), (True, False, False), (True, True, False), (True, True, False),
        (False, False, True), (False, False, True),
    ]
    assert "budget of 1.7 s" in (runs[2].error or "") and "not run" in (runs[5].error or "")
    assert runs[5].to_json()["not_run"] is True and runs[5].exit_code is None
