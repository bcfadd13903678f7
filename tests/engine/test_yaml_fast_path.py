"""The rapidyaml fast path (`read_yaml_fast`) gives exactly what the located reader gives.

Same values (types included), the same line for every collection it locates, the same model for
a whole knowledge base (every `Location` included), and the same error message, word for word,
for anything malformed: the real knowledge base, generated bases, and generated YAML.
"""

from __future__ import annotations

import math
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.knowledge import fast_yaml, loader
from advisor.knowledge.fast_yaml import read_yaml_fast
from advisor.knowledge.loader import _load_knowledge, load_knowledge
from advisor.knowledge.yaml_source import LocatedDict, LocatedList, YamlError, read_yaml
from tests.engine.tiny_kb import FILES, write_tiny_kb
from tests.knowledge_builder import REAL_KNOWLEDGE, copy_real_kb
from tests.synthetic_kb import write_synthetic_kb

HAS_RYML = fast_yaml._rapidyaml() is not None
needs_ryml = pytest.mark.skipif(not HAS_RYML, reason="rapidyaml is not installed: the fast path is the located reader")
EVERYWHERE = [("*",) * depth for depth in range(1, 12)]  # every collection, at any depth, located


def takes_fast_path(text: str) -> bool:
    try:
        fast_yaml._fast_values(text)
    except fast_yaml._NotSure:
        return False
    return True


def assert_same(fast: Any, located: Any, where: str = "$") -> None:
    """Same values and types; every collection the fast path located has the located lines."""
    if isinstance(fast, dict):
        assert isinstance(located, LocatedDict), where
        assert list(fast) == list(located), where
        if isinstance(fast, LocatedDict):
            assert fast.line == located.line, f"{where}: line {fast.line} != {located.line}"
            for key, line in fast.key_lines.items():
                assert line == located.key_lines[key], f"{where}/{key}: line {line} != {located.key_lines[key]}"
        for key in fast:
            assert_same(fast[key], located[key], f"{where}/{key}")
    elif isinstance(fast, list):
        assert isinstance(located, LocatedList), where
        assert len(fast) == len(located), where
        if isinstance(fast, LocatedList):
            assert (fast.line, fast.item_lines) == (located.line, located.item_lines), where
        for i, (a, b) in enumerate(zip(fast, located, strict=True)):
            assert_same(a, b, f"{where}/{i}")
    else:
        assert type(fast) is type(located), f"{where}: {fast!r} vs {located!r}"
        same = fast == located or (isinstance(fast, float) and math.isnan(fast) and math.isnan(located))
        assert same, f"{where}: {fast!r} vs {located!r}"


def outcome(read: Callable[[], Any]) -> tuple[str, Any]:
    try:
        return "value", read()
    except YamlError as exc:
        return "error", exc.message


def compare_file(path: Path, paths: list[tuple[str | int, ...]] = EVERYWHERE) -> None:
    fast = outcome(lambda: read_yaml_fast(path, path.name, paths))
    located = outcome(lambda: read_yaml(path, path.name))
    assert fast[0] == located[0], (fast, located)
    if fast[0] == "error":
        assert fast[1] == located[1]
    else:
        assert_same(fast[1], located[1])


def compare_text(text: str, paths: list[tuple[str | int, ...]] = EVERYWHERE) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.yaml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        compare_file(path, paths)


# ---- the real knowledge base and generated ones ------------------------------------------------


def test_every_real_knowledge_file_reads_the_same_everywhere():
    files = sorted(REAL_KNOWLEDGE.rglob("*.yaml"))
    assert files
    for path in files:
        compare_file(path)
        top = next(iter(read_yaml(path) or {}), "")
        compare_file(path, [(top,), *((top, *p) for p in loader._LOCATED.get(top, ()))])  # as the loader asks


@needs_ryml
def test_the_real_knowledge_base_mostly_takes_the_fast_path():
    files = sorted(REAL_KNOWLEDGE.rglob("*.yaml"))
    fast = [p.name for p in files if takes_fast_path(p.read_text(encoding="utf-8"))]
    assert len(fast) >= len(files) // 2, fast  # else the equivalence tests above prove little


def test_the_whole_real_model_is_identical(tmp_path):
    root = copy_real_kb(tmp_path / "knowledge")
    fast, located = _load_knowledge(root, strict=False, fast=True), _load_knowledge(root, strict=False)
    assert fast.problems == located.problems == []
    assert fast == located  # dataclass equality: every value and every Location


def test_a_generated_base_is_identical_and_wholly_fast(tmp_path):
    root = write_synthetic_kb(tmp_path / "knowledge", questions=300, diagnoses=60)
    if HAS_RYML:
        assert all(takes_fast_path(p.read_text(encoding="utf-8")) for p in root.rglob("*.yaml"))
    for path in root.rglob("*.yaml"):
        compare_file(path)
    assert _load_knowledge(root, strict=False, fast=True) == _load_knowledge(root, strict=False)


def test_a_small_base_is_read_by_the_located_reader_alone(tmp_path, monkeypatch):
    root = copy_real_kb(tmp_path / "knowledge")  # 0.4 MB: the fast reader would not pay off
    monkeypatch.setenv("ADVISOR_NO_CACHE", "1")

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the fast reader was used")

    monkeypatch.setattr(fast_yaml, "read_yaml_fast", refuse)
    assert load_knowledge(root, strict=False) == _load_knowledge(root, strict=False)


def test_the_tiny_base_in_flow_style_is_identical(tmp_path):
    root = write_tiny_kb(tmp_path / "knowledge")
    assert _load_knowledge(root, strict=False, fast=True) == _load_knowledge(root, strict=False)


def test_a_condition_path_missing_from_the_fast_reader_falls_back_to_the_located_one(tmp_path, monkeypatch):
    root = write_tiny_kb(tmp_path / "knowledge")
    monkeypatch.setenv("ADVISOR_NO_CACHE", "1")
    monkeypatch.setattr(loader, "FAST_READ_BYTES", 0)  # the fast reader even for a tiny base
    expected = _load_knowledge(root, strict=False)
    monkeypatch.setattr(loader, "_LOCATED", {})  # as if a new condition field forgot its path
    with pytest.raises(loader._Unlocated):
        _load_knowledge(root, strict=False, fast=True)
    assert load_knowledge(root, strict=False) == expected


def test_without_rapidyaml_everything_is_read_by_the_located_reader(tmp_path, monkeypatch):
    root = write_tiny_kb(tmp_path / "knowledge")
    monkeypatch.setenv("ADVISOR_NO_CACHE", "1")
    monkeypatch.setattr(loader, "FAST_READ_BYTES", 0)
    monkeypatch.setattr(fast_yaml, "_ryml", False)
    assert not takes_fast_path(FILES["facts.yaml"])
    assert load_knowledge(root, strict=False) == _load_knowledge(root, strict=False)


# ---- edge scalars, malformed files, error messages ---------------------------------------------

EDGE_SCALARS = [
    "~", "null", "Null", "NULL", "", "''", '""', "true", "True", "TRUE", "false", "FALSE", "yes", "No", "on", "OFF",
    "1", "-1", "+1", "01", "00", "0o10", "0x10", "0b11", "1_000", "1.5", ".5", "-.5", "1.", "1e3", "1.0e3", "1.0e+3",
    ".5e3", "0.5e+3", "1e+3", ".inf", "-.Inf", ".nan", "1:20", "190:20:30.15", "2001-12-14", "2001-12-14t21:59:43.10-05:00",
    "12345678901234567890", "1.7976931348623157e309", "-0", "0.0", "-0.0", "-.0", ".0", "-01", "+0", "-0.5", "10.", "0.5", "'1'", '"1.5"', '"true"', "'~'", "<<", "=", "-x", "?x",
    "x:y", "http://x.y/z?q=1#f", "a #comment", "'it''s'", '"q\\"q"', '"\\u00e9\\x41\\U0001F600"', '"\\/"', '"\\N\\_\\L\\P"',
    '"\\e\\0\\a\\b"', '"\\t tab"', "é😀", "\u00a0x", "[]", "{}", "[a, 'b', \"c\", 1]", "{a: 1, 'b': [x]}", "[a, b: c]", "{a, b: c}",
    "&anchor x", "*alias", "!!str 1", "!!int '7'", "!custom x", "|\n  a\n  b", ">-\n  a\n   b\n  c", "|+\n  a\n\n", "|2\n    a\n   b",
]


@pytest.mark.parametrize("scalar", EDGE_SCALARS)
def test_edge_scalars_read_the_same_as_values_keys_and_items(scalar):
    compare_text(f"a: {scalar}\nb: [{scalar if chr(10) not in scalar else 'x'}]\n")
    if "\n" not in scalar:
        compare_text(f"{scalar}: v\nnext: w\n")
        compare_text(f"- {scalar}\n- {scalar}\n")


MALFORMED = [
    "a: 1\nb: 2\nc: [1,\n",
    "a: 1\na: 2\n",
    "outer:\n  x: 1\n  x: 2\n",
    "a: &x 1\nb: *x\n",
    "a: *nowhere\n",
    "a: b: c\n",
    "a: 'unclosed\n",
    'a: "unclosed\nb: c\n',
    ": x\n",
    "a: b\n---\nc: d\n",
    "- a\nb: c\n",
    "a:\n  - b\n c: d\n",
    "a:\tb\n",
    "key: value\n  bad: indent\n",
    "a: @reserved\n",
    "a: `reserved\n",
    "a: !!binary 'x'\n",
    "a: !unknown x\n",
    "[a, b\n",
    "{a: b\n",
    "a: |\n text\n  more\nb: [\n",
    "null: x\n",
    "[1]: x\n",
    "? [complex]\n: x\n",
    "%YAML 1.1\n---\na: b\n",
    "a: b\r\nc: d\r\n",
    "\ufeffa: b\n",
]


@pytest.mark.parametrize("text", MALFORMED)
def test_malformed_files_give_the_located_message_word_for_word(text):
    compare_text(text)


@pytest.mark.parametrize(
    "text",
    [
        "".join("  " * i + f"k{i}:\n" for i in range(150)) + "  " * 150 + "leaf: 1\n",
        "".join("- " * 3 + "\n" + "  " * (i + 1) for i in range(60)) + "x\n",
        "a: " + "[" * 150 + "]" * 150 + "\n",
    ],
)
def test_deep_nesting_is_left_to_the_located_reader(text):
    assert not takes_fast_path(text)  # the located reader has its own depth limit and message
    compare_text(text)


def test_file_errors_are_those_of_read_yaml(tmp_path):
    for path in (tmp_path / "missing.yaml", tmp_path):
        with pytest.raises(YamlError) as fast:
            read_yaml_fast(path)
        with pytest.raises(YamlError) as located:
            read_yaml(path)
        assert fast.value.message == located.value.message
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"a: 1\nb: \xff\n")
    with pytest.raises(YamlError, match=r"bad\.yaml:2: not UTF-8 text"):
        read_yaml_fast(bad)


def test_lines_in_block_flow_and_indentless_styles():
    text = textwrap.dedent(
        """\
        # a comment first

        top:
          d1:
            requires:
              platform: macos
            supports:
            - when: {sip: disabled}
              weight: 2
            -   note: second key first
                when:

                  # a comment inside
                  f: [a, b]
            confirmed_when:
              - {x: y}
              -
                z: w
          "quoted id": {requires: {a: b}}
          'single': x
        """
    )
    compare_text(text)
    assert not HAS_RYML or takes_fast_path(text)


# ---- generated YAML ------------------------------------------------------------------------------

# Mostly what knowledge is written with, now and then anything YAML gives a meaning to.
_CLEAN = [*"abcxyz0159 _-./é😀"] * 4
_TEXT = st.text(st.sampled_from([*_CLEAN, *":#-?'\"[]{},&*!|>%@`\\~=<\u00a0\u2028\t\r", "\n"]), max_size=12)
_KEYS = st.builds(str.__add__, st.sampled_from("abcxyzé"), st.text(st.sampled_from([*_CLEAN, *":#-'\"[],&*"]), max_size=8))
_ODD_KEYS = st.sampled_from(["1", "true", "null", "~", "'q'", "-x", ".5", "a: b", "a #b"])
_ANY_KEY = st.integers(0, 40).flatmap(lambda n: _ODD_KEYS if n == 0 else _KEYS)
_WORDS = st.sampled_from([s for s in EDGE_SCALARS if "\n" not in s and not s.startswith(("&", "*", "!", "[", "{"))])
_SCALARS = st.one_of(
    _TEXT, _TEXT, _TEXT, _WORDS, st.integers(-(10**20), 10**20), st.floats(allow_nan=False), st.booleans(), st.none()
)
_DATA = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_ANY_KEY, inner, max_size=4),
    max_leaves=24,
)
_DUMP_STYLES = st.sampled_from(
    [
        {"default_flow_style": False},
        {"default_flow_style": None},
        {"default_flow_style": False, "width": 16},
        {"default_flow_style": False, "indent": 4},
        {"default_flow_style": True},
        {"default_flow_style": False, "allow_unicode": True, "width": 24},
    ]
)


_QUIET = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@settings(_QUIET, max_examples=300)
@given(data=st.dictionaries(_ANY_KEY, _DATA, min_size=1, max_size=5), style=_DUMP_STYLES)
def test_whatever_pyyaml_writes_reads_the_same(capfd, data, style):
    compare_text(yaml.safe_dump(data, sort_keys=False, **style))
    assert capfd.readouterr().err == ""  # ryml says nothing on stderr: it is not given what it refuses


@st.composite
def _scalar_text(draw: st.DrawFn, indent: int) -> str:
    """A scalar as a person might write it: plain, quoted, block or spread over lines."""
    pad = " " * (indent + 2)
    kind = draw(st.sampled_from(["plain"] * 6 + ["word", "single", "double", "literal", "folded", "plain-lines", "flow", "flow"] * 2 + ["quoted-lines"]))
    common = ["a", "b:c", "d-e", "g #h", "it's", "k,l", "é", "1", "1.5", "x y"]
    rare = ["#f", "'i'", '"j"', "[m]", "{n}", "*o", "&p", "!q", "? r", "- s"]
    words = draw(st.lists(st.sampled_from(common * 12 + rare), min_size=1, max_size=4))
    if kind == "word":
        return draw(_WORDS)
    if kind == "single":
        return "'" + " ".join(words).replace("'", "''") + "'"
    if kind == "double":
        return '"' + " ".join(words).replace("\\", "\\\\").replace('"', '\\"') + draw(st.sampled_from(["", "\\n", "\\t", "\\u00e9", "\\x41"])) + '"'
    if kind in ("literal", "folded"):
        header = ("|" if kind == "literal" else ">") + draw(st.sampled_from(["", "-", "+"]))
        body = [pad + draw(st.sampled_from(["", " ", "  "])) + w for w in words]
        return header + "\n" + "\n".join(body) + draw(st.sampled_from(["", "\n"]))
    if kind == "plain-lines":
        return words[0] + "".join("\n" + pad + w.strip("#") for w in words[1:])
    if kind == "quoted-lines":
        return '"' + ("\n" + pad).join(w.replace('"', "") for w in words) + '"'
    if kind == "flow":
        return "[" + ", ".join(draw(st.sampled_from(["x", "'y'", "1", "{k: v}", "[z]"])) for _ in words) + "]"
    return " ".join(words)


@st.composite
def _block(draw: st.DrawFn, indent: int = 0, depth: int = 0) -> list[str]:
    """Lines of a block mapping or sequence, with comments and blank lines between them."""
    pad = " " * indent
    lines: list[str] = []
    as_sequence = depth > 0 and draw(st.booleans())
    names = ["a", "b", "when", "requires", "k-1", '"q k"', "'s'", "x y"] * 4 + ["1", "true", "-k"]
    keys = draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=draw(st.integers(0, 9)) > 0))
    for key in keys:
        if draw(st.integers(0, 5)) == 0:
            lines.append(draw(st.sampled_from(["", pad + "# note", "  "])))
        lead = f"{pad}- " if as_sequence else f"{pad}{key}:"
        nested = depth < 3 and draw(st.integers(0, 2)) == 0
        if nested:
            child_indent = indent + draw(st.sampled_from([0, 2, 4])) if not as_sequence else indent + 2
            child = draw(_block(max(child_indent, indent + (0 if not as_sequence else 2)), depth + 1))
            if as_sequence and draw(st.booleans()):
                lines.append(lead + child[0].lstrip(" ") if child and child[0].strip() else lead.rstrip())
                lines.extend(child[1:])
            else:
                lines.append(lead.rstrip())
                lines.extend(child)
        else:
            comment = draw(st.sampled_from(["", "", " # c"]))
            value = draw(_scalar_text(indent))
            lines.append(f"{lead} {value}{comment if chr(10) not in value else ''}")
    return lines


# Paths as the loader asks for them: some keys named, "*" elsewhere (a mapping read only as far as
# its wanted keys, a wanted first key read on the `- ` line), and indexes.
_PATHS = st.lists(st.lists(st.sampled_from(["*", "*", "when", "requires", "a", "b", "q k", "s", 0, 1]), max_size=5).map(tuple), max_size=4)


@settings(_QUIET, max_examples=400)
@given(lines=_block(), paths=_PATHS)
def test_whatever_a_person_writes_reads_the_same(capfd, lines, paths):
    text = "\n".join(lines) + "\n"
    compare_text(text)  # every collection located
    compare_text(text, paths)  # only those on some paths
    assert capfd.readouterr().err == ""


# ---- whole knowledge bases, mutated ------------------------------------------------------------

_MUTATIONS = st.sampled_from(["delete", "duplicate", "swap", "char"])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(sorted(FILES)),
    mutation=_MUTATIONS,
    where=st.integers(0, 10**6),
    char=st.sampled_from([*" -:#'\"[]{},&*!\t", "\n", "x", "  "]),
)
def test_a_mutated_base_loads_to_the_same_model_and_problems(monkeypatch, name, mutation, where, char):
    monkeypatch.setenv("ADVISOR_NO_CACHE", "1")
    monkeypatch.setattr(loader, "FAST_READ_BYTES", 0)  # fast first, then located on any problem
    lines = FILES[name].split("\n")
    i = where % len(lines)
    if mutation == "delete":
        del lines[i]
    elif mutation == "duplicate":
        lines.insert(i, lines[i])
    elif mutation == "swap":
        j = (where // len(lines)) % len(lines)
        lines[i], lines[j] = lines[j], lines[i]
    else:
        text = lines[i]
        at = (where // len(lines)) % (len(text) + 1)
        lines[i] = text[:at] + char + text[at:]
    with tempfile.TemporaryDirectory() as folder:
        root = write_tiny_kb(Path(folder) / "knowledge", {name: "\n".join(lines)})
        assert load_knowledge(root, strict=False) == _load_knowledge(root, strict=False)
