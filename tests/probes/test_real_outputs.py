"""Real tool outputs, copied from public posts, run through the real probe path.

Each sample of tests/probes/real_outputs/index.yaml becomes a fake tool on PATH that prints it
(same streams, same exit status); advisor plans the probe for a default subject, runs it as a
subprocess and parses what came back. The facts read must be exactly the ones the index names;
a healthy sample must yield no fact that marks a fault.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from advisor.knowledge.model import KnowledgeBase
from advisor.probes import ProbeContext, derive_cross_probe_facts, run_probe
from advisor.probes.catalog import plan_probe
from advisor.probes.parsers.system import read_hardware_overview
from tests.fake_mac import FakeMac, Reply, Scenario, always

HERE = Path(__file__).parent / "real_outputs"
SAMPLES: list[dict[str, Any]] = yaml.safe_load((HERE / "index.yaml").read_text())["samples"]

APP = "/Applications/Example VPN.app"
DEFAULT_CONTEXT: dict[str, Any] = {
    "app_path": APP,
    "platform": "macos",
    "bundle_id": "com.example.vpn",
    "provider_paths": [f"{APP}/Contents/Library/SystemExtensions/com.example.vpn.tunnel.systemextension"],
    "provider_bundle_ids": ["com.example.vpn.tunnel"],
    "extension_points": ["com.apple.networkextension.packet-tunnel"],
    "sysex_bundle_ids": ["com.example.vpn.tunnel"],
    "vpn_service_ids": ["887B3792-3B6E-415F-9E4B-E57C0678DD61"],
}
# Fact values that say something is wrong with the Mac or the app (a healthy sample shows none).
FAULTS: dict[str, set[str]] = {
    "sip": {"disabled"},
    "deployment_target_ok": {"no"},
    "sysex_state": {"activated-waiting-for-user", "activated-disabled", "activated-waiting-to-upgrade",
                    "terminated-waiting-to-uninstall", "validating-by-category", "not-installed"},
    "signing_identity": {"ad-hoc", "unsigned"},
    "hardened_runtime": {"no"},
    "notarized": {"no"},
    "notarization_ticket_stapled": {"no"},
    "ne_entitlement_present": {"no"},
    "install_entitlement": {"no"},
    "network_client_entitlement": {"no"},
    "signature_valid": {"no"},
    "gatekeeper": {"rejected"},
    "gatekeeper_assessments": {"disabled"},
    "quarantined": {"yes"},
    "configuration_saved": {"no"},
    "configuration_enabled": {"no"},
    "other_copy_installed": {"yes"},
    "ios_copy_installed": {"yes"},
    "sysex_version_bumped": {"yes"},
}


def _tool_name(argv0: str) -> str:
    return os.path.basename(argv0)


def _read(sample: dict[str, Any], stream: str) -> str:
    name = sample.get(stream)
    return (HERE / name).read_text() if name else ""


@pytest.fixture(params=SAMPLES, ids=[s["id"] for s in SAMPLES])
def sample(request: pytest.FixtureRequest) -> dict[str, Any]:
    return dict(request.param)


def test_sample_reads_exactly_its_facts(
    sample: dict[str, Any], kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    probe = kb.probes[sample["probe"]]
    reply = Reply(stdout=_read(sample, "stdout"), stderr=_read(sample, "stderr"), exit_code=int(sample["exit"]))
    mac = FakeMac(tmp_path / "mac", Scenario({_tool_name(probe.argv[0]): always(reply)}))
    mac.activate(monkeypatch)
    context = ProbeContext(**{**DEFAULT_CONTEXT, **(sample.get("context") or {})})

    planned = plan_probe(probe, context)
    assert len(planned) == 1, f"{sample['id']}: probe not planned once for the default subject"
    run = run_probe(planned[0])
    assert not run.timed_out and run.exit_code == int(sample["exit"])
    assert [c.tool for c in mac.calls()] == [_tool_name(probe.argv[0])]

    facts = run.facts()
    assert facts == (sample.get("expect") or {}), f"{sample['id']} ({sample['source']})"
    for fact in sample.get("unknown") or []:
        assert fact not in facts, f"{sample['id']}: {fact} must stay unknown"
    if "udid" in sample:
        overview = read_hardware_overview(run.stdout)
        assert (overview.provisioning_udid if overview else None) == sample["udid"]
    cross = {o.fact: o.value for o in derive_cross_probe_facts([run], kb) if o.fact in (sample.get("cross") or {})}
    assert cross == (sample.get("cross") or {})
    if sample["healthy"]:
        derived = {o.fact: o.value for o in derive_cross_probe_facts([run], kb)}
        faults = {f: v for f, v in {**facts, **derived}.items() if v in FAULTS.get(f, set())}
        assert not faults, f"{sample['id']}: a healthy Mac read as faulty: {faults}"


def test_every_sample_names_its_source_and_exists() -> None:
    for sample in SAMPLES:
        assert sample["source"].strip(), sample["id"]
        assert sample.get("stdout") or sample.get("stderr"), sample["id"]
        for stream in ("stdout", "stderr"):
            if sample.get(stream):
                assert (HERE / sample[stream]).is_file(), sample[stream]
    assert len({s["id"] for s in SAMPLES}) == len(SAMPLES)


@pytest.mark.parametrize(
    "stdout",
    [
        "[Dict]\n\t[Key] com.apple.developer.networking.networkextension\n\t[Value]\n",  # cut after [Value]
        "[Dict]\n\t[Key] com.apple.security.app-sandbox\n\t[Value]\n\t\t[Bool] maybe\n",  # not a boolean
        "[Dict]\n\t[Key] a\n\t[Value]\n\t\t[String] b\nwarning: something else\n",  # a foreign line
        "[Array]\n\t[String] packet-tunnel-provider\n",  # not a dictionary
    ],
)
def test_unreadable_bracketed_entitlements_settle_nothing(stdout: str) -> None:
    from advisor.probes.parsers.codesign import parse_entitlements

    assert parse_entitlements(stdout, "Executable=/Applications/Example VPN.app/Contents/MacOS/Example VPN\n", 0, None) == []
