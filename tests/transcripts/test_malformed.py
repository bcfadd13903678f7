"""Malformed transcripts of any shape are refused on load: one line naming the file, the line and
the key, exit 2; never an internal error (exit 3) or Python's exception text (issue 12, item 7)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.cli import main
from advisor.cli.replay_cmd import expectation_of, load_session, replay_one
from advisor.cli.report_cmd import with_probe_outputs
from advisor.exit_status import UserError
from advisor.investigation import KnowledgeRuntime
from advisor.reports import render_report

MUTATION_EXAMPLES = 400

# A transcript using every key, each with the shape advisor writes.
RICH: dict[str, Any] = {
    "advisor_transcript": 1,
    "id": "rich",
    "title": "every key",
    "source": "test",
    "recorded": "2026-11-26T18:00:00Z",
    "describe": "works on one Mac but not another",
    "answers": {"platform": "macos", "distribution": "developer-id"},
    "log": "Signature check failed: code failed to satisfy specified code requirement(s)\n",
    "bundle": {
        "path": "/Applications/Example.app",
        "bundle": {"bundle_id": "com.example.app"},
        "providers": [{"bundle_id": "com.example.app.tunnel"}],
        "observations": [{"fact": "packaging", "value": "appex", "detail": "d", "origin": "o"}],
        "findings": [{"id": "appex-requires-mac-app-store", "rule": "r", "severity": "error", "detail": "d", "path": "p", "key": None}],
    },
    "probe_context": {
        "app_path": "/Applications/Example.app",
        "provider_paths": ["/Applications/Example.app/Contents/PlugIns/T.appex"],
        "bundle_id": "com.example.app",
        "provider_bundle_ids": ["com.example.app.tunnel"],
        "minimum_system_versions": {"com.example.app.tunnel": "13.0"},
        "bundle_versions": {"com.example.app.tunnel": "1.0/1"},
        "observed_at": "2026-11-26T18:00:00Z",
    },
    "observations": [{"fact": "app_location", "value": "elsewhere", "source": "probe", "detail": "d", "origin": "o"}],
    "probes": [
        {"id": "csrutil-status", "argv": ["csrutil", "status"], "exit_code": 0, "duration_ms": 12, "timed_out": False,
         "stdout": "System Integrity Protection status: enabled.\n", "stderr": ""},
        {"id": "sw-vers", "argv": ["sw_vers"], "exit_code": 0, "duration_ms": 5, "timed_out": False,
         "stdout": "ProductName:\tmacOS\nProductVersion:\t14.5\nBuildVersion:\t23F79\n", "stderr": "", "error": None},
    ],
    "expected": {"first": "appex-requires-mac-app-store", "also_acceptable": [], "include": [], "exclude": []},
    "result": {"diagnoses": [{"id": "appex-requires-mac-app-store", "status": "confirmed", "score": 0.9}]},
    "notes": "n",
}

# The issue's examples, and their neighbours: (YAML lines replacing/adding keys, what the error names).
ISSUE_CASES = [
    ("observations: x", "'observations' must be a list"),
    ("probes: 5", "'probes' must be a list"),
    ("probe_context: {bundle_versions: 5}", "'probe_context.bundle_versions' must be a mapping"),
    ("probes: [{id: csrutil-status, argv: null}]", "'probes[0]' needs 'argv'"),
    ("probes: [{id: csrutil-status, argv: [a], duration_ms: abc}]", "'probes[0].duration_ms' must be a whole number"),
    ("bundle: {findings: null}", None),  # an empty list, really: accepted
    ("advisor_transcript: -1", "'advisor_transcript' must be a whole number, 1 or more"),
    ("advisor_transcript: true", "'advisor_transcript' must be a whole number"),
    ("bundle: {findings: [5]}", "'bundle.findings[0]' must be a mapping"),
    ("bundle: {findings: [{severity: error}]}", "'bundle.findings[0]' needs 'id'"),
    ("bundle: {observations: [{fact: x}]}", "each observation needs 'fact' and 'value'"),
    ("bundle: [1, 2]", "'bundle' must be a mapping"),
    ("answers: {platform: [a]}", "'answers.platform' must be text"),
    ("expected: {first: [a]}", "'expected.first' must be text"),
    ("expected: {surprise: x}", "unknown key 'expected.surprise'"),
    ("result: 5", "'result' must be a mapping"),
    ("result: {diagnoses: [{id: [x]}]}", "'result.diagnoses[0].id' must be text"),
    ("result: {diagnoses: 7}", "'result.diagnoses' must be a list"),
    ("probes: [{id: [x], argv: [a]}]", "'probes[0].id' must be text"),
    ("probes: [{id: csrutil-status, argv: [csrutil], exit_code: 0, stdout: {a: 1}}]", "'probes[0].stdout' must be text"),
    ("probes: [{id: csrutil-status, argv: [csrutil], exit_code: yes}]", "'probes[0].exit_code' must be a whole number or null"),
    ("probes: [{id: csrutil-status, argv: [csrutil], timed_out: maybe}]", "'probes[0].timed_out' must be true or false"),
    ("probes: [{id: csrutil-status, argv: [csrutil], duration_ms: -5}]", "'probes[0].duration_ms' must be at least 0"),
    ("probes: [{id: csrutil-status, argv: [[a]]}]", "'probes[0].argv[0]' must be text"),
    ("probe_context: {app_path: [1]}", "'probe_context.app_path' must be text"),
    ("probe_context: {app_path: relative/path}", "'probe_context': app path 'relative/path' must be an absolute path"),
    ("probe_context: {provider_bundle_ids: ['-rf']}", "'probe_context': provider bundle id '-rf' is not a valid identifier"),
    ("probe_context: {observed_at: yesterday}", "'probe_context': observed_at 'yesterday' is not an ISO 8601 time"),
    ("probe_context: {surprise: 1}", "unknown key 'probe_context.surprise'"),
    ("observations: [{fact: sip, value: enabled, source: [probe]}]", "'observations[0].source' must be text"),
    ("observations: [5]", "'observations[0]' must be a mapping"),
    ("title: {a: b}", "'title' must be text"),
    ("log: [a, b]", "'log' must be text"),
]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("body, names", ISSUE_CASES, ids=[c[0][:40] for c in ISSUE_CASES])
def test_each_wrong_shape_is_one_line_naming_file_line_and_key(tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, names: str | None) -> None:
    text = body + "\n" if body.startswith("advisor_transcript") else f"advisor_transcript: 1\nid: t\n{body}\n"
    path = _write(tmp_path, text)
    out = tmp_path / "out.txt"
    for args in (["diagnose", "--from", str(path), "--output", str(out)], ["report", str(path), "--output", str(out)], ["replay", str(path)]):
        rc = main(args)
        captured = capsys.readouterr()
        if names is None:  # readable; replay has nothing to check in it (no expected:, no result:)
            assert rc in (0, 1) or (args[0] == "replay" and "nothing to check" in captured.out), captured.err
            continue
        assert rc == 2, (args, captured.err)
        err = captured.err if args[0] != "replay" else captured.out
        assert err.count("\n") == 1 and f"{path}:" in err and names in err, err
        assert "Error" not in err and "object" not in err  # no Python exception text
    if names is not None:
        assert not out.exists()


@pytest.fixture(scope="module")
def runtime(kb) -> KnowledgeRuntime:
    return KnowledgeRuntime(kb)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


ALL_PATHS = [p for p in _paths(RICH) if p]
scalar = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(), st.text(max_size=20),
    st.sampled_from(["", "-rf", "../x", "/abs", "yes", "no", "1.0/1", "13.0", "appex-requires-mac-app-store", "csrutil-status", "\x00", "\u202e"]),
)
junk = st.recursive(scalar, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)), max_leaves=6)


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(RICH)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(ALL_PATHS))
        parent: Any = data
        try:
            for step in path[:-1]:
                parent = parent[step]
            action = draw(st.sampled_from(["replace", "replace", "delete", "add"]))
            if action == "delete":
                del parent[path[-1]]
            elif action == "add" and isinstance(parent, dict):
                parent[draw(st.sampled_from(["x", "id", "argv", "fact", "value", "findings", "diagnoses"]))] = draw(junk)
            else:
                parent[path[-1]] = draw(junk)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed or replaced this path
    return data


@settings(max_examples=MUTATION_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=mutated())
def test_any_mutation_of_a_transcript_is_read_or_refused_in_one_line(data: dict[str, Any], tmp_path: Path, kb, runtime: KnowledgeRuntime) -> None:
    """What `diagnose --from`, `report` and `replay` do with a transcript, for any wrong shape
    anywhere: either it works, or it is a UserError (exit 2) whose message is one line."""
    path = _write(tmp_path, yaml.safe_dump(data, allow_unicode=True))
    try:
        transcript, inv = load_session(path, kb, runtime)
        result = with_probe_outputs(inv.result(), inv.probe_runs)
        for fmt in ("text", "json", "markdown", "html"):
            render_report(result, fmt, redact=True)
        expectation_of(transcript)
        recorded = (transcript.result or {}).get("diagnoses") or []
        assert all(isinstance(d, dict) and isinstance(d["id"], str) for d in recorded)
        replay_one(path, kb, runtime)
    except UserError as exc:
        assert str(path) in exc.message and "\n" not in exc.message
        assert "Error:" not in exc.message and "object" not in exc.message, exc.message
