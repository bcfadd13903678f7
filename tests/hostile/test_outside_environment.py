"""An outside tester's abuse of advisor's surroundings: ADVISOR_KNOWLEDGE pointing at garbage (a
pipe, /dev/zero, an alias bomb, 100,000-deep nesting, binary, duplicate keys, wrong types...),
hostile terminal and locale variables, a HOME or XDG folder that is missing or a file, a deleted
working folder, and standard output or error closed or on a full device, for every command.

Each run is a real `python -m advisor` under a memory cap and a time ceiling (io_support): the
exit code expected, one printable line on stderr for bad input, never a traceback, never a hang.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.fixtures.bundle_builder import build_app
from tests.hostile.io_support import REPO, Run, assert_clean, run_advisor

KNOWLEDGE = REPO / "knowledge"
LOG_LINE = "Signature check failed: code failed to satisfy specified code requirement(s)\n"
ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
)


def _facts(text: str | bytes) -> Callable[[Path], None]:
    def mutate(kb: Path) -> None:
        (kb / "facts.yaml").write_bytes(text.encode() if isinstance(text, str) else text)

    return mutate


def _replace_facts(make: Callable[[Path], None]) -> Callable[[Path], None]:
    def mutate(kb: Path) -> None:
        (kb / "facts.yaml").unlink()
        make(kb / "facts.yaml")

    return mutate


def _diagnosis_file(text: str) -> Callable[[Path], None]:
    def mutate(kb: Path) -> None:
        (kb / "diagnoses" / "zz-hostile.yaml").write_text(text)

    return mutate


# name -> how a copy of the shipped knowledge base is spoiled (None: an empty folder)
BROKEN_BASES: dict[str, Callable[[Path], None] | None] = {
    "empty folder": None,
    "malformed YAML": _facts("facts: [\n  - {id: x\n"),
    "alias bomb": _facts(ALIAS_BOMB),
    "alias bomb among diagnoses": _diagnosis_file(ALIAS_BOMB),
    "100,000-deep flow nesting": _facts("[" * 100_000 + "]" * 100_000),
    "5,000-deep mapping": _facts("a: " * 5000 + "b\n"),
    "binary": _facts(bytes(range(256)) * 20),
    "UTF-16": _facts((KNOWLEDGE / "facts.yaml").read_text().encode("utf-16")),
    "duplicate keys": _facts((KNOWLEDGE / "facts.yaml").read_text() * 2),
    "a list at the top": _facts("- 1\n- 2\n"),
    "a number at the top": _facts("42\n"),
    "a python tag": _facts("!!python/object/apply:os.system ['echo owned']\n"),
    "values of the wrong type": _facts((KNOWLEDGE / "facts.yaml").read_text().replace("values:", "values: 5\n    was:", 1)),
    "facts.yaml is a folder": _replace_facts(lambda p: p.mkdir()),
    "facts.yaml is a FIFO": _replace_facts(lambda p: os.mkfifo(p)),
    "facts.yaml links to /dev/zero": _replace_facts(lambda p: p.symlink_to("/dev/zero")),
    "facts.yaml links to itself": _replace_facts(lambda p: p.symlink_to(p)),
    "meta.yaml missing": lambda kb: (kb / "meta.yaml").unlink(),
    "meta.yaml is a FIFO": lambda kb: ((kb / "meta.yaml").unlink(), os.mkfifo(kb / "meta.yaml")),
}
KB_COMMANDS: dict[str, tuple[list[str], tuple[int, ...]]] = {
    "kb check": (["kb", "check"], (1, 2)),
    "diagnose": (["diagnose", "--answer", "platform=macos"], (2,)),
    "triage": (["triage", "ne.log"], (2,)),
    "--version": (["--version"], (0,)),
}


def _broken_base(tmp_path: Path, name: str) -> Path:
    kb = tmp_path / "kb"
    mutate = BROKEN_BASES[name]
    if mutate is None:
        kb.mkdir()
    else:
        shutil.copytree(KNOWLEDGE, kb)
        mutate(kb)
    (tmp_path / "ne.log").write_text(LOG_LINE)
    return kb


@pytest.mark.parametrize("command", list(KB_COMMANDS))
@pytest.mark.parametrize("name", list(BROKEN_BASES))
def test_a_broken_knowledge_base_is_named(name: str, command: str, tmp_path: Path) -> None:
    kb = _broken_base(tmp_path, name)
    args, codes = KB_COMMANDS[command]
    # The compiled-model cache is on: a spoiled base must not be hashed forever, nor served from it.
    env = {"ADVISOR_KNOWLEDGE": str(kb), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    run = run_advisor(*args, cwd=tmp_path, env=env, timeout=30)
    assert_clean(run, *codes)
    if run.returncode == 2:
        assert "kb" in run.stderr or "knowledge" in run.stderr, run.describe()
    if command == "--version":
        assert run.out.startswith("advisor "), run.describe()


def test_kb_check_names_every_problem_of_a_broken_base_on_stdout(tmp_path: Path) -> None:
    kb = _broken_base(tmp_path, "facts.yaml is a FIFO")
    run = run_advisor("kb", "--knowledge", str(kb), "check", cwd=tmp_path, env={"ADVISOR_NO_CACHE": "1"}, timeout=30)
    assert_clean(run, 1)
    assert "facts.yaml: not a regular file" in run.out, run.describe()


def test_problems_are_named_after_the_folder_checked_not_an_earlier_copy(tmp_path: Path) -> None:
    """Two copies of one broken base: the second check names its own files (the model cache is
    keyed by content, and problems hold paths)."""
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    outs = []
    for copy in ("first", "second"):
        shutil.copytree(KNOWLEDGE, tmp_path / copy)
        (tmp_path / copy / "facts.yaml").write_text("facts: 5\n")
        run = run_advisor("kb", "--knowledge", str(tmp_path / copy), "check", cwd=tmp_path, env=env)
        assert_clean(run, 1)
        outs.append(run.out)
    assert "first/facts.yaml" in outs[0] and "second/facts.yaml" in outs[1], outs


@pytest.mark.parametrize("value", ["{d}/none", "{d}/ne.log", "/dev/zero", "\x01"])
@pytest.mark.parametrize("command", [["kb", "check"], ["kb", "stats"], ["diagnose"], ["inspect", "x.app"]])
def test_advisor_knowledge_that_is_no_folder(value: str, command: list[str], tmp_path: Path) -> None:
    (tmp_path / "ne.log").write_text(LOG_LINE)
    run = run_advisor(*command, cwd=tmp_path, env={"ADVISOR_KNOWLEDGE": value.replace("{d}", str(tmp_path))})
    assert_clean(run, 2)
    assert "knowledge folder not found" in run.stderr, run.describe()


# ---- terminal, locale, home ------------------------------------------------------------------

ENVIRONMENTS: dict[str, dict[str, str]] = {
    "NO_COLOR": {"NO_COLOR": "1"},
    "TERM=dumb": {"TERM": "dumb"},
    "COLUMNS=0": {"COLUMNS": "0", "LINES": "0"},
    "COLUMNS=-5": {"COLUMNS": "-5"},
    "COLUMNS=abc": {"COLUMNS": "abc"},
    "COLUMNS=100000000": {"COLUMNS": "100000000"},
    "LC_ALL=C": {"LC_ALL": "C", "LANG": "C"},
    "PYTHONIOENCODING=ascii": {"PYTHONIOENCODING": "ascii"},
    "PYTHONIOENCODING=latin-1": {"PYTHONIOENCODING": "latin-1"},
    "HOME missing": {"HOME": "{d}/no/such/home"},
    "HOME empty": {"HOME": ""},
    "HOME a file": {"HOME": "{d}/ne.log"},
    "XDG_CACHE_HOME a file": {"XDG_CACHE_HOME": "{d}/ne.log"},
    "XDG_CACHE_HOME relative": {"XDG_CACHE_HOME": "relative/cache"},
    "XDG_CACHE_HOME in /proc": {"XDG_CACHE_HOME": "/proc/self/nope"},
    "XDG_STATE_HOME a file": {"XDG_STATE_HOME": "{d}/ne.log"},
    "TMPDIR missing": {"TMPDIR": "{d}/no/tmp"},
    "PATH empty": {"PATH": ""},
}
ENV_COMMANDS: dict[str, tuple[list[str], tuple[int, ...]]] = {
    "diagnose": (["diagnose", "--describe", "works on one Mac — “not” on another 日本", "--log", "ne.log", "--probe", "yes"], (0, 1)),
    "triage": (["triage", "ne.log", "--format", "json"], (0, 1)),
    "kb stats": (["kb", "stats"], (0,)),
    "--help": (["diagnose", "--help"], (0,)),
}


@pytest.mark.parametrize("command", list(ENV_COMMANDS))
@pytest.mark.parametrize("name", list(ENVIRONMENTS))
def test_hostile_surroundings(name: str, command: str, tmp_path: Path) -> None:
    (tmp_path / "ne.log").write_text(LOG_LINE)
    env = {k: v.replace("{d}", str(tmp_path)) for k, v in ENVIRONMENTS[name].items()}
    args, codes = ENV_COMMANDS[command]
    run = run_advisor(*args, cwd=tmp_path, env=env)
    assert_clean(run, *codes)
    assert run.stderr == "", run.describe()
    assert (tmp_path / "ne.log").read_text() == LOG_LINE
    assert not (tmp_path / "no").exists() or name.startswith("HOME"), "a missing TMPDIR was created"


def test_a_deleted_working_folder(tmp_path: Path) -> None:
    shell = ["sh", "-c", 'cd "$1" && rmdir "$1" && shift && exec "$0" -m advisor "$@"', sys.executable, str(tmp_path / "gone")]
    for args, codes in ((["diagnose", "--answer", "platform=macos"], (1,)), (["triage", "ne.log"], (2,)), (["kb", "stats"], (0,))):
        (tmp_path / "gone").mkdir()
        run = run_advisor(*args, cwd=tmp_path, python=shell)
        assert_clean(run, *codes)


# ---- standard output and error ---------------------------------------------------------------

STREAM_COMMANDS: dict[str, list[str]] = {
    "--version": ["--version"],
    "--help": ["--help"],
    "diagnose --help": ["diagnose", "--help"],
    "tui --help": ["tui", "--help"],
    "diagnose": ["diagnose", "--answer", "platform=macos"],
    "diagnose json": ["diagnose", "--log", "ne.log", "--format", "json"],
    "triage": ["triage", "ne.log"],
    "triage json": ["triage", "ne.log", "--format", "json"],
    "inspect": ["inspect", "{app}"],
    "inspect json": ["inspect", "{app}", "--format", "json"],
    "report": ["report", str(REPO / "transcripts" / "d01-devid-sysex-not-notarized.yaml")],
    "replay": ["replay", str(REPO / "transcripts" / "d01-devid-sysex-not-notarized.yaml")],
    "kb check": ["kb", "check"],
    "kb stats": ["kb", "stats"],
    "kb graph": ["kb", "graph"],
    "kb graph mermaid": ["kb", "graph", "--format", "mermaid"],
    "kb list": ["kb", "list", "diagnoses"],
    "kb list json": ["kb", "list", "facts", "--format", "json"],
}


def _redirected(redirect: str) -> list[str]:
    return ["sh", "-c", f'exec "$0" -m advisor "$@" {redirect}', sys.executable]


@pytest.mark.parametrize("command", list(STREAM_COMMANDS))
@pytest.mark.parametrize("where", ["/dev/full", "closed"])
def test_standard_output_that_cannot_be_written(where: str, command: str, tmp_path: Path) -> None:
    (tmp_path / "ne.log").write_text(LOG_LINE)
    redirect = ">/dev/full" if where == "/dev/full" else ">&-"
    args = STREAM_COMMANDS[command]
    if "{app}" in args:
        app = str(build_app(tmp_path).path)
        args = [app if a == "{app}" else a for a in args]
    run = run_advisor(*args, cwd=tmp_path, python=_redirected(redirect))
    assert_clean(run, 2)
    assert "standard output" in run.stderr, run.describe()


def test_collect_with_standard_output_closed_still_writes_its_transcript(tmp_path: Path) -> None:
    run = run_advisor("collect", "--output", "mac.yaml", cwd=tmp_path, python=_redirected(">&- </dev/null"))
    assert_clean(run, 0)
    assert (tmp_path / "mac.yaml").read_text().startswith("advisor_transcript:")


@pytest.mark.parametrize("command", ["diagnose --format pdf", "inspect missing", "triage missing"])
def test_an_error_with_stderr_closed_stays_out_of_the_output(command: str, tmp_path: Path) -> None:
    words = command.split()
    run: Run = run_advisor(*words, cwd=tmp_path, python=_redirected("2>&-"))
    assert run.returncode == 2 and run.out == "", run.describe()
