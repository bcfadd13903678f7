"""Start the TUI from parsed arguments: `advisor tui` and `python -m advisor.tui` both land here.

Textual is imported inside `run` only, so the command line can register `tui` without loading it.
Errors end the same way as on the command line (advisor.entry_point.guarded): bad input as one
line with exit status 2, an internal error as one line with 3 (its traceback under ADVISOR_DEBUG).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.entry_point import UsageParser, checked_stdout, guarded
from advisor.exit_status import ExitStatus, UserError

if TYPE_CHECKING:
    from advisor.tui.app import AdvisorApp

HELP = "the interactive troubleshooter (the default command)"
DESCRIPTION = (
    "Talk the problem through: advisor asks only what it cannot find out itself, reads your logs "
    "and app bundle, runs read-only checks with your consent, and ends with the fix. Sessions are "
    "saved after every step under $XDG_STATE_HOME/advisor (or ~/.local/state/advisor)."
)


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--app", metavar="PATH", help="the container app bundle to read (or a provider, or a .zip of one)")
    p.add_argument("--log", metavar="FILE", help="a log file to read at start (log show / log stream output, Console copy, crash text)")
    p.add_argument(
        "--resume", action="store_true",
        help="reopen the newest saved session: where it stopped, or at its result if it was finished",
    )
    p.add_argument("--knowledge", metavar="DIR", help=argparse.SUPPRESS)


def main(argv: list[str]) -> int:
    """`advisor tui ARGS` without building the other commands' parsers (they cost ~40 ms of
    launch time); same errors and exit statuses as the dispatcher."""
    parser = UsageParser(prog="advisor tui", description=DESCRIPTION)
    add_arguments(parser)

    def parse() -> argparse.Namespace:
        with checked_stdout():  # --help into a full or closed standard output: one line, exit 2
            return parser.parse_args(argv)

    return guarded(lambda: run(parse()))


def _check_inputs(ns: argparse.Namespace) -> Path | None:
    """Refuse bad arguments before the terminal is taken over; returns the session to resume."""
    if ns.log is not None:
        if ns.log == "-":
            raise UserError("tui: --log - is not possible here (the terminal is the input); give a file")
        if not Path(ns.log).is_file():
            raise UserError(f"tui: --log {ns.log}: no such file")
    if ns.app is not None and not Path(ns.app).exists():
        raise UserError(f"tui: --app {ns.app}: no such file or folder")
    if ns.knowledge is not None and not Path(ns.knowledge).is_dir():
        raise UserError(f"tui: --knowledge {ns.knowledge}: no such folder")
    resume_path = None
    if ns.resume:
        from advisor.conversation.session_store import SessionError, SessionStore

        store = SessionStore()
        try:
            resume_path = store.newest()
            store.check(resume_path)  # a damaged newest session is named, never skipped for an older one
        except SessionError as exc:
            raise UserError(f"tui: {exc.message}") from None
    # Last, so a mistyped option is reported even when run without a terminal.
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError("tui: needs a terminal; for scripts use `advisor diagnose` (see advisor diagnose --help)")
    return resume_path


def run(ns: argparse.Namespace) -> int:
    resume_path = _check_inputs(ns)
    from advisor.tui.app import AdvisorApp
    from advisor.tui.options import TuiOptions

    options = TuiOptions(
        app_path=os.path.abspath(ns.app) if ns.app else None,
        log_path=ns.log,
        resume=ns.resume,
        resume_path=resume_path,
        knowledge_root=Path(ns.knowledge) if ns.knowledge else None,
    )
    app = AdvisorApp(options)
    try:
        app.run()
    finally:
        app.conversation.save()  # the last step, if quit came before its save ran
        app.store.close()
    if app.internal_error is not None:  # one line, or the traceback under ADVISOR_DEBUG (guarded)
        raise app.internal_error
    if app.user_error is not None:
        raise UserError(f"tui: {app.user_error.message}")
    _say_where_the_session_is(app)
    if app.return_code:  # Textual ended on its own error; the contract's code for it
        return int(ExitStatus.INTERNAL_ERROR)
    return int(ExitStatus.DONE)


def _say_where_the_session_is(app: AdvisorApp) -> None:
    """After quitting: where the session went and how to come back to it (or why it was not saved)."""
    from advisor.conversation.session_store import RESUME_COMMAND

    conversation, store = app.conversation, app.store
    if store.last_error:
        print(f"advisor: the session could not be saved: {store.last_error}", file=sys.stderr)
        return
    path = conversation.session_path
    if path is None or not path.is_file():
        return  # nothing happened worth keeping
    again = "Reopen its result" if conversation.finished else "Continue it"
    print(f"The session is saved in\n  {path}\n{again} with: {RESUME_COMMAND}")
