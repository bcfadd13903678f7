"""The Mac itself: `sw_vers`, `uname -m`, `csrutil status`, `system_profiler SPHardwareDataType`.

Output shapes: ne-knowledge.md sections 5.4 and 12.1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor.evidence import Observation
from advisor.probes.context import ProbeContext
from advisor.probes.parsers.observation import seen, text_lines
from advisor.probes.parsers.spec import ParserSpec

_KEY_VALUE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 ()]*?)\s*:\s*(.*?)\s*$")
_VERSION = re.compile(r"^\d+(?:\.\d+){0,3}$")
# "System Integrity Protection status: enabled." A custom configuration ("enabled (Custom
# Configuration)" or "unknown (Custom Configuration)") has parts off: not a plain answer.
_SIP = re.compile(r"System Integrity Protection status:\s*(enabled|disabled)\.\s*$")
# A real provisioning UDID (Apple silicon or UUID form), or a redacted report's pseudonym for
# one, so a redacted transcript still shows whether the device is in the profile.
_UDID = re.compile(
    r"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{16}$|^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$|^<udid-\d+>$"
)


def version_tuple(text: str) -> tuple[int, ...] | None:
    text = text.strip()
    if not _VERSION.match(text):
        return None
    parts = [int(p) for p in text.split(".")]
    while len(parts) > 1 and parts[-1] == 0:  # 15.0 == 15
        parts.pop()
    return tuple(parts)


@dataclass(frozen=True)
class OsVersion:
    name: str
    version: str
    build: str
    line: str  # the ProductVersion line, quoted as evidence


def read_sw_vers(stdout: str) -> OsVersion | None:
    fields: dict[str, tuple[str, str]] = {}
    for line in text_lines(stdout):
        m = _KEY_VALUE.match(line)
        if m:
            fields[m.group(1)] = (m.group(2), line)
    if "ProductVersion" not in fields or version_tuple(fields["ProductVersion"][0]) is None:
        return None
    return OsVersion(
        name=fields.get("ProductName", ("", ""))[0],
        version=fields["ProductVersion"][0],
        build=fields.get("BuildVersion", ("", ""))[0],
        line=fields["ProductVersion"][1],
    )


def parse_sw_vers(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    """macOS version against the providers' LSMinimumSystemVersion (deployment_target_ok)."""
    os_version = read_sw_vers(stdout) if exit_code == 0 else None
    if os_version is None or not context or not context.minimum_system_versions:
        return []
    if os_version.name and "mac" not in os_version.name.lower():
        return []  # these minimums are macOS ones
    current = version_tuple(os_version.version)
    assert current is not None
    too_high = [
        f"{bid} needs {minimum}"
        for bid, minimum in sorted(context.minimum_system_versions.items())
        if (needed := version_tuple(minimum)) is not None and needed > current
    ]
    if too_high:
        return [seen("deployment_target_ok", "no", f"{os_version.line} ({'; '.join(too_high)})")]
    return [seen("deployment_target_ok", "yes", f"{os_version.line} (meets every provider's LSMinimumSystemVersion)")]


def parse_uname_arch(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    # Only arm64 is conclusive: an x86_64 answer may come from a process running under Rosetta
    # on Apple silicon. system_profiler's "Chip:" / "Processor Name:" settles Intel.
    lines = text_lines(stdout)
    if exit_code == 0 and len(lines) == 1 and lines[0].strip() == "arm64":
        return [seen("arch", "arm64", lines[0])]
    return []


def parse_csrutil_status(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    if exit_code != 0:
        return []
    text = stdout + "\n" + stderr
    if "Custom Configuration" in text:
        return []
    for line in text_lines(stdout, stderr):
        m = _SIP.search(line)
        if m:
            return [seen("sip", m.group(1), line)]
    return []


@dataclass(frozen=True)
class HardwareOverview:
    provisioning_udid: str | None  # Provisioning UDID, or Hardware UUID where the line is absent
    udid_line: str
    arch: str | None
    arch_line: str


def read_hardware_overview(stdout: str) -> HardwareOverview | None:
    fields: dict[str, tuple[str, str]] = {}
    for line in text_lines(stdout):
        m = _KEY_VALUE.match(line)
        if m and m.group(1) not in fields:
            fields[m.group(1)] = (m.group(2), line)
    udid, udid_line = None, ""
    # Older macOS has no Provisioning UDID line; the Hardware UUID is then the one to register.
    for key in ("Provisioning UDID", "Hardware UUID"):
        value, line = fields.get(key, ("", ""))
        if _UDID.match(value):
            udid, udid_line = value, line
            break
    arch, arch_line = None, ""
    chip, chip_line = fields.get("Chip", ("", ""))
    processor, processor_line = fields.get("Processor Name", ("", ""))
    if chip.startswith("Apple "):
        arch, arch_line = "arm64", chip_line
    elif "Intel" in processor:
        arch, arch_line = "x86_64", processor_line
    if udid is None and arch is None:
        return None
    return HardwareOverview(udid, udid_line, arch, arch_line)


def parse_hardware_overview(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    """arch here; the Provisioning UDID is compared with the profiles in cross_facts."""
    overview = read_hardware_overview(stdout) if exit_code == 0 else None
    if overview is None or overview.arch is None:
        return []
    return [seen("arch", overview.arch, overview.arch_line)]


SPECS = (
    ParserSpec("sw_vers", parse_sw_vers),
    ParserSpec("uname_arch", parse_uname_arch),
    ParserSpec("csrutil_status", parse_csrutil_status),
    ParserSpec("hardware_overview", parse_hardware_overview),
)
