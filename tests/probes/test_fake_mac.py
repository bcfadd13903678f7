"""The fake-Mac toolbox itself: rules, recorded calls, variants (others build on it)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.fake_mac import FakeMac, Reply, Rule, Scenario, always, when


def _run(mac: FakeMac, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), env=mac.env(), capture_output=True, text=True, timeout=30)


def test_first_matching_rule_replies(tmp_path: Path) -> None:
    scenario = Scenario(
        {
            "codesign": [
                when(["-d", "-vvv", "/Applications/*.app"], Reply(stderr="Identifier=app\n")),
                when(["--verify", "*"], Reply(stderr="bad\n", exit_code=1)),
                Rule(None, Reply("anything else\n")),
            ]
        }
    )
    mac = FakeMac(tmp_path, scenario)
    shown = _run(mac, "codesign", "-d", "-vvv", "/Applications/My App.app")
    assert (shown.returncode, shown.stderr) == (0, "Identifier=app\n")
    verify = _run(mac, "codesign", "--verify", "/x")
    assert (verify.returncode, verify.stderr) == (1, "bad\n")
    assert _run(mac, "codesign", "-d", "-vvv", "/Applications/My App.app", "extra").stdout == "anything else\n"
    assert [c.args for c in mac.calls()] == [["-d", "-vvv", "/Applications/My App.app"], ["--verify", "/x"], ["-d", "-vvv", "/Applications/My App.app", "extra"]]


def test_unmatched_call_is_an_error_and_path_is_isolated(tmp_path: Path) -> None:
    mac = FakeMac(tmp_path, Scenario({"scutil": [when(["--nc", "list"], Reply("x\n"))]}))
    result = _run(mac, "scutil", "--nc", "stop", "VPN")
    assert result.returncode == 64 and "no rule" in result.stderr
    env = mac.env()
    assert env["PATH"] == str(tmp_path / "bin")  # the host's own tools are out of reach


def test_variants_add_replace_and_remove_tools(tmp_path: Path) -> None:
    base = Scenario({"csrutil": always(Reply("one\n"))}, applications_dir=str(tmp_path / "Apps"))
    variant = base.with_tool("csrutil", always(Reply("two\n"))).with_tool("uname", always(Reply("arm64\n")))
    mac = FakeMac(tmp_path / "variant", variant)
    assert _run(mac, "csrutil").stdout == "two\n"
    assert mac.env()["ADVISOR_APPLICATIONS_DIR"] == str(tmp_path / "Apps")
    mac.remove_tool("uname")
    assert not (mac.bin_dir / "uname").exists()
    assert set(base.without_tool("csrutil").tools) == set()
    assert base.tools["csrutil"][0].reply.stdout == "one\n"  # deriving did not change the base


def test_plain_replies_are_sh_scripts_with_the_same_matching(tmp_path: Path) -> None:
    scenario = Scenario(
        {
            "mdfind": [
                when(['kMDItemCFBundleIdentifier == "com.example.*"'], Reply("/Applications/X.app\n")),
                when(["it's [ab]?"], Reply("quoted\n", "warned\n", exit_code=2)),
                when(["$HOME", "`id`"], Reply("literal\n")),
            ]
        }
    )
    mac = FakeMac(tmp_path, scenario)
    assert (tmp_path / "bin" / "mdfind").read_text().startswith("#!/bin/sh")
    assert _run(mac, "mdfind", 'kMDItemCFBundleIdentifier == "com.example.vpn"').stdout == "/Applications/X.app\n"
    assert _run(mac, "mdfind", 'kMDItemCFBundleIdentifier == "com.other.vpn"').returncode == 64
    quoted = _run(mac, "mdfind", "it's bx")
    assert (quoted.returncode, quoted.stdout, quoted.stderr) == (2, "quoted\n", "warned\n")
    assert _run(mac, "mdfind", "it's cx").returncode == 64
    assert _run(mac, "mdfind", "$HOME", "`id`").stdout == "literal\n"  # no expansion of any kind
    assert _run(mac, "mdfind", "/root", "0").returncode == 64
    assert [c.args for c in mac.calls()][:2] == [['kMDItemCFBundleIdentifier == "com.example.vpn"'], ['kMDItemCFBundleIdentifier == "com.other.vpn"']]
    assert all(c.tool == "mdfind" and c.pid > 0 for c in mac.calls())
