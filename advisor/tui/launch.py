"""Start the TUI from parsed arguments: `advisor tui` and `python -m advisor.tui` both land here.

Textual is imported inside `run` only, so the command line can register `tui` without loading it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from advisor.entry_point import UsageParser, guarded
from advisor.exit_status import ExitStatus, UserError

HELP = "the interactive troubleshooter (the default command)"
DESCRIPTION = (
    "Talk the problem through: advisor asks only what it cannot find out itself, reads your logs "
    "and app bundle, runs read-only checks with your consent, and ends with the fix. Sessions are "
    "saved after every step under $XDG_STATE_HOME/advisor (or ~/.local/state/advisor)."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--app", metavar="PATH", help="the container app bundle to read (or a provider, or a .zip of one)")
    p.add_argument("--log", metavar="FILE", help="a log file to read at start (log show / log stream output, Console copy, crash text)")
    p.add_argument("--resume", action="store_true", help="continue the newest unfinished session")
    p.add_argument("--knowledge", metavar="DIR", help=argparse.SUPPRESS)


def main(argv: list[str]) -> int:
    """`advisor tui ARGS` without building the other commands' parsers (they cost ~40 ms of
    launch time); same errors and exit statuses as the dispatcher."""
    parser = UsageParser(prog="advisor tui", description=DESCRIPTION)
    add_arguments(parser)
    return guarded(lambda: run(parser.parse_args(argv)))


def _check_inputs(ns: argparse.Namespace) -> None:
    if ns.log is not None:
        if ns.log == "-":
            raise UserError("tui: --log - is not possible here (the terminal is the input); give a file")
        if not Path(ns.log).is_file():
            raise UserError(f"tui: --log {ns.log}: no such file")
    if ns.app is not None and not Path(ns.app).exists():
        raise UserError(f"tui: --app {ns.app}: no such file or folder")
    if ns.knowledge is not None and not Path(ns.knowledge).is_dir():
        raise UserError(f"tui: --knowledge {ns.knowledge}: no such folder")
    if ns.resume:
        from advisor.conversation.session_store import SessionStore

        store = SessionStore()
        if store.latest_unfinished() is None:
            raise UserError(f"tui: no unfinished session to resume (sessions are kept in {store.folder})")
    # Last, so a mistyped option is reported even when run without a terminal.
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError("tui: needs a terminal; for scripts use `advisor diagnose` (see advisor diagnose --help)")


def run(ns: argparse.Namespace) -> int:
    _check_inputs(ns)
    from advisor.tui.app import AdvisorApp
    from advisor.tui.options import TuiOptions

    options = TuiOptions(
        app_path=os.path.abspath(ns.app) if ns.app else None,
        log_path=ns.log,
        resume=ns.resume,
        knowledge_root=Path(ns.knowledge) if ns.knowledge else None,
    )
    app = AdvisorApp(options)
    try:
        result = app.run()
    finally:
        app.conversation.save()  # the last step, if quit came before its save ran
        app.store.close()
    if app.return_code == ExitStatus.BAD_INPUT:
        raise UserError(f"tui: {result}")
    if app.return_code:  # Textual has already shown the error; the contract's code for it
        return int(ExitStatus.INTERNAL_ERROR)
    return int(ExitStatus.DONE)
