"""Which probes can run here, and their exact command lines.

A probe is available when its tool is found, every placeholder in its argv can be filled
from the validated ProbeContext, and (when it names `platforms`) the app is built for one of
them: probes of this Mac's own state are not offered for an iOS app. The operating system's
name is never tested, so fake tools placed first on PATH stand in for a Mac.

Tools are looked up like this:
* a bare name (`csrutil`) must be found on PATH;
* an absolute path (lsregister lives outside PATH on a Mac) is honoured in this order:
  the environment variable `ADVISOR_<NAME>` (e.g. `ADVISOR_LSREGISTER`), then `<name>` on
  PATH (how a fake Mac provides it), then the absolute path itself if it is executable.

A placeholder that has several values (one per provider, per profile…) gives one planned
probe per value; each value is one argv element, never split or interpreted by a shell.
"""

from __future__ import annotations

import itertools
import os
import re
import shlex
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field

from advisor.knowledge.model import KnowledgeBase, Probe
from advisor.probes.context import ProbeContext

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass
class PlannedProbe:
    probe: Probe
    argv: list[str]
    context: ProbeContext = field(compare=False)
    bindings: dict[str, str] = field(default_factory=dict, compare=False)  # placeholder -> value used

    @property
    def command_line(self) -> str:
        """For display and consent: exactly what will run, quoted as a shell would need it."""
        return shlex.join(self.argv)


def tool_override_variable(tool: str) -> str:
    return "ADVISOR_" + re.sub(r"[^A-Za-z0-9]", "_", os.path.basename(tool)).upper()


def resolve_tool(argv0: str) -> str | None:
    """The program to run for argv[0], or None when it is not available here.

    Asked for every probe each time the conversation moves on: the answer is remembered while
    PATH, the tool's override variable and the PATH folders themselves (their modification
    times: a tool added or removed changes them) stay as they were."""
    if not argv0:
        return None
    path = os.environ.get("PATH", "")
    override = os.environ.get(tool_override_variable(argv0)) if os.path.isabs(argv0) else None
    # The folders that decide the answer: PATH's, and those of an absolute tool and its override.
    folders = os.pathsep.join([path, *(os.path.dirname(p) for p in (argv0, override or "") if os.path.isabs(p))])
    key = (argv0, path, override, _folder_stamps(folders))
    if key not in _resolved:
        if len(_resolved) > 1024:
            _resolved.clear()
        _resolved[key] = _resolve_tool(argv0, override)
    return _resolved[key]


_resolved: dict[tuple[str, str, str | None, tuple[int, ...]], str | None] = {}


def _folder_stamps(path: str) -> tuple[int, ...]:
    stamps = []
    for folder in path.split(os.pathsep):
        try:
            stamps.append(os.stat(folder or ".").st_mtime_ns)
        except OSError:
            stamps.append(-1)
    return tuple(stamps)


def _resolve_tool(argv0: str, override: str | None) -> str | None:
    if not os.path.isabs(argv0):
        return argv0 if shutil.which(argv0) else None
    if override:
        return override if os.path.isfile(override) and os.access(override, os.X_OK) else None
    on_path = shutil.which(os.path.basename(argv0))
    if on_path:
        return on_path
    return argv0 if os.path.isfile(argv0) and os.access(argv0, os.X_OK) else None


def _fill(element: str, bindings: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: bindings.get(m.group(1), m.group(0)), element)


def plan_probe(probe: Probe, context: ProbeContext) -> list[PlannedProbe]:
    """Every filled-in command of one probe (none if its tool or a placeholder is missing)."""
    if probe.mutates or not probe.argv:
        return []
    if probe.platforms and context.platform and context.platform not in probe.platforms:
        return []  # e.g. Gatekeeper's verdict on this Mac says nothing about an iOS app
    program = resolve_tool(probe.argv[0])
    if program is None:
        return []
    values = context.placeholder_values()
    needs = list(probe.needs)
    if any(not values.get(name) for name in needs):
        return []
    planned = []
    for combo in itertools.product(*(values[name] for name in needs)):
        bindings = dict(zip(needs, combo, strict=False))
        argv = [program] + [_fill(a, bindings) for a in probe.argv[1:]]
        planned.append(PlannedProbe(probe, argv, context, bindings))
    return planned


def planned_probes(kb: KnowledgeBase, context: ProbeContext, facts: Iterable[str] | None = None) -> list[PlannedProbe]:
    """Available probes, optionally only those settling at least one of `facts`."""
    wanted = set(facts) if facts is not None else None
    out: list[PlannedProbe] = []
    seen_argv: set[tuple[str, ...]] = set()
    for probe in kb.probes.values():
        if wanted is not None and not wanted.intersection(probe.settles):
            continue
        for planned in plan_probe(probe, context):
            key = tuple(planned.argv)
            if key not in seen_argv:
                seen_argv.add(key)
                out.append(planned)
    return out
