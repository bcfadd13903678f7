"""`python -m advisor.tui [--app PATH] [--log FILE] [--resume]`: the TUI alone, without the
command-line dispatcher (the same as `advisor tui`, a little faster to start)."""

import sys

from advisor.tui.launch import main

raise SystemExit(main(sys.argv[1:]))
