"""`codesign -dvvv`, `codesign -d --entitlements - --xml`, `codesign --verify --deep --strict -vvv`.

Formats: ne-knowledge.md 6.2 (display goes to stderr; `flags=0x10000(runtime)`; `Authority=`
chain leaf first; `Signature=adhoc`; `code object is not signed at all`), 12.3 (entitlements
as one-line XML on stdout, `Executable=` on stderr), 6.2 verify (`valid on disk`,
`satisfies its Designated Requirement`, `a sealed resource is missing or invalid`).
Entitlements also come as an XML plist after a blob header (older `--entitlements -`, or
`:-`), and, from macOS 12 on without `--xml`, as codesign's bracketed text (`[Dict]`,
`[Key] …`, `[Value]`, `[Bool] true`, `[Array]`, `[String] …`, one tab deeper per level; real
samples in tests/probes/real_outputs).

Facts that need every bundle (hardened runtime everywhere, matching Team IDs, the NE
entitlement on app and provider, shared app groups) are derived in cross_facts from the
summaries read here; one run alone reports only what it proves by itself.
"""

from __future__ import annotations

import plistlib
import re
from dataclasses import dataclass, field

from advisor.evidence import Observation
from advisor.network_extension_ids import (
    APP_GROUPS_ENTITLEMENT,
    EXTENSION_POINTS,
    NE_ENTITLEMENT,
    NETWORK_CLIENT_ENTITLEMENT,
    NETWORK_SERVER_ENTITLEMENT,
    SANDBOX_ENTITLEMENT,
    SYSEX_INSTALL_ENTITLEMENT,
    SYSTEM_EXTENSION_SUFFIX,
    allows_provider,
)
from advisor.probes.context import ProbeContext
from advisor.probes.parsers.observation import seen, text_lines
from advisor.probes.parsers.registrations import comparable_path
from advisor.probes.parsers.spec import ParserSpec

# Leaf certificate name prefix -> signing_identity (ne-knowledge.md 6.1). Apple's own re-signing
# authorities (App Store, "Software Signing") map to no value: they are not the developer's.
LEAF_IDENTITIES = (
    ("Apple Development:", "apple-development"),
    ("Mac Developer:", "apple-development"),
    ("iPhone Developer:", "apple-development"),
    ("Apple Distribution:", "apple-distribution"),
    ("iPhone Distribution:", "apple-distribution"),
    ("3rd Party Mac Developer Application:", "apple-distribution"),
    ("Developer ID Application:", "developer-id"),
)
NETWORK_ENTITLEMENTS = (NETWORK_CLIENT_ENTITLEMENT, NETWORK_SERVER_ENTITLEMENT)
INSTALL_ENTITLEMENT = SYSEX_INSTALL_ENTITLEMENT
SYSEX_SUFFIX = SYSTEM_EXTENSION_SUFFIX
# `codesign --verify` messages that mean the signature itself is broken (not "file not found").
VERIFY_FAILURES = (
    "a sealed resource is missing or invalid",
    "code object is not signed at all",
    "invalid signature",
    "code has no resources but signature indicates they must be present",
    "nested code is modified or invalid",
    "resource envelope is obsolete",
    "the sealed resource directory is invalid",
    "code failed to satisfy specified code requirement",
    "invalid Info.plist",
    "unsealed contents present in the bundle root",
    "main executable failed strict validation",
    "invalid resource specification rule",
    "CSSMERR_TP_CERT_REVOKED",
    "CSSMERR_TP_NOT_TRUSTED",
    "CSSMERR_TP_CERT_EXPIRED",
    "invalid resource directory",
    "resource fork, Finder information, or similar detritus not allowed",
)

_FIELD = re.compile(r"^(?P<key>[A-Za-z][A-Za-z .]*?)=(?P<value>.*)$")
_FLAGS = re.compile(r"\bflags=0x(?P<hex>[0-9A-Fa-f]+)\((?P<names>[^)]*)\)")
_RUNTIME_FLAG = 0x10000


@dataclass(frozen=True)
class SigningSummary:
    executable: str
    identifier: str
    authorities: tuple[str, ...]
    team_id: str | None
    adhoc: bool
    unsigned: bool
    runtime: bool | None
    notarization_stapled: bool
    lines: dict[str, str] = field(default_factory=dict)  # key -> the line it came from


def read_codesign_display(stdout: str, stderr: str) -> SigningSummary | None:
    text_all = text_lines(stderr, stdout)
    if any("code object is not signed at all" in line for line in text_all):
        line = next(line for line in text_all if "code object is not signed at all" in line)
        return SigningSummary("", "", (), None, False, True, None, False, {"unsigned": line})
    values: dict[str, str] = {}
    lines: dict[str, str] = {}
    authorities: list[str] = []
    runtime: bool | None = None
    for line in text_all:
        m = _FIELD.match(line)
        if not m:
            continue
        key, value = m.group("key").strip(), m.group("value").strip()
        if key == "Authority":
            authorities.append(value)
            lines.setdefault("Authority", line)
            continue
        values.setdefault(key, value)
        lines.setdefault(key, line)
        if key == "CodeDirectory v":
            flags = _FLAGS.search(line)
            if flags:
                runtime = "runtime" in flags.group("names").split(",") or bool(int(flags.group("hex"), 16) & _RUNTIME_FLAG)
                lines["flags"] = line
    if "Identifier" not in values and "Executable" not in values:
        return None
    team = values.get("TeamIdentifier")
    return SigningSummary(
        executable=values.get("Executable", ""),
        identifier=values.get("Identifier", ""),
        authorities=tuple(authorities),
        team_id=team if team and team != "not set" else None,
        adhoc=values.get("Signature") == "adhoc",
        unsigned=False,
        runtime=runtime,
        notarization_stapled=values.get("Notarization Ticket") == "stapled",
        lines=lines,
    )


def signing_identity(summary: SigningSummary) -> tuple[str, str] | None:
    """(signing_identity value, the line proving it) or None when unclear."""
    if summary.unsigned:
        return "unsigned", summary.lines["unsigned"]
    if summary.adhoc:
        return "ad-hoc", summary.lines.get("Signature", "Signature=adhoc")
    if not summary.authorities:
        return None
    leaf = summary.authorities[0]
    for prefix, value in LEAF_IDENTITIES:
        if leaf.startswith(prefix):
            return value, f"Authority={leaf}"
    return None


def parse_codesign_display(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    summary = read_codesign_display(stdout, stderr)
    if summary is None or (exit_code != 0 and not summary.unsigned):
        return []
    out: list[Observation] = []
    identity = signing_identity(summary)
    if identity:
        out.append(seen("signing_identity", identity[0], identity[1]))
    if summary.runtime is False:  # one bundle without it is enough to say "no"
        out.append(seen("hardened_runtime", "no", summary.lines["flags"]))
    if summary.notarization_stapled:
        out.append(seen("notarized", "yes", summary.lines["Notarization Ticket"]))
    return out


# ---- entitlements -------------------------------------------------------------------------
@dataclass(frozen=True)
class Entitlements:
    executable: str  # from the `Executable=` line: tells which bundle was read
    values: dict[str, object]

    def ne_values(self) -> list[str]:
        raw = self.values.get(NE_ENTITLEMENT)
        return [v for v in raw if isinstance(v, str)] if isinstance(raw, list) else []

    def is_true(self, key: str) -> bool:
        return self.values.get(key) is True

    def app_groups(self) -> set[str]:
        raw = self.values.get(APP_GROUPS_ENTITLEMENT)
        return {v for v in raw if isinstance(v, str)} if isinstance(raw, list) else set()


def load_plist_text(text: str) -> object | None:
    """A property list printed as text, possibly after other output (codesign's blob header)."""
    start = min((i for i in (text.find("<?xml"), text.find("<plist")) if i >= 0), default=-1)
    if start < 0:
        return None
    try:
        return plistlib.loads(text[start:].encode("utf-8", errors="replace"))
    except Exception:  # plistlib and expat raise many types on garbage; any of them means "not a plist"
        return None


_BRACKET_LINE = re.compile(r"^(?P<indent>[ \t]*)\[(?P<tag>[A-Za-z]+)\](?: (?P<text>.*))?$")
_BRACKET_SCALARS = {"String", "Data", "Date"}


def load_bracketed_text(text: str) -> object | None:
    """codesign's bracketed entitlements (`[Dict]`, `[Key] k`, `[Value]`, `[Bool] true`…), or
    None when any line does not fit that shape (nothing is guessed from a partial reading)."""
    tokens: list[tuple[int, str, str]] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        m = _BRACKET_LINE.match(line.rstrip("\r"))
        if m is None:
            return None
        tokens.append((len(m.group("indent").expandtabs(4)), m.group("tag"), m.group("text") or ""))
    if not tokens or tokens[0][1] != "Dict":
        return None

    def value_at(i: int) -> tuple[object, int]:
        indent, tag, text = tokens[i]
        j = i + 1
        if tag == "Dict":
            out: dict[str, object] = {}
            while j < len(tokens) and tokens[j][0] > indent:
                if tokens[j][1] != "Key" or j + 1 >= len(tokens) or tokens[j + 1][1] != "Value":
                    raise ValueError("a [Dict] entry is not [Key] then [Value]")
                key, value_indent = tokens[j][2], tokens[j + 1][0]
                if j + 2 >= len(tokens) or tokens[j + 2][0] <= value_indent:
                    raise ValueError("a [Value] without a value")
                out[key], j = value_at(j + 2)
            return out, j
        if tag == "Array":
            items: list[object] = []
            while j < len(tokens) and tokens[j][0] > indent:
                item, j = value_at(j)
                items.append(item)
            return items, j
        if tag == "Bool" and text in ("true", "false"):
            return text == "true", j
        if tag in ("Number", "Integer") and re.fullmatch(r"-?\d+", text):
            return int(text), j
        if tag in _BRACKET_SCALARS:
            return text, j
        raise ValueError(f"unknown entry [{tag}] {text}")

    try:
        data, end = value_at(0)
    except (ValueError, IndexError):
        return None
    return data if end == len(tokens) else None


def read_entitlements(stdout: str, stderr: str, exit_code: int) -> Entitlements | None:
    if exit_code != 0:
        return None
    executable = ""
    for line in text_lines(stderr, stdout):
        if line.startswith("Executable="):
            executable = line[len("Executable=") :].strip()
            break
    if not stdout.strip():
        # Signed without entitlements: codesign prints only the Executable= line.
        return Entitlements(executable, {}) if executable else None
    data = load_plist_text(stdout)
    if data is None:
        data = load_bracketed_text(stdout)
    if not isinstance(data, dict):
        return None
    return Entitlements(executable, data)


def bundle_role(executable: str, context: ProbeContext | None) -> tuple[str, str] | None:
    """("app" | "provider", bundle path) for the bundle an Executable= path belongs to."""
    if not executable or context is None:
        return None
    exe = comparable_path(executable)
    best: tuple[str, str] | None = None
    best_len = -1
    candidates = [("provider", p) for p in context.provider_paths]
    if context.app_path:
        candidates.append(("app", context.app_path))
    for role, path in candidates:
        root = comparable_path(path)
        if (exe == root or exe.startswith(root + "/")) and len(root) > best_len:
            best, best_len = (role, path), len(root)
    return best


def _entitlement_line(key: str, value: object) -> str:
    return f"{key} = {value!r}"


def provider_types(context: ProbeContext | None) -> set[str]:
    """The provider types the app's providers declare (from their extension points)."""
    if context is None:
        return set()
    return {EXTENSION_POINTS[p] for p in context.extension_points if p in EXTENSION_POINTS}


def _types_needed(role: tuple[str, str] | None, context: ProbeContext | None) -> set[str]:
    """Which provider types this bundle's NE entitlement must allow: the app needs a value for
    each of its providers' types; a provider its own (known only when the app has one provider)."""
    if role is None or context is None:
        return set()
    if role[0] == "app" or len(context.provider_paths) == 1:
        return provider_types(context)
    return set()


def parse_entitlements(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    ents = read_entitlements(stdout, stderr, exit_code)
    if ents is None:
        return []
    out: list[Observation] = []
    where = f" ({ents.executable})" if ents.executable else ""
    ne = ents.ne_values()
    role = bundle_role(ents.executable, context)
    if not ne:
        # App and providers all need it, so one bundle without it settles "no"; but an app with no
        # provider at all may simply not be a Network Extension app (it proves nothing then).
        if not (role and role[0] == "app" and context is not None and not context.provider_paths):
            out.append(seen("ne_entitlement_present", "no", f"no {NE_ENTITLEMENT} entitlement{where}"))
    else:
        lacking = sorted(t for t in _types_needed(role, context) if not allows_provider({NE_ENTITLEMENT: ne}, t))
        if lacking:  # the entitlement is there, but not with the value its provider type needs
            out.append(seen("ne_entitlement_present", "no", _entitlement_line(NE_ENTITLEMENT, ne) + where + f": nothing for {', '.join(lacking)}"))
        forms = {v.endswith(SYSEX_SUFFIX) for v in ne}
        if len(forms) == 1:
            form = "systemextension" if forms == {True} else "plain"
            out.append(seen("ne_entitlement_form", form, _entitlement_line(NE_ENTITLEMENT, ne) + where))
    if role and role[0] == "provider":
        sandboxed = ents.is_true(SANDBOX_ENTITLEMENT)
        out.append(seen("provider_sandboxed", "yes" if sandboxed else "no", _entitlement_line(SANDBOX_ENTITLEMENT, ents.values.get(SANDBOX_ENTITLEMENT)) + where))
        if sandboxed:
            has_network = any(ents.is_true(k) for k in NETWORK_ENTITLEMENTS)
            key = next((k for k in NETWORK_ENTITLEMENTS if ents.is_true(k)), NETWORK_ENTITLEMENTS[0])
            out.append(seen("network_client_entitlement", "yes" if has_network else "no", _entitlement_line(key, ents.values.get(key)) + where))
    if role and role[0] == "app" and context is not None and context.sysex_bundle_ids:
        has_install = ents.is_true(INSTALL_ENTITLEMENT)
        out.append(seen("install_entitlement", "yes" if has_install else "no", _entitlement_line(INSTALL_ENTITLEMENT, ents.values.get(INSTALL_ENTITLEMENT)) + where))
    return out


# ---- verify -------------------------------------------------------------------------------
def parse_codesign_verify(stdout: str, stderr: str, exit_code: int, context: ProbeContext | None) -> list[Observation]:
    lines = text_lines(stderr, stdout)
    if exit_code == 0:
        valid = next((line for line in lines if line.endswith(": valid on disk")), None)
        satisfied = any(line.endswith(": satisfies its Designated Requirement") for line in lines)
        if valid and satisfied:
            return [seen("signature_valid", "yes", valid)]
        return []
    for line in lines:
        if any(msg.lower() in line.lower() for msg in VERIFY_FAILURES):
            return [seen("signature_valid", "no", line)]
    return []


SPECS = (
    ParserSpec("codesign_display", parse_codesign_display),
    ParserSpec("codesign_entitlements", parse_entitlements),
    ParserSpec("codesign_verify", parse_codesign_verify),
)
