"""Argument values every command checks alike: probe timeouts, `--answer`/`--answers`, standard
input, and the outputs a command writes (claimed before any work, see advisor.output_file)."""

from __future__ import annotations

import argparse
import contextlib
import math
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.exit_status import UserError
from advisor.plain_text import printable

if TYPE_CHECKING:
    from advisor.output_file import Output

# A probe that gets less than this cannot even start; more than this is no timeout at all.
MIN_PROBE_TIMEOUT = 0.1
MAX_PROBE_TIMEOUT = 600.0
MAX_ANSWERS_BYTES = 1 << 20  # an answers file is a short mapping of FACT: VALUE


def shown(value: str) -> str:
    """A value quoted for a one-line message: control characters and line breaks escaped."""
    return f"'{printable(value)}'" if not value.isprintable() or not value else value


def probe_timeout(text: str) -> float:
    """argparse type of --probe-timeout: seconds, finite, within a range a probe can use."""
    try:
        seconds = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{shown(text)} is not a number of seconds") from None
    if not math.isfinite(seconds) or not MIN_PROBE_TIMEOUT <= seconds <= MAX_PROBE_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is outside {MIN_PROBE_TIMEOUT:g} to {MAX_PROBE_TIMEOUT:g} seconds"
        )
    return seconds


def parse_answer_args(values: list[str]) -> list[tuple[str, str, str]]:
    """`--answer FACT=VALUE` values as (fact, value, where), each on one line."""
    out = []
    given: dict[str, tuple[str, str]] = {}  # fact -> (value, the argument that gave it)
    for raw in values:
        if "=" not in raw:
            raise UserError(f"--answer {raw!r}: expected FACT=VALUE")
        if not raw.isprintable():
            raise UserError(f"--answer {raw!r}: FACT=VALUE must be one line of printable text")
        fact, value = (part.strip() for part in raw.split("=", 1))
        if fact in given and given[fact][0] != value:  # which one did the user mean? neither is dropped silently
            raise UserError(f"--answer {raw}: contradicts --answer {given[fact][1]}; give {fact} once")
        given.setdefault(fact, (value, raw))
        out.append((fact, value, f"--answer {raw}"))
    return out


def read_answers_file(path: str) -> list[tuple[str, str, str]]:
    """A YAML mapping FACT: VALUE (at most MAX_ANSWERS_BYTES), as (fact, value, where)."""
    from advisor.knowledge.yaml_source import YamlError, as_text, line_of, read_yaml

    try:
        data = read_yaml(Path(path), path, max_bytes=MAX_ANSWERS_BYTES, what="an answers file")
    except YamlError as exc:
        raise UserError(f"--answers {exc.message}") from None
    if data is None:
        return []
    if not isinstance(data, dict):
        raise UserError(f"--answers {path}:1: expected a mapping of FACT: VALUE")
    out = []
    for fact, value in data.items():
        where = f"--answers {path}:{line_of(data, fact)}"
        if isinstance(value, (dict, list)):
            raise UserError(f"{where}: the value of {str(fact)!r} must be plain text")
        text = as_text(value)
        if not text.isprintable() and text:
            raise UserError(f"{where}: the value of {str(fact)!r} must be one line of printable text")
        out.append((str(fact), text, where))
    return out


def require_stdin(option: str) -> None:
    """`-` reads standard input: say so in one line when there is none (closed, or detached)."""
    stream = sys.stdin
    try:
        usable = stream is not None and stream.buffer is not None and not stream.closed and stream.fileno() >= 0
    except (OSError, ValueError, AttributeError):
        usable = False
    if not usable:
        raise UserError(f"{option} -: standard input is closed; give a file, or pipe the log in")


@contextlib.contextmanager
def claimed_outputs(
    outputs: Sequence[tuple[str, str | None]], inputs: Sequence[tuple[str, str | None]]
) -> Iterator[dict[str, Output]]:
    """Resolve and lock each output (option, name; None: not given), refusing before any work an
    output that is the same file as an input or another output. Yields {option: Output}."""
    from advisor import output_file

    resolved = {option: output_file.resolve_output(name, option) for option, name in outputs if name is not None}
    given_inputs = [(option, name) for option, name in inputs if name]
    with output_file.claimed(list(resolved.values()), given_inputs):
        yield dict(resolved)
