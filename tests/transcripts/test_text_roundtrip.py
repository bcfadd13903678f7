"""Any text round-trips exactly through a transcript: written by the format, by `collect`, by
`diagnose --transcript` and by the TUI's session store, and read back (issue 12, item 1).

Before the fix, text with a TAB, a newline and a control character (the ESC of an ANSI colour
code in a pasted log) was written as a YAML block the reader then rejected.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.cli import main
from advisor.conversation.session_store import SessionStore
from advisor.knowledge.yaml_source import parse_yaml_text
from advisor.transcripts.format import Expectation, RecordedProbe, Transcript, dump_transcript, load_transcript, save_transcript
from advisor.transcripts.yaml_text import dump_exact
from tests.hostile.io_support import assert_clean, run_advisor
from tests.transcripts.text_strategies import any_text, argv_text

FORMAT_EXAMPLES = 200
CLI_EXAMPLES = 25

json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), any_text)
json_value = st.recursive(json_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(any_text, inner, max_size=3)), max_leaves=8)
optional_text = st.one_of(st.none(), any_text.filter(bool))


@st.composite
def transcripts(draw: st.DrawFn) -> Transcript:
    probes = [
        RecordedProbe(
            id=draw(any_text.filter(bool)),
            argv=draw(st.lists(any_text, min_size=1, max_size=3)),
            exit_code=draw(st.one_of(st.none(), st.integers(-255, 255))),
            duration_ms=draw(st.integers(0, 10**6)),
            stdout=draw(any_text),
            stderr=draw(any_text),
            timed_out=draw(st.booleans()),
            error=draw(optional_text),
            truncated=draw(st.booleans()),
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    return Transcript(
        id=draw(any_text.filter(bool)),
        title=draw(any_text),
        source=draw(any_text),
        recorded=draw(any_text),
        describe=draw(any_text),
        answers=draw(st.dictionaries(any_text, any_text, max_size=3)),
        log=draw(any_text),
        bundle=draw(st.one_of(st.none(), st.dictionaries(any_text.filter(lambda k: k not in ("path", "observations", "findings")), json_value, max_size=3))),
        probes=probes,
        observations=[
            {"fact": draw(any_text.filter(bool)), "value": draw(any_text.filter(bool)), "source": "probe", "detail": draw(any_text), "origin": draw(any_text)}
            for _ in range(draw(st.integers(0, 2)))
        ],
        expected=draw(st.one_of(st.none(), st.builds(Expectation, first=optional_text, include=st.lists(any_text.filter(bool), max_size=2)))),
        result=draw(st.one_of(st.none(), st.dictionaries(any_text.filter(lambda k: k != "diagnoses"), json_value, max_size=3))),
        notes=draw(any_text),
    )


def _comparable(t: Transcript) -> Transcript:
    t.path = ""
    return t


@settings(max_examples=FORMAT_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(t=transcripts())
def test_any_transcript_text_reads_back_exactly(t: Transcript, tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    save_transcript(t, path)
    back = load_transcript(path)
    assert _comparable(back) == _comparable(t)


@settings(max_examples=FORMAT_EXAMPLES, deadline=None)
@given(st.dictionaries(any_text, json_value, max_size=4))
def test_the_exact_writer_reads_back_any_mapping(data: dict) -> None:
    text = dump_exact(data)
    assert parse_yaml_text(text, "x") == data
    text.encode("utf-8")  # the file is valid UTF-8: lone surrogates are carried in base64


@pytest.mark.parametrize(
    "text",
    [
        "a\tb\nSignature check failed \x1b[0m\n",  # the issue's reproduction
        "\tstarts with a tab\nsecond line\n",
        "carriage\r\nreturns\r\n",
        "NUL\x00inside\n",
        "line\u2028separator and\x85NEL\n",
        "\ufeffBOM first\nthen more\n",
        "binary \udcff\udc80 output\n",
        "trailing spaces   \n  \n\n\n",
    ],
)
def test_awkward_text_stays_readable_where_it_can(text: str, tmp_path: Path) -> None:
    t = Transcript(id="t", log=text, probes=[RecordedProbe("p", ["p"], 0, 1, "enabled\tactive\n*\t*\tABCDE12345\n", "")])
    dumped = dump_transcript(t)
    assert "stdout: |" in dumped  # plain tool output with tabs is still a readable block
    path = tmp_path / "t.yaml"
    path.write_text(dumped, encoding="utf-8")
    assert load_transcript(path).log == text


@pytest.fixture
def no_tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    empty = tmp_path / "no-tools"
    empty.mkdir(exist_ok=True)
    monkeypatch.setenv("PATH", str(empty))
    return tmp_path


@settings(max_examples=CLI_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(describe=argv_text, log=any_text)
def test_collect_and_diagnose_transcripts_carry_any_text(describe: str, log: str, no_tools: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log_file = no_tools / "pasted.log"
    log_file.write_bytes(log.encode("utf-8", "surrogatepass"))  # any bytes, not only UTF-8
    seen = log_file.read_text(encoding="utf-8", errors="replace")  # what advisor reads of the file
    for args in (
        ["collect", "--no-redact", "--output", str(no_tools / "c.yaml")],
        ["diagnose", "--no-redact", "--output", str(no_tools / "r.txt"), "--transcript", str(no_tools / "c.yaml")],
    ):
        (no_tools / "c.yaml").unlink(missing_ok=True)
        rc = main([*args, f"--describe={describe}", "--log", str(log_file)])  # "=": a value may start with "-"
        err = capsys.readouterr().err
        if rc == 2 and "binary data" in err:  # a log of mostly control characters is refused, in one line
            assert err.count("\n") == 1
            continue
        assert rc in (0, 1), err
        back = load_transcript(no_tools / "c.yaml")
        assert back.describe == describe.strip()
        assert back.log == seen


@settings(max_examples=CLI_EXAMPLES * 2, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(t=transcripts())
def test_the_session_store_writer_carries_any_text(t: Transcript, tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "state")
    path = store.new_path()
    try:
        store.save_now(path, t)
    finally:
        store.close()
    assert store.last_error is None
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)  # a saved session is its owner's only
    assert _comparable(load_transcript(path)) == _comparable(t)
    assert not [p for p in os.listdir(path.parent) if p.startswith(".")]  # no temp or lock file left


@pytest.mark.parametrize(
    "make",
    [
        ["collect", "--log", "{log}", "--output", "{out}"],
        ["collect", "--describe", "a\tb\n\x1b[31mred\x1b[0m \u2028 \udcff", "--output", "{out}"],
        ["diagnose", "--log", "{log}", "--describe", "tab\there\r\nand CR", "--output", "{d}/r.txt", "--transcript", "{out}"],
    ],
    ids=["collect-log", "collect-describe", "diagnose-transcript"],
)
def test_the_issue_reproduction_reads_back(tmp_path: Path, make: list[str]) -> None:
    """`printf 'a\\tb\\nSignature check failed \\033[0m\\n' > l.log; advisor collect --log l.log
    --output c.yaml; advisor diagnose --from c.yaml`: "wrote", then the file was unreadable."""
    log = tmp_path / "l.log"
    log.write_bytes(b"a\tb\nSignature check failed \x1b[0m\n")
    out = tmp_path / "c.yaml"
    args = [a.format(log=log, out=out, d=tmp_path) for a in make]
    assert_clean(run_advisor(*args, cwd=tmp_path, env={"PATH": str(tmp_path / "no-tools")}), 0, 1)
    again = run_advisor("diagnose", "--from", str(out), "--format", "json", cwd=tmp_path)
    assert_clean(again, 0, 1)
    assert_clean(run_advisor("report", str(out), "--output", str(tmp_path / "r.md"), cwd=tmp_path), 0)
