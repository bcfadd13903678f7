"""Hostile `--answers` files and `--answer` values: each one refused in one line (exit 2) or
read, never a traceback, an unbounded read or a changed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.hostile.io_cases import Case, fifo_with, run_case, sparse, write

VALID = "platform: macos\npackaging: sysex\napp_location: elsewhere\n"


def link_loop(folder: Path) -> None:
    (folder / "a.yaml").symlink_to(folder / "b.yaml")
    (folder / "b.yaml").symlink_to(folder / "a.yaml")


def answers_case(id: str, content: str | bytes, codes: tuple[int, ...] = (2,), message: str = "", **kw) -> Case:
    return Case(id, ["diagnose", "--answers", "{d}/a.yaml"], write("a.yaml", content), codes, message, inputs=["a.yaml"], **kw)


ANSWER_FILES = [
    answers_case("valid", VALID, (0,)),
    answers_case("empty", "", (1,)),
    answers_case("only-a-comment", "# nothing\n", (1,)),
    answers_case("whitespace", "   \n\t\n", (1, 2)),
    answers_case("a-list", "- platform\n- macos\n", message="expected a mapping"),
    answers_case("a-scalar", "macos\n", message="expected a mapping"),
    answers_case("nested-value", "platform: {os: macos}\n", message="must be plain text"),
    answers_case("list-value", "platform: [macos]\n", message="must be plain text"),
    answers_case("alias-bomb", "a: &a [x, x, x]\nb: &b [*a, *a, *a]\nc: [*b, *b, *b]\n", message="aliases are not allowed"),
    answers_case("deep-nesting", "a: " + "[" * 5000 + "]" * 5000 + "\n", message="nest"),
    answers_case("nesting-just-too-deep", "a: " + "[" * 150 + "]" * 150 + "\n", message="nested more than"),
    answers_case("not-utf8", b"platform: mac\xffos\n", message="not UTF-8"),
    answers_case("utf16", "platform: macos\n".encode("utf-16"), message="not UTF-8"),
    answers_case("nul-bytes", b"platform: mac\x00os\n", message="malformed YAML"),
    answers_case("tab-indentation", "platform:\n\t- macos\n", message="malformed YAML"),
    answers_case("two-documents", "platform: macos\n---\npackaging: sysex\n", message="malformed YAML"),
    answers_case("python-tag", "platform: !!python/object:os.system [ls]\n", message="must be plain text"),
    answers_case("unknown-tag", "platform: !shell macos\n", message="malformed YAML"),
    answers_case("binary-tag", "platform: !!binary bWFjb3M=\n", message=""),
    answers_case("duplicate-key", "platform: macos\nplatform: ios\n", message="duplicate key"),
    answers_case("unknown-fact", "colour: red\n", message="unknown fact 'colour'"),
    answers_case("unknown-value", "platform: linux\n", message="unknown value 'linux'"),
    answers_case("value-with-newline", 'platform: "mac\\nos"\n', message="one line"),
    answers_case("value-with-escape", 'platform: "mac\\e[31mos"\n', message="one line"),
    answers_case("value-with-rtl-override", 'platform: "mac\\u202eos"\n', message="one line"),
    answers_case("key-with-newline", '"plat\\nform": macos\n', message="unknown fact"),
    answers_case("long-key", "p" * 100_000 + ": macos\n", message="malformed YAML"),
    answers_case("long-value", "platform: " + "m" * 500_000 + "\n", message="unknown value"),
    answers_case("numeric-key", "1: macos\n", message="unknown fact '1'"),
    answers_case("boolean-value", "sip: true\n", (0, 1, 2)),
    answers_case("null-value", "platform:\n", (0, 1, 2)),
    answers_case("nan-value", "platform: .nan\n", message="unknown value"),
    answers_case("huge-integer", "platform: " + "9" * 5000 + "\n", message="is not a number or date"),
    answers_case("date-out-of-range", "platform: 0000-00-00\n", message="is not a number or date"),
    answers_case("python-name-tag", "platform: !!python/name:os.system\n", message="malformed YAML"),
    answers_case("merge-key", "<<: {platform: macos}\n", message="must be plain text"),
    answers_case("bom", "\ufeffplatform: macos\n", (1,)),
    answers_case("crlf", VALID.replace("\n", "\r\n"), (0,)),
    answers_case("just-over-the-cap", "# " + "x" * (1 << 20) + "\n", message="larger than 1 MB"),
    answers_case("many-keys", "".join(f"k{i}: v\n" for i in range(100_000)), message="unknown fact 'k0'"),
    Case("dev-zero", ["diagnose", "--answers", "/dev/zero"], message="larger than 1 MB"),
    Case("dev-urandom", ["diagnose", "--answers", "/dev/urandom"], message="larger than 1 MB"),
    Case("dev-null", ["diagnose", "--answers", "/dev/null"], codes=(1,)),
    Case("sparse-2gb", ["diagnose", "--answers", "{d}/big.yaml"], sparse("big.yaml", 2 << 30), message="larger than 1 MB", run={"memory": 256 << 20}),
    Case("a-folder", ["diagnose", "--answers", "{d}"], message="is a directory"),
    Case("missing", ["diagnose", "--answers", "{d}/nope.yaml"], message="no such file"),
    Case("link-loop", ["diagnose", "--answers", "{d}/a.yaml"], link_loop, message="cannot read"),
    Case("fifo", ["diagnose", "--answers", "{d}/pipe"], fifo_with("pipe", VALID.encode()), (0,)),
    Case("fifo-endless", ["diagnose", "--answers", "{d}/pipe"], fifo_with("pipe", b"# " + b"y" * (3 << 20)), message="larger than 1 MB"),
    Case("answers-is-output", ["diagnose", "--answers", "{d}/a.yaml", "--output", "{d}/a.yaml"], write("a.yaml", VALID), inputs=["a.yaml"], message="same file"),
]

ANSWER_ARGS = [
    Case(f"answer-{name}", ["diagnose", "--answer", value], codes=codes, message=message)
    for name, value, codes, message in [
        ("multi-line", "platform=mac\nos", (2,), "one line"),
        ("trailing-newline", "platform=macos\n", (2,), "one line"),
        ("cr", "platform=macos\r", (2,), "one line"),
        ("escape", "platform=\x1b[2Jmacos", (2,), "one line"),
        ("bidi", "platform=\u202emacos", (2,), "one line"),
        ("no-equals", "platform", (2,), "expected FACT=VALUE"),
        ("empty", "", (2,), "expected FACT=VALUE"),
        ("only-equals", "=", (2,), "unknown fact"),
        ("huge", "platform=" + "x" * 100_000, (2,), "unknown value"),
        ("unicode", "platform=mácos", (2,), "unknown value"),
        ("valid", "platform=macos", (1,), ""),
        ("spaces", "  platform  =  macos  ", (1,), ""),
    ]
]


@pytest.mark.parametrize("case", [c.param() for c in ANSWER_FILES + ANSWER_ARGS])
def test_hostile_answers(case: Case, tmp_path: Path) -> None:
    run_case(case, tmp_path)


def test_the_answers_family_is_large_enough() -> None:
    assert len(ANSWER_FILES) + len(ANSWER_ARGS) >= 50
