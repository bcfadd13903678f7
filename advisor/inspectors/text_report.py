"""`advisor inspect --format text`: what was read, then every finding, worst first.

Every value printed comes from the bundle, which is untrusted: control characters (ESC
sequences, newlines) and invisible format characters (U+202E and other bidirectional overrides)
are printed escaped, never raw.
"""

from __future__ import annotations

from typing import Any

from advisor.inspectors.inspection import BundleInspection
from advisor.plain_text import plural, printable

_PLATFORM_NAMES = {"macos": "macOS", "ios": "iOS"}


def _signature_line(part: dict[str, Any]) -> str:
    if part.get("signature_error"):
        return f"signature: unreadable ({printable(part['signature_error'])})"
    signature = part.get("signature")
    if not signature:
        executable = part.get("executable") or {}
        if executable.get("error"):
            return f"executable: {printable(executable['error'])}"
        return "signature: none (unsigned)"
    cert = signature.get("signing_certificate")
    who = cert["common_name"] if cert else "ad hoc (no certificate)"
    bits = [f"team {printable(signature['team_id'])}" if signature.get("team_id") else "no team"]
    if signature.get("hardened_runtime"):
        bits.append("hardened runtime")
    if signature.get("secure_timestamp"):
        bits.append("timestamped")
    return f"signed: {printable(who)} ({', '.join(bits)})"


def _profile_line(part: dict[str, Any]) -> str | None:
    if part.get("profile_error"):
        return f"profile: unreadable ({printable(part['profile_error'])})"
    profile = part.get("profile")
    if not profile:
        return None
    expires = (profile.get("expiration_date") or "")[:10]
    devices = len(profile.get("provisioned_devices") or [])
    scope = (
        "all devices"
        if profile.get("provisions_all_devices")
        else f"{devices} device(s)" if devices else "no device list"
    )
    return f"profile: {printable(repr(profile.get('name')))} ({printable(profile.get('kind'))}, {scope}, expires {printable(expires)})"


def _part_lines(part: dict[str, Any], indent: str) -> list[str]:
    lines = [f"{indent}{_signature_line(part)}"]
    profile = _profile_line(part)
    if profile:
        lines.append(f"{indent}{profile}")
    return lines


def render_text(inspection: BundleInspection) -> str:
    bundle = inspection.bundle
    platform = _PLATFORM_NAMES.get(bundle.get("platform", ""), bundle.get("platform", ""))
    kind = "provider bundle" if bundle.get("standalone_provider") else "app"
    version = bundle.get("short_version") or bundle.get("version") or "?"
    lines = [f"{printable(bundle.get('path'))}  ({platform} {kind}, {printable(bundle.get('bundle_id'))} {printable(version)})"]
    if bundle.get("stapled_ticket"):
        lines.append("  notarisation ticket stapled (Contents/CodeResources)")
    lines += _part_lines(bundle, "  ")
    if not bundle.get("standalone_provider"):
        lines.append("providers:" if inspection.providers else "providers: none embedded")
        for provider in inspection.providers:
            types = ", ".join(provider.get("provider_types") or []) or (
                "not a Network Extension" if not provider.get("network_extension") else "unknown type"
            )
            lines.append(f"  {printable(provider['path'])}  ({provider['kind']}, {printable(types)}, {printable(provider.get('bundle_id'))})")
            lines += _part_lines(provider, "    ")
    if inspection.findings:
        lines.append("findings:")
        for finding in inspection.findings:
            where = f"{finding.path} [{finding.key}]" if finding.key else finding.path
            lines.append(f"  {finding.severity:<7} {finding.id}  ({finding.rule})")
            lines.append(f"          {printable(where)}")
            lines.append(f"          {printable(finding.detail)}")
    counts = {s: sum(1 for f in inspection.findings if f.severity == s) for s in ("error", "warning", "info")}
    summary = ", ".join(plural(n, s) for s, n in counts.items() if n) or "no findings"
    lines.append(summary)
    return "\n".join(lines) + "\n"
