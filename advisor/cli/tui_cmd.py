"""`advisor tui` (also plain `advisor`): the interactive terminal app, started by advisor.tui.launch."""

from __future__ import annotations

import argparse

from advisor.tui.launch import DESCRIPTION, HELP, add_arguments, run


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("tui", help=HELP, description=DESCRIPTION)
    add_arguments(p)
    p.set_defaults(func=run)
