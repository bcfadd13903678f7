"""Hostile probe tools: fake macOS tools on PATH that hang, leave children holding their pipes
(in their group, or escaped with setsid), print megabytes or garbage, die by signals, stop
themselves or cannot be executed, while `advisor diagnose --probe yes` runs them.

Each case makes every probed tool misbehave the same way except `csrutil`, which answers
normally: its fact must survive (nothing lost), every misbehaving probe must be reported with
what went wrong, and the run must end within a ceiling far below the tools' own hang (3,600 s,
60 s for a helper escaped with setsid): `--probe-timeout 1` and the session's probe budget
hold whatever the tools do. Each run is a subprocess under a memory cap.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.fake_mac import PROVIDER_ID, ProviderPlist, make_plist_app, outputs
from tests.hostile.runtime_harness import advisor_env, assert_well_behaved, run_advisor

TOOLS = ("sw_vers", "uname", "system_profiler", "systemextensionsctl", "pluginkit", "mdfind", "lsregister", "xattr",
         "codesign", "security", "spctl", "syspolicy_check", "scutil", "log")
CEILING = 25.0  # seconds: every hang below lasts 60 s or more


def _python_stub(body: str) -> str:
    return f"#!{sys.executable}\nimport os, signal, subprocess, sys, time\n{body}\n"


def _sh_stub(body: str) -> str:
    return f"#!/bin/sh\n{body}\n"


ESCAPED_HELPER = """
pid = os.fork()
if pid == 0:
    os.setsid()  # out of the tool's process group: a group kill cannot reach it
    time.sleep(60)
    os._exit(0)
with open(os.path.join(os.environ["HOSTILE_PIDS"], str(pid)), "w"):
    pass
"""


@dataclass(frozen=True)
class Stub:
    script: str
    outcome: str  # what advisor must report for these probes: ok | timeout | signal | error | truncated | absent
    mode: int = 0o755
    csrutil_too: bool = False  # csrutil misbehaves too (then its fact cannot be expected)


STUBS: dict[str, Stub] = {
    "hangs silently": Stub(_sh_stub("exec /bin/sleep 3600"), "timeout"),
    "hangs after partial output": Stub(_sh_stub("echo partial; exec /bin/sleep 3600"), "timeout"),
    "hangs with a child in its group": Stub(_sh_stub("/bin/sleep 3600 & exec /bin/sleep 3600"), "timeout"),
    "exits, a child in its group holds the pipe": Stub(_sh_stub("/bin/sleep 3600 &\necho done"), "ok"),
    "exits, an escaped helper holds the pipe": Stub(_python_stub(ESCAPED_HELPER + "print('done')"), "ok"),
    "hangs, an escaped helper holds the pipe": Stub(_python_stub(ESCAPED_HELPER + "time.sleep(3600)"), "timeout"),
    "closes its output and keeps running": Stub(_sh_stub("exec >&- 2>&-; exec /bin/sleep 3600"), "timeout"),
    "ignores SIGTERM and SIGINT": Stub(_sh_stub("trap '' TERM INT HUP; exec /bin/sleep 3600"), "timeout"),
    "stops itself (SIGSTOP)": Stub(_sh_stub("echo before; kill -STOP $$; echo after"), "timeout"),
    # (over the 4 MB cap per stream)
    "6 MB on stdout": Stub(_sh_stub("/usr/bin/head -c 6291456 /dev/zero | /usr/bin/tr '\\0' 'x'"), "truncated"),
    "6 MB on stderr, then exit 1": Stub(_sh_stub("/usr/bin/head -c 6291456 /dev/zero | /usr/bin/tr '\\0' 'e' >&2; exit 1"), "truncated"),
    "6 MB in one line, no newline": Stub(_sh_stub("/usr/bin/head -c 6291456 /dev/zero | /usr/bin/tr '\\0' 'L'"), "truncated"),
    "endless output": Stub(_sh_stub("exec /usr/bin/tr '\\0' 'y' < /dev/zero"), "timeout"),
    "slow drip, never ends": Stub(_sh_stub("while :; do printf .; /bin/sleep 0.05; done"), "timeout"),
    "1 MB of random bytes": Stub(_sh_stub("/usr/bin/head -c 1048576 /dev/urandom"), "ok"),
    "NULs, ANSI escapes and bidi controls": Stub(_sh_stub("printf 'a\\000b\\033[31mred\\033[0m\\033]0;title\\007 \\342\\200\\256rtl\\n'"), "ok"),
    "UTF-16 output": Stub(_sh_stub("printf '\\377\\376P\\000V\\000:\\000 \\0001\\0005\\000\\n\\000'"), "ok"),
    "no output, exit 0": Stub(_sh_stub("exit 0"), "ok"),
    "exit 1 with a megabyte of stderr lines": Stub(_sh_stub("i=0; while [ $i -lt 20000 ]; do echo \"error line $i of a long complaint from the tool\" >&2; i=$((i+1)); done; exit 1"), "error"),
    "exit 255": Stub(_sh_stub("exit 255"), "error"),
    "killed by SIGKILL": Stub(_sh_stub("echo partial; kill -KILL $$"), "signal"),
    "killed by SIGSEGV": Stub(_sh_stub("kill -SEGV $$"), "signal"),
    "killed by SIGTERM": Stub(_sh_stub("kill -TERM $$"), "signal"),
    "killed by SIGABRT": Stub(_sh_stub("kill -ABRT $$"), "signal"),
    "forks 20 children that hang, then exits": Stub(_sh_stub("for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do /bin/sleep 3600 & done\necho done"), "ok"),
    "not executable": Stub(_sh_stub("echo never"), "absent", mode=0o644),
    "bad interpreter": Stub("#!/nonexistent/interpreter\necho never\n", "error"),
    "binary junk marked executable": Stub("\x7fELF\x02\x01\x01 junk that is not a program", "error"),
    "slow but in time (0.3 s)": Stub(_sh_stub("/bin/sleep 0.3; echo late"), "ok"),
    "every tool hangs, csrutil too": Stub(_sh_stub("exec /bin/sleep 3600"), "timeout", csrutil_too=True),
}


@pytest.fixture
def pids(tmp_path: Path) -> Iterator[Path]:
    """Where stubs record helpers they let escape (setsid), killed after the test."""
    folder = tmp_path / "escaped"
    folder.mkdir()
    yield folder
    for entry in folder.iterdir():
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.kill(int(entry.name), signal.SIGKILL)


def _fake_mac(root: Path, stub: Stub) -> Path:
    bin_dir = root / "bin"
    bin_dir.mkdir(parents=True)
    for tool in TOOLS:
        path = bin_dir / tool
        path.write_text(stub.script, encoding="utf-8", errors="surrogateescape")
        path.chmod(stub.mode)
    csrutil = bin_dir / "csrutil"
    healthy = _sh_stub(f"printf '%s\\n' '{outputs.csrutil_status('enabled').strip()}'")
    csrutil.write_text(stub.script if stub.csrutil_too else healthy)
    csrutil.chmod(stub.mode if stub.csrutil_too else 0o755)
    return bin_dir


def _probes_of(result: dict) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for probe in result["probes"]:
        out.setdefault(Path(probe["argv"][0]).name, []).append(probe)
    return out


def _check(probe: dict, outcome: str) -> None:
    what = json.dumps({k: probe.get(k) for k in ("argv", "exit_code", "timed_out", "error", "truncated", "cut_short", "not_run")})[:400]
    if probe.get("not_run"):  # the session's budget ran out before its turn: said so, not silent
        assert "budget" in (probe.get("error") or ""), what
        return
    if outcome == "ok":
        assert probe["exit_code"] == 0 and not probe["timed_out"], what
    elif outcome == "timeout":
        assert probe["timed_out"] and probe["exit_code"] is None and probe["error"], what
    elif outcome == "signal":
        assert probe["exit_code"] is None and "killed by signal" in (probe["error"] or ""), what
    elif outcome == "error":
        assert probe["error"], what
    elif outcome == "truncated":
        assert probe["truncated"] or probe["timed_out"], what


@pytest.mark.parametrize("name", list(STUBS))
def test_probes_survive_the_tool(name: str, tmp_path: Path, pids: Path) -> None:
    stub = STUBS[name]
    bin_dir = _fake_mac(tmp_path / "mac", stub)
    env = advisor_env(str(bin_dir), {"HOSTILE_PIDS": str(pids), "ADVISOR_APPLICATIONS_DIR": str(tmp_path / "Applications")})
    outcome = run_advisor(["diagnose", "--probe", "yes", "--probe-timeout", "1", "--format", "json"], env=env, ceiling=CEILING)
    assert_well_behaved(outcome, {0, 1})
    result = json.loads(outcome.stdout)
    probes = _probes_of(result)
    if not stub.csrutil_too:
        assert result["facts"]["sip"]["value"] == "enabled", "csrutil's answer was lost"
    misbehaving = [p for tool, runs in probes.items() if tool != "csrutil" or stub.csrutil_too for p in runs]
    if stub.outcome == "absent":
        assert not misbehaving, "a tool that cannot be executed is not available"
        return
    assert misbehaving, "no probe of a misbehaving tool was reported"
    for probe in misbehaving:
        _check(probe, stub.outcome)
    if stub.outcome in ("timeout", "truncated"):
        assert all(len(p.get("stdout") or "") <= 64 * 1024 + 16 for p in result["probes"])  # reports stay bounded


def _provider_with_newline(tmp_path: Path) -> Path:
    apps = tmp_path / "Applications"
    made = make_plist_app(
        apps / "Tunnel.app",
        "com.example.tunnel-app",
        [ProviderPlist("Tun\nnel", PROVIDER_ID), ProviderPlist("Good", "com.example.tunnel-app.good", kind="sysex")],
    )
    return made["app"]


@pytest.mark.parametrize("name", ["hangs silently", "exits, an escaped helper holds the pipe", "killed by SIGSEGV", "6 MB on stdout"])
def test_probes_of_an_app_with_a_line_break_in_a_provider_name(name: str, tmp_path: Path, pids: Path) -> None:
    """#14: the provider whose folder name holds a newline is skipped with a note; the rest of
    the probes run (a healthy csrutil still answers) and misbehaving tools are contained."""
    app = _provider_with_newline(tmp_path)
    bin_dir = _fake_mac(tmp_path / "mac", STUBS[name])
    env = advisor_env(str(bin_dir), {"HOSTILE_PIDS": str(pids), "ADVISOR_APPLICATIONS_DIR": str(tmp_path / "Applications")})
    outcome = run_advisor(["diagnose", "--app", str(app), "--probe", "yes", "--probe-timeout", "1", "--format", "json"], env=env, ceiling=CEILING)
    assert_well_behaved(outcome, {0, 1})
    result = json.loads(outcome.stdout)
    assert result["facts"]["sip"]["value"] == "enabled"
    assert any("Tun\\nnel.appex" in note and "not probed" in note for note in result["notes"]), result["notes"]
    assert not any("Tun\nnel" in arg for p in result["probes"] for arg in p["argv"])
    assert any("Good.systemextension" in arg for p in result["probes"] for arg in p["argv"]), "the other provider was not probed"


def test_many_hung_tools_stop_at_the_session_budget(tmp_path: Path, pids: Path) -> None:
    """#3: with every tool hung and an app to look at (about 20 probes), the session's probe
    budget (3 x --probe-timeout) ends the probing and the notes say which probes it cut."""
    app = _provider_with_newline(tmp_path)
    bin_dir = _fake_mac(tmp_path / "mac", STUBS["hangs silently"])
    env = advisor_env(str(bin_dir), {"HOSTILE_PIDS": str(pids), "ADVISOR_APPLICATIONS_DIR": str(tmp_path / "Applications")})
    outcome = run_advisor(["diagnose", "--app", str(app), "--probe", "yes", "--probe-timeout", "2", "--format", "json"], env=env, ceiling=CEILING)
    assert_well_behaved(outcome, {0, 1})
    result = json.loads(outcome.stdout)
    budget_notes = [n for n in result["notes"] if "budget of 6 s" in n]
    assert len(budget_notes) == 1, result["notes"]
    assert any(p.get("not_run") or p.get("cut_short") for p in result["probes"])
    assert result["facts"]["sip"]["value"] == "enabled"


def test_a_directory_named_like_a_tool_is_not_a_tool(tmp_path: Path, pids: Path) -> None:
    bin_dir = _fake_mac(tmp_path / "mac", STUBS["no output, exit 0"])
    for tool in TOOLS:
        (bin_dir / tool).unlink()
        (bin_dir / tool).mkdir()
        (bin_dir / tool).chmod(stat.S_IRWXU)
    env = advisor_env(str(bin_dir), {"HOSTILE_PIDS": str(pids)})
    outcome = run_advisor(["diagnose", "--probe", "yes", "--probe-timeout", "1", "--format", "json"], env=env, ceiling=CEILING)
    assert_well_behaved(outcome, {0, 1})
    result = json.loads(outcome.stdout)
    assert [Path(p["argv"][0]).name for p in result["probes"]] == ["csrutil"]
