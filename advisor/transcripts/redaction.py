"""A transcript with personal identifiers replaced (advisor.redaction), fit to share or commit."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from advisor.exit_status import ExitStatus, UserError
from advisor.transcripts.format import Transcript

if TYPE_CHECKING:
    from advisor.redaction import Redactor


def redact_transcript(t: Transcript, redactor: Redactor | None = None) -> Transcript:
    """A redacted copy of a transcript. Answers, expectations, ids and bundle ids stay as they are.

    Fails closed: when the redactor cannot be loaded or raises, a one-line error (exit 3) and no
    transcript, never an unredacted one."""
    try:
        from advisor.redaction import RedactionFailed, Redactor
    except ImportError as exc:
        error = UserError(f"redaction is not available ({exc}); nothing was written (--no-redact writes without redaction)")
        error.exit_status = ExitStatus.INTERNAL_ERROR
        raise error from None
    try:
        return _redacted(t, redactor or Redactor())
    except RedactionFailed:
        raise
    except Exception as exc:
        raise RedactionFailed(exc) from exc


def _redacted(t: Transcript, r: Redactor) -> Transcript:
    probe_fields = [(p.argv, p.stdout, p.stderr, p.error) for p in t.probes]
    # Learn everything first so numbering and cross-field matches cover the whole transcript.
    r.learn([t.title, t.describe, t.log, t.bundle, t.probe_context, t.observations, probe_fields, t.result, t.notes])
    return replace(
        t,
        title=r.text(t.title),
        describe=r.text(t.describe),
        log=r.text(t.log),
        bundle=r.value(t.bundle) if t.bundle is not None else None,
        # Paths here are redacted like those in the probe outputs, so replay still matches them.
        probe_context=r.value(t.probe_context) if t.probe_context is not None else None,
        observations=r.value(t.observations),
        probes=[
            replace(
                p,
                argv=[r.text(a) for a in p.argv],
                stdout=r.text(p.stdout),
                stderr=r.text(p.stderr),
                error=r.text(p.error) if p.error else p.error,
            )
            for p in t.probes
        ],
        result=r.value(t.result) if t.result is not None else None,
        notes=r.text(t.notes),
    )
