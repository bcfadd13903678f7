"""`advisor collect` on a fake Mac: every probe runs, one transcript comes out, it diagnoses anywhere."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from advisor.transcripts.format import load_transcript
from tests.fake_mac import UDID, FakeMac, seed_mac

# Commands that would change the Mac; collect must never run one.
MUTATING = {("systemextensionsctl", "reset"), ("systemextensionsctl", "uninstall"), ("pluginkit", "-r"), ("pluginkit", "-a"),
            ("pluginkit", "-e"), ("lsregister", "-u"), ("lsregister", "-f"), ("xattr", "-d"), ("xattr", "-r")}


@pytest.fixture
def seed_env(tmp_path):
    seed = seed_mac(tmp_path / "mac")
    mac = FakeMac(tmp_path / "tools", seed.scenario)
    return seed, mac


def test_collect_runs_every_probe_read_only_and_writes_a_redacted_transcript(advisor_cli, seed_env, tmp_path):
    seed, mac = seed_env
    out = tmp_path / "out" / "failing-mac.yaml"
    r = advisor_cli("collect", "--app", str(seed.app), "--output", str(out), env=mac.env())
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("\n") == 1 and f"advisor diagnose --from {out}" in r.stderr
    calls = mac.calls()
    tools = {c.tool for c in calls}
    assert {"csrutil", "system_profiler", "pluginkit", "systemextensionsctl", "codesign", "security", "scutil", "log"} <= tools
    assert not [c for c in calls if (c.tool, c.args[0] if c.args else "") in MUTATING]
    assert any(c.tool == "scutil" and c.args[:2] == ["--nc", "show"] for c in calls)  # planned from `scutil --nc list`

    text = out.read_text()
    assert UDID not in text and "Jane Doe" not in text and "<udid-1>" in text
    t = load_transcript(out)
    assert t.id == "failing-mac" and t.expected is None and t.bundle is not None
    assert len(t.probes) == len(calls)
    assert t.result["diagnoses"][0]["id"] == "ios-app-bundle-id-conflict"

    # Diagnose it "elsewhere": no fake tools on PATH, everything comes from the file.
    r = advisor_cli("diagnose", "--from", str(out), "--format", "json", env={"PATH": os.defpath})
    assert r.returncode == 0, r.stderr
    assert [d["id"] for d in json.loads(r.stdout)["diagnoses"]][:1] == ["ios-app-bundle-id-conflict"]
    r = advisor_cli("replay", str(out))
    assert r.returncode == 0 and r.stdout.startswith("PASS"), r.stdout + r.stderr


def test_collect_no_redact_keeps_identifiers(advisor_cli, seed_env, tmp_path):
    seed, mac = seed_env
    out = tmp_path / "plain.yaml"
    r = advisor_cli("collect", "--app", str(seed.app), "--output", str(out), "--no-redact", env=mac.env())
    assert r.returncode == 0, r.stderr
    assert f"Provisioning UDID: {UDID}" in out.read_text()


def test_collect_without_an_app_runs_the_machine_wide_probes(advisor_cli, seed_env, tmp_path):
    _, mac = seed_env
    r = advisor_cli("collect", "--output", "-", env=mac.env())
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("advisor_transcript: 1\n")
    assert {c.tool for c in mac.calls()} >= {"csrutil", "system_profiler", "systemextensionsctl"}
    assert not any(c.tool == "codesign" for c in mac.calls())


def test_an_output_that_cannot_be_written_is_refused_before_any_probe_runs(advisor_cli, seed_env, tmp_path):
    seed, mac = seed_env
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = advisor_cli("collect", "--app", str(seed.app), "--output", str(blocker / "t.yaml"), env=mac.env())
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "cannot write" in r.stderr
    assert mac.calls() == [] and blocker.read_text() == "x"


def test_a_folder_gone_by_the_time_of_writing_keeps_the_transcript_and_says_where(advisor_cli, seed_env, tmp_path):
    """The output was writable when claimed; a probe run later removes its folder. The work is
    not lost: the transcript goes to the temp folder, and the one-line error says where."""
    seed, mac = seed_env
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    tools = Path(mac.path.split(os.pathsep)[0])
    real = tools / "csrutil"
    real.rename(tools / "csrutil-real")
    real.write_text(f"#!/bin/sh\n/bin/rm -rf '{out_dir}'\nexec '{tools / 'csrutil-real'}' \"$@\"\n")
    real.chmod(0o755)
    env = mac.env() | {"TMPDIR": str(tmp_path / "tmp")}
    (tmp_path / "tmp").mkdir()
    r = advisor_cli("collect", "--app", str(seed.app), "--output", str(out_dir / "t.yaml"), env=env)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "cannot write" in r.stderr and "the transcript was kept in" in r.stderr
    kept = Path(r.stderr.rsplit("kept in ", 1)[1].rstrip(")\n"))
    assert kept.parent == tmp_path / "tmp" and load_transcript(kept).probes


def test_collect_bad_app_path_is_one_line_exit_2(advisor_cli, seed_env, tmp_path):
    _, mac = seed_env
    r = advisor_cli("collect", "--app", str(tmp_path / "missing.app"), "--output", str(tmp_path / "t.yaml"), env=mac.env())
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no such file" in r.stderr
    assert not (tmp_path / "t.yaml").exists() and mac.calls() == []


def test_redaction_does_not_change_what_the_transcript_diagnoses(advisor_cli, seed_env, tmp_path):
    """Pseudonyms are consistent, so facts that compare identifiers (this Mac in the profile,
    our own copy among the registered ones) come out the same as without redaction."""
    seed, mac = seed_env
    results = {}
    for name, extra in (("plain", ["--no-redact"]), ("redacted", [])):
        out = tmp_path / f"{name}.yaml"
        assert advisor_cli("collect", "--app", str(seed.app), "--output", str(out), *extra, env=mac.env()).returncode == 0
        r = advisor_cli("diagnose", "--from", str(out), "--format", "json", "--no-redact")
        data = json.loads(r.stdout)
        results[name] = ([(d["id"], d["status"]) for d in data["diagnoses"]], {f: v["value"] for f, v in data["facts"].items()})
    assert results["plain"] == results["redacted"]
    assert results["plain"][1]["ios_copy_installed"] == "yes" and results["plain"][1]["device_in_profile"] == "yes"
