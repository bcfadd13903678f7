"""Replace personal identifiers with consistent numbered pseudonyms before anything is shared.

What is replaced (and what it becomes):
* device ids: provisioning UDIDs in the Apple silicon form (8-16 hex, with or without its
  hyphen) and 40-hex UDIDs written in upper case anywhere; UUID, 32-hex and lower-case 40-hex
  forms where they are labelled as a device (`Provisioning UDID:`, `Hardware UUID:`, `udid`, a
  `ProvisionedDevices` list, a `provisioned_devices` key) -> `<udid-N>` (one pseudonym for a
  device however its id is written: case and hyphens do not matter);
* serial numbers where labelled (`Serial Number (system):`, `serial C02XK1ABJGH5`, `S/N:`, a
  `serial_number` key) -> `<serial-N>`;
* e-mail addresses -> `<email-N>`;
* the user's folder name in `/Users/<name>/` and `/home/<name>/`, spaces included
  (`/Users/Jane Doe/`) -> `/Users/<user-N>/`;
* Bonjour host names (`Janes-MacBook-Pro.local`) -> `<host-N>.local`;
* certificate holder names ("Apple Development: Jane Doe (AB12CD34EF)", team names of
  profiles and certificates) -> `<name-N>`; the parenthesised id of a *development*
  certificate is a per-person id -> `<person-id-N>`, while the id of a distribution or
  Developer ID certificate is the Team ID and stays.

Team IDs, bundle ids, profile and configuration UUIDs, cdhashes (lower-case 40-hex, as codesign
prints them) and path structure stay: they
are what a reader needs to diagnose. A value learned in one place (a Hardware UUID labelled in
`system_profiler` output) is replaced wherever else it appears, so `<udid-1>` is the same
device everywhere and a reader can still see that two values match or differ. One Redactor
keeps its numbering for its whole life: use one per document (or per session).

Redaction fails closed: when it cannot run (RedactionFailed), nothing is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from advisor.exit_status import ExitStatus, UserError

if TYPE_CHECKING:  # annotations only (the result is plain dictionaries)
    from advisor.result_shape import DiagnoseResult

_HEX_ID = (
    r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{16}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}"
    r"|[0-9A-Fa-f]{40}|[0-9A-Fa-f]{32}|[0-9A-Fa-f]{24}"
)
# A device id token: not part of a longer hex/dash run.
_DEVICE_ID = re.compile(rf"(?<![0-9A-Fa-f-])(?:{_HEX_ID})(?![0-9A-Fa-f-])")
# Shapes distinctive enough to replace unlabelled: the Apple silicon provisioning UDID (8-16 hex;
# its 8 first digits are 0000 and the chip, so the hyphenless form is recognised by them), and a
# 40-hex UDID in upper case (codesign prints cdhashes, the other 40-hex values, in lower case).
_SILICON_UDID = re.compile(
    r"(?<![0-9A-Fa-f-])(?:[0-9A-Fa-f]{8}-[0-9A-Fa-f]{16}|0000[0-9A-Fa-f]{20}|(?=[0-9A-F]*[A-F])[0-9A-F]{40})(?![0-9A-Fa-f-])"
)
_DEVICE_LABEL = re.compile(
    rf"(?i)\b(?:provisioning[ _-]?udid|hardware[ _-]?uuid|udid|device[ _-]?(?:id|identifier|uuid))\b[\"'\s:=>]{{0,6}}((?:{_HEX_ID}))(?![0-9A-Fa-f-])"
)
_DEVICE_LIST = re.compile(r"ProvisionedDevices(.{0,40000}?)(?:</array>|\]|\)|$)", re.DOTALL)
_DEVICE_KEY = re.compile(r"(?i)udid|hardware_?uuid|provisioned_?devices|device_?(?:id|identifier|uuid)s?$")
_SERIAL_LABEL = re.compile(r"(?i)\bserial[ _-]?number(?:\s*\(system\))?[\"'\s:=>]{1,6}([A-Za-z0-9]{8,40})\b")
# "serial C02XK1ABJGH5", "S/N: ...": a token of capitals and digits (at least one of each) after
# the word, so "serial port" or "serial queue" stay.
_SERIAL_WORD = re.compile(
    r"(?i:\b(?:serial(?:[ _-]?(?:no|num|#))?|s/n)\b\.?)(?:\s*\((?i:system)\))?[\"'\s:=#>]{1,6}"
    r"(?=[A-Z0-9]*[0-9])(?=[A-Z0-9]*[A-Z])([A-Z0-9]{8,14})(?![\w-])"
)
_SERIAL_KEY = re.compile(r"(?i)^serial(?:_?(?:number|no))?$")
_EMAIL = re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
_NAME_PART = r"[^/\s\"'<>&:;,()\[\]{}|*?\\]+"
# A home folder's name; a name with spaces ("Jane Doe") only where a "/" or a quote closes it,
# so the words of a sentence after a path are not taken for a name (once learned, such a name
# is replaced after /Users/ wherever it appears).
_HOME = re.compile(rf"/(Users|home)/({_NAME_PART}(?: {_NAME_PART}){{1,3}}(?=/|[\"'])|{_NAME_PART})")
# A Bonjour (mDNS) host name: one label before ".local", not inside a dotted identifier.
_LOCAL_HOST = re.compile(r"(?<![\w.-])([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)\.local\b(?![\w-]|\.\w)")
_SHARED_HOMES = {"Shared", "Guest", "root"}
_DEVELOPMENT_KINDS = ("Apple Development", "Mac Developer", "iPhone Developer")
_CERTIFICATE = re.compile(
    r"(?P<kind>Apple Development|Apple Distribution|Developer ID Application|Developer ID Installer|Mac Developer"
    r"|Mac App Distribution|Mac Installer Distribution|iPhone Developer|iPhone Distribution"
    r"|3rd Party Mac Developer Application|3rd Party Mac Developer Installer)"
    r":[ \t]*(?P<name>[^()\n\"<>=;]+?)[ \t]*\((?P<id>[A-Z0-9]{10})\)"
)
_TEAM_NAME_XML = re.compile(r"<key>TeamName</key>\s*<string>([^<]+)</string>")
_NAME_KEY = re.compile(r"(?i)^(?:team_?name|organi[sz]ation)$")
# Organisations on Apple's own certificates are not personal.
_PUBLIC_NAMES = {"Apple Inc.", "Apple Inc", "Apple Computer, Inc."}


class RedactionFailed(UserError):
    """Redaction could not run: nothing is written (exit 3, one line)."""

    exit_status = ExitStatus.INTERNAL_ERROR

    def __init__(self, cause: BaseException | str) -> None:
        why = cause if isinstance(cause, str) else f"{type(cause).__name__}: {cause}"
        super().__init__(f"redaction failed ({why}); nothing was written (--no-redact writes without redaction)")


def _device_canonical(value: str) -> str:
    """One spelling per device id: upper case, no hyphens."""
    return value.upper().replace("-", "")


def _device_pattern(canonical: str) -> str:
    """A learned device id in any of its spellings: any case, with or without its hyphens."""
    h = re.escape
    if len(canonical) == 24:  # Apple silicon: 8-16
        return f"{h(canonical[:8])}-?{h(canonical[8:])}"
    if len(canonical) == 32:  # UUID: 8-4-4-4-12
        c = canonical
        return f"{h(c[:8])}-?{h(c[8:12])}-?{h(c[12:16])}-?{h(c[16:20])}-?{h(c[20:])}"
    return h(canonical)


@dataclass
class Redactor:
    """Learns the identifiers in a document, then replaces each with its numbered pseudonym."""

    _pseudonyms: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, canonical) -> "<kind-N>"
    _counts: dict[str, int] = field(default_factory=dict)
    # Values replaced wherever they appear, once learned from a labelled place.
    _device_literals: set[str] = field(default_factory=set)  # upper-case
    _name_literals: dict[str, tuple[str, str]] = field(default_factory=dict)  # literal -> (kind, canonical)
    _spaced_users: set[str] = field(default_factory=set)  # home folder names with spaces ("Jane Doe")
    _literal_patterns: tuple[re.Pattern[str] | None, re.Pattern[str] | None, re.Pattern[str] | None] | None = None

    # ---- public ----------------------------------------------------------------------
    def value(self, obj: Any) -> Any:
        """A redacted deep copy of a JSON-like value (dicts, lists, strings, scalars)."""
        self.learn(obj)
        return self._apply(obj, "")

    def text(self, text: str, key: str = "") -> str:
        """One redacted string (`key`: the field it came from, e.g. "provisioned_devices")."""
        self._learn_text(text, key)
        return self._redact_text(text, key)

    def learn(self, obj: Any, key: str = "") -> None:
        """Read identifiers from a value without changing it (numbering follows reading order)."""
        if isinstance(obj, dict):
            for k, v in obj.items():
                self._learn_text(str(k), "")
                self.learn(v, str(k))
        elif isinstance(obj, (list, tuple)):
            for v in obj:
                self.learn(v, key)
        elif isinstance(obj, str):
            self._learn_text(obj, key)

    def pseudonym(self, kind: str, value: str) -> str:
        if kind == "udid":
            canonical = _device_canonical(value)
        elif kind in ("email", "host"):
            canonical = value.lower()
        else:
            canonical = value
        token = self._pseudonyms.get((kind, canonical))
        if token is None:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            token = f"<{kind}-{self._counts[kind]}>"
            self._pseudonyms[(kind, canonical)] = token
        return token

    @property
    def replaced(self) -> int:
        """How many distinct identifiers have pseudonyms."""
        return len(self._pseudonyms)

    # ---- learning ----------------------------------------------------------------------
    def _learn_device(self, value: str) -> None:
        self.pseudonym("udid", value)
        canonical = _device_canonical(value)
        if canonical not in self._device_literals:
            self._device_literals.add(canonical)
            self._literal_patterns = None

    def _learn_name(self, kind: str, value: str) -> None:
        value = value.strip()
        if len(value) < 3 or value in _PUBLIC_NAMES or value.startswith("<") or not re.search(r"[^\W\d_]", value):
            return
        if _EMAIL.fullmatch(value):
            kind = "email"
        self.pseudonym(kind, value)
        if kind == "name" and value not in self._name_literals:
            self._name_literals[value] = (kind, value)
            self._literal_patterns = None

    def _learn_text(self, text: str, key: str) -> None:
        if not text:
            return
        if key and _DEVICE_KEY.search(key):
            for m in _DEVICE_ID.finditer(text):
                self._learn_device(m.group(0))
        if key and _SERIAL_KEY.match(key) and re.fullmatch(r"[A-Za-z0-9]{6,40}", text.strip()):
            self.pseudonym("serial", text.strip())
        if key and _NAME_KEY.match(key):
            self._learn_name("name", text)
        for m in _SILICON_UDID.finditer(text):
            self._learn_device(m.group(0))
        if "udid" in text.lower() or "uuid" in text.lower() or "device" in text.lower():
            for m in _DEVICE_LABEL.finditer(text):
                self._learn_device(m.group(1))
        if "ProvisionedDevices" in text:
            for block in _DEVICE_LIST.finditer(text):
                for m in _DEVICE_ID.finditer(block.group(1)):
                    self._learn_device(m.group(0))
        lowered = text.lower()
        if "serial" in lowered or "s/n" in lowered:
            for m in _SERIAL_LABEL.finditer(text):
                self.pseudonym("serial", m.group(1))
            for m in _SERIAL_WORD.finditer(text):
                self.pseudonym("serial", m.group(1))
        if "@" in text:
            for m in _EMAIL.finditer(text):
                self.pseudonym("email", m.group(0))
        if "/Users/" in text or "/home/" in text:
            for m in _HOME.finditer(text):
                if m.group(2) not in _SHARED_HOMES and not m.group(2).startswith("<"):
                    self.pseudonym("user", m.group(2))
                    if " " in m.group(2) and m.group(2) not in self._spaced_users:
                        self._spaced_users.add(m.group(2))
                        self._literal_patterns = None
        if ".local" in lowered:
            for m in _LOCAL_HOST.finditer(text):
                self.pseudonym("host", m.group(1))
        if ":" in text:
            for m in _CERTIFICATE.finditer(text):
                self._learn_name("name", m.group("name"))
                if m.group("kind") in _DEVELOPMENT_KINDS:
                    self.pseudonym("person-id", m.group("id"))
        if "TeamName" in text:
            for m in _TEAM_NAME_XML.finditer(text):
                self._learn_name("name", m.group(1))

    # ---- applying ----------------------------------------------------------------------
    def _apply(self, obj: Any, key: str) -> Any:
        if isinstance(obj, dict):
            return {self._redact_text(str(k), "") if isinstance(k, str) else k: self._apply(v, str(k)) for k, v in obj.items()}
        if isinstance(obj, (list, tuple)):
            return [self._apply(v, key) for v in obj]
        if isinstance(obj, str):
            return self._redact_text(obj, key)
        return obj

    def _patterns(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, re.Pattern[str] | None]:
        if self._literal_patterns is None:
            devices = sorted(self._device_literals, key=len, reverse=True)
            names = sorted(self._name_literals, key=len, reverse=True)
            users = sorted(self._spaced_users, key=len, reverse=True)
            self._literal_patterns = (
                re.compile(r"(?<![0-9A-Fa-f-])(?:" + "|".join(map(_device_pattern, devices)) + r")(?![0-9A-Fa-f-])", re.IGNORECASE)
                if devices
                else None,
                # A name is replaced as a whole word, never inside a dotted identifier (bundle ids stay).
                re.compile(r"(?<![\w.-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w-]|\.\w)") if names else None,
                # A home folder name with spaces, learned where a "/" closed it, wherever it follows /Users/.
                re.compile(r"/(Users|home)/(" + "|".join(map(re.escape, users)) + r")(?![\w-])") if users else None,
            )
        return self._literal_patterns

    def _redact_text(self, text: str, key: str) -> str:
        if not text or not self._pseudonyms:
            return text
        # In XML (a decoded profile, entitlements) a pseudonym must stay valid XML text.
        xml = "<plist" in text or "<?xml" in text

        def token(kind: str, value: str) -> str:
            t = self.pseudonym(kind, value)
            return t.replace("<", "&lt;").replace(">", "&gt;") if xml else t

        if key and _SERIAL_KEY.match(key) and ("serial", text.strip()) in self._pseudonyms:
            return token("serial", text.strip())
        if key and _NAME_KEY.match(key) and ("name", text.strip()) in self._pseudonyms:
            return token("name", text.strip())

        def certificate(m: re.Match[str]) -> str:
            name = m.group("name").strip()
            if name.startswith("<"):
                shown = name
            else:
                shown = token("email" if _EMAIL.fullmatch(name) else "name", name)
            ident = token("person-id", m.group("id")) if m.group("kind") in _DEVELOPMENT_KINDS else m.group("id")
            return f"{m.group('kind')}: {shown} ({ident})"

        if ":" in text:
            text = _CERTIFICATE.sub(certificate, text)
        if "@" in text:
            text = _EMAIL.sub(lambda m: token("email", m.group(0)), text)
        devices, names, spaced_users = self._patterns()
        if "/Users/" in text or "/home/" in text:
            if spaced_users is not None:
                text = spaced_users.sub(lambda m: f"/{m.group(1)}/{token('user', m.group(2))}", text)
            text = _HOME.sub(
                lambda m: m.group(0)
                if m.group(2) in _SHARED_HOMES or ("user", m.group(2)) not in self._pseudonyms
                else f"/{m.group(1)}/{token('user', m.group(2))}",
                text,
            )
        lowered = text.lower()
        if "serial" in lowered or "s/n" in lowered:
            for pattern in (_SERIAL_LABEL, _SERIAL_WORD):
                text = pattern.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + token("serial", m.group(1)), text)
        if ".local" in lowered:
            text = _LOCAL_HOST.sub(
                lambda m: f"{token('host', m.group(1))}.local" if ("host", m.group(1).lower()) in self._pseudonyms else m.group(0), text
            )
        if devices is not None:
            text = devices.sub(lambda m: token("udid", m.group(0)), text)
        if names is not None:
            text = names.sub(lambda m: token(*self._name_literals[m.group(0)]), text)
        return text


def redact_result(result: DiagnoseResult, redactor: Redactor | None = None) -> DiagnoseResult:
    """A redacted deep copy of a `diagnose --format json` result, marked `"redacted": true`.
    RedactionFailed (nothing may be written then) when redaction itself fails."""
    try:
        redacted = (redactor or Redactor()).value(result)
    except Exception as exc:
        raise RedactionFailed(exc) from exc
    redacted["redacted"] = True
    return redacted
