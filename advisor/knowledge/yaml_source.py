"""Safe YAML reading that keeps line numbers and refuses anchors and aliases.

Aliases are refused outright (not just limited) so that an alias bomb costs nothing, and so
that every value in the knowledge base is written out where an expert can read it. A file
given by the user is read with a size cap (stated in the error), so `/dev/zero` or a huge
sparse file is refused after reading at most the cap.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import stat
from pathlib import Path
from typing import Any

import yaml

from advisor.exit_status import UserError


class YamlError(UserError):
    """A YAML file that cannot be read, as one `file:line: message` line."""


_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: 20x faster


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
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
_STR_TAG = "tag:yaml.org,2002:str"
# Text that holds lone surrogates (bytes that were not UTF-8, kept by `surrogateescape`) has no
# YAML form: it is written as the base64 of its UTF-8 bytes with surrogates passed through.
SURROGATE_TEXT_TAG = "!text-utf8"
MAX_DEPTH = 100  # levels of nested mappings and lists (the knowledge base and transcripts use < 10)
# Plain scalars starting with one of these may be numbers, null, booleans, timestamps...; any
# other plain scalar is text, which spares the regex resolvers on most of the knowledge base.
_MAYBE_TYPED = frozenset("0123456789+-.~nNtTfF")
_resolve_slow = _Loader.resolve


def _resolve_fast(self: yaml.resolver.BaseResolver, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
    if kind is yaml.ScalarNode and implicit[0] and value and value[0] not in _MAYBE_TYPED:
        return _STR_TAG
    return _resolve_slow(self, kind, value, implicit)


_Loader.resolve = _resolve_fast
_SCALARS = yaml.SafeLoader("")  # one constructor for every scalar: building one per value is slow


class _ResolverOnly(yaml.resolver.Resolver):
    """The loader's resolvers without a parser, for `plain_scalar_value`."""


_ResolverOnly.yaml_implicit_resolvers = _Loader.yaml_implicit_resolvers
_RESOLVER = _ResolverOnly()


def plain_scalar_value(text: str) -> Any:
    """What this reader makes of a plain (unquoted) scalar: text, or a number, boolean, null, date."""
    tag = _resolve_fast(_RESOLVER, yaml.ScalarNode, text, (True, False))
    return text if tag == _STR_TAG else _SCALARS.construct_object(yaml.ScalarNode(tag, text), deep=True)


class LocatedDict(dict):
    """A mapping that remembers the line of itself and of each key."""

    line: int
    key_lines: dict[str, int]


class LocatedList(list):
    line: int
    item_lines: list[int]


def _yaml_message(exc: yaml.YAMLError, name: str) -> str:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return f"{name}:{line}: malformed YAML: {problem}"


def _construct(node: yaml.Node, name: str, seen: set[int] | None = None, depth: int = 0) -> Any:
    """Build plain data from composed nodes. A node met twice is an alias: refused at once; so is
    nesting deeper than MAX_DEPTH (every reader of the data recurses through it)."""
    if seen is None:
        seen = set()
    if depth > MAX_DEPTH:
        raise YamlError(f"{name}:{node.start_mark.line + 1}: nested more than {MAX_DEPTH} levels deep")
    node_id = id(node)
    if node_id in seen:
        raise YamlError(f"{name}:{node.start_mark.line + 1}: YAML anchors and aliases are not allowed")
    seen.add(node_id)
    if type(node) is yaml.ScalarNode:
        if node.tag == _STR_TAG:
            return node.value
        if node.tag == SURROGATE_TEXT_TAG:
            try:
                return base64.b64decode(node.value.encode("ascii"), validate=True).decode("utf-8", "surrogatepass")
            except (UnicodeError, binascii.Error):
                raise YamlError(f"{name}:{node.start_mark.line + 1}: {SURROGATE_TEXT_TAG} text is not valid base64 UTF-8") from None
        try:
            return _SCALARS.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise YamlError(_yaml_message(exc, name)) from None
        except (ValueError, OverflowError):  # a number of thousands of digits, a date out of range
            raise YamlError(f"{name}:{node.start_mark.line + 1}: the value {node.value[:20]!r}... is not a number or date advisor reads") from None
    if isinstance(node, yaml.MappingNode):
        out = LocatedDict()
        out.line = node.start_mark.line + 1
        key_lines: dict[str, int] = {}
        out.key_lines = key_lines
        for key_node, value_node in node.value:
            key = _construct(key_node, name, seen, depth + 1)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                if not isinstance(key, (int, float, bool)):
                    raise YamlError(f"{name}:{key_line}: mapping keys must be plain text")
                key = _scalar_text(key)
            if key in out:
                raise YamlError(f"{name}:{key_line}: duplicate key '{key}'")
            out[key] = _construct(value_node, name, seen, depth + 1)
            key_lines[key] = key_line
        return out
    seq = LocatedList()
    seq.line = node.start_mark.line + 1
    seq.item_lines = [item.start_mark.line + 1 for item in node.value]
    seq.extend(_construct(item, name, seen, depth + 1) for item in node.value)
    return seq


def _scalar_text(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def parse_yaml_text(text: str, name: str) -> Any:
    """Parse one YAML document into plain data with line information."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        raise YamlError(_yaml_message(exc, name)) from None
    if node is None:
        return None
    return _construct(node, name)


def _size_text(size: int) -> str:
    return f"{size // (1 << 20)} MB" if size >= 1 << 20 else f"{size // 1024} KB"


def read_capped(path: Path, name: str, max_bytes: int, what: str) -> bytes:
    """The file's bytes, refused (YamlError) when larger than `max_bytes`: a regular file by
    its size before any read, anything else (a device, a pipe) after reading at most the cap."""
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if stat.S_ISDIR(st.st_mode):
                raise IsADirectoryError
            if stat.S_ISREG(st.st_mode) and st.st_size > max_bytes:
                raise YamlError(f"{name}: {what} is larger than {_size_text(max_bytes)}, the most advisor reads ({_size_text(st.st_size)})")
            raw = fh.read(max_bytes + 1)
    except IsADirectoryError:
        raise YamlError(f"{name}: is a directory, not a YAML file") from None
    except FileNotFoundError:
        raise YamlError(f"{name}: no such file") from None
    except OSError as exc:
        raise YamlError(f"{name}: cannot read: {exc.strerror or exc}") from None
    if len(raw) > max_bytes:
        raise YamlError(f"{name}: {what} is larger than {_size_text(max_bytes)}, the most advisor reads")
    return raw


def read_regular(path: Path, name: str) -> bytes:
    """A file's bytes, refused (YamlError) unless it is a regular file: a pipe would block and a
    device (`/dev/zero`) never ends, and no author keeps knowledge in either."""
    try:
        with open(path, "rb", opener=_nonblocking) as fh:
            mode = os.fstat(fh.fileno()).st_mode
            if stat.S_ISDIR(mode):
                raise IsADirectoryError
            if not stat.S_ISREG(mode):
                raise YamlError(f"{name}: not a regular file (a pipe, device or socket)")
            return fh.read()
    except IsADirectoryError:
        raise YamlError(f"{name}: is a directory, not a YAML file") from None
    except FileNotFoundError:
        raise YamlError(f"{name}: no such file") from None
    except OSError as exc:
        raise YamlError(f"{name}: cannot read: {exc.strerror or exc}") from None


def _nonblocking(path: str, flags: int) -> int:
    """Open without waiting for a pipe's writer (the mode is checked before any read)."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def read_yaml(path: Path, display: str | None = None, *, max_bytes: int | None = None, what: str = "the file") -> Any:
    """Parse a YAML file; `max_bytes`: refuse anything larger (files a user gives)."""
    name = display or str(path)
    raw = read_capped(path, name, max_bytes, what) if max_bytes is not None else read_regular(path, name)
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
            return container.key_lines[key]
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
