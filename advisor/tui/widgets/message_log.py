"""The conversation transcript as the user sees it: questions, answers, findings, probe results.

One step's messages become one widget (one mount per step keeps each answer fast however long
the conversation gets). Every line has a plain-text prefix ("you:", "probe:"...), so it reads
the same without colour (NO_COLOR); colours come from the theme's variables.

The functions below turn evidence into those lines. They are plain functions of the engine's
data (no widget), so a worker thread can build the lines of a slow step while it runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from advisor.tui.inline_code import inline_code

if TYPE_CHECKING:
    from advisor.conversation.dialogue import Change, Dialogue
    from advisor.engine.scoring import Assessment
    from advisor.knowledge.model import KnowledgeBase
    from advisor.probes import ProbeRun

Entry = tuple[str, str]  # (kind, text)

# kind -> (prefix, prefix style, text style); styles use theme variables, so both themes work.
KINDS: dict[str, tuple[str, str, str]] = {
    "advisor": ("advisor", "bold", ""),
    "you": ("you", "bold $text-accent", "$text-accent"),
    "probe": ("probe", "bold $text-secondary", "$text-secondary"),
    "fact": ("learned", "bold $text-success", "$text-success"),
    "describe": ("understood", "bold $text-success", "$text-success"),
    "diagnosis": ("diagnosis", "bold $text-warning", "bold $text-warning"),
    "advice": ("advice", "bold $text-primary", ""),
    "ruled-out": ("ruled out", "bold $text-muted", "$text-muted"),
    "log": ("log", "bold $text-muted", "$text-muted"),
    "bundle": ("bundle", "bold $text-secondary", "$text-secondary"),
    "error": ("problem", "bold $text-error", "$text-error"),
    "note": ("note", "bold $text-muted", "$text-muted"),
}
MAX_BLOCKS = 200  # older steps scroll away for good: the saved session keeps the evidence
MAX_SHOWN_MATCHES = 12  # per step, so one paste never floods the conversation
MAX_LINE_TEXT = 160


class MessageLog(VerticalScroll, can_focus=True):
    """Append-only; newest at the bottom, kept in view."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._lines: list[str] = []
        self._pending: list[Entry] = []

    def add(self, kind: str, text: str) -> None:
        self.add_many([(kind, text)])

    def add_many(self, entries: list[Entry]) -> None:
        """Queue messages; everything added during one step is shown as one block."""
        if not entries:
            return
        if not self._pending:
            self.call_later(self._flush)
        self._pending += entries
        self._lines += [f"{KINDS.get(kind, (kind,))[0]}: {text}" for kind, text in entries]

    def _flush(self) -> None:
        entries, self._pending = self._pending, []
        if not entries:
            return
        parts: list[str | tuple[str, str] | Content] = []
        for i, (kind, text) in enumerate(entries):
            prefix, prefix_style, text_style = KINDS.get(kind, (kind, "bold", ""))
            if i:
                parts.append("\n")
            parts += [(f"{prefix}: ", prefix_style), inline_code(text, text_style)]
        self.mount(Static(Content.assemble(*parts), classes="msg", markup=False))
        excess = len(self.children) - MAX_BLOCKS
        if excess > 0:
            for old in list(self.children)[:excess]:
                old.remove()
        self.call_after_refresh(self.scroll_end, animate=False)

    def texts(self) -> list[str]:
        """Every message as plain text, oldest first (for tests and the tmux check)."""
        return list(self._lines)


# ---- evidence as lines ------------------------------------------------------------------------
def _short(text: str) -> str:
    text = text.strip()
    return text if len(text) <= MAX_LINE_TEXT else text[: MAX_LINE_TEXT - 1] + "…"


def symptom_entries(matches: list[Any]) -> list[Entry]:
    return [("describe", f'"{m.phrase}" ({m.symptom})') for m in matches[:MAX_SHOWN_MATCHES]]


def log_match_entries(kb: KnowledgeBase, matches: list[Any], where: str) -> list[Entry]:
    if not matches:
        return [("log", f"no known message {where}")]
    entries: list[Entry] = []
    for m in matches[:MAX_SHOWN_MATCHES]:
        data = m.to_json()
        signature = kb.signatures.get(str(data.get("signature", "")))
        meaning = f" -- {signature.meaning.strip()}" if signature is not None and signature.meaning else ""
        entries.append(("log", f"line {data.get('line')} [{data.get('kind')}] {_short(str(data.get('text', '')))}{meaning}"))
    if len(matches) > MAX_SHOWN_MATCHES:
        entries.append(("log", f"(and {len(matches) - MAX_SHOWN_MATCHES} more recognised lines {where})"))
    return entries


def finding_entries(record: dict[str, Any]) -> list[Entry]:
    findings = record.get("findings") or []
    n = len(findings)
    entries: list[Entry] = [("bundle", f"read {record.get('path', 'the bundle')}: {n} finding{'s' if n != 1 else ''}")]
    for f in findings[:MAX_SHOWN_MATCHES]:
        entries.append(("bundle", f"[{f.get('severity', '')}] {f.get('id', '')}: {f.get('detail', '')}"))
    if n > MAX_SHOWN_MATCHES:
        entries.append(("bundle", f"(and {n - MAX_SHOWN_MATCHES} more findings: see the report)"))
    return entries


def probe_entry(dialogue: Dialogue, run: ProbeRun) -> Entry:
    command = " ".join(run.argv)
    if run.timed_out:
        return ("probe", f"{command} → {run.error or 'timed out'}; I'll ask instead")
    if run.error and not run.observations:
        return ("probe", f"{command} → did not answer: {run.error} ({run.duration_ms} ms)")
    facts = ", ".join(f"{o.fact} = {dialogue.value_label(o.fact, o.value)}" for o in run.observations)
    return ("probe", f"{command} → {facts or 'nothing conclusive'} ({run.duration_ms} ms)")


def change_entries(changes: list[Change]) -> list[Entry]:
    return [(c.kind, c.text) for c in changes]


def advice_entries(advice: list[Assessment]) -> list[Entry]:
    """Advice answering the developer's own question, in one line each (F4 opens the rest)."""
    return [("advice", f"{a.diagnosis.title}. {' '.join(a.diagnosis.summary.split())} (F4: the whole answer)") for a in advice]


def resumed_entries(d: Dialogue, recorded: str, finished: bool) -> list[Entry]:
    """What a resumed session says first: when it was saved, and what it holds."""
    state = "finished session" if finished else "session"
    entries: list[Entry] = [("advisor", f"Welcome back: this is the {state} saved {recorded or 'earlier'}.")]
    for asked in d.inv.session.asked():
        entries.append(("you", f"{asked.text} → {d.value_label(asked.fact, asked.answer)}"))
    if d.inv.describe:
        entries.append(("note", f"your description: {d.inv.describe[:200]}"))
    if d.inv.log_lines_read:
        entries.append(("note", f"{d.inv.log_lines_read} log lines read, {len(d.inv.log_matches)} recognised"))
    if d.inv.bundle:
        entries.append(("note", f"bundle read: {d.inv.bundle.get('path', '')}"))
    if d.inv.probe_runs:
        entries.append(("note", f"{len(d.inv.probe_runs)} probe results kept"))
    return entries
