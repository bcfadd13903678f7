"""Realistic output of the macOS tools advisor probes, in the shapes documented in
ne-knowledge.md (sections 4.5, 5.2, 5.4, 6.2, 6.5, 7, 8.2, 8.3, 9.3, 12) and seen in public
posts. Identifiers are invented. Each function returns what the tool prints on the stream
named in its docstring.
"""

from __future__ import annotations

import plistlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

LSREGISTER_SEPARATOR = "-" * 80


def sw_vers(version: str = "15.5", build: str = "24F74") -> str:
    """stdout"""
    return f"ProductName:\t\tmacOS\nProductVersion:\t\t{version}\nBuildVersion:\t\t{build}\n"


def csrutil_status(state: str = "enabled") -> str:
    """stdout"""
    return f"System Integrity Protection status: {state}.\n"


def hardware_overview(udid: str = "00008132-000A103C02F8801C", chip: str = "Apple M3 Pro") -> str:
    """stdout of `system_profiler SPHardwareDataType` (Apple silicon; ne-knowledge.md 5.4)."""
    return (
        "Hardware:\n\n"
        "    Hardware Overview:\n\n"
        "      Model Name: MacBook Pro\n"
        "      Model Identifier: Mac15,6\n"
        f"      Chip: {chip}\n"
        "      Total Number of Cores: 11 (5 performance and 6 efficiency)\n"
        "      Memory: 18 GB\n"
        "      System Firmware Version: 11881.41.5\n"
        "      OS Loader Version: 11881.41.5\n"
        "      Serial Number (system): XXXXXXXXXX\n"
        "      Hardware UUID: 6F1A2B3C-4D5E-6F70-8192-A3B4C5D6E7F8\n"
        f"      Provisioning UDID: {udid}\n"
        "      Activation Lock Status: Disabled\n\n"
    )


@dataclass(frozen=True)
class SysexEntry:
    team_id: str
    bundle_id: str
    short_version: str
    bundle_version: str
    name: str
    state: str  # bracket text, e.g. "activated enabled"
    enabled: bool = True
    active: bool = True


def sysex_list(entries: Iterable[SysexEntry], category: str = "com.apple.system_extension.network_extension") -> str:
    """stdout of `systemextensionsctl list` (tab-separated, as printed)."""
    entries = list(entries)
    lines = [f"{len(entries)} extension(s)"]
    if entries:
        lines.append(
            f"--- {category} (Go to 'System Settings > General > Login Items & Extensions > Network Extensions' to modify these system extension(s))"
        )
        lines.append("enabled\tactive\tteamID\tbundleID (version)\tname\t[state]")
        for e in entries:
            lines.append(
                f"{'*' if e.enabled else ''}\t{'*' if e.active else ''}\t{e.team_id}\t{e.bundle_id} ({e.short_version}/{e.bundle_version})\t{e.name}\t[{e.state}]"
            )
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class Plugin:
    bundle_id: str
    version: str
    path: str
    sdk: str = "com.apple.networkextension.packet-tunnel"
    election: str = " "  # "+", "-", "=", "!" or " "
    uuid: str = "9ABC42A4-E867-4A27-95AF-EDBAEB447B3E"


def pluginkit_records(plugins: Iterable[Plugin]) -> str:
    """stdout of `pluginkit -m -A -D -vvv …` (ne-knowledge.md 8.2)."""
    plugins = list(plugins)
    if not plugins:
        return "(no matches)\n"
    out = []
    for p in plugins:
        parent = p.path.rsplit("/PlugIns/", 1)[0]
        parent = parent[: -len("/Contents")] if parent.endswith("/Contents") else parent
        name = parent.rsplit("/", 1)[-1].removesuffix(".app")
        out.append(f"{p.election}    {p.bundle_id}({p.version})")
        out.append(f"\t            Path = {p.path}")
        out.append(f"\t            UUID = {p.uuid}")
        out.append("\t       Timestamp = 2025-11-02 09:41:07 +0000")
        out.append(f"\t             SDK = {p.sdk}")
        out.append(f"\t   Parent Bundle = {parent}")
        out.append(f"\t    Display Name = {name}")
        out.append(f"\t      Short Name = {name}")
        out.append(f"\t     Parent Name = {name}")
        out.append("")
    out.append(f" ({len(plugins)} plug-in{'s' if len(plugins) != 1 else ''})")
    return "\n".join(out) + "\n"


def codesign_display(
    path: str,
    identifier: str,
    authority: str = "Apple Development: Jane Doe (AB12CD34EF)",
    team_id: str = "ABCDE12345",
    runtime: bool = True,
    stapled: bool = False,
    executable: str | None = None,
) -> str:
    """stderr of `codesign -d -vvv` (ne-knowledge.md 6.2)."""
    exe = executable or (
        f"{path}/Contents/MacOS/{identifier.rsplit('.', 1)[-1]}"
    )
    flags = "0x10000(runtime)" if runtime else "0x0(none)"
    if authority.startswith("Developer ID"):
        chain = ["Developer ID Certification Authority", "Apple Root CA"]
    elif authority.startswith("Apple iPhone OS Application Signing"):  # iOS App Store apps
        chain = ["Apple iPhone Certification Authority", "Apple Root CA"]
    else:
        chain = ["Apple Worldwide Developer Relations Certification Authority", "Apple Root CA"]
    lines = [
        f"Executable={exe}",
        f"Identifier={identifier}",
        "Format=app bundle with Mach-O thin (arm64)",
        f"CodeDirectory v=20500 size=1187 flags={flags} hashes=26+7 location=embedded",
        "Hash type=sha256 size=32",
        "CandidateCDHash sha256=2f3bd3e5b4d7b1a0b0f6a2c5d4e3f2a1b0c9d8e7",
        "Signature size=4797",
        f"Authority={authority}",
        *(f"Authority={a}" for a in chain),
        "Signed Time=2 Nov 2025 at 09:40:12" if authority.startswith("Apple Development") else "Timestamp=2 Nov 2025 at 09:40:12",
    ]
    if stapled:
        lines.append("Notarization Ticket=stapled")
    lines += ["Info.plist entries=24", f"TeamIdentifier={team_id}", "Runtime Version=15.5.0" if runtime else "", "Sealed Resources version=2 rules=13 files=12", "Internal requirements count=1 size=212"]
    return "\n".join(line for line in lines if line) + "\n"


def codesign_unsigned(path: str) -> str:
    """stderr of `codesign -d` (and `--verify`) on unsigned code; exit status 1."""
    return f"{path}: code object is not signed at all\n"


def entitlements_xml(entitlements: dict) -> str:
    """stdout of `codesign -d --entitlements - --xml` (one line, ne-knowledge.md 12.3)."""
    return plistlib.dumps(entitlements, fmt=plistlib.FMT_XML).decode().replace("\n", "").replace("\t", "")


def entitlements_stderr(executable: str) -> str:
    """stderr of `codesign -d --entitlements - --xml`."""
    return f"Executable={executable}\n"


def codesign_verify_ok(path: str) -> str:
    """stderr of `codesign --verify --deep --strict -vvv` on a good bundle."""
    return f"--prepared:{path}/Contents/PlugIns/Tunnel.appex\n--validated:{path}/Contents/PlugIns/Tunnel.appex\n{path}: valid on disk\n{path}: satisfies its Designated Requirement\n"


def codesign_verify_nested(path: str, nested: Iterable[str]) -> str:
    """stderr of `codesign --verify --deep --strict -vvv` on a good bundle with nested code."""
    lines = [f"--prepared:{n}\n--validated:{n}" for n in nested]
    return "".join(f"{line}\n" for line in lines) + f"{path}: valid on disk\n{path}: satisfies its Designated Requirement\n"


def codesign_verify_changed(path: str, change: str, changed_file: str) -> str:
    """stderr of the same when a sealed file changed after signing (exit status 1). Wording as
    in DTS's "Resolving Gatekeeper Problems" (forum thread 706379): `file added:`,
    `file modified:` or `file missing:` after the summary line."""
    return f"{path}: a sealed resource is missing or invalid\nfile {change}: {changed_file}\n"


def codesign_verify_broken(path: str) -> str:
    """stderr of the same on a bundle modified after signing (exit status 1)."""
    return f"{path}: a sealed resource is missing or invalid\nfile modified: {path}/Contents/Resources/config.json\n"


def provisioning_profile(
    name: str,
    app_id: str,
    team_id: str = "ABCDE12345",
    devices: list[str] | None = None,
    provisions_all: bool = False,
    expires_in_days: int = 300,
    entitlements: dict | None = None,
    platform: str = "OSX",
    now: datetime | None = None,
) -> str:
    """stdout of `security cms -D -i <profile>`: the profile plist as XML (ne-knowledge.md 5.2)."""
    now = now or datetime.now(UTC)
    created = (now - timedelta(days=65)).replace(tzinfo=None, microsecond=0)
    expires = (now + timedelta(days=expires_in_days)).replace(tzinfo=None, microsecond=0)
    data: dict = {
        "AppIDName": name,
        "ApplicationIdentifierPrefix": [team_id],
        "CreationDate": created,
        "DeveloperCertificates": [b"0\x82\x05\xb8" + b"\x00" * 32],
        "Entitlements": {
            "com.apple.application-identifier": f"{team_id}.{app_id}",
            "com.apple.developer.team-identifier": team_id,
            "keychain-access-groups": [f"{team_id}.*"],
            **(entitlements or {}),
        },
        "ExpirationDate": expires,
        "IsXcodeManaged": True,
        "Name": name,
        "Platform": [platform],
        "TeamIdentifier": [team_id],
        "TeamName": "Example Corp",
        "TimeToLive": expires_in_days + 65,
        "UUID": "7D3A5C1E-2B4F-4E6A-9C8D-1F2E3D4C5B6A",
        "Version": 1,
    }
    if provisions_all:
        data["ProvisionsAllDevices"] = True
    elif devices is not None:
        data["ProvisionedDevices"] = list(devices)
    return plistlib.dumps(data, fmt=plistlib.FMT_XML).decode()


def spctl_assessment(path: str, accepted: bool, source: str | None, origin: str | None, override: str | None = None) -> str:
    """stderr of `spctl -a -vvv -t exec` (ne-knowledge.md 6.5); exit 0 accepted, 3 rejected.
    With assessments disabled every app is accepted, `override=security disabled` added."""
    lines = [f"{path}: {'accepted' if accepted else 'rejected'}"]
    if source:
        lines.append(f"source={source}")
    if override:
        lines.append(f"override={override}")
    if origin:
        lines.append(f"origin={origin}")
    return "\n".join(lines) + "\n"


def syspolicy_no_ticket(path: str) -> str:
    """stdout of `syspolicy_check distribution` for an app without a stapled ticket (wording as
    publicly quoted: "Notary Ticket Missing … Severity: Fatal"; the rest is illustrative)."""
    return (
        "App has failed one or more pre-distribution checks.\n"
        "---------------------------------------------------------------\n"
        "Notary Ticket Missing\n"
        f"    File: {path}\n"
        "    Severity: Fatal\n"
        "    Full Error: A Notarization ticket is not stapled to this application.\n"
        "    Type: Distribution Error\n"
    )


def syspolicy_passed() -> str:
    """stdout of `syspolicy_check distribution` for a notarised app."""
    return "App passed all pre-distribution checks and is ready for distribution.\n"


def xattr_absent(path: str, name: str = "com.apple.quarantine") -> str:
    """stderr of `xattr -p` when the attribute is not set (exit status 1)."""
    return f"xattr: {path}: No such xattr: {name}\n"


def spctl_status(enabled: bool = True) -> str:
    """stdout of `spctl --status` (spctl(8): "Query whether the assessment subsystem is enabled")."""
    return f"assessments {'enabled' if enabled else 'disabled'}\n"


def quarantine_value(agent: str = "Safari") -> str:
    """stdout of `xattr -p com.apple.quarantine` on a downloaded file."""
    return f"0083;65a1b2c3;{agent};4C7E2F10-1A2B-4C3D-9E8F-0123456789AB\n"


def mdfind_paths(paths: Iterable[str]) -> str:
    """stdout of `mdfind "kMDItemCFBundleIdentifier == '…'"`."""
    return "".join(f"{p}\n" for p in paths)


@dataclass(frozen=True)
class Registration:
    path: str
    bundle_id: str
    name: str = ""


def lsregister_dump(registrations: Iterable[Registration]) -> str:
    """stdout of `lsregister -dump` (records between dashed lines; ne-knowledge.md 8.3)."""
    out = ["Checking data integrity......done.", "Status: Database is seeded.", LSREGISTER_SEPARATOR]
    for i, r in enumerate(registrations, start=1):
        name = r.name or r.path.rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
        out += [
            f"bundle id:                  {name} (0x{0x1a00 + i:x})",
            f"path:                       {r.path} (0x{0x2b00 + i:x})",
            f"name:                       {name}",
            "isContainer:                0",
            f"identifier:                 {r.bundle_id}",
            f"version:                    1.0 ({i})",
            "flags:                      apple-internal  has-display-name  launch-disabled",
            LSREGISTER_SEPARATOR,
        ]
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class VpnService:
    service_id: str
    owner: str
    name: str
    enabled: bool = True
    status: str = "Disconnected"


def scutil_nc_list(services: Iterable[VpnService]) -> str:
    """stdout of `scutil --nc list` (header verbatim; rows as in public posts)."""
    out = ["Available network connection services in the current set (*=enabled):"]
    for s in services:
        out.append(
            f"{'*' if s.enabled else ' '} ({s.status})   {s.service_id} VPN ({s.owner}) \"{s.name}\"          [VPN:{s.owner}]"
        )
    return "\n".join(out) + "\n"


def scutil_nc_show(service: VpnService, provider_id: str) -> str:
    """stdout of `scutil --nc show <id>` (layout illustrative; the provider key as public tools read it)."""
    return (
        f"* ({service.status})   {service.service_id} VPN ({service.owner}) \"{service.name}\"          [VPN:{service.owner}]\n"
        "<dictionary> {\n"
        "  VPN : <dictionary> {\n"
        f"    NEProviderBundleIdentifier : {provider_id}\n"
        "    RemoteAddress : vpn.example.com\n"
        "  }\n"
        "}\n"
    )


def log_show(lines: Iterable[str]) -> str:
    """stdout of `log show --style compact …` (ne-knowledge.md 10.1)."""
    return "Timestamp               Ty Process[PID:TID]\n" + "".join(f"{line}\n" for line in lines)
