"""`advisor replay`: one line per transcript, exit 0 only when every one reaches its diagnoses."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
GOOD = REPO / "transcripts" / "d05-devid-appex-cannot-distribute.yaml"
BASE = """advisor_transcript: 1
id: {id}
answers:
  platform: macos
  distribution: developer-id
  packaging: appex
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(text)
    return path


def test_pass_and_fail_lines_and_exit_1_on_a_mismatch(advisor_cli, tmp_path):
    wrong = _write(tmp_path, "wrong", BASE.format(id="wrong") + "expected:\n  first: sip-not-required\n  include: [profile-expired]\n")
    r = advisor_cli("replay", str(GOOD), str(wrong))
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0].startswith(f"PASS {GOOD}: appex-requires-mac-app-store first")
    assert lines[1].startswith(f"FAIL {wrong}: ranked appex-requires-mac-app-store first, expected sip-not-required")
    assert "did not list profile-expired" in lines[1] and "(ranking: appex-requires-mac-app-store" in lines[1]
    assert "1 passed, 1 failed" in r.stderr


def test_recorded_result_is_the_expectation_when_there_is_no_expected_block(advisor_cli, tmp_path):
    same = _write(tmp_path, "same", BASE.format(id="same") + "result:\n  diagnoses: [{id: appex-requires-mac-app-store, status: confirmed, score: 0.98}]\n")
    other = _write(tmp_path, "other", BASE.format(id="other") + "result:\n  diagnoses: [{id: sysex-awaiting-approval, status: likely, score: 0.7}]\n")
    none = _write(tmp_path, "none", BASE.format(id="none") + "result:\n  diagnoses: []\n")
    r = advisor_cli("replay", str(same), str(other), str(none))
    assert r.returncode == 1
    assert [line.split()[0] for line in r.stdout.splitlines()] == ["PASS", "FAIL", "FAIL"]
    assert "recorded session reached no diagnosis" in r.stdout.splitlines()[2]


def test_a_folder_replays_every_yaml_file_in_it(advisor_cli, tmp_path):
    (tmp_path / "README.md").write_text("# not a transcript\n")
    _write(tmp_path, "a", BASE.format(id="a") + "expected:\n  first: appex-requires-mac-app-store\n")
    _write(tmp_path, "b", BASE.format(id="b") + "expected:\n  first: appex-requires-mac-app-store\n")
    r = advisor_cli("replay", str(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(r.stdout.splitlines()) == 2


def test_unreadable_transcripts_are_one_error_line_each_and_exit_2(advisor_cli, tmp_path):
    newer = _write(tmp_path, "newer", "advisor_transcript: 2\nid: newer\n")
    truncated = _write(tmp_path, "truncated", GOOD.read_text()[:-40] + "\n  - [unclosed")
    nothing = _write(tmp_path, "nothing", BASE.format(id="nothing"))
    bad_answer = _write(tmp_path, "bad", "advisor_transcript: 1\nid: bad\nanswers:\n  platform: windows\nexpected:\n  first: x\n")
    r = advisor_cli("replay", str(GOOD), str(newer), str(truncated), str(nothing), str(bad_answer))
    assert r.returncode == 2
    lines = r.stdout.splitlines()
    assert lines[0].startswith("PASS ")
    assert all(line.startswith(f"ERROR {p}") for line, p in zip(lines[1:], (newer, truncated, nothing, bad_answer), strict=False)), lines
    assert "newer than this advisor understands" in lines[1]
    assert "nothing to check" in lines[3]
    assert "unknown value 'windows'" in lines[4]
    assert "Traceback" not in r.stdout + r.stderr


def test_no_transcripts_found_is_bad_usage(advisor_cli, tmp_path):
    r = advisor_cli("replay", str(tmp_path))
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and "no transcript files" in r.stderr


def test_recorded_output_a_parser_chokes_on_is_reported_not_crashed(advisor_cli, tmp_path):
    """Garbage where a probe's output should be: the transcript replays or errors, never a traceback."""
    text = BASE.format(id="garbage") + (
        "probes:\n"
        "  - id: profile-embedded\n    argv: [security, cms, -D, -i, /x]\n    exit_code: 0\n    duration_ms: 1\n"
        "    stdout: \"<?xml version='1.0'?><plist><dict><key>ExpirationDate</key><date>not a date</date></dict>\"\n"
        "  - id: hardware-overview\n    argv: [system_profiler, SPHardwareDataType]\n    exit_code: 0\n    duration_ms: 1\n"
        "    stdout: \"\\u0000\\u0001 Provisioning UDID: <udid-1>\"\n"
        "expected:\n  first: appex-requires-mac-app-store\n"
    )
    r = advisor_cli("replay", str(_write(tmp_path, "garbage", text)))
    assert r.returncode in (0, 2), r.stdout + r.stderr
    assert "Traceback" not in r.stdout + r.stderr and r.stdout.count("\n") == 1
