"""The `advisor` command line: a thin shell that parses argv and hands work to the core.

Each subcommand lives in its own module exposing `register(subparsers)`; the module sets
`func` on its parser. Heavy imports happen inside each command so that `advisor diagnose`
never pays for Textual.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from advisor import __version__
from advisor.entry_point import UsageParser, checked_stdout, guarded

COMMAND_MODULES = ("tui", "diagnose", "inspect", "triage", "report", "replay", "collect", "kb")


def _version_text() -> str:
    try:
        from advisor.knowledge.loader import knowledge_version

        kb_version = knowledge_version()
    except Exception:  # the version line must print even with a broken knowledge base
        kb_version = "unreadable"
    return f"advisor {__version__} (knowledge base {kb_version})"


class _VersionAction(argparse.Action):
    def __init__(self, option_strings: list[str], dest: str = argparse.SUPPRESS, **kwargs: object) -> None:
        super().__init__(option_strings, dest=dest, nargs=0, help="print the program and knowledge-base versions")

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: object,
        option_string: str | None = None,
    ) -> None:
        print(_version_text())
        parser.exit(0)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line, or with `only` just that command's parser (running one command
    need not import every other command's module)."""
    parser = UsageParser(
        prog="advisor",
        description="Troubleshoot Apple Network Extension providers (VPN, proxy, content filter, DNS).",
    )
    parser.add_argument("--version", action=_VersionAction)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=UsageParser)
    import importlib

    for name in (only,) if only else COMMAND_MODULES:
        module = importlib.import_module(f"advisor.cli.{name}_cmd")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] == "tui" or (args[0].startswith("-") and args[0] not in ("-h", "--help", "--version")):
        # The TUI is the default: launch it without building every command's parser.
        from advisor.tui import launch

        return launch.main(args[1:] if args and args[0] == "tui" else args)

    def dispatch() -> int:
        with checked_stdout():
            ns = build_parser(args[0] if args[0] in COMMAND_MODULES else None).parse_args(args)
            if not getattr(ns, "func", None):
                ns = build_parser().parse_args(["tui"])
            return int(ns.func(ns))

    return guarded(dispatch)
