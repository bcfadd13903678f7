"""`log show …`: its lines feed log triage (advisor.triage), not facts. The output keeps its
end when it exceeds the cap, because the most recent lines are the ones that matter."""

from __future__ import annotations

from advisor.evidence import Observation
from advisor.probes.context import ProbeContext
from advisor.probes.parsers.spec import ParserSpec


def parse_log_show(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    return []


SPECS = (ParserSpec("log_show", parse_log_show, keep_tail=True),)
