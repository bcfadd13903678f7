"""Running planned probes and turning their output into observations.

A probe that times out, fails to start, exits with an error or prints something unreadable
becomes a ProbeRun with `error` set; nothing here raises for what a tool does. Independent
probes run concurrently, so a hung tool costs its own timeout, not the sum of all of them.
"""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from advisor.evidence import Observation
from advisor.exit_status import UserError
from advisor.knowledge.model import KnowledgeBase
from advisor.probes.catalog import PlannedProbe
from advisor.probes.context import ProbeContext
from advisor.probes.parsers import parser_spec
from advisor.probes.runner import run_command


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

    def facts(self) -> dict[str, str]:
        return {o.fact: o.value for o in self.observations}

    def to_json(self) -> dict[str, Any]:
        """The contract's `probes[]` entry (argv, exit_code, duration_ms, facts) plus extras."""
        return {
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


def _with_origin(observations: list[Observation], probe_id: str) -> list[Observation]:
    return [dataclasses.replace(o, origin=probe_id) for o in observations]


def _failure(exit_code: int | None, stderr: str) -> str:
    first = next((line.strip() for line in stderr.splitlines() if line.strip()), "")
    message = f"exited with status {exit_code}"
    return f"{message}: {first[:200]}" if first else message


def run_probe(planned: PlannedProbe, timeout: float | None = None) -> ProbeRun:
    """Run one planned probe (timeout: seconds, default the probe's own) and parse its output."""
    probe = planned.probe
    spec = parser_spec(probe.parser)
    limit = timeout if timeout is not None else probe.timeout
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
    )


def run_probes(planned: list[PlannedProbe], timeout: float | None = None, max_workers: int = 4) -> list[ProbeRun]:
    """Run independent probes concurrently; results come back in the order planned."""
    if not planned:
        return []
    workers = max(1, min(max_workers, len(planned)))
    if workers == 1:
        return [run_probe(p, timeout) for p in planned]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="probe") as pool:
        return list(pool.map(lambda p: run_probe(p, timeout), planned))


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
