"""Hostile transcripts given to `diagnose --from`, `report` and `replay`: each refused in one line
naming the file and the key (exit 2) or read, never an internal error, an unbounded read, Python
exception text or a changed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.io_cases import Case, both, fifo_with, run_case, sparse, write
from tests.transcripts.test_malformed import ISSUE_CASES

COMMANDS = (
    ("from", ["diagnose", "--from", "{d}/t.yaml", "--output", "{d}/r.md", "--format", "markdown"]),
    ("report", ["report", "{d}/t.yaml", "--format", "json", "--output", "{d}/r.json"]),
    ("replay", ["replay", "{d}/t.yaml"]),
)

VALID = """advisor_transcript: 1
id: t
answers:
  platform: macos
  packaging: sysex
  app_location: elsewhere
probes:
- id: csrutil-status
  argv: [csrutil, status]
  exit_code: 0
  duration_ms: 12
  timed_out: false
  stdout: |
    System Integrity Protection status: enabled.
  stderr: ''
expected:
  first: sysex-not-in-applications
"""


def transcript_case(id: str, content: str | bytes, codes: tuple[int, ...] = (2,), message: str = "", command: int = 0, **kw) -> Case:
    name, args = COMMANDS[command % len(COMMANDS)]
    output = next((a.replace("{d}/", "") for a in args if a.startswith("{d}/r.")), None)
    return Case(f"{name}-{id}", args, write("t.yaml", content), codes, message, inputs=["t.yaml"], output=output, **kw)


def shape_cases() -> list[Case]:
    """The wrong shapes of test_malformed, each through one of the three commands in turn."""
    cases = []
    for i, (body, names) in enumerate(ISSUE_CASES):
        text = body + "\n" if body.startswith("advisor_transcript") else f"advisor_transcript: 1\nid: t\n{body}\n"
        if names is None:
            cases.append(transcript_case(f"shape-{i}", text, (0, 1), command=i % 2))
        else:
            cases.append(transcript_case(f"shape-{i}", text, message=names, command=i))
    return cases


def cut_cases() -> list[Case]:
    """A valid transcript cut short at several places (a copy interrupted, a mail truncated)."""
    return [
        transcript_case(f"cut-at-{n}", VALID[:n], (0, 1, 2), command=i)
        for i, n in enumerate((1, 10, 25, 60, 120, 200, 300, len(VALID) - 40))
    ]


HUGE_OUTPUT = VALID.replace("  stderr: ''\n", "  stderr: ''\n- id: sw-vers\n  argv: [sw_vers]\n  exit_code: 0\n  stdout: |\n" + "    ProductVersion:\t14.5\n" * 400_000)

OTHER_CASES = [
    transcript_case("valid", VALID, (0,), command=0),
    transcript_case("valid-report", VALID, (0,), command=1),
    transcript_case("valid-replay", VALID, (0,), command=2, message="PASS"),
    transcript_case("empty", "", message="not an advisor transcript"),
    transcript_case("a-list", "- advisor_transcript: 1\n", message="not an advisor transcript", command=1),
    transcript_case("no-version", "id: t\n", message="not an advisor transcript", command=2),
    transcript_case("newer-version", "advisor_transcript: 2\n", message="newer than this advisor"),
    transcript_case("version-text", "advisor_transcript: one\n", message="must be a whole number", command=1),
    transcript_case("version-float", "advisor_transcript: 1.5\n", message="must be a whole number", command=2),
    transcript_case("version-huge", "advisor_transcript: " + "9" * 5000 + "\n", message="is not a number or date"),
    transcript_case("not-utf8", b"advisor_transcript: 1\nlog: \xff\xfe\n", message="not UTF-8", command=1),
    transcript_case("nul-in-file", b"advisor_transcript: 1\nlog: a\x00b\n", message="malformed YAML", command=2),
    transcript_case("tab-indent", "advisor_transcript: 1\nanswers:\n\tplatform: macos\n", message="malformed YAML"),
    transcript_case("alias-bomb", "advisor_transcript: 1\nresult: {a: &a [x, x], b: [*a, *a]}\n", message="aliases are not allowed", command=1),
    transcript_case("deep-nesting", "advisor_transcript: 1\nresult: {x: " + "[" * 20_000 + "]" * 20_000 + "}\n", message="nest", command=2),
    transcript_case("nesting-150", "advisor_transcript: 1\nbundle: {x: " + "[" * 150 + "]" * 150 + "}\n", message="nested more than"),
    transcript_case("nesting-90", "advisor_transcript: 1\nbundle: {x: " + "[" * 90 + "]" * 90 + "}\n", (0, 1), command=1),
    transcript_case("duplicate-key", "advisor_transcript: 1\nlog: a\nlog: b\n", message="duplicate key", command=2),
    transcript_case("bad-surrogate-tag", 'advisor_transcript: 1\nlog: !text-utf8 "not base64!"\n', message="not valid base64"),
    transcript_case("surrogate-tag", 'advisor_transcript: 1\nanswers: {platform: macos}\nlog: !text-utf8 "7bO/YQ=="\n', (1,), command=0),
    transcript_case("python-tag", "advisor_transcript: 1\nlog: !!python/name:os.system\n", message="malformed YAML", command=2),
    transcript_case("bom-crlf", "\ufeff" + VALID.replace("\n", "\r\n"), (0,)),
    transcript_case("unknown-probe", "advisor_transcript: 1\nprobes: [{id: no-such-probe, argv: [x], exit_code: 0, stdout: hi}]\n", (0, 1), command=1),
    transcript_case("unknown-diagnosis-finding", "advisor_transcript: 1\nbundle: {findings: [{id: no-such-diagnosis, severity: error}]}\n", (0, 1)),
    transcript_case("unknown-expected", "advisor_transcript: 1\nexpected: {first: no-such-diagnosis}\n", (1,), command=2, message="FAIL"),
    transcript_case("binary-probe-output", "advisor_transcript: 1\nprobes: [{id: csrutil-status, argv: [csrutil], exit_code: 0, stdout: \"\\x00\\xff\\e[0m\\udc80\"}]\n", (0, 1, 2)),
    transcript_case("garbage-probe-output", "advisor_transcript: 1\nprobes: [{id: sw-vers, argv: [sw_vers], exit_code: 0, stdout: \"<?xml <plist>\\n\\t\\t{[}\"}]\n", (0, 1), command=1),
    transcript_case("negative-exit", "advisor_transcript: 1\nprobes: [{id: csrutil-status, argv: [csrutil], exit_code: -9}]\n", (0, 1), command=1),
    transcript_case("huge-probe-output", HUGE_OUTPUT, (0,), command=1),
    transcript_case("long-line-log", "advisor_transcript: 1\nlog: " + "x" * 5_000_000 + "\n", (0, 1)),
    Case("from-dev-zero", ["diagnose", "--from", "/dev/zero"], message="larger than 64 MB"),
    Case("report-dev-urandom", ["report", "/dev/urandom"], message="larger than 64 MB"),
    Case("replay-dev-null", ["replay", "/dev/null"], message="not an advisor transcript"),
    Case("from-sparse-1gb", ["diagnose", "--from", "{d}/t.yaml"], sparse("t.yaml", 1 << 30), message="larger than 64 MB", run={"memory": 256 << 20}),
    Case("report-over-the-cap", ["report", "{d}/t.yaml"], write("t.yaml", "advisor_transcript: 1\nnotes: " + "n" * (65 << 20) + "\n"), message="larger than 64 MB"),
    Case("from-folder", ["diagnose", "--from", "{d}"], message="is a directory"),
    Case("report-missing", ["report", "{d}/nope.yaml"], message="no such file"),
    Case("replay-empty-folder", ["replay", "{d}"], message="no transcript files found"),
    Case("from-fifo", ["diagnose", "--from", "{d}/pipe"], fifo_with("pipe", VALID.encode()), (0,)),
    Case("from-is-output", ["diagnose", "--from", "{d}/t.yaml", "--output", "{d}/t.yaml"], write("t.yaml", VALID), inputs=["t.yaml"], message="same file"),
    Case("report-is-output", ["report", "{d}/t.yaml", "--output", "{d}/t.yaml"], write("t.yaml", VALID), inputs=["t.yaml"], message="same file"),
    Case(
        "from-and-transcript-same",
        ["diagnose", "--from", "{d}/t.yaml", "--output", "{d}/r.md", "--transcript", "{d}/t.yaml"],
        write("t.yaml", VALID), inputs=["t.yaml"], output="r.md", message="same file",
    ),
    Case(
        "replay-many-one-bad",
        ["replay", "{d}/good.yaml", "{d}/bad.yaml"],
        both(write("good.yaml", VALID), write("bad.yaml", "advisor_transcript: 1\nprobes: 5\n")),
        inputs=["good.yaml", "bad.yaml"], message="'probes' must be a list",
    ),
]

CASES = shape_cases() + cut_cases() + OTHER_CASES


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_hostile_transcripts(case: Case, tmp_path: Path) -> None:
    run_case(case, tmp_path)


def test_the_transcripts_family_is_large_enough() -> None:
    assert len(CASES) >= 60
