"""The evidence a user can hand over mid-conversation (pasted log lines, a log file, an app
bundle, a description), each as one Evidence: what the conversation says first, the step that
reads it into the investigation (run on a worker thread by the Intake), and what the step says.

These are plain functions of the dialogue: no widget, so they run off the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.tui.intake import Step, problem_text
from advisor.tui.widgets.message_log import Entry, finding_entries, log_match_entries, probe_entry, symptom_entries

if TYPE_CHECKING:
    from advisor.conversation.dialogue import Dialogue
    from advisor.probes import ProbeRun


@dataclass(frozen=True)
class Evidence:
    said: Entry  # shown at once, before the (maybe slow) step runs
    step: Step
    failure: str  # how a failure of the step is introduced in the conversation
    opens: bool = False  # also answers the opening prompt ("what is going wrong?")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def pasted_lines(text: str, opens: bool = False) -> Evidence:
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # terminals paste lines with CR
    lines = len(text.splitlines())

    def step(d: Dialogue) -> list[Entry]:
        first = len(d.inv.log_matches)
        d.inv.add_log_text(text)
        return log_match_entries(d.kb, d.inv.log_matches[first:], f"in {_plural(lines, 'line')}")

    return Evidence(("you", f"(pasted {_plural(lines, 'log line')})"), step, "could not read the log lines", opens)


def log_file(path: str) -> Evidence:
    def step(d: Dialogue) -> list[Entry]:
        first, read_before = len(d.inv.log_matches), d.inv.log_lines_read
        d.inv.add_log_path(path)
        where = f"in {_plural(d.inv.log_lines_read - read_before, 'line')} of {path}"
        return log_match_entries(d.kb, d.inv.log_matches[first:], where)

    return Evidence(("advisor", f"Reading the log {path}…"), step, f"could not read the log {path}")


def app_bundle(path: str) -> Evidence:
    def step(d: Dialogue) -> list[Entry]:
        d.inv.add_bundle(path)
        d.set_app_path(path)
        return finding_entries(d.inv.bundle or {})

    return Evidence(("advisor", f"Reading the app bundle {path}…"), step, f"could not read the bundle {path}")


def description(text: str) -> Evidence:
    def step(d: Dialogue) -> list[Entry]:
        symptoms, quoted = len(d.inv.describe_matches), len(d.inv.describe_log_matches)
        d.describe(text)
        entries = symptom_entries(d.inv.describe_matches[symptoms:])
        if len(d.inv.describe_log_matches) > quoted:
            entries += log_match_entries(d.kb, d.inv.describe_log_matches[quoted:], "in your description")
        return entries

    return Evidence(("you", text), step, "could not read the description", opens=True)


def probe_results(runs: list[ProbeRun], failures: list[tuple[str, BaseException]]) -> Step:
    """The step that takes the runs of probes the user allowed (the progress view has already
    shown them running): one line per command, and what the system log they read showed."""

    def step(d: Dialogue) -> list[Entry]:
        first = len(d.inv.log_matches)
        d.add_probe_runs(runs)
        entries = [probe_entry(d, r) for r in runs]
        entries += [("error", problem_text(f"could not run {command}", exc)) for command, exc in failures]
        if len(d.inv.log_matches) > first:
            entries += log_match_entries(d.kb, d.inv.log_matches[first:], "in the system log")
        return entries

    return step
