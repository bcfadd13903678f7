"""Running planned probes and turning their output into observations.

A probe that times out, fails to start, exits with an error or prints something unreadable
becomes a ProbeRun with `error` set; nothing here raises for what a tool does. Independent
probes run concurrently, so a hung tool costs its own timeout, not the sum of all of them.
A `ProbeBudget` bounds a whole session's probes as well: each probe gets at most what is left
of it, and a probe whose turn comes after the budget is spent is recorded as not run.
"""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from advisor.evidence import Observation
from advisor.exit_status import UserError
from advisor.knowledge.model import KnowledgeBase
from advisor.probes.catalog import PlannedProbe
from advisor.probes.context import ProbeContext
from advisor.probes.parsers import parser_spec
from advisor.probes.runner import run_command

if TYPE_CHECKING:  # annotations only (the result is plain dictionaries)
    from advisor.result_shape import ProbeEntry


@dataclass
class ProbeRun:
    probe_id: str
    argv: list[str]
    exit_code: int | None
    duration_ms: int
    stdout: str
    stderr: str
    timed_out: bool = False
    error: str | None = None
    observations: list[Observation] = field(default_factory=list)
    parser: str = ""  # the parser that read it (cross_facts needs it); "" = look it up by probe id
    context: ProbeContext | None = field(default=None, repr=False)
    truncated: bool = False  # output beyond the cap was dropped
    cut_short: bool = False  # stopped early because the session's probe budget ran out
    not_run: bool = False  # never started: the session's probe budget was already spent

    def facts(self) -> dict[str, str]:
        return {o.fact: o.value for o in self.observations}

    def to_json(self) -> ProbeEntry:
        """The contract's `probes[]` entry (argv, exit_code, duration_ms, facts) plus extras."""
        entry: ProbeEntry = {
            "id": self.probe_id,
            "argv": list(self.argv),
            "exit_code": self.exit_code,
            "duration_ms": self.duration_ms,
            "facts": self.facts(),
            "evidence": [{"fact": o.fact, "value": o.value, "detail": o.detail} for o in self.observations],
            "timed_out": self.timed_out,
            "error": self.error,
            "truncated": self.truncated,
        }
        if self.cut_short:
            entry["cut_short"] = True
        if self.not_run:
            entry["not_run"] = True
        return entry


_BUDGET_SLACK_SECONDS = 0.1


@dataclass(frozen=True)
class ProbeBudget:
    """The wall-clock time a session's probes may take together (seconds from `started`,
    on the monotonic clock), so several hung tools cannot hold a diagnosis for minutes."""

    seconds: float
    started: float

    @classmethod
    def starting_now(cls, seconds: float) -> ProbeBudget:
        return cls(seconds, time.monotonic())

    def remaining(self) -> float:
        return self.seconds - (time.monotonic() - self.started)


def _with_origin(observations: list[Observation], probe_id: str) -> list[Observation]:
    return [dataclasses.replace(o, origin=probe_id) for o in observations]


def _failure(exit_code: int | None, stderr: str) -> str:
    first = next((line.strip() for line in stderr.splitlines() if line.strip()), "")
    message = f"exited with status {exit_code}"
    return f"{message}: {first[:200]}" if first else message


def _not_run(planned: PlannedProbe, budget: ProbeBudget) -> ProbeRun:
    return ProbeRun(
        probe_id=planned.probe.id,
        argv=list(planned.argv),
        exit_code=None,
        duration_ms=0,
        stdout="",
        stderr="",
        error=f"not run: the session's probe budget of {budget.seconds:g} s was spent",
        parser=planned.probe.parser,
        context=planned.context,
        not_run=True,
    )


def run_probe(planned: PlannedProbe, timeout: float | None = None, budget: ProbeBudget | None = None) -> ProbeRun:
    """Run one planned probe (timeout: seconds, default the probe's own; never past what is
    left of `budget`) and parse its output."""
    probe = planned.probe
    spec = parser_spec(probe.parser)
    limit = timeout if timeout is not None else probe.timeout
    cut = False
    if budget is not None:
        left = budget.remaining()
        if left <= 0:
            return _not_run(planned, budget)
        cut = left + _BUDGET_SLACK_SECONDS < limit  # within the slack it is the probe's own timeout
        limit = min(limit, left)
    result = run_command(
        planned.argv,
        limit,
        stdout_filter=spec.stdout_filter if spec else None,
        keep_tail=spec.keep_tail if spec else False,
    )
    observations: list[Observation] = []
    error = result.error
    if spec is None:
        error = error or f"no parser named '{probe.parser}'"
    elif result.exit_code is not None and not result.timed_out:
        try:
            observations = _with_origin(spec.parse(result.stdout, result.stderr, result.exit_code, planned.context), probe.id)
        except Exception as exc:  # a parser bug must not take the whole run down
            error = f"could not read its output ({type(exc).__name__}: {exc})"
    if error is None and result.exit_code not in (0, None) and not observations:
        error = _failure(result.exit_code, result.stderr)
    cut_short = cut and result.timed_out
    if cut_short and budget is not None:
        error = f"cut short after {limit:.1f} s: the session's probe budget of {budget.seconds:g} s was spent"
    return ProbeRun(
        probe_id=probe.id,
        argv=list(result.argv),
        exit_code=result.exit_code,
        duration_ms=result.duration_ms,
        stdout=result.stdout,
        stderr=result.stderr,
        timed_out=result.timed_out,
        error=error,
        observations=observations,
        parser=probe.parser,
        context=planned.context,
        truncated=result.truncated,
        cut_short=cut_short,
    )


def run_probes(
    planned: list[PlannedProbe],
    timeout: float | None = None,
    max_workers: int = 4,
    budget: ProbeBudget | None = None,
) -> list[ProbeRun]:
    """Run independent probes concurrently; results come back in the order planned."""
    if not planned:
        return []
    workers = max(1, min(max_workers, len(planned)))
    if workers == 1:
        return [run_probe(p, timeout, budget) for p in planned]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="probe") as pool:
        return list(pool.map(lambda p: run_probe(p, timeout, budget), planned))


def parse_probe_output(
    kb: KnowledgeBase,
    probe_id: str,
    stdout: str,
    stderr: str,
    exit_code: int | None,
    context: ProbeContext | None = None,
) -> list[Observation]:
    """Re-read recorded output (transcript replay). Unknown probe ids are bad input."""
    probe = kb.probes.get(probe_id)
    if probe is None:
        raise UserError(f"unknown probe '{probe_id}'")
    spec = parser_spec(probe.parser)
    if spec is None:
        raise UserError(f"probe '{probe_id}' names unknown parser '{probe.parser}'")
    if exit_code is None:
        return []  # it did not finish: nothing it printed is trustworthy
    return _with_origin(spec.parse(stdout, stderr, exit_code, context), probe_id)
