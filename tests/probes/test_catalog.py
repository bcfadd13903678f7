"""probes.yaml and the planning of probes: availability, placeholders, read-only commands."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from advisor.knowledge.loader import default_root, load_knowledge
from advisor.knowledge.model import KnowledgeBase
from advisor.probes import ProbeContext, planned_probes, resolve_tool
from advisor.probes.context import PLACEHOLDERS
from advisor.probes.parsers import PARSERS
from tests.fake_mac import FakeMac, Reply, Scenario, SeedMac, always

LSREGISTER = "/System/Library/Frameworks/CoreServices.framework/Versions/A/Frameworks/LaunchServices.framework/Versions/A/Support/lsregister"
# Sub-commands and options that change state (ne-knowledge.md 12): none may appear in a probe.
MUTATING = {
    "systemextensionsctl": {"reset", "uninstall", "developer", "gc"},
    "pluginkit": {"-a", "-r", "-e"},
    "lsregister": {"-u", "-f", "-R", "-kill", "-delete", "-seed", "-lint"},
    "xattr": {"-d", "-c", "-w", "-r"},
    "scutil": {"start", "stop", "--set", "--prefs"},
    "codesign": {"-s", "--sign", "--remove-signature", "-f", "--force"},
    "spctl": {"--add", "--remove", "--enable", "--disable", "--master-disable", "--global-disable"},
    "security": {"delete-identity", "delete-certificate", "import", "add-trusted-cert"},
}


def test_every_probe_is_read_only_and_argv_only(kb: KnowledgeBase) -> None:
    assert len(kb.probes) >= 20
    for probe in kb.probes.values():
        tool = os.path.basename(probe.argv[0])
        assert tool not in {"sh", "bash", "zsh", "env", "sudo", "osascript"}, probe.id
        assert not probe.mutates, probe.id
        assert not set(probe.argv[1:]) & MUTATING.get(tool, set()), probe.id


def test_every_probe_has_a_parser_facts_and_known_placeholders(kb: KnowledgeBase) -> None:
    for probe in kb.probes.values():
        assert probe.parser in PARSERS, probe.id
        assert set(probe.needs) <= set(PLACEHOLDERS), probe.id
        for fact in probe.settles:
            assert fact in kb.facts, (probe.id, fact)
        assert probe.why and probe.timeout > 0


def test_lsregister_uses_its_full_path_on_a_mac(kb: KnowledgeBase) -> None:
    assert kb.probes["lsregister-dump"].argv[0] == LSREGISTER


def test_only_tools_on_path_are_planned(kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mac = FakeMac(tmp_path / "mac", Scenario({"csrutil": always(Reply()), "sw_vers": always(Reply())}))
    mac.activate(monkeypatch)
    planned = planned_probes(kb, ProbeContext(app_path="/Applications/X.app"))
    assert [p.probe.id for p in planned] == ["sw-vers", "csrutil-status"]


def test_nothing_is_planned_on_a_machine_without_the_tools(kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: a stripped system, or not a Mac
    assert planned_probes(kb, ProbeContext(app_path="/Applications/X.app", bundle_id="com.example.x")) == []


def test_placeholders_expand_once_per_value_as_single_arguments(kb: KnowledgeBase, seed: SeedMac, fake_mac: FakeMac) -> None:
    second = "/Applications/Space Name.app/Contents/PlugIns/Second Tunnel.appex"
    ctx = ProbeContext(
        app_path=str(seed.app),
        provider_paths=[str(seed.provider), second],
        bundle_id="com.example.tunnelbox",
        provider_bundle_ids=["com.example.tunnelbox.tunnel", "com.example.tunnelbox.second"],
    )
    planned = planned_probes(kb, ctx)
    provider_runs = [p for p in planned if p.probe.id == "codesign-provider"]
    assert [p.argv for p in provider_runs] == [
        ["codesign", "-d", "-vvv", str(seed.provider)],
        ["codesign", "-d", "-vvv", second],
    ]
    assert provider_runs[1].command_line == f"codesign -d -vvv '{second}'"
    assert provider_runs[1].bindings == {"provider_path": second}
    mdfind = [p.argv for p in planned if p.probe.id == "mdfind-provider"]
    assert mdfind == [
        ["mdfind", 'kMDItemCFBundleIdentifier == "com.example.tunnelbox.tunnel"'],
        ["mdfind", 'kMDItemCFBundleIdentifier == "com.example.tunnelbox.second"'],
    ]


def test_probes_needing_unknown_values_are_not_offered(kb: KnowledgeBase, fake_mac: FakeMac) -> None:
    planned = planned_probes(kb, ProbeContext())
    ids = {p.probe.id for p in planned}
    assert "csrutil-status" in ids and "lsregister-dump" in ids
    assert not ids & {"codesign-app", "pluginkit-provider", "profile-embedded", "vpn-service-detail", "quarantine-app"}


def test_facts_filter_keeps_probes_settling_any_of_them(kb: KnowledgeBase, seed: SeedMac, fake_mac: FakeMac) -> None:
    ctx = ProbeContext(app_path=str(seed.app), bundle_id="com.example.tunnelbox")
    ids = [p.probe.id for p in planned_probes(kb, ctx, facts=["sip", "quarantined"])]
    assert ids == ["csrutil-status", "quarantine-app"]


def _executable(path: Path) -> Path:
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_absolute_tool_is_found_on_path_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = _executable(bin_dir / "lsregister")
    monkeypatch.setenv("PATH", str(bin_dir))
    monkeypatch.delenv("ADVISOR_LSREGISTER", raising=False)
    assert resolve_tool(LSREGISTER) == str(fake)


def test_absolute_tool_honours_its_override_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    override = _executable(tmp_path / "my-lsregister")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("ADVISOR_LSREGISTER", str(override))
    assert resolve_tool(LSREGISTER) == str(override)
    monkeypatch.setenv("ADVISOR_LSREGISTER", str(tmp_path / "missing"))
    assert resolve_tool(LSREGISTER) is None


def test_absolute_tool_is_used_where_it_exists(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "Support").mkdir()
    tool = _executable(tmp_path / "Support" / "lsregister")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.delenv("ADVISOR_LSREGISTER", raising=False)
    assert resolve_tool(str(tool)) == str(tool)
    assert resolve_tool(str(tmp_path / "Support" / "absent")) is None
    assert resolve_tool("csrutil") is None


GARBAGE = bytes(range(256)).decode("latin-1") * 64 + "\n" + "\ufffd(\x00)[*]\t=\t/x\n" * 200 + "x" * 100_000


@pytest.mark.parametrize("name", sorted(PARSERS))
@pytest.mark.parametrize("exit_code", [0, 1])
def test_every_parser_says_nothing_about_garbage(name: str, exit_code: int) -> None:
    ctx = ProbeContext(
        app_path="/Applications/X.app",
        provider_paths=["/Applications/X.app/Contents/PlugIns/T.appex"],
        bundle_id="com.example.x",
        provider_bundle_ids=["com.example.x.tunnel"],
        sysex_bundle_ids=["com.example.x.tunnel"],
        minimum_system_versions={"com.example.x.tunnel": "13.0"},
    )
    parse = PARSERS[name].parse
    for stdout, stderr in ((GARBAGE, ""), ("", GARBAGE), ("", ""), (GARBAGE, GARBAGE)):
        assert parse(stdout, stderr, exit_code, ctx) == [], name
        assert parse(stdout, stderr, exit_code, None) == [], name


def test_an_ios_app_is_not_held_to_this_macs_state(kb: KnowledgeBase, seed: SeedMac, fake_mac: FakeMac) -> None:
    # The seed Mac has every tool. For an iOS app only what reads the bundle itself is offered.
    ios = ProbeContext(
        app_path=str(seed.ios_app),
        platform="ios",
        provider_paths=[str(seed.ios_provider)],
        bundle_id="com.example.tunnelbox",
        provider_bundle_ids=["com.example.tunnelbox.tunnel"],
        extension_points=["com.apple.networkextension.packet-tunnel"],
        profile_paths=[str(seed.ios_app / "embedded.mobileprovision")],
    )
    ids = {p.probe.id for p in planned_probes(kb, ios)}
    assert ids == {"codesign-app", "codesign-provider", "entitlements-app", "entitlements-provider", "codesign-verify-app", "profile-embedded"}
    mac_only = {pid for pid, probe in kb.probes.items() if probe.platforms == ("macos",)}
    assert {"gatekeeper-app", "quarantine-app", "hardware-overview", "sysex-list", "vpn-services", "log-show-ne"} <= mac_only
    macos = ProbeContext(app_path=str(seed.app), platform="macos", bundle_id="com.example.tunnelbox")
    assert {"gatekeeper-app", "gatekeeper-status", "csrutil-status"} <= {p.probe.id for p in planned_probes(kb, macos)}


def test_probe_platforms_are_checked_when_loading(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    shutil.copytree(default_root(), root)
    text = (root / "probes.yaml").read_text().replace("    platforms: [macos]\n", "    platforms: [watchos]\n", 1)
    (root / "probes.yaml").write_text(text)
    kb = load_knowledge(root, strict=False)
    assert any("platform 'watchos' must be macos or ios" in p for p in kb.problems)
