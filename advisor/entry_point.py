"""What every entry point (the command line, `python -m advisor.tui`) does alike: usage errors
as one line with exit status 2, and every exception mapped to its exit status."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from advisor.exit_status import ExitStatus, UserError
from advisor.plain_text import printable


class UsageParser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 (our BAD_INPUT)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # The entry point prefixes "advisor: " itself; a subcommand names itself ("advisor diagnose: ...").
        raise UserError(message if self.prog == "advisor" else f"{self.prog}: {message}")


def _say(line: str) -> None:
    """One line on stderr; with stderr closed, nowhere (print would put it on stdout, into the output)."""
    if sys.stderr is not None:
        print(line, file=sys.stderr)


def guarded(command: Callable[[], int]) -> int:
    """Run a command the way every entry point must: user errors as one line on stderr with
    their exit status, internal errors as one line (a traceback only with ADVISOR_DEBUG)."""
    try:
        return int(command())
    except UserError as exc:
        _say(f"advisor: {printable(exc.message)}")
        return int(exc.exit_status)
    except KeyboardInterrupt:
        _say("advisor: interrupted")
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if os.environ.get("ADVISOR_DEBUG"):
            raise
        _say(f"advisor: internal error: {type(exc).__name__}: {printable(str(exc))} (set ADVISOR_DEBUG=1 for details)")
        return int(ExitStatus.INTERNAL_ERROR)


class _StandardOutput:
    """sys.stdout while a command runs: a write that fails (a full disk, a closed or read-only
    descriptor) is the user's environment, said in one line with exit 2 as for an --output that
    cannot be written, instead of an internal error."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream

    def _failed(self, exc: OSError | None) -> UserError:
        with contextlib.suppress(OSError):  # what is still buffered is dropped, not retried at exit
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.close(devnull)
        reason = "is closed" if exc is None else f"cannot be written: {exc.strerror or exc}"
        return UserError(f"standard output {reason}")

    def write(self, text: str) -> int:
        if self._stream is None:
            raise self._failed(None)
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise self._failed(exc) from None

    def flush(self) -> None:
        if self._stream is None:
            return
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise self._failed(exc) from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def checked_stdout() -> Iterator[None]:
    """Run a command with `_StandardOutput` as sys.stdout, flushed before the command is done
    (also when argparse exits after --help or --version)."""
    original = sys.stdout
    sys.stdout = _StandardOutput(original)
    try:
        try:
            yield
        except SystemExit:
            sys.stdout.flush()
            raise
        sys.stdout.flush()
    finally:
        sys.stdout = original
