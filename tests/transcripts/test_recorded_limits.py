"""What a transcript keeps of a tool that prints megabytes (issue 12, item 17c): the lines the
parsers read, capped per probe and in all, the probe marked `truncated`, and the notes saying so."""

from __future__ import annotations

from pathlib import Path

from advisor.conversation.recording import recorded_probes
from advisor.probes import ProbeRun
from advisor.transcripts import limits
from advisor.transcripts.format import MAX_TRANSCRIPT_BYTES, load_transcript
from tests.fake_mac import FakeMac, Reply, Scenario, always
from tests.fake_mac.seed import seed_mac
from tests.hostile.io_support import assert_clean, run_advisor


def test_keep_cuts_between_lines_at_the_start_or_the_end() -> None:
    text = "".join(f"line {i}\n" for i in range(1000))
    head = limits.keep(text, 100)
    assert head.cut and head.text.startswith("line 0\n") and head.text.endswith("\n") and len(head.text) <= 100
    tail = limits.keep(text, 100, tail=True)
    assert tail.cut and tail.text.endswith("line 999\n") and tail.text.startswith("line ") and len(tail.text) <= 100
    assert limits.keep("short\n", 100) == limits.Kept("short\n", False)
    assert limits.keep("x" * 500, 100).text == "x" * 100  # one long line: cut inside it


def _run(probe_id: str, parser: str, stdout: str) -> ProbeRun:
    return ProbeRun(probe_id=probe_id, argv=[probe_id], exit_code=0, duration_ms=1, stdout=stdout, stderr="e" * 100_000, parser=parser)


def test_each_probe_and_all_of_them_together_are_capped() -> None:
    big = "0123456789abcdef\n" * 200_000  # 3.4 MB
    runs = [_run(f"p{i}", "sw_vers", big) for i in range(12)] + [_run("log-show", "log_show", big)]
    recorded, cut = recorded_probes(runs)
    assert cut == [r.probe_id for r in runs]
    assert all(len(p.stdout) <= limits.PROBE_STDOUT_CHARS and len(p.stderr) <= limits.PROBE_STDERR_CHARS and p.truncated for p in recorded)
    # The total stops at the cap; past it each probe keeps only its first PROBE_MIN_CHARS.
    assert sum(len(p.stdout) for p in recorded) <= limits.PROBE_OUTPUT_CHARS + len(runs) * limits.PROBE_MIN_CHARS
    assert recorded[0].stdout.startswith("0123") and recorded[-1].stdout.endswith("cdef\n")  # log show keeps its end
    assert all(len(p.stdout) >= limits.PROBE_MIN_CHARS - 17 for p in recorded)  # every probe keeps something


def test_collect_from_tools_that_print_megabytes_writes_a_bounded_transcript(tmp_path: Path) -> None:
    """Before the fix, 100 MB of probe output made an 88 MB transcript."""
    seed = seed_mac(tmp_path / "mac")
    loud = Scenario({tool: always(Reply(stdout_megabytes=6)) for tool in seed.scenario.tools}, seed.scenario.applications_dir)
    mac = FakeMac(tmp_path / "tools", loud)
    out = tmp_path / "loud.yaml"
    r = run_advisor("collect", "--app", str(seed.app), "--output", str(out), cwd=tmp_path, env=mac.env(), timeout=300)
    assert_clean(r, 0)
    size = out.stat().st_size
    assert size < 8 << 20 < MAX_TRANSCRIPT_BYTES, size
    t = load_transcript(out)
    # (lsregister -dump keeps only the lines its filter wants: none of these)
    assert len(t.probes) >= 10 and [(p.id, len(p.stdout)) for p in t.probes if p.stdout and not p.truncated] == []
    assert "longer than a transcript keeps" in t.notes
    assert_clean(run_advisor("diagnose", "--from", str(out), "--format", "json", cwd=tmp_path), 0, 1)
