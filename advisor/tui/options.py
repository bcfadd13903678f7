"""What `advisor tui` was started with (plain data, no Textual)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class TuiOptions:
    app_path: str | None = None  # --app: the bundle to read at start (and to probe)
    log_path: str | None = None  # --log: a log file to triage at start
    resume: bool = False  # --resume: reopen the newest saved session
    resume_path: Path | None = None  # the session --resume found (checked before launch); else the newest
    knowledge_root: Path | None = None  # --knowledge (hidden): another knowledge folder
    state_root: Path | None = None  # where sessions are saved (default: the XDG state dir)
    theme: str = "textual-dark"
