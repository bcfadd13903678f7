"""An outside tester's abuse of the command line itself: every contract fact with a value it does
not take, fact names that differ by case, contradicting and repeated options, unknown formats,
`--` separators, options given to the wrong command, and control characters, bidi overrides and
100,000-character values in every option of `diagnose`.

Each case is a real `python -m advisor` run (tests/hostile/io_cases.py): the exit code expected,
at most one printable line on stderr naming what is wrong, never a traceback, inputs unchanged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.io_cases import Case, run_case, write

# The contract's fact vocabulary (CONTRACT.md): every one takes `unknown` too.
FACTS = (
    "platform", "distribution", "packaging", "provider_type", "signing_identity", "build_origin",
    "other_copy_installed", "sip", "app_location", "sysex_developer_mode", "xcode_export", "notarized",
)  # fmt: skip
HUGE = "x" * 100_000
CONTROL = "a\x01b\x1b[31m\u202e"
RTL = "\u202eppa.\u200f"
LOG = write("ne.log", "Signature check failed: code failed to satisfy specified code requirement(s)\n")

FACT_VALUES = [
    case
    for fact in FACTS
    for case in (
        Case(f"{fact}-bogus", ["diagnose", "--answer", f"{fact}=bogus"], message=f"{fact}"),
        Case(f"{fact}-empty-value", ["diagnose", "--answer", f"{fact}="], message=fact),
        Case(f"{fact}-upper-case-name", ["diagnose", "--answer", f"{fact.upper()}=unknown"], message="unknown fact"),
        Case(f"{fact}-unknown", ["diagnose", "--answer", f"{fact}=unknown", "--format", "json"], codes=(0, 1)),
    )
]

REPEATS = [
    Case("answer-contradicts-answer", ["diagnose", "--answer", "platform=macos", "--answer", "platform=ios"], message="contradicts --answer platform=macos"),
    Case("answer-contradicts-after-spaces", ["diagnose", "--answer", "platform=macos", "--answer", " platform = ios "], message="contradicts"),
    Case("answer-repeated-alike", ["diagnose", "--answer", "platform=macos", "--answer", "platform = macos"], codes=(1,)),
    Case("answer-overrides-answers-file", ["diagnose", "--answers", "{d}/a.yaml", "--answer", "platform=ios", "--format", "json"], write("a.yaml", "platform: macos\n"), codes=(1,), inputs=["a.yaml"]),
    Case("answer-equals-in-value", ["diagnose", "--answer", "platform=mac=os"], message="platform"),
    Case("answer-equals-first", ["diagnose", "--answer", "=macos"], message="unknown fact"),
    Case("answer-value-upper-case", ["diagnose", "--answer", "platform=MACOS"], codes=(1, 2)),
    Case("answer-equals-form", ["diagnose", "--answer=platform=macos"], codes=(1,)),
    Case("answer-abbreviated-option", ["diagnose", "--answ", "platform=macos"], codes=(1, 2)),
    Case("ambiguous-abbreviation", ["diagnose", "--a", "x"], message="ambiguous"),
    Case("format-twice", ["diagnose", "--format", "json", "--format", "text"], codes=(1,)),
    Case("probe-twice", ["diagnose", "--probe", "yes", "--probe", "no"], codes=(1,)),
]

FORMATS = [
    Case(f"{command[0]}-{command[-1].rsplit('/', 1)[-1]}-format-{name}", [*command, "--format", value], LOG, message="--format")
    for command in (["diagnose"], ["triage", "{d}/ne.log"], ["inspect", "{d}"], ["report", "{d}/x.yaml"], ["kb", "graph"], ["kb", "list", "facts"])
    for name, value in (("pdf", "pdf"), ("upper-case", "JSON"), ("empty", ""), ("huge", HUGE), ("control", CONTROL))
]

PROBE_TIMEOUTS = [
    Case(f"probe-timeout-{name}", ["diagnose", "--probe-timeout", value], message="--probe-timeout")
    for name, value in (("nan", "nan"), ("inf", "inf"), ("negative", "-1"), ("zero", "0"), ("overflow", "1e309"), ("hex", "0x10"), ("empty", ""), ("huge", HUGE))
] + [Case("probe-timeout-arabic-digits", ["diagnose", "--probe-timeout", "١٢"], codes=(1,))]  # float() reads them: 12 s

# Every diagnose option with a value no one should give it: refused in one line, or (for free
# text) taken as it is; never a traceback, never a hang.
OPTIONS = ["--app", "--log", "--describe", "--answers", "--output", "--transcript", "--from", "--udid", "--probe"]
VALUES = [
    Case(f"{option[2:]}-{name}", ["diagnose", option, value], codes=(1, 2) if option in ("--describe", "--udid") else (2,))
    for option in OPTIONS
    for name, value in (("huge", HUGE), ("control", CONTROL), ("rtl", RTL))
    if not (option in ("--output", "--transcript") and name != "huge")
] + [  # a file name may hold any character but / and NUL: written as given, whole
    Case(f"{option[2:]}-named-{name}", ["diagnose", "--answer", "platform=macos", "--format", "json", option, f"{{d}}/{value}{suffix}"], codes=(1,), output=f"{value}{suffix}")
    for option, suffix in (("--output", ".json"), ("--transcript", ".yaml"))
    for name, value in (("control", CONTROL), ("rtl", RTL))
] + [Case(f"{option[2:]}-missing-value", ["diagnose", option], message=option) for option in OPTIONS]

PLACEMENT = [
    Case("triage-options-after-file", ["triage", "{d}/ne.log", "--format", "json"], LOG, codes=(0, 1), inputs=["ne.log"]),
    Case("triage-double-dash", ["triage", "--", "{d}/ne.log"], LOG, codes=(0, 1), inputs=["ne.log"]),
    Case("triage-double-dash-dash-name", ["triage", "--", "-x.log"], message="-x.log"),
    Case("triage-two-files", ["triage", "{d}/ne.log", "{d}/ne.log"], LOG, message="unrecognized"),
    Case("inspect-no-path", ["inspect"], message="PATH"),
    Case("inspect-two-paths", ["inspect", "a.app", "b.app"], message="unrecognized"),
    Case("inspect-double-dash-option-name", ["inspect", "--", "--weird.app"], message="--weird.app"),
    Case("diagnose-positional", ["diagnose", "extra"], message="extra"),
    Case("diagnose-double-dash", ["diagnose", "--", "--answer"], message="--answer"),
    Case("report-no-session", ["report"], message="SESSION"),
    Case("replay-no-transcript", ["replay"], message="TRANSCRIPT"),
    Case("unknown-command", ["frobnicate"], message="frobnicate"),
    Case("empty-command", [""], message="''"),
    Case("lone-double-dash", ["--"]),
    Case("unknown-top-option", ["--bogus"], message="--bogus"),
    Case("unknown-short-option", ["-x"], message="-x"),
    Case("version-on-a-command", ["diagnose", "--version"], message="--version"),
    Case("help-wins-over-bad-format", ["diagnose", "-h", "--format", "bogus"], codes=(0,)),
    Case("tui-help", ["tui", "--help"], codes=(0,)),
    Case("tui-unknown-option", ["tui", "--bogus"], message="--bogus"),
    Case("tui-without-terminal", ["tui"], message="terminal"),
    Case("tui-app-missing", ["tui", "--app", "{d}/none.app"]),
    Case("kb-without-action", ["kb"], message="ACTION"),
    Case("kb-unknown-action", ["kb", "frob"], message="frob"),
    Case("kb-list-nothing", ["kb", "list", "nothing"], message="nothing"),
    Case("kb-list-no-kind", ["kb", "list"], message="what"),
    Case("kb-knowledge-missing-folder", ["kb", "--knowledge", "{d}/none", "check"], message="knowledge folder not found"),
    Case("kb-knowledge-a-file", ["kb", "--knowledge", "{d}/ne.log", "check"], LOG, message="knowledge folder not found", inputs=["ne.log"]),
    Case("kb-knowledge-a-file-stats", ["kb", "--knowledge", "{d}/ne.log", "stats"], LOG, message="knowledge folder not found", inputs=["ne.log"]),
]

WRONG_COMMAND = [
    Case(f"{'-'.join(command[:2])}-given-{option[2:]}", [*command, option, *value], LOG, message=option)
    for command, option, value in (
        (["triage", "{d}/ne.log"], "--app", ["x.app"]),
        (["triage", "{d}/ne.log"], "--answer", ["platform=macos"]),
        (["inspect", "{d}"], "--log", ["{d}/ne.log"]),
        (["inspect", "{d}"], "--probe", ["yes"]),
        (["report", "{d}/x.yaml"], "--probe", ["yes"]),
        (["report", "{d}/x.yaml"], "--answer", ["platform=macos"]),
        (["replay", "{d}/x.yaml"], "--format", ["json"]),
        (["replay", "{d}/x.yaml"], "--output", ["{d}/o.txt"]),
        (["collect"], "--format", ["json"]),
        (["collect"], "--answer", ["platform=macos"]),
        (["collect"], "--from", ["{d}/x.yaml"]),
        (["kb", "check"], "--format", ["json"]),
        (["kb", "stats"], "--output", ["{d}/o.txt"]),
        (["kb", "graph"], "--app", ["x.app"]),
        (["diagnose"], "--resume", []),
        (["diagnose"], "--knowledge-base", ["x"]),
    )
]

CASES = FACT_VALUES + REPEATS + FORMATS + PROBE_TIMEOUTS + VALUES + PLACEMENT + WRONG_COMMAND


@pytest.mark.parametrize("case", [c.param() for c in CASES])
def test_outside_arguments(case: Case, tmp_path: Path) -> None:
    run_case(case, tmp_path)


def test_the_arguments_family_is_large_enough() -> None:
    assert len(CASES) >= 150
    assert len({c.id for c in CASES}) == len(CASES)
