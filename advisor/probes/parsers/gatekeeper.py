"""Gatekeeper and quarantine: `spctl -a -vvv -t exec`, `spctl --status`, `syspolicy_check
distribution`, `xattr -p com.apple.quarantine`. Formats: ne-knowledge.md 6.5, 7, 12.4.

With assessments disabled (`spctl --status` prints "assessments disabled", the spctl(8) man
page) `spctl -a` accepts everything and adds `override=security disabled` (seen in public
release checklists next to "assessments disabled"): that verdict is discarded, so it rules
nothing out, and only gatekeeper_assessments=disabled is reported.
"""

from __future__ import annotations

import re

from advisor.evidence import Observation
from advisor.probes.context import ProbeContext
from advisor.probes.parsers.observation import seen, text_lines
from advisor.probes.parsers.spec import ParserSpec

# spctl `source=` values that settle notarisation (ne-knowledge.md 6.5).
SPCTL_NOTARIZED_SOURCES = {"Notarized Developer ID": "yes", "Unnotarized Developer ID": "no"}
# syspolicy_check distribution: the success sentence and the missing-ticket finding. "Notary
# Ticket Missing" ("A Notarization ticket is not stapled to this application") means no ticket
# is *stapled*; the code may still be notarised (Gatekeeper fetches tickets online), so it
# settles stapling, never notarisation.
SYSPOLICY_PASSED = "passed all pre-distribution checks"
SYSPOLICY_NO_TICKET = "Notary Ticket Missing"
# xattr's answer when the attribute is absent (`xattr: <path>: No such xattr: <name>`).
XATTR_ABSENT = "No such xattr"

# spctl echoes the path as it was given (absolute from advisor, relative in pasted samples).
_SPCTL_VERDICT = re.compile(r"^(?!(?:source|origin|override)=)(?P<path>\S.*?): (?P<verdict>accepted|rejected)\b")
_QUARANTINE_VALUE = re.compile(r"^[0-9A-Fa-f]{4};[0-9A-Fa-f]+;")

# spctl --status answers (spctl(8): "Query whether the assessment subsystem is enabled or disabled").
SPCTL_STATUS = {"assessments enabled": "enabled", "assessments disabled": "disabled"}
# What spctl -a adds to its verdict when assessments are disabled.
SPCTL_OVERRIDE_DISABLED = "override=security disabled"


def parse_spctl(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    out: list[Observation] = []
    lines = text_lines(stderr, stdout)
    override = next((line for line in lines if SPCTL_OVERRIDE_DISABLED in line), None)
    if override is not None:
        # Not an assessment: with Gatekeeper off every app is "accepted" (source and all).
        return [seen("gatekeeper_assessments", "disabled", override)]
    verdict = next((m for m in (_SPCTL_VERDICT.match(line) for line in lines) if m), None)
    if verdict is None:
        return []
    out.append(seen("gatekeeper", verdict.group("verdict"), verdict.group(0)))
    for line in lines:
        if line.startswith("source="):
            value = SPCTL_NOTARIZED_SOURCES.get(line[len("source=") :].strip())
            if value:
                out.append(seen("notarized", value, line))
    return out


def parse_syspolicy_check(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    for line in text_lines(stdout, stderr):
        if SYSPOLICY_PASSED in line:
            return [seen("notarized", "yes", line), seen("notarization_ticket_stapled", "yes", line)]
        if line.strip() == SYSPOLICY_NO_TICKET:
            return [seen("notarization_ticket_stapled", "no", line)]
    return []


def parse_quarantine(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    if exit_code == 0:
        lines = text_lines(stdout)
        if len(lines) == 1 and _QUARANTINE_VALUE.match(lines[0].strip()):
            return [seen("quarantined", "yes", f"com.apple.quarantine: {lines[0].strip()}")]
        return []
    absent = next((line for line in text_lines(stderr) if XATTR_ABSENT in line), None)
    return [seen("quarantined", "no", absent)] if absent else []


def parse_spctl_status(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    # The whole line is the answer, whatever the exit status (which is not documented for it).
    for line in text_lines(stdout, stderr):
        value = SPCTL_STATUS.get(line.strip())
        if value:
            return [seen("gatekeeper_assessments", value, line)]
    return []


SPECS = (
    ParserSpec("spctl_assess", parse_spctl),
    ParserSpec("spctl_status", parse_spctl_status),
    ParserSpec("syspolicy_check", parse_syspolicy_check),
    ParserSpec("quarantine_attribute", parse_quarantine),
)
