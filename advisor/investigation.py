"""One troubleshooting investigation: every piece of evidence gathered, fed to the engine.

This is where the evidence sources meet: the developer's description, pasted logs, the app
bundle, probe outputs and answers. Each is turned into observations and pointers for the
engine `Session`, and kept as gathered so reports and transcripts can show it. Both shells
(CLI and TUI) and transcript replay build their sessions through this class.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from advisor import __version__
from advisor.engine.describe import DescriptionMatcher, SymptomMatch, description_evidence
from advisor.engine.facts import ResolvedFact
from advisor.engine.resemblance import Resemblance, ResemblanceIndex, resemblance_pointers
from advisor.engine.scoring import Assessment
from advisor.engine.session import Session
from advisor.engine.stated_facts import StatedFact, StatementReader
from advisor.engine.walk import QuestionChoice
from advisor.evidence import Observation, Pointer, Source
from advisor.knowledge.model import KnowledgeBase, Question

if TYPE_CHECKING:
    from advisor.probes import PlannedProbe, ProbeContext, ProbeRun
    from advisor.result_shape import (  # imported lazily at run time: each source pulls in its own parsers
        ConfirmationEntry,
        DiagnoseResult,
        DiagnosisEntry,
        EvidenceEntry,
        FactEntry,
        ProbeEntry,
        QuestionEntry,
    )
    from advisor.triage import LogMatch, LogTriage

FINDING_WEIGHTS = {"error": 5.0, "warning": 2.0, "info": 0.5}
EXAMPLE_APP_PATH = "/Applications/MyApp.app"  # in a check command, when the app's path is not known
# A description is the problem in a developer's words (a few sentences, perhaps a quoted
# error): beyond this, the rest is not read, and the notes say so. Matching costs grow with
# the text, and a pasted log belongs in --log, which streams.
DESCRIPTION_LIMIT = 10_000
# The wall-clock time all of a session's probes may take together (they run four at a time).
# Healthy probes finish within it on a busy Mac (`log show` and `syspolicy_check` are the slow
# ones, 10-30 s), while several hung tools cannot hold the answer for minutes. With an explicit
# per-probe timeout the budget is three of those, up to this much, and never less than one.
PROBE_BUDGET_SECONDS = 45.0


def probe_budget_seconds(timeout: float | None) -> float:
    """The session's probe budget for a per-probe timeout (None: each probe's own)."""
    if timeout is None:
        return PROBE_BUDGET_SECONDS
    return max(timeout, min(PROBE_BUDGET_SECONDS, 3 * timeout))


@dataclass
class KnowledgeRuntime:
    """The compiled, reusable pieces of one knowledge base (matchers are built once).

    Building them (stemming every phrase, planning the log prefilter's anchors, weighing the
    diagnoses' words) costs more than the rest of a scripted run, and depends only on the
    knowledge base and the matchers' code: a cached base keeps them in the same cache, so a
    command builds them once per knowledge-base version, not once per run."""

    kb: KnowledgeBase
    _describe: DescriptionMatcher | None = None
    _triage: LogTriage | None = None
    _resemblance: ResemblanceIndex | None = None
    _statements: StatementReader | None = None
    _restored: bool = False

    @property
    def statements(self) -> StatementReader:
        self._restore()
        if self._statements is None:
            self._statements = StatementReader(self.kb)
        return self._statements

    @property
    def describe(self) -> DescriptionMatcher:
        self._restore()
        if self._describe is None:
            self._describe = DescriptionMatcher(self.kb)
        return self._describe

    @property
    def resemblance(self) -> ResemblanceIndex:
        self._restore()
        if self._resemblance is None:
            self._resemblance = ResemblanceIndex(self.kb)
        return self._resemblance

    @property
    def triage(self) -> LogTriage:
        self._restore()
        if self._triage is None:
            from advisor.triage import LogTriage

            self._triage = LogTriage(self.kb)
        return self._triage

    def _restore(self) -> None:
        """Once: the matchers from the cache, or, for a cached base, all built and cached."""
        if self._restored:
            return
        self._restored = True
        key = _matchers_key(self.kb)
        if key is None:
            return  # an uncached base (ADVISOR_NO_CACHE, tests): each is built when first needed
        from advisor.knowledge import compiled_cache

        parts = compiled_cache.read_derived(key, {"kb": self.kb})
        if isinstance(parts, tuple) and len(parts) == 4:
            self._statements, self._describe, self._resemblance, self._triage = parts
            return
        from advisor.triage import LogTriage

        self._statements, self._describe = StatementReader(self.kb), DescriptionMatcher(self.kb)
        self._resemblance, self._triage = ResemblanceIndex(self.kb), LogTriage(self.kb)
        compiled_cache.write_derived(key, (self._statements, self._describe, self._resemblance, self._triage), {"kb": self.kb})


# The code of the matchers the runtime caches: a change to any of it makes a new cache entry.
_MATCHER_SOURCES = (
    "engine/describe.py",
    "engine/stated_facts.py",
    "engine/resemblance.py",
    "triage/__init__.py",
    "triage/anchors.py",
    "triage/log_formats.py",
    "triage/normalise.py",
    "triage/signature_index.py",
    "triage/triage.py",
)


def _matchers_key(kb: KnowledgeBase) -> str | None:
    if not kb.content_key:
        return None
    import hashlib

    digest = hashlib.sha256(kb.content_key.encode())
    package = Path(__file__).resolve().parent
    try:
        for source in _MATCHER_SOURCES:
            digest.update((package / source).read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


@dataclass
class Investigation:
    runtime: KnowledgeRuntime
    session: Session
    describe: str = ""
    describe_matches: list[SymptomMatch] = field(default_factory=list)
    describe_log_matches: list[LogMatch] = field(default_factory=list)
    stated_facts: list[StatedFact] = field(default_factory=list)
    resemblances: list[Resemblance] = field(default_factory=list)
    log_text: str = ""
    log_matches: list[LogMatch] = field(default_factory=list)
    log_lines_read: int = 0
    bundle: dict[str, Any] | None = None  # the bundle inspection as recorded (contract shape + observations)
    probe_runs: list[ProbeRun] = field(default_factory=list)
    probe_context: ProbeContext | None = None  # what the probes looked at (kept for replay)
    context_evidence: list[Observation] = field(default_factory=list)  # seen without a command
    notes: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, kb: KnowledgeBase, runtime: KnowledgeRuntime | None = None) -> Investigation:
        runtime = runtime or KnowledgeRuntime(kb)
        return cls(runtime=runtime, session=Session(kb))

    @property
    def kb(self) -> KnowledgeBase:
        return self.runtime.kb

    # ---- evidence in -------------------------------------------------------------------
    def answer(self, fact: str, value: str) -> None:
        self.session.answer(fact, value)

    def add_description(self, text: str) -> None:
        """The problem in the developer's words: symptom phrases, the facts it states (source
        `describe`, low trust: any answer, log, bundle or probe overrides them) and error
        messages quoted in it. Each piece of it counts once."""
        if len(text) > DESCRIPTION_LIMIT:
            self.notes.append(
                f"the description has {len(text):,} characters: only the first {DESCRIPTION_LIMIT:,} were read "
                "(give logs with --log)"
            )
            text = text[:DESCRIPTION_LIMIT]
        text = text.strip()
        if not text:
            return
        self.describe = f"{self.describe}\n{text}".strip() if self.describe else text
        # Error strings quoted in a description are log evidence, at description trust.
        quoted = self.runtime.triage.triage_text(text)
        self.describe_log_matches.extend(quoted.matches)
        matches = self.runtime.describe.match(text)
        self.describe_matches.extend(matches)
        observations, pointers = description_evidence(self.kb, matches)
        pointers = _count_quoted_messages_once(
            self.kb, pointers, matches, quoted.matches, quoted.pointers(self.kb, Source.DESCRIBE)
        )
        observations += quoted.observations(self.kb, Source.DESCRIBE)
        # What the developer states outright ("a development build I copied over") comes last:
        # it is read with negation and contrast, so it wins over a symptom phrase's `sets`.
        stated = self.runtime.statements.read(text)
        self.stated_facts.extend(stated)
        observations += [Observation(s.fact, s.value, Source.DESCRIBE, s.detail, "description") for s in stated]
        self.session.add_evidence(observations, pointers)
        if not any(m.strength > 0 and self.kb.symptoms[m.symptom].points_to for m in matches):
            # Worded unlike any symptom phrase: fall back on resembling the diagnoses' own text,
            # among those the facts known so far (the description's own included) leave open.
            excluded = {did for did, a in self.session.ranking.all.items() if a.ruled_out}
            self.resemblances = self.runtime.resemblance.rank(text, excluded)
            self.session.add_evidence([], resemblance_pointers(self.kb, self.resemblances))

    def add_log_text(self, text: str) -> None:
        if not text.strip():
            return
        self.log_text = f"{self.log_text}\n{text}" if self.log_text else text
        self._add_triage(self.runtime.triage.triage_text(text))

    def add_log_path(self, path: str) -> None:
        """A log file (or "-" for stdin), streamed: the text itself is not kept when large."""
        result = self.runtime.triage.triage_path(path)
        if path != "-":
            try:
                size = Path(path).stat().st_size
            except OSError:
                size = 0
            if size <= 256 * 1024:
                self.log_text = Path(path).read_text(encoding="utf-8", errors="replace")
        self._add_triage(result)

    def _add_triage(self, result: Any) -> None:
        offset = self.log_lines_read
        for m in result.matches:
            m.line += offset
        self.log_matches.extend(result.matches)
        self.log_lines_read += result.lines_read
        self.session.add_evidence(result.observations(self.kb, Source.LOG), result.pointers(self.kb, Source.LOG))

    def add_bundle(self, path: str, udid: str | None = None) -> None:
        from advisor.inspectors import inspect_bundle

        inspection = inspect_bundle(Path(path), self.kb, udid)
        record = inspection.to_json()
        record["path"] = str(path)
        record["observations"] = [
            {"fact": o.fact, "value": o.value, "detail": o.detail, "origin": o.origin} | ({"inferred": True} if o.inferred else {})
            for o in inspection.observations
        ]
        self.add_recorded_bundle(record)

    def add_recorded_bundle(self, record: dict[str, Any]) -> None:
        """A bundle inspection as saved in a transcript (or just made)."""
        self.bundle = record
        observations = [
            Observation(
                str(o["fact"]), str(o["value"]), Source.BUNDLE, str(o.get("detail", "")), str(o.get("origin", "")),
                inferred=o.get("inferred") is True,
            )
            for o in record.get("observations", [])
        ]
        pointers = [
            Pointer(
                str(f["id"]),
                FINDING_WEIGHTS.get(str(f.get("severity", "warning")), 2.0),
                Source.BUNDLE,
                f"{f.get('detail', '')} ({f.get('path', '')})".strip(),
                str(f.get("rule", "")),
            )
            for f in record.get("findings", [])
        ]
        self.session.add_evidence(observations, pointers)

    def add_probe_runs(self, runs: list[ProbeRun]) -> None:
        from advisor.probes import derive_cross_probe_facts

        self.probe_runs.extend(runs)
        observations = [o for run in runs for o in run.observations]
        observations += derive_cross_probe_facts(self.probe_runs, self.kb)
        self.session.add_evidence(observations, [])
        for run in runs:
            if run.error and not (run.cut_short or run.not_run):  # those: one note for the budget
                self.notes.append(f"probe {run.probe_id}: {run.error}")
            if run.probe_id.startswith("log-show") and run.stdout and not run.timed_out:
                self._add_triage(self.runtime.triage.triage_text(run.stdout))

    def discover(self, app_path: str | None = None, bundle_id: str | None = None) -> ProbeContext:
        """What the probes will look at: the app and its providers (read from disk)."""
        from advisor.probes import discover_context

        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.probe_context = dataclasses.replace(discover_context(app_path, bundle_id), observed_at=now)
        self.notes.extend(note for note in self.probe_context.skipped if note not in self.notes)
        return self.probe_context

    def add_context_evidence(self, context: ProbeContext) -> None:
        """Facts the context itself settles with consent to look around: the app's location and
        iOS builds with the same ids installed in /Applications (a directory listing)."""
        from advisor.probes import context_observations, ios_copy_observations

        self.add_context_observations([*context_observations(context), *ios_copy_observations(context)])

    def add_context_observations(self, observations: list[Observation]) -> None:
        self.context_evidence.extend(observations)
        self.session.add_evidence(observations, [])

    def run_probe_rounds(
        self,
        context: ProbeContext,
        timeout: float | None = None,
        every: bool = False,
        budget: float | None = None,
    ) -> list[ProbeRun]:
        """Run every wanted probe (`every`: every available one, as `collect` does for a
        diagnosis made elsewhere); then once more for what the first round revealed (such as
        this app's VPN service ids for `scutil --nc show`). All of it within `budget` seconds
        (default: `probe_budget_seconds(timeout)`); the notes say which probes it cut."""
        from advisor.probes import refine_context, run_probes
        from advisor.probes.execution import ProbeBudget

        self.probe_context = context
        clock = ProbeBudget.starting_now(budget if budget is not None else probe_budget_seconds(timeout))
        ran: list[ProbeRun] = []
        for _ in range(2):
            planned = self.wanted_probes(context, every)
            if not planned:
                break
            runs = run_probes(planned, timeout=timeout, budget=clock)
            self.add_probe_runs(runs)
            ran += runs
            context = refine_context(context, self.probe_runs)
            self.probe_context = context
        # After the commands, whose output names more (paths, versions, signers).
        self.add_context_evidence(context)
        self._note_budget(ran, clock.seconds)
        return ran

    def _note_budget(self, runs: list[ProbeRun], seconds: float) -> None:
        cut = [r.probe_id for r in runs if r.cut_short]
        not_run = [r.probe_id for r in runs if r.not_run]
        if not cut and not not_run:
            return
        parts = [f"{len(cut)} cut short ({', '.join(cut)})"] if cut else []
        parts += [f"{len(not_run)} not run ({', '.join(not_run)})"] if not_run else []
        self.notes.append(f"probes stopped at the session's budget of {seconds:g} s: {'; '.join(parts)}")

    def wanted_probes(self, context: ProbeContext, every: bool = False) -> list[PlannedProbe]:
        """Available commands not run yet (a refined context can add new subjects to a probe
        already run) that would settle a fact still unknown, or all of them with `every`."""
        from advisor.probes import planned_probes

        known = set(self.session.facts.values)
        done = {tuple(run.argv) for run in self.probe_runs}
        return [
            p
            for p in planned_probes(self.kb, context)
            if tuple(p.argv) not in done
            and (every or not p.probe.settles or any(f not in known for f in p.probe.settles))
        ]

    # ---- results -----------------------------------------------------------------------
    def diagnoses(self) -> list[Assessment]:
        return self.session.diagnoses()

    def app_path(self) -> str | None:
        if self.probe_context is not None and self.probe_context.app_path:
            return str(self.probe_context.app_path)
        if self.bundle and self.bundle.get("path"):
            return str(self.bundle["path"])
        return None

    def check_command(self, question: Question) -> str:
        """The command that answers the question, for this app when advisor knows its path."""
        return question.check.replace("{app_path}", self.app_path() or EXAMPLE_APP_PATH)

    def question_json(self, c: QuestionChoice) -> QuestionEntry:
        q = c.question
        entry: QuestionEntry = {"question": q.id, "fact": q.fact, "text": q.text, "cost": q.cost}
        if q.check:
            entry["check"] = self.check_command(q)
        if q.probes:
            entry["probes"] = list(q.probes)
        entry["why"] = c.why()
        return entry

    def result(self) -> DiagnoseResult:
        """The contract's `diagnose --format json` shape."""
        session = self.session
        facts = session.facts
        concluded = session.conclusion()
        plan = [self.question_json(c) for c in session.unanswered()]
        return {
            "advisor_version": __version__,
            "knowledge_version": self.kb.version,
            "diagnoses": [assessment_json(a) for a in session.diagnoses()],
            "ruled_out": [
                {"id": a.id, "title": a.diagnosis.title, "reasons": a.ruled_out} for a in session.ranking.ruled_out
            ],
            "facts": {f: fact_json(r) for f, r in sorted(facts.resolved.items())},
            "asked": [
                {"question": a.question, "text": a.text, "answer": a.answer, "source": a.source} for a in session.asked()
            ],
            "skipped": [
                {"question": s.question, "fact": s.fact, "value": s.value, "source": s.source, "detail": s.detail}
                for s in session.skipped()
            ],
            # The questions advisor would ask, in its order (the first is the next one). Once a
            # cause is confirmed or dominates, advisor stops asking: they move to keep_checking.
            "unanswered": [] if concluded else plan,
            "keep_checking": plan if concluded else [],
            "conclusion": {"diagnosis": concluded.assessment.id, "status": str(concluded.assessment.status), "reason": concluded.reason}
            if concluded
            else None,
            "advice": [assessment_json(a) for a in session.diagnoses() if a.diagnosis.advice],
            "probes": [probe_json(run) for run in self.probe_runs],
            "log_matches": [m.to_json() for m in self.log_matches],
            "describe": {
                "text": self.describe,
                "symptoms": [{"symptom": m.symptom, "phrase": m.phrase, "score": m.score} for m in self.describe_matches],
                "quoted_messages": [m.to_json() for m in self.describe_log_matches],
                "resembles": [{"diagnosis": r.diagnosis, "similarity": r.similarity} for r in self.resemblances],
            }
            if self.describe
            else None,
            "bundle": {k: v for k, v in self.bundle.items() if k != "observations"} if self.bundle else None,
            "notes": list(self.notes),
        }


def _count_quoted_messages_once(
    kb: KnowledgeBase, symptom_pointers: list[Pointer], matches: list[SymptomMatch], quoted: list[LogMatch], quoted_pointers: list[Pointer]
) -> list[Pointer]:
    """A symptom phrase that is part of an error message quoted in the description is the same
    evidence as that message's signature: for each diagnosis both point to, only the stronger
    of the two counts."""
    from rapidfuzz import fuzz

    from advisor.engine.describe import normalise_text

    pairs: dict[str, set[str]] = {}  # symptom id -> signatures whose message its phrase is part of
    for m in matches:
        phrase = normalise_text(m.phrase)
        for q in quoted:
            signature = kb.signatures.get(q.signature)
            if signature is not None and fuzz.partial_ratio(phrase, normalise_text(signature.text)) >= 90:
                pairs.setdefault(m.symptom, set()).add(q.signature)
    dropped: set[int] = set()
    for sp in symptom_pointers:
        for qp in quoted_pointers:
            if qp.origin in pairs.get(sp.origin, ()) and qp.diagnosis == sp.diagnosis:
                dropped.add(id(qp) if qp.weight <= sp.weight else id(sp))
    return [p for p in [*symptom_pointers, *quoted_pointers] if id(p) not in dropped]


PROBE_OUTPUT_LIMIT = 64 * 1024  # per stream in a result: a `log show` can print megabytes


def probe_json(run: ProbeRun) -> ProbeEntry:
    """The contract's probe entry plus the output itself (its last 64 KB), so reports can show it."""
    out = run.to_json()
    stdout, stderr = run.stdout or "", run.stderr or ""
    out["stdout"], out["stderr"] = stdout[-PROBE_OUTPUT_LIMIT:], stderr[-PROBE_OUTPUT_LIMIT:]
    if len(stdout) > PROBE_OUTPUT_LIMIT:
        out["stdout_clipped"] = True
    if len(stderr) > PROBE_OUTPUT_LIMIT:
        out["stderr_clipped"] = True
    return out


def fact_json(r: ResolvedFact) -> FactEntry:
    entry: FactEntry = {"value": r.value, "source": str(r.source), "detail": r.detail}
    if r.conflicts:
        entry["conflicts"] = [{"value": c.value, "source": str(c.source), "detail": c.detail} for c in r.conflicts]
    return entry


def confirmation_json(a: Assessment) -> ConfirmationEntry | None:
    c = a.confirmation
    if c is None:
        return None
    return {
        "route": str(c.route),
        "evidence": [
            {"fact": e.fact or str(e.source), "value": e.value or e.origin, "source": str(e.source), "detail": e.detail}
            for e in c.evidence
        ],
    }


def assessment_json(a: Assessment) -> DiagnosisEntry:
    d = a.diagnosis
    evidence: list[EvidenceEntry] = []
    for e in a.evidence:
        if e.fact:
            evidence.append({"fact": e.fact, "value": e.value, "source": str(e.source), "detail": e.detail, "weight": e.weight})
        else:
            # Direct pointers (a log line, a bundle finding, a symptom phrase) name their source
            # in `fact` so every entry has the contract's keys.
            evidence.append(
                {"fact": str(e.source), "value": e.origin, "source": str(e.source), "detail": e.detail, "weight": round(e.weight, 2)}
            )
    return {
        "id": d.id,
        "title": d.title,
        # Advice (a myth, log noise) answers the developer's question; it is not a cause.
        "kind": "advice" if d.advice else "cause",
        "status": str(a.status),
        "score": a.score,
        "summary": d.summary,
        "explanation": d.explanation,
        "confirmed_by": a.confirmed_by or None,
        # What the confirmation rests on (issue 10: `confirmed` is a promise; say which evidence kept it).
        "confirmation": confirmation_json(a),
        "unknown_required": a.unknown_required,
        "evidence": evidence,
        "fix": list(d.fix),
        "references": [{"title": r.title, "url": r.url} for r in d.references],
    }
