from pathlib import Path

import pytest

from advisor.knowledge.yaml_source import YamlError, parse_yaml_text, read_yaml


def test_keeps_line_numbers_of_keys_and_items():
    data = parse_yaml_text("a: 1\nb:\n  - x\n  - y\nc: {d: e}\n", "t.yaml")
    assert data.key_lines == {"a": 1, "b": 2, "c": 5}
    assert data["b"].item_lines == [3, 4]


def test_on_off_yes_no_stay_text_but_true_false_are_booleans():
    data = parse_yaml_text("a: on\nb: off\nc: yes\nd: no\ne: true\nf: false\n", "t.yaml")
    assert data == {"a": "on", "b": "off", "c": "yes", "d": "no", "e": True, "f": False}


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "a: &a [lol, lol]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n",
    ],
)
def test_aliases_are_refused_with_a_line(text):
    with pytest.raises(YamlError, match=r"^t\.yaml:1: YAML anchors and aliases are not allowed$"):
        parse_yaml_text(text, "t.yaml")


def test_alias_bomb_is_refused_quickly():
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 12):
        levels.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i-1}"] * 10) + "]")
    with pytest.raises(YamlError, match="aliases are not allowed"):
        parse_yaml_text("\n".join(levels) + "\n", "bomb.yaml")


def test_malformed_yaml_names_file_and_line():
    with pytest.raises(YamlError, match=r"^t\.yaml:[34]: malformed YAML"):
        parse_yaml_text("a: 1\nb: 2\nc: [1,\n", "t.yaml")


def test_duplicate_keys_are_refused():
    with pytest.raises(YamlError, match=r"^t\.yaml:2: duplicate key 'a'$"):
        parse_yaml_text("a: 1\na: 2\n", "t.yaml")


def test_read_yaml_errors_are_one_line(tmp_path: Path):
    with pytest.raises(YamlError, match="no such file"):
        read_yaml(tmp_path / "missing.yaml")
    with pytest.raises(YamlError, match="is a directory"):
        read_yaml(tmp_path)
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"a: 1\nb: \xff\xfe\n")
    with pytest.raises(YamlError, match=r"bad\.yaml:2: not UTF-8 text"):
        read_yaml(bad)
