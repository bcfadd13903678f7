"""`advisor diagnose` (placeholder until its issue lands)."""

from __future__ import annotations

import argparse

from advisor.exit_status import UserError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("diagnose", help="(not yet available)")
    p.set_defaults(func=run)


def run(ns: argparse.Namespace) -> int:
    raise UserError("diagnose: not available yet")
