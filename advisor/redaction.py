"""Replace personal identifiers with consistent numbered pseudonyms before anything is shared.

What is replaced (and what it becomes):
* device ids: provisioning UDIDs in the Apple silicon form (8-16 hex) anywhere, and UUID or
  40-hex forms where they are labelled as a device (`Provisioning UDID:`, `Hardware UUID:`,
  `udid`, a `ProvisionedDevices` list, a `provisioned_devices` key) -> `<udid-N>`;
* serial numbers where labelled (`Serial Number (system):`, a `serial_number` key) -> `<serial-N>`;
* e-mail addresses -> `<email-N>`;
* the user's folder name in `/Users/<name>/` and `/home/<name>/` -> `/Users/<user-N>/`;
* certificate holder names ("Apple Development: Jane Doe (AB12CD34EF)", team names of
  profiles and certificates) -> `<name-N>`; the parenthesised id of a *development*
  certificate is a per-person id -> `<person-id-N>`, while the id of a distribution or
  Developer ID certificate is the Team ID and stays.

Team IDs, bundle ids, profile and configuration UUIDs, cdhashes and path structure stay: they
are what a reader needs to diagnose. A value learned in one place (a Hardware UUID labelled in
`system_profiler` output) is replaced wherever else it appears, so `<udid-1>` is the same
device everywhere and a reader can still see that two values match or differ. One Redactor
keeps its numbering for its whole life: use one per document (or per session).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

_HEX_ID = r"[0-9A-Fa-f]{8}-[0-9A-Fa-f]{16}|[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}|[0-9A-Fa-f]{40}"
# A device id token: not part of a longer hex/dash run.
_DEVICE_ID = re.compile(rf"(?<![0-9A-Fa-f-])(?:{_HEX_ID})(?![0-9A-Fa-f-])")
# The Apple silicon provisioning UDID shape is distinctive enough to replace unlabelled.
_SILICON_UDID = re.compile(r"(?<![0-9A-Fa-f-])[0-9A-Fa-f]{8}-[0-9A-Fa-f]{16}(?![0-9A-Fa-f-])")
_DEVICE_LABEL = re.compile(
    rf"(?i)\b(?:provisioning[ _-]?udid|hardware[ _-]?uuid|udid|device[ _-]?(?:id|identifier|uuid))\b[\"'\s:=>]{{0,6}}((?:{_HEX_ID}))(?![0-9A-Fa-f-])"
)
_DEVICE_LIST = re.compile(r"ProvisionedDevices(.{0,40000}?)(?:</array>|\]|\)|$)", re.DOTALL)
_DEVICE_KEY = re.compile(r"(?i)udid|hardware_?uuid|provisioned_?devices|device_?(?:id|identifier|uuid)s?$")
_SERIAL_LABEL = re.compile(r"(?i)\bserial[ _-]?number(?:\s*\(system\))?[\"'\s:=>]{1,6}([A-Za-z0-9]{8,40})\b")
_SERIAL_KEY = re.compile(r"(?i)^serial_?number$")
_EMAIL = re.compile(r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])")
_HOME = re.compile(r"/(Users|home)/([^/\s\"'<>&:;,()\[\]{}|*?\\]+)")
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


@dataclass
class Redactor:
    """Learns the identifiers in a document, then replaces each with its numbered pseudonym."""

    _pseudonyms: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, canonical) -> "<kind-N>"
    _counts: dict[str, int] = field(default_factory=dict)
    # Values replaced wherever they appear, once learned from a labelled place.
    _device_literals: set[str] = field(default_factory=set)  # upper-case
    _name_literals: dict[str, tuple[str, str]] = field(default_factory=dict)  # literal -> (kind, canonical)
    _literal_patterns: tuple[re.Pattern[str] | None, re.Pattern[str] | None] | None = None

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
        canonical = value.upper() if kind == "udid" else value.lower() if kind == "email" else value
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
        if value.upper() not in self._device_literals:
            self._device_literals.add(value.upper())
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
        if "erial" in text:
            for m in _SERIAL_LABEL.finditer(text):
                self.pseudonym("serial", m.group(1))
        if "@" in text:
            for m in _EMAIL.finditer(text):
                self.pseudonym("email", m.group(0))
        if "/Users/" in text or "/home/" in text:
            for m in _HOME.finditer(text):
                if m.group(2) not in _SHARED_HOMES and not m.group(2).startswith("<"):
                    self.pseudonym("user", m.group(2))
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

    def _patterns(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        if self._literal_patterns is None:
            devices = sorted(self._device_literals, key=len, reverse=True)
            names = sorted(self._name_literals, key=len, reverse=True)
            self._literal_patterns = (
                re.compile(r"(?<![0-9A-Fa-f-])(?:" + "|".join(map(re.escape, devices)) + r")(?![0-9A-Fa-f-])", re.IGNORECASE)
                if devices
                else None,
                # A name is replaced as a whole word, never inside a dotted identifier (bundle ids stay).
                re.compile(r"(?<![\w.-])(?:" + "|".join(map(re.escape, names)) + r")(?![\w-]|\.\w)") if names else None,
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
        if "/Users/" in text or "/home/" in text:
            text = _HOME.sub(
                lambda m: m.group(0)
                if m.group(2) in _SHARED_HOMES or ("user", m.group(2)) not in self._pseudonyms
                else f"/{m.group(1)}/{token('user', m.group(2))}",
                text,
            )
        if "erial" in text:
            text = _SERIAL_LABEL.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)] + token("serial", m.group(1)), text)
        devices, names = self._patterns()
        if devices is not None:
            text = devices.sub(lambda m: token("udid", m.group(0)), text)
        if names is not None:
            text = names.sub(lambda m: token(*self._name_literals[m.group(0)]), text)
        return text


def redact_result(result: dict[str, Any], redactor: Redactor | None = None) -> dict[str, Any]:
    """A redacted deep copy of a `diagnose --format json` result, marked `"redacted": true`."""
    redacted = (redactor or Redactor()).value(result)
    redacted["redacted"] = True
    return redacted
