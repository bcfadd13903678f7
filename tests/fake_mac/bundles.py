"""Info.plist-only app bundles, for tests of what is read from Info.plists (discovery).

XML or binary plists, macOS layout (`Contents/…`) or iOS layout (flat, as inside
`/Applications/<Name>.app/Wrapper/`), NE and non-NE extensions, placeholder profile files.
Nothing is signed: for bundles that `advisor inspect` accepts (signed Mach-O, CMS profiles)
use tests/fixtures/bundle_builder, as seed_mac does.
"""

from __future__ import annotations

import plistlib
from dataclasses import dataclass
from pathlib import Path

PACKET_TUNNEL = "com.apple.networkextension.packet-tunnel"


@dataclass(frozen=True)
class ProviderPlist:
    name: str  # bundle file name without extension
    bundle_id: str
    kind: str = "appex"  # appex | sysex
    extension_point: str = PACKET_TUNNEL
    minimum_system_version: str = "13.0"
    short_version: str = "1.0"
    bundle_version: str = "1"
    with_profile: bool = True


def _write_plist(path: Path, data: dict, binary: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(plistlib.dumps(data, fmt=plistlib.FMT_BINARY if binary else plistlib.FMT_XML))


def make_plist_app(
    path: Path,
    bundle_id: str,
    providers: list[ProviderPlist],
    *,
    platform: str = "macos",
    binary_plists: bool = False,
    with_profile: bool = True,
    minimum_system_version: str = "13.0",
) -> dict[str, Path]:
    """Create the bundle; returns {"app": path, <provider bundle id>: provider path, ...}."""
    macos = platform == "macos"
    contents = path / "Contents" if macos else path
    info = {
        "CFBundleIdentifier": bundle_id,
        "CFBundleExecutable": path.stem,
        "CFBundlePackageType": "APPL",
        "CFBundleShortVersionString": "1.0",
        "CFBundleVersion": "1",
    }
    if macos:
        info["LSMinimumSystemVersion"] = minimum_system_version
    else:
        info["MinimumOSVersion"] = "16.0"
    _write_plist(contents / "Info.plist", info, binary_plists)
    if with_profile:
        profile = contents / ("embedded.provisionprofile" if macos else "embedded.mobileprovision")
        profile.write_bytes(b"0\x80\x06\x09*\x86H\x86\xf7\r\x01\x07\x02 fake CMS blob")
    made = {"app": path}
    for spec in providers:
        if spec.kind == "sysex":
            bundle = contents / "Library" / "SystemExtensions" / f"{spec.name}.systemextension"
        else:
            bundle = contents / "PlugIns" / f"{spec.name}.appex"
        bundle_contents = bundle / "Contents" if macos else bundle
        pinfo: dict = {
            "CFBundleIdentifier": spec.bundle_id,
            "CFBundleExecutable": spec.name,
            "CFBundleShortVersionString": spec.short_version,
            "CFBundleVersion": spec.bundle_version,
        }
        if macos:
            pinfo["LSMinimumSystemVersion"] = spec.minimum_system_version
        if spec.kind == "sysex":
            pinfo["CFBundlePackageType"] = "SYSX"
            pinfo["NetworkExtension"] = {
                "NEMachServiceName": f"ABCDE12345.{bundle_id}",
                "NEProviderClasses": {spec.extension_point: f"{spec.name}.PacketTunnelProvider"},
            }
        else:
            pinfo["CFBundlePackageType"] = "XPC!"
            pinfo["NSExtension"] = {
                "NSExtensionPointIdentifier": spec.extension_point,
                "NSExtensionPrincipalClass": f"{spec.name}.PacketTunnelProvider",
            }
        _write_plist(bundle_contents / "Info.plist", pinfo, binary_plists)
        if spec.with_profile:
            profile = bundle_contents / ("embedded.provisionprofile" if macos else "embedded.mobileprovision")
            profile.write_bytes(b"0\x80\x06\x09*\x86H\x86\xf7\r\x01\x07\x02 fake CMS blob")
        made[spec.bundle_id] = bundle
    return made
