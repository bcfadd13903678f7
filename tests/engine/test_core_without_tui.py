"""The core is reachable without the TUI: scripted paths never import Textual."""

import subprocess
import sys


def test_engine_and_cli_core_import_without_textual():
    code = (
        "import sys\n"
        "import advisor.engine.session, advisor.investigation, advisor.graph.checks, advisor.reports\n"
        "from advisor.cli import build_parser\n"
        "build_parser()\n"
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_diagnose_does_not_import_textual(advisor_cli):
    # `python -X importtime` lists every module imported by the whole process.
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "advisor", "diagnose", "--answer", "platform=macos", "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert out.returncode in (0, 1), out.stderr[-2000:]
    imported = [line.split("|")[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time:")]
    assert imported, "importtime printed nothing"
    assert not [m for m in imported if m == "textual" or m.startswith("textual.")]
