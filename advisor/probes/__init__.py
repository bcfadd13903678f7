"""Read-only probes: advisor answers its own questions by running macOS tools (with consent).

Flow: `discover_context` (what to look at) -> `planned_probes` (available commands, shown to
the user as `PlannedProbe.command_line`) -> `run_probes` (concurrent, each bounded by its
timeout) -> `ProbeRun.observations` plus `derive_cross_probe_facts(runs)` for the facts that
need several outputs. `parse_probe_output` re-reads recorded output (transcript replay).
"""

from advisor.probes.catalog import PlannedProbe, plan_probe, planned_probes, resolve_tool
from advisor.probes.context import ProbeContext
from advisor.probes.cross_facts import context_observations, derive_cross_probe_facts
from advisor.probes.discovery import (
    APPLICATIONS_ENV,
    applications_dir,
    discover_context,
    find_ios_copies,
    ios_copy_observations,
    refine_context,
)
from advisor.probes.execution import ProbeRun, parse_probe_output, run_probe, run_probes

__all__ = [
    "APPLICATIONS_ENV",
    "PlannedProbe",
    "ProbeContext",
    "ProbeRun",
    "applications_dir",
    "context_observations",
    "derive_cross_probe_facts",
    "discover_context",
    "find_ios_copies",
    "ios_copy_observations",
    "parse_probe_output",
    "plan_probe",
    "planned_probes",
    "refine_context",
    "resolve_tool",
    "run_probe",
    "run_probes",
]
