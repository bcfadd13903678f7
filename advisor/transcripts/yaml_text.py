"""YAML that carries any text exactly: what transcripts and saved sessions are written with.

Readable where it can be, exact always:
* multi-line text of printable characters (tool output, logs) is a `|` literal block;
* text a block cannot carry (control characters such as the ESC of ANSI colours, NUL, CR,
  U+0085/U+2028/U+2029, a BOM, a tab opening the text, long lines) is a double-quoted
  scalar with escapes, on one line;
* text holding lone surrogates (bytes that were not UTF-8, decoded with `surrogateescape`,
  in a path or an argument) has no YAML form at all: it is written as `!text-utf8 "<base64>"`,
  the base64 of its UTF-8 bytes with surrogates passed through, which the reader
  (advisor.knowledge.yaml_source) turns back into the same text.

`dump_exact` then reads its own output back and compares: should the emitter ever produce
something that reads differently, everything is written double-quoted instead, and if even
that fails nothing is written (an error, never a file that reads back wrong).
"""

from __future__ import annotations

import base64
import math
import re
from typing import Any

import yaml

from advisor.exit_status import UserError
from advisor.knowledge.yaml_source import SURROGATE_TEXT_TAG, parse_yaml_text

# Characters every YAML style carries as themselves: printable, not a line break and not a
# byte-order mark (PyYAML mis-writes U+0085 in plain and single-quoted scalars).
_PLAIN_CHARS = r"\x20-\x7E\xA0-\u2027\u202A-\uD7FF\uE000-\uFEFE\uFF00-\uFFFD\U00010000-\U0010FFFF"
_SINGLE_LINE = re.compile(f"[{_PLAIN_CHARS}]*")
_BLOCK_TEXT = re.compile(f"[{_PLAIN_CHARS}\t\n]*")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_WIDTH = 1 << 30  # never fold: a folded scalar is one more way to change the text


def _literal_block_safe(text: str) -> bool:
    """Whether a `|` block reads back as exactly `text`."""
    if "\n" not in text or not _BLOCK_TEXT.fullmatch(text):
        return False
    if text.startswith("\t"):  # libyaml takes a tab where it detects indentation for an error
        return False
    lines = text.split("\n")
    # Lines of spaces only are ambiguous with the block's indentation; a line that starts with
    # a tab after an empty first line confuses indentation detection the same way.
    return not any(line and not line.strip(" \t") for line in lines)


class _ExactDumper(yaml.SafeDumper):
    quote_everything = False

    def ignore_aliases(self, data: Any) -> bool:  # transcripts never use anchors or aliases
        return True

    def analyze_scalar(self, scalar: str) -> Any:
        analysis = super().analyze_scalar(scalar)
        if _literal_block_safe(scalar):
            analysis.allow_block = True  # PyYAML refuses blocks with tabs; tool output is full of them
        return analysis


class _QuotingDumper(_ExactDumper):
    quote_everything = True


def _represent_text(dumper: _ExactDumper, text: str) -> yaml.ScalarNode:
    if _LONE_SURROGATE.search(text):
        encoded = base64.b64encode(text.encode("utf-8", "surrogatepass")).decode("ascii")
        return dumper.represent_scalar(SURROGATE_TEXT_TAG, encoded, style='"')
    if dumper.quote_everything:
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')
    if "\n" in text:
        style = "|" if _literal_block_safe(text) else '"'
        return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)
    if _SINGLE_LINE.fullmatch(text):
        return dumper.represent_scalar("tag:yaml.org,2002:str", text)  # plain or quoted, as PyYAML sees fit
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style='"')


for _dumper in (_ExactDumper, _QuotingDumper):
    _dumper.add_representer(str, _represent_text)


class UnwritableText(UserError):
    """Data that cannot be written as YAML that reads back the same: nothing is written."""


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    # Text stays text and booleans stay booleans (1 == True and "1" != 1 would hide a change).
    return isinstance(a, str) == isinstance(b, str) and isinstance(a, bool) == isinstance(b, bool) and a == b


def dump_exact(data: dict[str, Any], name: str = "transcript") -> str:
    """YAML text that `advisor.knowledge.yaml_source.parse_yaml_text` reads back as `data`
    (mappings with text keys; text, numbers, booleans and null as values)."""
    problem = "it does not read back the same"
    for dumper in (_ExactDumper, _QuotingDumper):
        try:
            text = yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=_WIDTH)
        except RecursionError:
            problem = "it is nested too deep"
            break
        try:
            if _same(data, parse_yaml_text(text, name)):
                return text
        except UserError as exc:
            problem = exc.message
    raise UnwritableText(f"{name}: not written: {problem}")
