"""The transcript format: versioned, validated, faithful round trips."""

from pathlib import Path

import pytest

from advisor.transcripts.format import (
    Expectation,
    RecordedProbe,
    Transcript,
    TranscriptError,
    dump_transcript,
    load_transcript,
    save_transcript,
)


def test_round_trip_keeps_tool_output_with_tabs_as_readable_blocks(tmp_path: Path):
    stdout = "enabled\tactive\tteamID\tbundleID (version)\tname\t[state]\n*\t*\tABCDE12345\tcom.example.vpn.tunnel (1.0/1)\tTunnel\t[activated enabled]\n"
    t = Transcript(
        id="t1",
        describe="works on one Mac only",
        answers={"platform": "macos", "sysex_developer_mode": "off"},
        log="line one\n\tindented with a tab\n",
        probes=[RecordedProbe("systemextensionsctl-list", ["systemextensionsctl", "list"], 0, 12, stdout, "")],
        probe_context={"app_path": "/Applications/Example.app", "observed_at": "2026-11-26T18:00:00Z"},
        observations=[{"fact": "ios_copy_installed", "value": "yes", "source": "probe", "detail": "d", "origin": "applications-scan"}],
        expected=Expectation(first="ios-app-bundle-id-conflict", include=["sip-not-required"]),
    )
    path = tmp_path / "t1.yaml"
    save_transcript(t, path)
    text = path.read_text()
    assert "stdout: |" in text and "\\t" not in text  # a block, not an escaped string
    back = load_transcript(path)
    assert back.probes[0].stdout == stdout
    assert back.log == t.log
    assert back.answers == {"platform": "macos", "sysex_developer_mode": "off"}
    assert back.probe_context == t.probe_context
    assert back.observations == t.observations
    assert back.expected == t.expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("advisor_transcript: 2\nid: x\n", "transcript format 2 is newer than this advisor understands"),
        ("id: x\n", "not an advisor transcript"),
        ("advisor_transcript: 1\nid: x\nanswers: [a]\n", "'answers' must be a mapping"),
        ("advisor_transcript: 1\nid: x\nprobes:\n  - {argv: [x]}\n", "each probe needs 'id' and 'argv'"),
        ("advisor_transcript: 1\nid: x\nsurprise: 1\n", "unknown key 'surprise'"),
        ("advisor_transcript: 1\nid: x\nlog: |\n  a\n b: [\n", "malformed YAML"),
        ("advisor_transcript: 1\nobservations:\n  - {fact: sip, value: enabled, source: rumour}\n", "unknown observation source 'rumour'"),
    ],
)
def test_bad_transcripts_are_one_line_errors(tmp_path: Path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(TranscriptError, match=message):
        load_transcript(path)


def test_truncated_transcript_is_a_clear_error(tmp_path: Path):
    probe = RecordedProbe("csrutil-status", ["csrutil", "status"], 0, 5, "System Integrity Protection status: enabled.\n", "")
    full = dump_transcript(Transcript(id="t", answers={"platform": "macos"}, probes=[probe]))
    cut = full[: full.index("  argv:")]  # the file ends right after the probe's id
    path = tmp_path / "cut.yaml"
    path.write_text(cut)
    with pytest.raises(TranscriptError, match=r"cut\.yaml:\d+: each probe needs 'id' and 'argv'"):
        load_transcript(path)
    path.write_text(full[: full.index("exit_code:") + len("exit_code: ")] + '"0')
    with pytest.raises(TranscriptError, match="malformed YAML"):
        load_transcript(path)


def test_an_output_that_cannot_be_written_is_refused_before_any_work(advisor_cli, tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    r = advisor_cli(
        "diagnose", "--answer", "platform=macos", "--answer", "packaging=sysex", "--answer", "app_location=elsewhere",
        "--format", "markdown", "--output", str(blocker / "report.md"),
    )
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and "cannot write" in r.stderr and str(blocker / "report.md") in r.stderr
    assert blocker.read_text() == "x"
