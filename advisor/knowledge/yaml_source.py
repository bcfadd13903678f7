"""Safe YAML reading that keeps line numbers and refuses anchors and aliases.

Aliases are refused outright (not just limited) so that an alias bomb costs nothing, and so
that every value in the knowledge base is written out where an expert can read it.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from advisor.exit_status import UserError


class YamlError(UserError):
    """A YAML file that cannot be read, as one `file:line: message` line."""


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans: only true/false. `on`, `off`, `yes`, `no` stay text (fact values)."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


class LocatedDict(dict):
    """A mapping that remembers the line of itself and of each key."""

    line: int
    key_lines: dict[str, int]


class LocatedList(list):
    line: int
    item_lines: list[int]


def _reject_anchors(text: str, name: str) -> None:
    try:
        for event in yaml.parse(text, Loader=_Loader):
            anchor = getattr(event, "anchor", None)
            if isinstance(event, yaml.AliasEvent) or anchor:
                line = event.start_mark.line + 1
                raise YamlError(f"{name}:{line}: YAML anchors and aliases are not allowed")
    except yaml.YAMLError as exc:
        raise YamlError(_yaml_message(exc, name)) from None


def _yaml_message(exc: yaml.YAMLError, name: str) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{name}:{line}: malformed YAML: {problem}"


def _construct(node: yaml.Node, name: str) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = LocatedDict()
        out.line = node.start_mark.line + 1
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = _construct(key_node, name)
            if not isinstance(key, (str, int, float, bool)):
                raise YamlError(f"{name}:{key_node.start_mark.line + 1}: mapping keys must be plain text")
            key = _scalar_text(key) if not isinstance(key, str) else key
            if key in out:
                raise YamlError(f"{name}:{key_node.start_mark.line + 1}: duplicate key '{key}'")
            out[key] = _construct(value_node, name)
            out.key_lines[key] = key_node.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LocatedList()
        seq.line = node.start_mark.line + 1
        seq.item_lines = []
        for item in node.value:
            seq.append(_construct(item, name))
            seq.item_lines.append(item.start_mark.line + 1)
        return seq
    constructor = _Loader("")
    try:
        return constructor.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        raise YamlError(_yaml_message(exc, name)) from None


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def parse_yaml_text(text: str, name: str) -> Any:
    """Parse one YAML document into plain data with line information."""
    _reject_anchors(text, name)
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise YamlError(_yaml_message(exc, name)) from None
    if node is None:
        return None
    return _construct(node, name)


def read_yaml(path: Path, display: str | None = None) -> Any:
    name = display or str(path)
    try:
        raw = path.read_bytes()
    except IsADirectoryError:
        raise YamlError(f"{name}: is a directory, not a YAML file") from None
    except FileNotFoundError:
        raise YamlError(f"{name}: no such file") from None
    except OSError as exc:
        raise YamlError(f"{name}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlError(f"{name}:{line}: not UTF-8 text") from None
    return parse_yaml_text(text, name)


def line_of(container: Any, key: str | int | None = None, default: int = 1) -> int:
    """The line of `container[key]` (or of the container itself)."""
    if isinstance(container, LocatedDict):
        if key is not None and key in container.key_lines:
            return container.key_lines[key]  # type: ignore[index]
        return container.line
    if isinstance(container, LocatedList):
        if isinstance(key, int) and 0 <= key < len(container.item_lines):
            return container.item_lines[key]
        return container.line
    return default


def as_text(value: Any) -> str:
    """YAML turns `yes`/`no`/`on`/`off` into booleans; fact values are always text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return ""
    return str(value)
