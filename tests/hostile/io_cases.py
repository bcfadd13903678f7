"""One hostile input, and the checks every one of them gets (tests/hostile/test_io_*.py).

A Case builds its files in a fresh folder, runs one `advisor` command on them as a user would
(a process bounded in memory and time: io_support.run_advisor), and checks:
* the exit code is one of those expected (2 for bad input; never 3, an internal error);
* stderr is at most one printable line, without a traceback; `message` appears in it;
* nothing is lost: every input is unchanged, and the output is complete (when the command
  succeeded) or untouched (when it failed).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.io_support import Snapshot, assert_clean, file_state, hidden_leftovers, run_advisor

Setup = Callable[[Path], None]


@dataclass
class Case:
    id: str
    args: Sequence[str]  # "{d}" is replaced by the case's folder
    setup: Setup | None = None
    codes: tuple[int, ...] = (2,)
    message: str = ""  # expected in stderr (or in stdout, for replay's per-file lines)
    inputs: Sequence[str] = ()  # files (relative to the folder) that must not change
    output: str | None = None  # the output file (relative), complete or untouched
    run: dict[str, Any] = field(default_factory=dict)  # extra run_advisor keywords
    skip: str | None = None
    check: Callable[[Path, Any], None] | None = None  # anything more to assert

    def param(self) -> Any:
        marks = [pytest.mark.skip(reason=self.skip)] if self.skip else []
        return pytest.param(self, id=self.id, marks=marks)


def _fill(arg: str, folder: Path) -> str:
    return arg.replace("{d}", str(folder))


def complete(path: Path) -> bool:
    """Whether an output file holds a whole report or transcript."""
    data = path.read_bytes()
    if not data.endswith(b"\n"):
        return False
    if path.suffix == ".json":
        json.loads(data)
        return True
    if path.suffix == ".yaml":
        from advisor.transcripts.format import load_transcript

        load_transcript(path)
        return True
    if path.suffix == ".md":
        return data.startswith(b"# advisor report")
    if path.suffix == ".html":
        return data.rstrip().endswith(b"</html>")
    return True


def run_case(case: Case, folder: Path) -> None:
    if case.setup is not None:
        case.setup(folder)
    inputs = Snapshot(*(folder / i for i in case.inputs))
    output = folder / case.output if case.output else None
    before = file_state(output) if output is not None else None
    run = run_advisor(*(_fill(a, folder) for a in case.args), cwd=folder, **case.run)
    assert_clean(run, *case.codes)
    if case.message:
        assert case.message in run.stderr or case.message in run.out, run.describe()
    assert inputs.changed() == [], f"{run.describe()}: inputs changed: {inputs.changed()}"
    if output is not None:
        if run.returncode in (0, 1):
            assert output.exists() and complete(output), run.describe()
        else:
            assert file_state(output) == before, f"{run.describe()}: the output was touched"
        assert [p for p in hidden_leftovers(output.parent) if not p.startswith(".hidden")] == [], run.describe()
    if case.check is not None:
        case.check(folder, run)


def write(name: str, content: str | bytes) -> Setup:
    def setup(folder: Path) -> None:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")

    return setup


def both(*setups: Setup) -> Setup:
    def setup(folder: Path) -> None:
        for s in setups:
            s(folder)

    return setup


def sparse(name: str, size: int) -> Setup:
    """A file of `size` bytes that takes no room (all holes)."""

    def setup(folder: Path) -> None:
        with (folder / name).open("wb") as fh:
            fh.truncate(size)

    return setup


def fifo_with(name: str, content: bytes) -> Setup:
    """A named pipe a thread writes `content` into (a reader that stops early is fine)."""

    def feed(path: Path) -> None:
        with contextlib.suppress(BrokenPipeError):
            path.write_bytes(content)

    def setup(folder: Path) -> None:
        os.mkfifo(folder / name)
        threading.Thread(target=feed, args=(folder / name,), daemon=True).start()

    return setup
