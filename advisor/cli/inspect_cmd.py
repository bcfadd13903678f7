"""`advisor inspect PATH`: static audit of an app bundle (or a .zip/.ipa of one)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from advisor.exit_status import ExitStatus


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "inspect",
        help="static audit of an app bundle (or a .zip of one): every finding, no questions",
        description="Read the app bundle, its providers, provisioning profiles and code signatures and "
        "report every Network Extension misconfiguration found. Exit 0: no error finding; 1: at least "
        "one error finding; 2: the path is not a readable bundle.",
    )
    p.add_argument(
        "path", metavar="PATH", help="an .app bundle, a provider (.appex/.systemextension), or a .zip/.ipa of one"
    )
    p.add_argument(
        "--udid",
        metavar="UDID",
        help="this Mac's (or device's) provisioning UDID, checked against development profiles",
    )
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--knowledge", metavar="DIR", help=argparse.SUPPRESS)
    p.set_defaults(func=run)


def run(ns: argparse.Namespace) -> int:
    from advisor.inspectors import inspect_bundle
    from advisor.knowledge.loader import load_knowledge

    kb = load_knowledge(Path(ns.knowledge) if ns.knowledge else None)
    inspection = inspect_bundle(Path(ns.path), kb, udid=ns.udid)
    if ns.format == "json":
        json.dump(inspection.to_json(), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        from advisor.inspectors.text_report import render_text

        sys.stdout.write(render_text(inspection))
    return int(ExitStatus.NO_DIAGNOSIS if inspection.has_errors else ExitStatus.DONE)
