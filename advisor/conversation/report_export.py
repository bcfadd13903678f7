"""Writing the session's report from the TUI (Markdown, HTML or JSON, per `advisor.reports`)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from advisor.exit_status import UserError

if TYPE_CHECKING:  # annotations only (the result is plain dictionaries)
    from advisor.result_shape import DiagnoseResult

FORMAT_SUFFIXES = {"markdown": ".md", "html": ".html", "json": ".json"}
FORMAT_NAMES = {"markdown": "Markdown", "html": "HTML", "json": "JSON"}


def default_report_path(fmt: str, folder: Path | None = None) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    return (folder or Path.cwd()) / f"advisor-report-{stamp}{FORMAT_SUFFIXES[fmt]}"


def with_suffix_for(path_text: str, fmt: str) -> str:
    """Swap a known report suffix for the chosen format's (leave other names alone)."""
    path = Path(path_text)
    if path.suffix.lower() in FORMAT_SUFFIXES.values():
        return str(path.with_suffix(FORMAT_SUFFIXES[fmt]))
    return path_text


def write_report(result: DiagnoseResult, fmt: str, path: str | Path, redact: bool = True) -> Path:
    """Render and write (advisor.output_file: a device in place, a file atomically, never through
    someone else's link); UserError (one line) when the format or the path fails."""
    from advisor.output_file import write_output
    from advisor.reports import render_report

    if fmt not in FORMAT_SUFFIXES:
        raise UserError(f"unknown report format '{fmt}' (choose from {', '.join(FORMAT_SUFFIXES)})")
    target = Path(path).expanduser()
    if target.is_dir():
        raise UserError(f"{target} is a folder; give a file name")
    text = render_report(result, fmt, redact=redact)
    written = write_output(str(target), text, "report", option="")
    return written.path if written.path is not None else target
