"""Exports as a user runs them: `advisor report`, `advisor diagnose --format ... --output`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "transcripts" / "seed-f-probes-testflight-wrapper.yaml"
UDID = "00008112-001A2C3E0A91801E"


@pytest.mark.parametrize("fmt, marker", [("markdown", "# advisor report: "), ("html", "<!DOCTYPE html>")])
def test_diagnose_exports_a_report_file(advisor_cli, tmp_path, fmt, marker):
    out = tmp_path / "nested" / f"report.{fmt}"
    r = advisor_cli("diagnose", "--from", str(SEED), "--format", fmt, "--output", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    text = out.read_text()
    assert text.startswith(marker) and "ios-app-bundle-id-conflict" in text
    assert UDID not in text  # redacted by default


def test_diagnose_no_redact_keeps_identifiers(advisor_cli):
    r = advisor_cli("diagnose", "--from", str(SEED), "--format", "json", "--no-redact")
    assert r.returncode == 0, r.stderr
    assert "redacted" not in json.loads(r.stdout)


def test_report_from_a_transcript_in_every_format(advisor_cli, tmp_path):
    md = advisor_cli("report", str(SEED))
    assert md.returncode == 0, md.stderr
    assert md.stdout.startswith("# advisor report: ")
    assert "Provisioning UDID: <udid-1>" in md.stdout  # the recorded probe output is shown, redacted
    page = tmp_path / "r.html"
    assert advisor_cli("report", str(SEED), "--format", "html", "--output", str(page)).returncode == 0
    assert "</html>" in page.read_text()
    data = json.loads(advisor_cli("report", str(SEED), "--format", "json").stdout)
    assert data["diagnoses"][0]["id"] == "ios-app-bundle-id-conflict" and data["redacted"] is True
    plain = advisor_cli("report", str(SEED), "--no-redact")
    assert f"Provisioning UDID: {UDID}" in plain.stdout


def test_report_notes_when_the_knowledge_base_now_ranks_differently(advisor_cli, tmp_path):
    session = tmp_path / "old.yaml"
    session.write_text(SEED.read_text().replace("expected:\n  first: ios-app-bundle-id-conflict\n", "")
                       + "result:\n  diagnoses: [{id: profile-expired, status: likely, score: 0.6}]\n")
    r = advisor_cli("report", str(session))
    assert r.returncode == 0, r.stderr
    assert "recorded profile-expired first" in r.stderr and "ios-app-bundle-id-conflict" in r.stderr


@pytest.mark.parametrize("command", [["report", str(SEED)], ["diagnose", "--from", str(SEED), "--format", "markdown"]])
def test_unwritable_report_path_is_one_line_exit_2(advisor_cli, tmp_path, command):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = advisor_cli(*command, "--output", str(blocker / "report.md"))
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1 and "cannot write" in r.stderr and "Traceback" not in r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize(
    "content, message",
    [
        ("advisor_transcript: 9\nid: x\n", "newer than this advisor understands"),
        ("advisor_transcript: 1\nid: x\nlog: |\n  line\nprobes:\n  - id: csrutil-status\n    argv: [csrutil", "malformed YAML"),
        ("just: a mapping\n", "not an advisor transcript"),
        ("\x00\x01binary", ""),
    ],
)
def test_bad_sessions_are_one_line_exit_2(advisor_cli, tmp_path, content, message):
    session = tmp_path / "session.yaml"
    session.write_text(content)
    for command in (["report", str(session)], ["diagnose", "--from", str(session)]):
        r = advisor_cli(*command)
        assert r.returncode == 2, (command, r.stderr)
        assert r.stderr.count("\n") == 1 and str(session) in r.stderr and message in r.stderr
        assert "Traceback" not in r.stderr


def test_missing_session_file(advisor_cli, tmp_path):
    r = advisor_cli("report", str(tmp_path / "nope.yaml"))
    assert r.returncode == 2 and "no such file" in r.stderr
