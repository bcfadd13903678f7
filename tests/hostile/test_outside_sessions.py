"""An outside tester's sessions and knowledge: `replay` on many transcripts where one is bad (the
others are still judged), `report` and `diagnose --from` on a transcript from a future advisor,
and the knowledge tools on a base whose questions form a cycle."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.hostile.io_support import REPO, assert_clean, run_advisor

TRANSCRIPTS = sorted((REPO / "transcripts").glob("d0*.yaml"))[:3]
BAD: dict[str, bytes | None] = {
    "malformed YAML": b"advisor_transcript: 1\nid: [\n",
    "random bytes": bytes(range(256)) * 10,
    "a future format": None,  # filled from a good transcript
    "a folder": None,
    "missing": None,
}


def _bad(tmp_path: Path, kind: str) -> Path:
    path = tmp_path / "bad.yaml"
    if kind == "a future format":
        path.write_text(TRANSCRIPTS[0].read_text().replace("advisor_transcript: 1", "advisor_transcript: 99", 1))
    elif kind == "a folder":
        path.mkdir()
    elif kind != "missing":
        path.write_bytes(BAD[kind] or b"")
    return path


@pytest.mark.parametrize("kind", list(BAD))
def test_replay_judges_the_others_when_one_transcript_is_bad(kind: str, tmp_path: Path) -> None:
    bad = _bad(tmp_path, kind)
    run = run_advisor("replay", str(TRANSCRIPTS[0]), str(bad), str(TRANSCRIPTS[1]), cwd=tmp_path)
    assert_clean(run, 2)
    if kind == "a folder":  # holding no transcripts: refused before any replay, not passed over
        assert "no transcript files found in" in run.stderr and "bad.yaml" in run.stderr, run.describe()
        return
    assert run.out.count("PASS ") == 2, run.describe()
    assert "bad.yaml" in run.out, run.describe()


@pytest.mark.parametrize("command", [["report"], ["report", "--format", "json"], ["report", "--format", "html"], ["diagnose", "--from"]])
def test_a_transcript_from_a_future_advisor_is_named(command: list[str], tmp_path: Path) -> None:
    future = _bad(tmp_path, "a future format")
    run = run_advisor(*command, str(future), cwd=tmp_path)
    assert_clean(run, 2)
    assert "newer than this advisor" in run.stderr and "bad.yaml" in run.stderr, run.describe()


@pytest.fixture
def cyclic_kb(tmp_path: Path) -> Path:
    """The shipped base, with `platform` asked only once packaging is known and packaging only
    once the platform is: a question cycle."""
    kb = tmp_path / "kb"
    shutil.copytree(REPO / "knowledge", kb)
    questions = kb / "questions.yaml"
    text = questions.read_text()
    anchor = "    priority: 1.6\n"
    assert anchor in text
    questions.write_text(text.replace(anchor, "    ask_if: {packaging: sysex}\n" + anchor, 1))
    return kb


@pytest.mark.parametrize(
    "command, codes",
    [(["kb", "check"], (1,)), (["kb", "graph"], (0, 2)), (["kb", "graph", "--format", "mermaid"], (0, 2)), (["kb", "stats"], (0, 2)), (["diagnose"], (1, 2))],
)
def test_a_question_cycle_is_named_not_walked_forever(cyclic_kb: Path, command: list[str], codes: tuple[int, ...], tmp_path: Path) -> None:
    run = run_advisor(*command, cwd=tmp_path, env={"ADVISOR_KNOWLEDGE": str(cyclic_kb), "XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert_clean(run, *codes)
    if command == ["kb", "check"]:
        assert "cycle" in run.out, run.describe()
