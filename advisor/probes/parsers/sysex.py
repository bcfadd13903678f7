"""`systemextensionsctl list`: which system extensions are installed, in which state.

Format (ne-knowledge.md 4.5; real outputs quoted there and in public posts): a count line
`N extension(s)`, per category a `--- com.apple.system_extension.<category>` line and a header,
then tab-separated rows `enabled active teamID bundleID (short/bundle) name [state]`. Copies
pasted from terminals use spaces instead of tabs, and the name may run into `[state]`.

An upgrade that waits for the old copy to unload shows two rows for one id, the old one
`[terminating for uninstall]` and the new one `[activated waiting to upgrade]` until a reboot
(a public note on a Tailscale upgrade, index id 59963488860): the new build is not running yet.

sysex_version_bumped compares the listed copy with this build's versions. Different versions
prove a bump ("yes"). Equal ones prove nothing: the listed copy may be this very build (the
healthy case) or an older build that kept the same versions, and the list cannot tell them
apart, so equality gives no fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor.evidence import Observation
from advisor.probes.context import ProbeContext
from advisor.probes.parsers.observation import seen, text_lines
from advisor.probes.parsers.spec import ParserSpec

# Bracket text as printed -> the sysex_state value (facts.yaml). Unknown states give no fact.
STATES = {
    "activated enabled": "activated-enabled",
    "activated waiting to upgrade": "activated-waiting-to-upgrade",
    "activated waiting for user": "activated-waiting-for-user",
    "activated disabled": "activated-disabled",
    "terminated waiting to uninstall on reboot": "terminated-waiting-to-uninstall",
    "terminating for uninstall": "terminated-waiting-to-uninstall",
    "validating by category": "validating-by-category",
}
# Which row describes the extension now, when several rows share its id.
_STATE_RANK = {
    "activated-waiting-to-upgrade": -1,  # a pending replacement is the news, even beside the old copy
    "activated-enabled": 0,
    "activated-waiting-for-user": 1,
    "activated-disabled": 2,
    "validating-by-category": 3,
    "terminated-waiting-to-uninstall": 9,
}

_COUNT = re.compile(r"^\s*(\d+) extension\(s\)\s*$")
_ROW = re.compile(
    r"^(?P<flags>[\s*]*?)\s*(?P<team>[A-Za-z0-9_-]+)\s+(?P<bid>[A-Za-z0-9][A-Za-z0-9._-]*)\s+\((?P<version>[^()]*)\)\s*(?P<name>.*?)\s*\[(?P<state>[^\[\]]+)\]\s*$"
)


@dataclass(frozen=True)
class SysexRow:
    enabled: bool | None  # None when the flag columns cannot be told apart (spaces, one star)
    active: bool | None
    team_id: str
    bundle_id: str
    short_version: str
    bundle_version: str
    name: str
    state_text: str
    line: str

    @property
    def state(self) -> str | None:
        return STATES.get(self.state_text)


@dataclass(frozen=True)
class SysexListing:
    count: int | None
    rows: tuple[SysexRow, ...]


def _flags(line: str) -> tuple[bool | None, bool | None]:
    if "\t" in line:
        cols = line.split("\t")
        if len(cols) >= 3:
            return cols[0].strip() == "*", cols[1].strip() == "*"
    stars = line[: len(line) - len(line.lstrip(" *\t"))].count("*")
    if stars == 2:
        return True, True
    if stars == 0:
        return False, False
    return None, None


def read_sysex_listing(stdout: str) -> SysexListing | None:
    count: int | None = None
    rows: list[SysexRow] = []
    for line in text_lines(stdout):
        m = _COUNT.match(line)
        if m:
            count = int(m.group(1))
            continue
        if line.startswith("---") or line.lstrip().startswith("enabled"):
            continue
        m = _ROW.match(line)
        if not m:
            continue
        short, _, bundle = m.group("version").partition("/")
        enabled, active = _flags(line)
        rows.append(
            SysexRow(
                enabled=enabled,
                active=active,
                team_id=m.group("team"),
                bundle_id=m.group("bid"),
                short_version=short.strip(),
                bundle_version=bundle.strip(),
                name=m.group("name").strip(),
                state_text=" ".join(m.group("state").split()),
                line=line,
            )
        )
    if count is None and not rows:
        return None
    return SysexListing(count, tuple(rows))


def current_row(rows: list[SysexRow]) -> SysexRow | None:
    known = [r for r in rows if r.state is not None]
    if not known:
        return None
    return min(known, key=lambda r: _STATE_RANK.get(r.state or "", 5))


def parse_sysex_list(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    """sysex_state (and sysex_version_bumped) of this app's system extensions."""
    listing = read_sysex_listing(stdout) if exit_code == 0 else None
    if listing is None or context is None or not context.sysex_bundle_ids:
        return []
    out: list[Observation] = []
    for bid in context.sysex_bundle_ids:
        mine = [r for r in listing.rows if r.bundle_id == bid]
        if not mine:
            # Absent from a complete listing: not installed. Only trust a listing that said how
            # many extensions it holds, so a cut or garbled output does not read as "absent".
            if listing.count is not None:
                out.append(seen("sysex_state", "not-installed", f"{bid} is not among the {listing.count} extension(s) listed"))
            continue
        row = current_row(mine)
        if row is None or row.state is None:
            continue
        out.append(seen("sysex_state", row.state, row.line))
        ours = context.bundle_versions.get(bid)
        installed = f"{row.short_version}/{row.bundle_version}"
        if ours and row.state != "terminated-waiting-to-uninstall" and installed != ours:
            out.append(seen("sysex_version_bumped", "yes", f"{row.line} (this build: {ours})"))
    return out


SPECS = (ParserSpec("sysex_list", parse_sysex_list),)
