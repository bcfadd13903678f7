"""What every entry point (the command line, `python -m advisor.tui`) does alike: usage errors
as one line with exit status 2, and every exception mapped to its exit status."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable

from advisor.exit_status import ExitStatus, UserError
from advisor.plain_text import printable


class UsageParser(argparse.ArgumentParser):
    """argparse, but usage errors are one line and exit 2 (our BAD_INPUT)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # The entry point prefixes "advisor: " itself; a subcommand names itself ("advisor diagnose: ...").
        raise UserError(message if self.prog == "advisor" else f"{self.prog}: {message}")


def guarded(command: Callable[[], int]) -> int:
    """Run a command the way every entry point must: user errors as one line on stderr with
    their exit status, internal errors as one line (a traceback only with ADVISOR_DEBUG)."""
    try:
        return int(command())
    except UserError as exc:
        print(f"advisor: {printable(exc.message)}", file=sys.stderr)
        return int(exc.exit_status)
    except KeyboardInterrupt:
        print("advisor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        if os.environ.get("ADVISOR_DEBUG"):
            raise
        print(f"advisor: internal error: {type(exc).__name__}: {printable(str(exc))} (set ADVISOR_DEBUG=1 for details)", file=sys.stderr)
        return int(ExitStatus.INTERNAL_ERROR)
