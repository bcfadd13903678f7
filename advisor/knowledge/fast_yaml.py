"""The fast path for reading the knowledge base: the values and lines `read_yaml` gives, sooner.

PyYAML builds a Python node (and two marks) per scalar before our constructor walks them again:
seconds for a knowledge base of 10,000 questions. rapidyaml (`ryml`, optional) parses in C++ and
emits JSON, which `json.loads` reads at C speed. It is used only where it is sure to give the very
values `read_yaml` gives; anything it cannot vouch for is read by `read_yaml`'s own parser:
 - libyaml itself must accept the text (`raw_parse`: C speed, no Python objects), and see as many
   nodes as ryml does, so the two parsers agree on the shape;
 - no anchors, aliases, tags, directives, several documents, complex keys, tabs, CR or Unicode
   line separators (the text is refused on the first sight of any of them);
 - a scalar PyYAML would type differently (`~`, `Null`, `0x10`, `1_000`, `.inf`, dates...) or
   whose exact spelling ryml may have normalised (`1e3`) is refused, as are duplicate keys;
 - no multi-line flow collection or quoted scalar, so that every line at a block collection's
   indentation is one of its keys or items: the lines the caller asks for are read off the text
   and checked against the parsed keys.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from advisor.knowledge.yaml_source import (
    LocatedDict,
    LocatedList,
    YamlError,
    parse_yaml_text,
    plain_scalar_value,
    read_regular,
    read_yaml,
)


class _NotSure(Exception):
    """The fast path cannot vouch for this text: read it with the located path."""


_ryml: Any = None  # the `ryml` module once imported; False when it is not installed


def _rapidyaml() -> Any:
    """`ryml`, imported on first use (a warm start never parses YAML), or None when absent. The
    fast path also needs libyaml: it is what vouches for the text, and what `read_yaml` parses with
    (PyYAML's pure-Python parser, its stand-in, differs from it in corners)."""
    global _ryml
    if _ryml is None:
        try:
            import ryml

            _ryml = ryml if yaml.__with_libyaml__ else False
        except ImportError:
            _ryml = False
    return _ryml or None


_UNSURE = "\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff"  # tabs, CR, NEL, LS, BOM...
_MARKERS = re.compile(r"\n(?:---|\.\.\.|%)")  # document markers and directives
# Nesting: a block collection starts at most one column right of its parent every other level, so
# a document whose lines all start their content within 24 columns (indentation and `- ` chains)
# nests at most 50 block levels, and at most 20 more in a flow collection of at most 20 brackets.
# Deeper documents (none in knowledge: it uses fewer than 10) go to the located reader, which
# refuses too deep a nesting with its own message.
_DEEP_LINE = re.compile(r"\n[ -]{24}")  # searched in "\n" + text
_FLOW_BRACKETS = 20
# A key that starts with `.`, `-`, `:` or `?`: ryml 0.15 refuses one after an indentless sequence (and says so
# on stderr); libyaml reads it. Rare in knowledge: such a file is read by the located path.
_INDICATOR_KEY = re.compile(r"\n *(?:\.|[-:?](?=[^ \n]))[^\n]*?:(?=[ \n]|\Z)")  # searched in "\n" + text
_COMPLEX_KEY = re.compile(r"\?(?![^ \n])(?<![^ ,\[{\n]\?)")  # `? ` where a key may start
# Anchors, aliases, tags, quotes and flow collections; and characters that rule the fast path out.
_NODE_MARKS = re.compile(f"[&*!\"'\\[{{{_UNSURE}]")
_MARK_CHARS = frozenset("&*!\"'[{")
# A line's structure up to the node its value starts with: indentation, `- ` items, a plain or
# quoted key and `: ` (a plain key ends at its first `: `, as in YAML).
_VALUE_START = re.compile(r"""[ ]*(?:-[ ]+)*(?:(?:"[^"\\\n]*"|'(?:[^'\n]|'')*'|[^\s#'"\[\]{},&*!|>%@`?:-][^\n]*?)[ ]*:[ ]+)?""")
_ESCAPE = re.compile(r"\\(.)")
_PLAIN_ESCAPES = frozenset('"\\/ntxuU')  # those ryml is seen to read as libyaml does, in any company
_CLOSED_QUOTED = {'"': re.compile(r'"[^"\\\n]*(?:\\[^\n][^"\\\n]*)*"'), "'": re.compile(r"'[^'\n]*(?:''[^'\n]*)*'")}
# JSON strings PyYAML would not read as text when plain: it may type a plain scalar only when it
# starts with one of "-+.0123456789~" or is one of these words (its resolvers' first characters).
_RISKY_STRING = re.compile(r'"((?:[-+.0-9~][^"\\]*(?:\\.[^"\\]*)*)|null|Null|NULL|true|True|TRUE|false|False|FALSE)"')
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')  # a run of plain characters at a time
_JSON_PLAIN_STRING = re.compile(r'"[^"]*"')
_JSON_LITERAL = re.compile(r"[^\s,:\[\]{}]+")
_NO_BLANKS = str.maketrans("", "", " \n")


def _in_subset(text: str) -> bool:
    """Whether the text keeps to what the fast path vouches for (see above): no tabs or special line
    breaks, no markers, no complex keys, no anchors, aliases or tags, and every quoted scalar and
    flow collection that starts a node ends on its line (libyaml reads the rest of a flow's line
    alone: an unclosed `[` or `{` makes it fail).

    A node starts at a line's first character, after `- `, `? ` or `: `, and inside a flow
    collection after `[`, `{`, `,` or `:`. Marks anywhere else are text (`<Project>-*`, `(?!\\d)`,
    `"entitlements:"`), as are those on comment lines; only marks where a node starts count.
    """
    from yaml._yaml import CParser

    lines = "\n" + text
    if _MARKERS.search(text) or _COMPLEX_KEY.search(text) or _INDICATOR_KEY.search(lines) or _DEEP_LINE.search(lines):
        return False
    if text.startswith(("---", "...", "%")):
        return False
    flow_start, flow_end = -1, -1  # the last flow collection checked: from its `[` or `{` to its line's end
    quoted_end = -1  # the end of the last quoted scalar known to start a node: its text is skipped
    for m in _NODE_MARKS.finditer(text):
        at = m.start()
        if m[0] not in _MARK_CHARS:
            return False  # a tab, CR, control character, NEL, LS, PS or BOM
        if at < quoted_end:
            continue
        before = at - 1
        while before >= 0 and text[before] == " ":
            before -= 1
        previous = text[before] if before >= 0 else "\n"
        in_flow = flow_start < at <= flow_end
        if previous == "\n":
            starts_node = True
        elif previous in "-?:":
            starts_node = before < at - 1 or (in_flow and previous == ":")
        else:
            starts_node = in_flow and previous in ",[{"
        if not starts_node:
            continue
        line_start = text.rfind("\n", 0, at) + 1
        if text.startswith("#", line_start + len(text[line_start:at]) - len(text[line_start:at].lstrip(" "))):
            continue  # a comment line
        mark = m[0]
        if mark in "&*!":
            return False
        if mark in "\"'":
            closed = _CLOSED_QUOTED[mark].match(text, at)
            if not closed:
                return False
            if mark == '"' and "\\" in closed[0] and not _PLAIN_ESCAPES.issuperset(_ESCAPE.findall(closed[0])):
                return False  # `\N`, `\_`, `\L`, `\e`...: ryml has been seen to stumble on them
            structure = _VALUE_START.match(text, line_start)
            if not in_flow and structure is not None and structure.end() == at:
                quoted_end = closed.end()  # surely a scalar: its `: [` or `- *` are text
        elif not in_flow:
            end = text.find("\n", at)
            flow_start, flow_end = at, len(text) if end < 0 else end
            if text.count("[", at, flow_end) + text.count("{", at, flow_end) > _FLOW_BRACKETS:
                return False  # it might nest deep
            try:
                CParser(text[at:flow_end]).raw_parse()
            except yaml.YAMLError:
                return False
    return True


def _event_count(doc_json: str) -> int:
    """The libyaml events a document with this JSON form makes: a scalar 1, a collection 2, plus 4.
    Blanks go first (inside strings too: that changes no count), which leaves a quarter to scan."""
    # (str.translate is quick on ASCII only; replace is quicker once any other character is in.)
    compact = doc_json.translate(_NO_BLANKS) if doc_json.isascii() else doc_json.replace(" ", "").replace("\n", "")
    strings = _JSON_STRING if "\\" in compact else _JSON_PLAIN_STRING  # no escapes: a quicker pattern
    rest, count = strings.subn("", compact)
    return 4 + count + len(_JSON_LITERAL.findall(rest)) + 2 * (rest.count("[") + rest.count("{"))


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _NotSure  # a duplicate key: the located path names its line
    return out


# ryml writes `.5` as 0.5 and `1.` as 1.0 in JSON: the spellings a JSON number may have come from.
_RESPELLINGS = ((re.compile(r"^([-+]?)0\.(?=[0-9])"), r"\1."), (re.compile(r"(?<=[0-9])\.0$"), "."))


@functools.lru_cache(maxsize=256)
def _number(spelling: str) -> Any:
    """A JSON number as PyYAML reads the plain scalar it came from. Refused when PyYAML would keep
    it as text, or when a spelling ryml may have rewritten it from reads differently (`-.5` is
    text to PyYAML, -0.5 a number). Numbers are immutable and few are distinct, hence the cache."""
    value = plain_scalar_value(spelling)
    if isinstance(value, str):
        raise _NotSure
    sources = {spelling}
    for pattern, replacement in _RESPELLINGS:
        sources |= {pattern.sub(replacement, source) for source in sources}
    for source in sources:
        other = plain_scalar_value(source)
        if type(other) is not type(value) or other != value:
            raise _NotSure
    return value


def _constant(spelling: str) -> Any:
    raise _NotSure  # NaN, Infinity: not JSON ryml emits for anything PyYAML reads the same way


def _fast_values(text: str) -> Any:
    """The values `parse_yaml_text` would give (without line numbers), or _NotSure."""
    from yaml._yaml import CParser

    ryml = _rapidyaml()
    if ryml is None or not text.strip() or not _in_subset(text):
        raise _NotSure
    try:
        events = CParser(text).raw_parse()
    except yaml.YAMLError:
        raise _NotSure from None  # the located path reports it
    try:
        doc_json = ryml.emit_json(ryml.parse_in_arena(text.encode("utf-8")))
    except Exception:  # ryml's own exception types vary between versions
        raise _NotSure from None
    if not isinstance(doc_json, str) or _event_count(doc_json) != events:
        raise _NotSure
    for found in set(_RISKY_STRING.findall(doc_json)):
        if not isinstance(plain_scalar_value(json.loads(f'"{found}"')), str):
            raise _NotSure  # plain, PyYAML types it; quoted, it is text: JSON cannot tell which
    try:
        return json.loads(doc_json, object_pairs_hook=_unique_keys, parse_int=_number, parse_float=_number, parse_constant=_constant)
    except ValueError:
        raise _NotSure from None


# ---- Lines from the text -----------------------------------------------------------------------

_KEY = re.compile(r"""(?:"([^"\\\n]*)"|'((?:[^'\n]|'')*)'|([^ \n#'"\[\]{},&*!|>%@`][^\n]*?))[ ]*:(?=[ \n]|\Z)""")
_NEXT_CONTENT = re.compile(r"\n( *)(?=[^ \n#])")
_FIRST_CONTENT = re.compile(r"^( *)(?=[^ \n#])", re.MULTILINE)
_AT_MOST: dict[int, re.Pattern[str]] = {}

YamlPath = tuple[str | int, ...]  # keys and indexes from the root; "*" stands for any


class _Paths:
    """Paths to follow from one node: whether one ends here, and those going on below it."""

    __slots__ = ("deep", "end", "every", "leaf", "named", "star")

    def __init__(self, paths: Iterable[YamlPath]) -> None:
        paths = list(paths)
        self.end = () in paths
        below: dict[str | int, list[YamlPath]] = {}
        for path in paths:
            if path:
                below.setdefault(path[0], []).append(path[1:])
        star = below.pop("*", None)
        self.star = _Paths(star) if star is not None else None
        # A named key also takes the paths under "*".
        self.named = {key: _Paths([*sub, *(star or ())]) for key, sub in below.items()}
        self.deep = bool(self.named) or self.star is not None  # some path goes on below
        self.every = self.end or self.star is not None  # every key's line is needed
        self.leaf = self.end and not self.deep

    def below(self, key: str | int) -> _Paths | None:
        return self.named.get(key, self.star)


def _lines_at_most(indent: int) -> re.Pattern[str]:
    """The next line with content indented by at most `indent` spaces (deeper lines are skipped in C)."""
    pattern = _AT_MOST.get(indent)
    if pattern is None:
        pattern = _AT_MOST[indent] = re.compile(rf"\n( {{0,{indent}}})(?=[^ \n#])")
    return pattern


def _is_item(text: str, at: int) -> bool:
    """A `-` sequence indicator at this offset."""
    return text.startswith("-", at) and text[at + 1 : at + 2] in ("", " ", "\n")


class _Locator:
    """Lines of the nodes of a document `_fast_values` accepted, read off its text.

    In such a document, every line that starts at a block collection's column, below its first
    line and before a line that starts further left, is one of its keys or items (or an item of a
    sequence one of its keys holds at the same column): block scalars and plain continuation lines
    are indented deeper, and nothing else spans lines. Every key read off the text is checked
    against the parsed one. A place is (line number, offset of the line's start, column).
    """

    def __init__(self, text: str) -> None:
        self.text = text

    def root(self, value: Any, paths: _Paths) -> Any:
        m = _FIRST_CONTENT.search(self.text)
        if m is None:
            raise _NotSure
        return self.node(value, self.text.count("\n", 0, m.start()) + 1, m.start(), len(m[1]), paths)

    def after(self, line: int, start: int, column: int) -> tuple[int, int, int]:
        """Where the node after an indicator (`key:` or `-`) ending at `column` starts: on the same
        line when anything but a comment follows, else on the next line with content (for an empty
        node, that line belongs to something else: the caller tells by its indentation)."""
        text = self.text
        i = start + column
        if text[i : i + 1] == " " and text[i + 1 : i + 2] not in ("", " ", "#", "\n"):
            return line, start, column + 1  # the usual `key: value` or `- item`
        end = text.find("\n", i)
        if end < 0:
            end = len(text)
        while i < end and text[i] == " ":
            i += 1
        if i < end and text[i] != "#":
            return line, start, i - start
        m = _NEXT_CONTENT.search(text, end)
        if m is None:
            return line, start, -1  # nothing follows: an empty node, at its indicator
        return line + text.count("\n", end, m.start() + 1), m.start() + 1, len(m[1])

    def node(self, value: Any, line: int, start: int, column: int, paths: _Paths) -> Any:
        if column < 0:
            raise _NotSure  # a collection is never empty text
        if self.text[start + column] in "[{":
            return self.flow(value, line, paths)
        if isinstance(value, dict):
            if not paths.every and len(paths.named) == 1:
                return self.first_key(value, line, start, column, paths)
            return self.mapping(value, line, start, column, paths)
        return self.sequence(value, line, start, column, paths)

    def first_key(self, value: dict[str, Any], line: int, start: int, column: int, paths: _Paths) -> Any:
        """A block mapping on the way, where one key is wanted: most often its first (`- when:`)."""
        ((wanted, sub),) = paths.named.items()
        first = next(iter(value), None)
        if first != wanted:
            return self.mapping(value, line, start, column, paths) if wanted in value else value
        m = _KEY.match(self.text, start + column)
        if m is None or first != (m[3] if m[3] is not None else m[1] if m[1] is not None else m[2].replace("''", "'")):
            raise _NotSure
        child = value[first]
        if isinstance(child, (dict, list)):
            value[first] = self.node(child, *self.after(line, start, m.end() - start), sub)
        return value

    def flow(self, value: Any, line: int, paths: _Paths) -> Any:
        """A flow collection: it and all it holds are on this line."""
        if paths.deep:
            for key, child in value.items() if isinstance(value, dict) else enumerate(value):
                sub = paths.below(key)
                if sub is not None and isinstance(child, (dict, list)):
                    value[key] = self.flow(child, line, sub)
        if not paths.end:
            return value
        if isinstance(value, dict):
            located = LocatedDict(value)
            located.line, located.key_lines = line, dict.fromkeys(value, line)
            return located
        seq = LocatedList(value)
        seq.line, seq.item_lines = line, [line] * len(value)
        return seq

    def mapping(self, value: dict[str, Any], line: int, start: int, column: int, paths: _Paths) -> Any:
        text = self.text
        if paths.leaf and len(value) == 1:  # most conditions: one key, on this line
            m = _KEY.match(text, start + column)
            key = next(iter(value))
            if m is None or key != (m[3] if m[3] is not None else m[1] if m[1] is not None else m[2].replace("''", "'")):
                raise _NotSure
            located = LocatedDict(value)
            located.line, located.key_lines = line, {key: line}
            return located
        keys = list(value)
        every_key = paths.every
        # Read keys until every one wanted is seen: all of them for a located mapping or "*".
        todo = len(keys) if every_key else sum(1 for key in paths.named if key in value)
        key_lines: dict[str, int] = {}
        pattern = _lines_at_most(column)
        seen = 0
        while todo:
            at = start + column
            if not _is_item(text, at):  # else an item of the sequence the previous key holds
                m = _KEY.match(text, at)
                if m is None or seen == len(keys):
                    raise _NotSure
                key = m[3] if m[3] is not None else m[1] if m[1] is not None else m[2].replace("''", "'")
                if key != keys[seen]:
                    raise _NotSure
                seen += 1
                key_lines[key] = line
                sub = paths.below(key)
                if sub is not None:
                    child = value[key]
                    if isinstance(child, (dict, list)):
                        value[key] = self.node(child, *self.after(line, start, m.end() - start), sub)
                if every_key or key in paths.named:
                    todo -= 1
                    if not todo:
                        break
            pos = text.find("\n", at)
            m = pattern.search(text, pos) if pos >= 0 else None
            if m is None or len(m[1]) < column:
                raise _NotSure  # keys the text did not show
            line += text.count("\n", pos, m.start() + 1)
            start = m.start() + 1
        if not paths.end:
            return value
        located = LocatedDict(value)
        located.line, located.key_lines = key_lines[keys[0]] if keys else line, key_lines
        return located

    def sequence(self, value: list[Any], line: int, start: int, column: int, paths: _Paths) -> Any:
        """A block sequence: an item's line is where its node starts, which is the `-` line unless
        the item is written on the lines below it (an empty item is at its `-`)."""
        text = self.text
        first_line = line
        item_lines = []
        pattern = _lines_at_most(column)
        count = len(value)
        at = start + column
        if not _is_item(text, at):
            raise _NotSure
        for i in range(count):
            child = value[i]
            sub = paths.below(i) if paths.deep else None
            nested = sub is not None and isinstance(child, (dict, list))
            if nested or paths.end:
                place = self.after(line, start, column + 1)
                if place[0] != line and place[2] > column:
                    item_lines.append(place[0])  # written below its `-`
                elif place[0] == line and place[2] >= 0:
                    item_lines.append(line)
                else:
                    if nested:
                        raise _NotSure  # a collection is never empty text
                    item_lines.append(line)  # an empty item: a null at its `-`
                if nested and sub is not None:
                    value[i] = self.node(child, *place, sub)
            pos = text.find("\n", at)
            m = pattern.search(text, pos) if pos >= 0 else None
            if m is None or len(m[1]) < column or not _is_item(text, m.end()):
                if i + 1 != count:
                    raise _NotSure  # fewer items than parsed
                break  # the end, or the next key of the mapping that holds this sequence
            if i + 1 == count:
                raise _NotSure  # more items than parsed
            line += text.count("\n", pos, m.start() + 1)
            start = m.start() + 1
            at = start + column
        if not paths.end:
            return value
        seq = LocatedList(value)
        seq.line, seq.item_lines = first_line, item_lines
        return seq


def read_yaml_fast(path: Path, display: str | None = None, locate: Iterable[YamlPath] = ()) -> Any:
    """What `read_yaml` gives, faster, for a caller that needs lines only on known paths.

    Plain dicts and lists, except the root and each collection a `locate` path (keys, or "*" for
    any) ends on: those are Located, with their own line and their keys' or items' lines exactly
    as `read_yaml` has them. Other lines are not known: anything that reports a problem must read
    the file again with `read_yaml`. Errors are `read_yaml`'s, word for word. Whenever the fast path
    cannot vouch for the result, the file is read by `read_yaml`'s own parser (fully located).
    """
    name = display or str(path)
    try:
        text = read_regular(path, name).decode("utf-8")
    except (YamlError, UnicodeDecodeError):
        return read_yaml(path, display)  # raises its one-line error
    try:
        data = _fast_values(text)
        if isinstance(data, (dict, list)):
            data = _Locator(text).root(data, _Paths([(), *locate]))
        return data
    except (_NotSure, LookupError, TypeError, ValueError, ArithmeticError):  # the latter: a shape nobody foresaw
        return parse_yaml_text(text, name)
