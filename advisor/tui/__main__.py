"""`python -m advisor.tui [--app PATH] [--log FILE] [--resume]`: the TUI alone, without the
full command-line dispatcher (the same as `advisor tui`, a little faster to start)."""

import sys

from advisor.cli.tui_cmd import main

raise SystemExit(main(sys.argv[1:]))
