"""Move evidence between transcripts and investigations, and check expectations.

Replaying a transcript re-runs the current parsers and matchers on the recorded raw material
(probe stdout, log text, description), so a transcript is a regression test of them too.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from advisor.evidence import Observation, Source
from advisor.exit_status import UserError
from advisor.investigation import Investigation, KnowledgeRuntime
from advisor.knowledge.model import KnowledgeBase
from advisor.transcripts import limits
from advisor.transcripts.format import Expectation, RecordedProbe, Transcript

if TYPE_CHECKING:
    from advisor.probes import ProbeRun


def investigation_from_transcript(
    kb: KnowledgeBase, t: Transcript, runtime: KnowledgeRuntime | None = None
) -> Investigation:
    inv = Investigation.start(kb, runtime)
    for fact, value in t.answers.items():
        inv.answer(fact, value)
    if t.describe:
        inv.add_description(t.describe)
    if t.log:
        inv.add_log_text(t.log)
    if t.bundle is not None:
        inv.add_recorded_bundle(t.bundle)
    context = recorded_context(t)
    if context is not None:
        inv.probe_context = context
    if t.observations:
        inv.add_context_observations(
            [Observation(o["fact"], o["value"], Source(o.get("source", "probe")), o.get("detail", ""), o.get("origin", "")) for o in t.observations]
        )
    if t.probes:
        inv.add_probe_runs([replayed_probe_run(kb, p, context) for p in t.probes])
    return inv


def recorded_context(t: Transcript):  # -> ProbeContext | None
    """The probe context saved in a transcript, validated again (it is input like any other)."""
    if not t.probe_context:
        return None
    from advisor.probes import ProbeContext
    from advisor.transcripts.format import TranscriptError

    fields = {f for f in ProbeContext.__dataclass_fields__}
    unknown = sorted(set(t.probe_context) - fields)
    if unknown:
        raise TranscriptError(f"{t.path}: probe_context has unknown field(s): {', '.join(unknown)}")
    context = ProbeContext(**t.probe_context)
    # Paths in a transcript describe the Mac it was made on; no file is read here on replay.
    return context


def replayed_probe_run(kb: KnowledgeBase, p: RecordedProbe, context=None):  # -> ProbeRun
    from advisor.probes import ProbeRun, parse_probe_output

    observations = []
    error = p.error
    if not p.timed_out and p.exit_code is not None and p.id in kb.probes:
        try:
            observations = parse_probe_output(kb, p.id, p.stdout, p.stderr, p.exit_code, context)
        except UserError:
            raise
        except Exception as exc:  # as when the probe ran: a parser that chokes settles nothing
            error = error or f"could not read its recorded output ({type(exc).__name__})"
    return ProbeRun(
        probe_id=p.id,
        argv=list(p.argv),
        exit_code=p.exit_code,
        duration_ms=p.duration_ms,
        stdout=p.stdout,
        stderr=p.stderr,
        timed_out=p.timed_out,
        error=error,
        observations=observations,
        parser=kb.probes[p.id].parser if p.id in kb.probes else "",
        context=context,
        truncated=p.truncated,
    )


def recorded_probes(runs: list[ProbeRun]) -> tuple[list[RecordedProbe], list[str]]:
    """The runs as recorded, their output cut to the transcript limits (advisor.transcripts.limits),
    and the ids of the probes whose output was cut here."""
    from advisor.probes.parsers import parser_spec

    budget = limits.PROBE_OUTPUT_CHARS
    recorded, cut = [], []
    for r in runs:
        spec = parser_spec(r.parser) if r.parser else None
        room = min(limits.PROBE_STDOUT_CHARS, max(budget, limits.PROBE_MIN_CHARS))
        stdout = limits.keep(r.stdout, room, tail=bool(spec and spec.keep_tail))
        stderr = limits.keep(r.stderr, limits.PROBE_STDERR_CHARS)
        budget -= len(stdout.text)
        if stdout.cut or stderr.cut:
            cut.append(r.probe_id)
        recorded.append(
            RecordedProbe(
                id=r.probe_id, argv=list(r.argv), exit_code=r.exit_code, duration_ms=r.duration_ms,
                stdout=stdout.text, stderr=stderr.text, timed_out=r.timed_out, error=r.error,
                truncated=r.truncated or stdout.cut or stderr.cut,
            )
        )
    return recorded, cut


def transcript_from_investigation(inv: Investigation, transcript_id: str, title: str = "") -> Transcript:
    result = inv.result()
    probes, cut = recorded_probes(inv.probe_runs)
    log = limits.keep(inv.log_text, limits.LOG_CHARS, tail=True)  # a log's last lines are the failure's
    notes = []
    if cut:
        notes.append(
            f"The output of {', '.join(dict.fromkeys(cut))} was longer than a transcript keeps "
            f"({limits.kb_size(limits.PROBE_STDOUT_CHARS)} a probe, {limits.kb_size(limits.PROBE_OUTPUT_CHARS)} in all): "
            "the lines their parsers read first were kept."
        )
    if log.cut:
        notes.append(f"The log was longer than a transcript keeps ({limits.kb_size(limits.LOG_CHARS)}): its last lines were kept.")
    return Transcript(
        id=transcript_id,
        title=title or (result["diagnoses"][0]["title"] if result["diagnoses"] else "advisor session"),
        recorded=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        describe=inv.describe,
        answers=dict(inv.session.answers),
        log=log.text,
        bundle=inv.bundle,
        probe_context=dataclasses.asdict(inv.probe_context) if inv.probe_context is not None else None,
        observations=[
            {"fact": o.fact, "value": o.value, "source": str(o.source), "detail": o.detail, "origin": o.origin}
            for o in inv.context_evidence
        ],
        probes=probes,
        expected=Expectation(
            first=result["diagnoses"][0]["id"] if result["diagnoses"] else None,
            include=[d["id"] for d in result["diagnoses"][1:] if d["status"] in ("confirmed", "likely")],
        ),
        result={
            "diagnoses": [{"id": d["id"], "status": d["status"], "score": d["score"]} for d in result["diagnoses"]],
        },
        notes=" ".join(notes),
    )


def expectation_failures(expected: Expectation | None, ranked_ids: list[str]) -> list[str]:
    """Why a result does not meet a transcript's expectations (empty when it does)."""
    if expected is None:
        return []
    failures = []
    if expected.first is not None:
        accepted = [expected.first, *expected.also_acceptable]
        got = ranked_ids[0] if ranked_ids else "nothing"
        if got not in accepted:
            failures.append(f"ranked {got} first, expected {' or '.join(accepted)}")
    for did in expected.include:
        if did not in ranked_ids:
            failures.append(f"did not list {did}")
    for did in expected.exclude:
        if did in ranked_ids:
            failures.append(f"listed {did}, which it must not")
    return failures
