"""Correct bundles shaped the way shipping apps are, not the way our own builder shapes them.

tests/fixtures/bundle_builder writes the smallest correct bundle of each channel; real products
carry far more, and each extra part is a chance for a rule to mistake a correct setup for a
fault. This module assembles bundles by hand (only the real-format writers are shared: Mach-O
signatures from tests/fixtures/macho_writer, CMS profiles from tests/fixtures/cms_writer,
certificates from tests/fixtures/apple_pki) with what shipping apps have:

* binary Info.plists, localized `InfoPlist.strings`, `PkgInfo`, `_CodeSignature/CodeResources`
  sealing real file hashes, universal (x86_64 + arm64) executables;
* macOS frameworks with `Versions/A` (Sparkle: `Versions/B`) and `Current` symlinks; Sparkle with
  its `Autoupdate` tool, `Updater.app` and `Installer.xpc` / `Downloader.xpc` services;
* a login item (`Contents/Library/LoginItems`), an XPC service (`Contents/XPCServices`);
* non-NE app extensions next to the providers (WidgetKit, share, Finder Sync, Safari web
  extension; on iOS notification service, widget, share), a watch app and an App Clip on iOS;
* one system extension declaring several providers (filter data + DNS proxy + transparent
  proxy), its NetworkExtension dictionary and NSSystemExtensionUsageDescription;
* profiles as the portal writes them: explicit App IDs, `keychain-access-groups` `TEAM.*`,
  `com.apple.developer.team-identifier`, more NE values than used, associated domains `*`,
  development profiles with many devices, Developer ID / enterprise `ProvisionsAllDevices`;
* signed entitlements as Xcode expands them: `$(AppIdentifierPrefix)` keychain groups, app
  groups in both the `TEAMID.` and the `group.` forms on macOS, hardened runtime exceptions.

`build(dest, channel, faults=())` writes one app; `faults` names one-fault variants
(FAULTS). Every channel of tests/matrix/model.CHANNELS has a rich shape (RICH_CHANNELS).
"""

from __future__ import annotations

import hashlib
import os
import plistlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import tests.fake_mac.store_signing  # noqa: F401  (registers Apple's store signers with apple_pki)
from tests.fixtures.apple_pki import profile_signer, signing_identity
from tests.fixtures.cms_writer import profile_cms
from tests.fixtures.macho_writer import SignatureSpec, SliceSpec, write_macho

TEAM = "ABCDE12345"
APP_ID = "com.example.vpn"
APP_NAME = "ExampleVPN"
THIS_MAC_UDID = "00008103-000A1B2C3D4E5F60"  # tests/fake_mac/mac_state.THIS_MAC_UDID
# A team's registered devices: Macs (provisioning UDIDs), iPhones, iPads.
DEVICES = [
    "00008020-001C2D3E4F506070",
    "00008110-000A44D21E90801E",
    THIS_MAC_UDID,
    "00008112-0019552C3A82201E",
    "564D8A6B-6E1C-5A5B-9B0C-2F4E6D8A1C3E",
    "00008030-001A3D4C1E3A802E",
    "9f1a2b3c4d5e6f708192a3b4c5d6e7f809a1b2c3",
]
NE = "com.apple.developer.networking.networkextension"
GROUPS = "com.apple.security.application-groups"
SANDBOX = "com.apple.security.app-sandbox"
NETWORK_CLIENT = "com.apple.security.network.client"
NETWORK_SERVER = "com.apple.security.network.server"
SYSEX_INSTALL = "com.apple.developer.system-extension.install"
ALL_NE_PLAIN = ["packet-tunnel-provider", "app-proxy-provider", "content-filter-provider", "dns-proxy", "dns-settings", "relay"]
ALL_NE_SYSEX = [
    "packet-tunnel-provider-systemextension",
    "app-proxy-provider-systemextension",
    "content-filter-provider-systemextension",
    "dns-proxy-systemextension",
]
SYSTEM_DYLIBS = (
    "/usr/lib/libSystem.B.dylib",
    "/usr/lib/swift/libswiftCore.dylib",
    "/System/Library/Frameworks/Foundation.framework/Versions/C/Foundation",
)
NE_FRAMEWORK = "/System/Library/Frameworks/NetworkExtension.framework/Versions/A/NetworkExtension"
MAC_RPATHS = ("/usr/lib/swift", "@executable_path/../Frameworks")

# Correct shapes that differ from a channel's default rich bundle (any combination is correct too).
VARIANTS = {
    "ios-style-groups": "macOS: only `group.` app groups (authorised by the profiles), NEMachServiceName under one",
    "unprefixed-sysex-id": "macOS: the system extension's id does not start with the app's (allowed for sysexes)",
    "dev-appex": "macOS development: an NE app extension instead of the system extension (runs from Xcode)",
    "parental-filter": "iOS: a content filter (data + control providers) beside the packet tunnel",
    "legacy-app-id-prefix": "iOS: an App ID prefix from before June 2011 that is not the Team ID (TN2311)",
    "tunnel-sysex": "macOS: the system extension is one packet tunnel provider (a VPN product), not a filter suite",
}
LEGACY_PREFIX = "8Q7R3S2T1U"  # a unique App ID prefix of an old app (TN2311), not its Team ID

# Every one-fault variant: name -> what it breaks (the expected top diagnosis is in FAULTS).
FAULTS = {
    "sysex-plain-ne-values": "developer-id-entitlement-suffix",  # Developer ID sysex signed with plain values
    "store-appex-no-ne-entitlement": "app-missing-ne-entitlement",  # store NE appex lost its NE entitlement
    "developer-id-ne-appex": "appex-requires-mac-app-store",  # Developer ID app whose provider is an NE appex
    "sysex-file-name": "sysex-bundle-name-mismatch",  # the sysex is not named <bundle id>.systemextension
    "ios-tunnel-class-missing": "provider-principal-class",  # NSExtensionPrincipalClass names no class
}


# ---- signing ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Signer:
    """Who signs a channel's code, and how (apple_pki leaf kinds)."""

    kind: str  # apple-development | developer-id | apple-distribution | apple-store-macos | apple-store-ios | apple-testflight
    profile_kind: str  # development | developer-id | app-store | ad-hoc | enterprise
    runtime: bool = False
    timestamp: bool = False
    team: str = TEAM

    @property
    def debug(self) -> bool:
        return self.kind == "apple-development"

    @property
    def profile_certificate_kind(self) -> str:
        """The certificate the profile lists: Apple re-signs store builds, the profile keeps the
        developer's Apple Distribution certificate (TN3125)."""
        if self.kind in ("apple-store-macos", "apple-store-ios", "apple-testflight"):
            return "apple-distribution"
        return self.kind


def write_plist(path: Path, data: dict[str, Any], binary: bool = True) -> bytes:
    raw = plistlib.dumps(data, fmt=plistlib.FMT_BINARY if binary else plistlib.FMT_XML)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    return raw


def _code_resources(contents: Path, skip: tuple[str, ...]) -> bytes:
    """_CodeSignature/CodeResources sealing every resource file (files: SHA-1, files2: SHA-256)."""
    files: dict[str, Any] = {}
    files2: dict[str, Any] = {}
    for root, dirs, names in os.walk(contents):
        dirs.sort()
        for name in sorted(names):
            path = Path(root) / name
            rel = path.relative_to(contents).as_posix()
            if rel.startswith(skip) or path.is_symlink():
                continue
            data = path.read_bytes()
            files[rel] = hashlib.sha1(data).digest()  # noqa: S324 (what CodeResources records)
            files2[rel] = {"hash2": hashlib.sha256(data).digest()}
    rules = {"^Resources/": True, "^Resources/.*\\.lproj/": {"optional": True, "weight": 1000.0}, "^version.plist$": True}
    return plistlib.dumps({"files": files, "files2": files2, "rules": rules, "rules2": {**rules, "^.*": True}})


def profile(
    platform: str,
    signer: Signer,
    app_id: str,
    entitlements: dict[str, Any],
    name: str,
    devices: list[str] | None = None,
    changes: dict[str, Any] | None = None,
    binary: bool = False,
) -> bytes:
    application_id = entitlements.get("application-identifier") or entitlements.get("com.apple.application-identifier")
    prefix = str(application_id).split(".", 1)[0] if application_id else signer.team
    """A provisioning profile as the developer portal writes it, CMS-signed by Apple's profile signer."""
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    long_lived = signer.profile_kind in ("developer-id", "enterprise")
    expires = now + timedelta(days=365 * 18 if long_lived else 360)
    payload: dict[str, Any] = {
        "AppIDName": name,
        "ApplicationIdentifierPrefix": [prefix],
        "CreationDate": now - timedelta(days=5),
        "Platform": ["OSX"] if platform == "macos" else ["iOS", "xrOS", "visionOS"],
        "IsXcodeManaged": signer.profile_kind == "development",
        "DeveloperCertificates": [
            signing_identity(signer.profile_certificate_kind, signer.team).der,
            signing_identity(signer.profile_certificate_kind, signer.team, serial_tag="second").der,
        ],
        "DER-Encoded-Profile": b"0\x82\x01\x00" + bytes(16),
        "Entitlements": entitlements,
        "ExpirationDate": expires,
        "Name": f"{name} {signer.profile_kind}",
        "TeamIdentifier": [signer.team],
        "TeamName": "Example Corp",
        "TimeToLive": (expires - now).days,
        "UUID": str(uuid.uuid4()).upper(),
        "Version": 1,
    }
    if (signer.profile_kind == "development" and platform == "macos") or signer.profile_kind in ("development", "ad-hoc"):
        payload["ProvisionedDevices"] = list(devices or DEVICES)
    if long_lived:
        payload["ProvisionsAllDevices"] = True
    for key, value in (changes or {}).items():  # None removes the key
        if value is None:
            payload.pop(key, None)
        else:
            payload[key] = value
    fmt = plistlib.FMT_BINARY if binary else plistlib.FMT_XML
    return profile_cms(plistlib.dumps(payload, fmt=fmt), profile_signer(platform))


@dataclass
class Code:
    """One signed bundle to write: what goes into its Info.plist, signature and executable."""

    folder: Path
    platform: str
    info: dict[str, Any]
    entitlements: dict[str, Any] | None  # None: signed without entitlements
    signer: Signer
    classes: tuple[str, ...] = ()
    dylibs: tuple[str, ...] = ()
    rpaths: tuple[str, ...] = MAC_RPATHS
    profile_entitlements: dict[str, Any] | None = None  # None: no embedded profile
    archs: tuple[str, ...] = ("x86_64", "arm64")
    localized: tuple[str, ...] = ("en", "de", "ja")
    extra_files: dict[str, bytes] = field(default_factory=dict)  # relative to the contents folder
    filetype: int = 2
    profile_changes: dict[str, Any] = field(default_factory=dict)  # top-level profile keys (None: removed)
    binary_profile: bool = False  # the profile's payload a binary plist (Apple's are XML)

    @property
    def contents(self) -> Path:
        return self.folder / "Contents" if self.platform == "macos" else self.folder

    @property
    def bundle_id(self) -> str:
        return str(self.info["CFBundleIdentifier"])


def write_code(code: Code) -> Path:
    """Write the bundle: Info.plist (binary), resources, profile, seal, then the signed executable."""
    contents = code.contents
    macos = code.platform == "macos"
    info_bytes = write_plist(contents / "Info.plist", code.info)
    resources = contents / "Resources" if macos else contents
    for lang in code.localized:
        strings = {"CFBundleDisplayName": code.info.get("CFBundleName", ""), "NSHumanReadableCopyright": "© 2025 Example Corp"}
        write_plist(resources / f"{lang}.lproj" / "InfoPlist.strings", strings)
    if macos and code.info.get("CFBundlePackageType") == "APPL":
        (contents / "PkgInfo").write_bytes(b"APPL????")
    for rel, data in code.extra_files.items():
        (contents / rel).parent.mkdir(parents=True, exist_ok=True)
        (contents / rel).write_bytes(data)
    if code.profile_entitlements is not None:
        name = "embedded.provisionprofile" if macos else "embedded.mobileprovision"
        (contents / name).write_bytes(
            profile(
                code.platform,
                code.signer,
                code.bundle_id,
                code.profile_entitlements,
                code.info.get("CFBundleName", code.bundle_id),
                changes=code.profile_changes,
                binary=code.binary_profile,
            )
        )
    executable = str(code.info["CFBundleExecutable"])
    exe_rel = f"MacOS/{executable}" if macos else executable
    seal = _code_resources(
        contents,
        (exe_rel, "_CodeSignature/", "Info.plist", "MacOS/", "PlugIns/", "Library/", "XPCServices/", "Frameworks/", "Watch/", "AppClips/"),
    )
    (contents / "_CodeSignature").mkdir(parents=True, exist_ok=True)
    (contents / "_CodeSignature" / "CodeResources").write_bytes(seal)
    signer = code.signer
    signature = SignatureSpec(
        identifier=code.bundle_id,
        team_id=signer.team,
        signer=signing_identity(signer.kind, signer.team),
        hardened_runtime=signer.runtime,
        timestamp=signer.timestamp,
        entitlements=code.entitlements,
        info_plist=info_bytes,
        resources=seal,
    )
    min_os = str(code.info.get("LSMinimumSystemVersion") or code.info.get("MinimumOSVersion") or "13.0")
    slices = [
        SliceSpec(
            arch=arch,
            code_size=32 * 1024,
            class_names=code.classes,
            platform=code.platform,
            min_os=min_os,
            signature=signature,
            dylibs=(*SYSTEM_DYLIBS, *code.dylibs),
            rpaths=code.rpaths,
            filetype=code.filetype,
        )
        for arch in (code.archs if macos else ("arm64",))
    ]
    exe = contents / exe_rel
    write_macho(exe, slices)
    os.chmod(exe, 0o755)  # noqa: S103 (an executable, as built)
    return code.folder


def swift_class(module: str, cls: str) -> str:
    return f"_TtC{len(module)}{module}{len(cls)}{cls}"


# ---- frameworks ---------------------------------------------------------------------------------
def _framework_binary(path: Path, bundle_id: str, signer: Signer, classes: tuple[str, ...], platform: str, min_os: str) -> None:
    sig = SignatureSpec(
        identifier=bundle_id,
        team_id=signer.team,
        signer=signing_identity(signer.kind, signer.team),
        hardened_runtime=signer.runtime,
        timestamp=signer.timestamp,
    )
    archs = ("x86_64", "arm64") if platform == "macos" else ("arm64",)
    write_macho(
        path,
        [
            SliceSpec(arch=a, class_names=classes, platform=platform, min_os=min_os, signature=sig, filetype=6, dylibs=SYSTEM_DYLIBS[:2])
            for a in archs
        ],
    )


def mac_framework(frameworks: Path, name: str, signer: Signer, classes: tuple[str, ...] = (), version: str = "A") -> str:
    """`<name>.framework` with Versions/<version>, Versions/Current and the top-level links;
    returns the install name executables record for it."""
    root = frameworks / f"{name}.framework"
    versioned = root / "Versions" / version
    write_plist(
        versioned / "Resources" / "Info.plist",
        {
            "CFBundleIdentifier": f"com.example.{name}",
            "CFBundlePackageType": "FMWK",
            "CFBundleExecutable": name,
            "CFBundleShortVersionString": "2.3.1",
        },
    )
    _framework_binary(versioned / name, f"com.example.{name}", signer, classes, "macos", "11.0")
    (versioned / "_CodeSignature").mkdir(parents=True, exist_ok=True)
    (versioned / "_CodeSignature" / "CodeResources").write_bytes(_code_resources(versioned, ("_CodeSignature/", name)))
    (root / "Versions" / "Current").symlink_to(version)
    (root / name).symlink_to(f"Versions/Current/{name}")
    (root / "Resources").symlink_to("Versions/Current/Resources")
    return f"@rpath/{name}.framework/Versions/{version}/{name}"


def sparkle_framework(frameworks: Path, signer: Signer) -> str:
    """Sparkle 2 as it ships inside an app: Versions/B with Autoupdate, Updater.app and its XPC
    services (Developer ID-signed with the app's identity, hardened runtime)."""
    root = frameworks / "Sparkle.framework"
    b = root / "Versions" / "B"
    write_plist(
        b / "Resources" / "Info.plist",
        {
            "CFBundleIdentifier": "org.sparkle-project.Sparkle",
            "CFBundlePackageType": "FMWK",
            "CFBundleExecutable": "Sparkle",
            "CFBundleShortVersionString": "2.6.4",
        },
    )
    _framework_binary(
        b / "Sparkle", "org.sparkle-project.Sparkle", signer, ("SPUUpdater", "SPUStandardUpdaterController"), "macos", "10.13"
    )
    write_macho(
        b / "Autoupdate",
        [
            SliceSpec(
                arch=a,
                platform="macos",
                min_os="10.13",
                signature=SignatureSpec(
                    "Autoupdate", signer.team, signing_identity(signer.kind, signer.team), signer.runtime, signer.timestamp
                ),
            )
            for a in ("x86_64", "arm64")
        ],
    )
    os.chmod(b / "Autoupdate", 0o755)  # noqa: S103 (an executable, as built)
    helper = {"CFBundleShortVersionString": "2.6.4", "CFBundleVersion": "2035", "LSMinimumSystemVersion": "10.13"}
    write_code(
        Code(
            b / "Updater.app",
            "macos",
            {
                "CFBundleIdentifier": "org.sparkle-project.Sparkle.Updater",
                "CFBundleName": "Updater",
                "CFBundleExecutable": "Updater",
                "CFBundlePackageType": "APPL",
                "LSUIElement": True,
                **helper,
            },
            None,
            signer,
            localized=("en",),
        )
    )
    for service in ("Installer", "Downloader"):
        ents = {SANDBOX: True, NETWORK_CLIENT: True} if service == "Downloader" else None
        info = {
            "CFBundleIdentifier": f"org.sparkle-project.{service}Launcher" if service == "Installer" else "org.sparkle-project.Downloader",
            "CFBundleName": service,
            "CFBundleExecutable": service,
            "CFBundlePackageType": "XPC!",
            "XPCService": {"ServiceType": "Application"},
            **helper,
        }
        write_code(Code(b / "XPCServices" / f"{service}.xpc", "macos", info, ents, signer, localized=()))
    (b / "_CodeSignature").mkdir(parents=True, exist_ok=True)
    (b / "_CodeSignature" / "CodeResources").write_bytes(
        _code_resources(b, ("_CodeSignature/", "Sparkle", "Autoupdate", "Updater.app/", "XPCServices/"))
    )
    (root / "Versions" / "Current").symlink_to("B")
    for top in ("Sparkle", "Resources", "Autoupdate", "Updater.app", "XPCServices"):
        (root / top).symlink_to(f"Versions/Current/{top}")
    return "@rpath/Sparkle.framework/Versions/B/Sparkle"


# ---- channels -----------------------------------------------------------------------------------
SIGNERS: dict[str, Signer] = {
    "macos-development": Signer("apple-development", "development"),
    "macos-developer-id": Signer("developer-id", "developer-id", runtime=True, timestamp=True),
    "macos-app-store": Signer("apple-store-macos", "app-store"),
    "macos-testflight": Signer("apple-testflight", "app-store"),
    "ios-development": Signer("apple-development", "development"),
    "ios-app-store": Signer("apple-store-ios", "app-store"),
    "ios-testflight": Signer("apple-testflight", "app-store"),
    "ios-ad-hoc": Signer("apple-distribution", "ad-hoc"),
    "ios-enterprise": Signer("apple-distribution", "enterprise"),
}
RICH_CHANNELS = tuple(SIGNERS)
# What each macOS channel ships as its providers: one multi-provider system extension (direct
# distribution and development), an NE app extension (the App Store), or a store-signed sysex.
MAC_SHAPES = {
    "macos-development": "sysex",
    "macos-developer-id": "sysex",
    "macos-app-store": "appex",
    "macos-testflight": "sysex",
}
SYSEX_ID = f"{APP_ID}.network-extension"
SYSEX_MODULE = "com_example_vpn_network_extension"  # Xcode: PRODUCT_NAME = bundle id
SYSEX_POINTS = {  # one system extension, three providers
    "com.apple.networkextension.filter-data": "FilterDataProvider",
    "com.apple.networkextension.dns-proxy": "DNSProxyProvider",
    "com.apple.networkextension.app-proxy": "TransparentProxyProvider",
}
SYSEX_VALUES = ["content-filter-provider", "dns-proxy", "app-proxy-provider"]
ES_ID = f"{APP_ID}.security-extension"  # an Endpoint Security system extension beside it
ES_MODULE = "com_example_vpn_security_extension"
ES_CLIENT = "com.apple.developer.endpoint-security.client"
MAC_GROUP = f"{TEAM}.group.{APP_ID}"  # macOS style
IOS_GROUP = f"group.{APP_ID}"  # iOS style (on macOS too since 2025, when a profile authorises it)


@dataclass
class Rich:
    """A rich bundle being assembled: its channel and the parts that differ for a fault."""

    channel: str
    faults: tuple[str, ...] = ()
    variants: tuple[str, ...] = ()
    edit: Callable[[Code], None] | None = None  # changes one bundle before it is written (fault matrices)

    def write(self, code: Code) -> Path:
        if self.edit is not None:
            self.edit(code)
        return write_code(code)

    @property
    def sysex_id(self) -> str:
        return "com.example.netfilter" if "unprefixed-sysex-id" in self.variants else SYSEX_ID

    @property
    def prefix(self) -> str:
        """The App ID prefix ($(AppIdentifierPrefix) without its dot)."""
        return LEGACY_PREFIX if "legacy-app-id-prefix" in self.variants else self.signer.team

    @property
    def mac_group(self) -> str:
        """The group the providers share with the app (macOS style unless the variant says)."""
        return IOS_GROUP if "ios-style-groups" in self.variants else MAC_GROUP

    @property
    def platform(self) -> str:
        return self.channel.split("-", 1)[0]

    @property
    def signer(self) -> Signer:
        return SIGNERS[self.channel]

    @property
    def developer_id(self) -> bool:
        return self.channel == "macos-developer-id"

    @property
    def testflight(self) -> bool:
        return self.channel.endswith("testflight")

    def ne_values(self, plain: list[str]) -> list[str]:
        if self.developer_id and "sysex-plain-ne-values" not in self.faults:
            return [f"{v}-systemextension" for v in plain]
        return list(plain)

    # -- entitlements as Xcode signs them, and profiles as the portal writes them --
    def signed(
        self,
        bundle_id: str,
        ne: list[str] | None = None,
        *,
        sandbox: bool = True,
        client: bool = True,
        groups: list[str] | None = None,
        keychain: bool = False,
        extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        signer = self.signer
        ents: dict[str, Any] = {}
        if self.platform == "macos":
            ents["com.apple.application-identifier"] = f"{signer.team}.{bundle_id}"
            ents["com.apple.developer.team-identifier"] = signer.team
            if sandbox:
                ents[SANDBOX] = True
                if client:
                    ents[NETWORK_CLIENT] = True
            if signer.debug:
                ents["com.apple.security.get-task-allow"] = True
            if self.testflight:
                ents["com.apple.developer.beta-reports-active"] = True
        else:
            ents["application-identifier"] = f"{self.prefix}.{bundle_id}"
            ents["com.apple.developer.team-identifier"] = signer.team
            ents["get-task-allow"] = signer.debug
            if self.testflight:
                ents["beta-reports-active"] = True
        if ne:
            ents[NE] = self.ne_values(ne)
        if groups:
            ents[GROUPS] = groups
        if keychain:  # $(AppIdentifierPrefix)com.example.vpn, expanded
            ents["keychain-access-groups"] = [f"{self.prefix}.{APP_ID}", f"{self.prefix}.com.example.shared"]
        ents.update(extra or {})
        return ents

    def provisioned(self, bundle_id: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
        signer = self.signer
        store = signer.profile_kind == "app-store"
        if self.platform == "macos":
            ents: dict[str, Any] = {
                "com.apple.application-identifier": f"{signer.team}.{bundle_id}",
                "com.apple.developer.team-identifier": signer.team,
                "keychain-access-groups": [f"{signer.team}.*"],
                NE: list(ALL_NE_SYSEX if self.developer_id else ALL_NE_PLAIN),
                SYSEX_INSTALL: True,
                GROUPS: [IOS_GROUP, "group.com.example.shared"],
            }
            if store and self.testflight:
                ents["com.apple.developer.beta-reports-active"] = True
        else:
            ents = {
                "application-identifier": f"{self.prefix}.{bundle_id}",
                "com.apple.developer.team-identifier": signer.team,
                "keychain-access-groups": [f"{self.prefix}.*", "com.apple.token"],
                "get-task-allow": signer.debug,
                NE: [*ALL_NE_PLAIN, "url-filter-provider", "hotspot-provider"],
                GROUPS: [IOS_GROUP, "group.com.example.shared"],
                "aps-environment": "development" if signer.debug else "production",
                "com.apple.developer.associated-domains": "*",
            }
            if store:
                ents["beta-reports-active"] = True
        ents.update(extra or {})
        return ents


def _mac_info(bundle_id: str, name: str, package: str, executable: str | None = None, **more: Any) -> dict[str, Any]:
    return {
        "BuildMachineOSBuild": "24F74",
        "CFBundleDevelopmentRegion": "en",
        "CFBundleExecutable": executable or name,
        "CFBundleIdentifier": bundle_id,
        "CFBundleInfoDictionaryVersion": "6.0",
        "CFBundleName": name,
        "CFBundlePackageType": package,
        "CFBundleShortVersionString": "3.4.2",
        "CFBundleSupportedPlatforms": ["MacOSX"],
        "CFBundleVersion": "3402",
        "DTPlatformName": "macosx",
        "DTSDKName": "macosx15.2",
        "DTXcode": "1620",
        "LSMinimumSystemVersion": "12.0",
        "NSHumanReadableCopyright": "Copyright © 2025 Example Corp. All rights reserved.",
        **more,
    }


def _ios_info(bundle_id: str, name: str, package: str, executable: str | None = None, **more: Any) -> dict[str, Any]:
    return {
        "CFBundleDevelopmentRegion": "en",
        "CFBundleExecutable": executable or name,
        "CFBundleIdentifier": bundle_id,
        "CFBundleInfoDictionaryVersion": "6.0",
        "CFBundleName": name,
        "CFBundlePackageType": package,
        "CFBundleShortVersionString": "3.4.2",
        "CFBundleSupportedPlatforms": ["iPhoneOS"],
        "CFBundleVersion": "3402",
        "DTPlatformName": "iphoneos",
        "DTSDKName": "iphoneos18.2",
        "MinimumOSVersion": "16.0",
        "UIDeviceFamily": [1, 2],
        "UIRequiredDeviceCapabilities": ["arm64"],
        **more,
    }


def _mac_appex(
    rich: Rich,
    plugins: Path,
    name: str,
    bundle_id: str,
    ext: dict[str, Any],
    classes: tuple[str, ...],
    ents: dict[str, Any],
    profile_extra: dict[str, Any] | None,
    with_profile: bool,
    dylibs: tuple[str, ...] = (),
) -> None:
    info = _mac_info(bundle_id, name, "XPC!", NSExtension=ext)
    rpaths = ("/usr/lib/swift", "@executable_path/../Frameworks", "@executable_path/../../../../Frameworks")
    rich.write(
        Code(
            plugins / f"{name}.appex",
            "macos",
            info,
            ents,
            rich.signer,
            classes,
            dylibs,
            rpaths,
            rich.provisioned(bundle_id, profile_extra) if with_profile else None,
        )
    )


def build_macos(dest: Path, rich: Rich) -> Path:
    signer = rich.signer
    app = dest / f"{APP_NAME}.app"
    contents = app / "Contents"
    shape = MAC_SHAPES[rich.channel]
    if "developer-id-ne-appex" in rich.faults or "dev-appex" in rich.variants:
        shape = "appex"
    if "tunnel-sysex" in rich.variants:
        shape = "sysex"
    sandboxed = not rich.developer_id
    frameworks = contents / "Frameworks"
    links = [mac_framework(frameworks, "VPNCore", signer, (swift_class("VPNCore", "TunnelManager"), swift_class("VPNCore", "Settings")))]
    if rich.channel in ("macos-developer-id", "macos-development"):
        links.append(sparkle_framework(frameworks, signer))
    # The providers.
    app_ne: list[str] = []
    has_sysex = False
    if shape == "sysex":
        has_sysex = True
        app_ne = list(SYSEX_VALUES)
        sysex_id = rich.sysex_id
        name = f"{sysex_id}.systemextension" if "sysex-file-name" not in rich.faults else "NetworkExtension.systemextension"
        sysex = contents / "Library" / "SystemExtensions" / name
        core = mac_framework(
            sysex / "Contents" / "Frameworks",
            "ExtensionCore",
            signer,
            (swift_class("ExtensionCore", "DNSProxyProvider"), swift_class("ExtensionCore", "RuleStore")),
        )
        classes = {point: f"{SYSEX_MODULE}.{cls}" for point, cls in SYSEX_POINTS.items()}
        classes["com.apple.networkextension.dns-proxy"] = "ExtensionCore.DNSProxyProvider"  # lives in its framework
        compiled_names = ("FilterDataProvider", "TransparentProxyProvider", "XPCListener")
        if "tunnel-sysex" in rich.variants:  # a VPN product: one packet tunnel provider
            app_ne = ["packet-tunnel-provider"]
            classes = {"com.apple.networkextension.packet-tunnel": f"{SYSEX_MODULE}.PacketTunnelProvider"}
            compiled_names = ("PacketTunnelProvider", "XPCListener")
        info = _mac_info(
            sysex_id,
            sysex_id,
            "SYSX",
            LSMinimumSystemVersion="12.0",
            NSSystemExtensionUsageDescription="ExampleVPN filters network traffic and resolves names for your protection.",
            NetworkExtension={"NEMachServiceName": f"{rich.mac_group}.network-extension", "NEProviderClasses": classes},
        )
        ents = rich.signed(sysex_id, app_ne, groups=[rich.mac_group], extra={NETWORK_SERVER: True})
        compiled = tuple(swift_class(SYSEX_MODULE, c) for c in compiled_names)
        sysex_rpaths = ("/usr/lib/swift", "@executable_path/../Frameworks")
        rich.write(Code(sysex, "macos", info, ents, signer, compiled, (NE_FRAMEWORK, core), sysex_rpaths, rich.provisioned(sysex_id)))
    if shape == "appex":
        app_ne = ["packet-tunnel-provider"]
        tunnel_id = f"{APP_ID}.PacketTunnel"
        ents = rich.signed(tunnel_id, app_ne, groups=sorted({rich.mac_group, IOS_GROUP}), keychain=True)
        if "store-appex-no-ne-entitlement" in rich.faults:
            del ents[NE]
        ext = {
            "NSExtensionPointIdentifier": "com.apple.networkextension.packet-tunnel",
            "NSExtensionPrincipalClass": "PacketTunnel.PacketTunnelProvider",
        }
        _mac_appex(
            rich,
            contents / "PlugIns",
            "PacketTunnel",
            tunnel_id,
            ext,
            (swift_class("PacketTunnel", "PacketTunnelProvider"),),
            ents,
            None,
            True,
            (NE_FRAMEWORK, links[0]),
        )
    if has_sysex and rich.channel != "macos-testflight":
        # A second system extension of another category (security products ship one): an
        # Endpoint Security client, no NetworkExtension dictionary, no NE entitlement.
        es_info = _mac_info(
            ES_ID,
            ES_ID,
            "SYSX",
            NSEndpointSecurityMachServiceName=f"{TEAM}.{ES_ID}.xpc",
            NSSystemExtensionUsageDescription="ExampleVPN watches for malicious processes.",
        )
        es_ents = rich.signed(ES_ID, sandbox=False, extra={ES_CLIENT: True})
        rich.write(
            Code(
                contents / "Library" / "SystemExtensions" / f"{ES_ID}.systemextension",
                "macos",
                es_info,
                es_ents,
                signer,
                (swift_class(ES_MODULE, "ESClient"),),
                (),
                ("/usr/lib/swift",),
                rich.provisioned(ES_ID, {ES_CLIENT: True}),
                localized=("en",),
            )
        )
    # Extensions that are not Network Extension providers (any channel may ship them).
    plugins = contents / "PlugIns"
    widget_id = f"{APP_ID}.StatusWidget"
    _mac_appex(
        rich,
        plugins,
        "StatusWidget",
        widget_id,
        {"NSExtensionPointIdentifier": "com.apple.widgetkit-extension"},
        (swift_class("StatusWidget", "StatusProvider"),),
        rich.signed(widget_id, groups=[rich.mac_group], client=False),
        None,
        False,
    )
    share_id = f"{APP_ID}.ShareExtension"
    share_ext = {
        "NSExtensionPointIdentifier": "com.apple.share-services",
        "NSExtensionPrincipalClass": "ShareExtension.ShareViewController",
        "NSExtensionAttributes": {"NSExtensionActivationRule": "TRUEPREDICATE"},
    }
    _mac_appex(
        rich,
        plugins,
        "ShareExtension",
        share_id,
        share_ext,
        (swift_class("ShareExtension", "ShareViewController"),),
        rich.signed(share_id, groups=sorted({rich.mac_group, IOS_GROUP}), keychain=True),
        None,
        True,
    )
    finder_id = f"{APP_ID}.FinderSync"
    _mac_appex(
        rich,
        plugins,
        "FinderSync",
        finder_id,
        {"NSExtensionPointIdentifier": "com.apple.FinderSync", "NSExtensionPrincipalClass": "FinderSync.FinderSync"},
        (swift_class("FinderSync", "FinderSync"),),
        rich.signed(finder_id, groups=[rich.mac_group], client=False),
        None,
        False,
    )
    safari_id = f"{APP_ID}.SafariExtension"
    safari_ext = {
        "NSExtensionPointIdentifier": "com.apple.Safari.web-extension",
        "NSExtensionPrincipalClass": "SafariExtension.SafariWebExtensionHandler",
    }
    _mac_appex(
        rich,
        plugins,
        "SafariExtension",
        safari_id,
        safari_ext,
        (swift_class("SafariExtension", "SafariWebExtensionHandler"),),
        rich.signed(safari_id, client=False),
        None,
        False,
    )
    (plugins / "SafariExtension.appex" / "Contents" / "Resources" / "manifest.json").write_text(
        '{"manifest_version": 3, "name": "ExampleVPN"}\n'
    )
    # A login item and an XPC service (unrestricted entitlements only: no profile).
    helper_id = f"{APP_ID}.LoginItem"
    helper_info = _mac_info(helper_id, "ExampleVPN Helper", "APPL", "ExampleVPN Helper", LSBackgroundOnly=True)
    rich.write(
        Code(
            contents / "Library" / "LoginItems" / "ExampleVPN Helper.app",
            "macos",
            helper_info,
            rich.signed(helper_id, groups=[rich.mac_group], sandbox=sandboxed),
            signer,
            (swift_class("ExampleVPN_Helper", "AppDelegate"),),
        )
    )
    xpc_id = f"{APP_ID}.Monitor"
    xpc_info = _mac_info(xpc_id, "Monitor", "XPC!", f"{xpc_id}", XPCService={"ServiceType": "Application", "RunLoopType": "NSRunLoop"})
    rich.write(
        Code(
            contents / "XPCServices" / f"{xpc_id}.xpc", "macos", xpc_info, rich.signed(xpc_id, sandbox=sandboxed), signer, (), localized=()
        )
    )
    # The app.
    app_extra: dict[str, Any] = {}
    if has_sysex:
        app_extra[SYSEX_INSTALL] = True
    if rich.developer_id:  # hardened runtime exceptions a notarised app may carry
        app_extra.update({"com.apple.security.automation.apple-events": True, "com.apple.security.cs.allow-jit": True})
    else:
        app_extra["com.apple.security.files.user-selected.read-only"] = True
    app_ents = rich.signed(APP_ID, app_ne, sandbox=sandboxed, groups=sorted({rich.mac_group, IOS_GROUP}), keychain=True, extra=app_extra)
    app_info = _mac_info(
        APP_ID,
        APP_NAME,
        "APPL",
        CFBundleIconFile="AppIcon",
        CFBundleIconName="AppIcon",
        LSApplicationCategoryType="public.app-category.utilities",
        NSMainStoryboardFile="Main",
        NSPrincipalClass="NSApplication",
        SUFeedURL="https://example.com/appcast.xml",
        SUPublicEDKey="pfIShU4dEXqPd5ObYNfDBiQWcXozk7estwzTnF9BamQ=",
    )
    extra_files = {"Resources/AppIcon.icns": b"icns\x00\x00\x00\x08", "Resources/Assets.car": bytes(64)}
    if rich.developer_id:
        extra_files["CodeResources"] = b"s8ch" + bytes(60)  # the stapled notarisation ticket
    rich.write(
        Code(
            app,
            "macos",
            app_info,
            app_ents,
            signer,
            (swift_class(APP_NAME, "AppDelegate"),),
            tuple(links),
            MAC_RPATHS,
            rich.provisioned(APP_ID),
            extra_files=extra_files,
        )
    )
    return app


def _ios_appex(
    rich: Rich,
    app: Path,
    name: str,
    bundle_id: str,
    ext: dict[str, Any],
    classes: tuple[str, ...],
    ents: dict[str, Any],
    dylibs: tuple[str, ...] = (),
    profile_extra: dict[str, Any] | None = None,
) -> None:
    info = _ios_info(bundle_id, name, "XPC!", NSExtension=ext)
    rpaths = ("/usr/lib/swift", "@executable_path/Frameworks", "@executable_path/../../Frameworks")
    rich.write(
        Code(
            app / "PlugIns" / f"{name}.appex",
            "ios",
            info,
            ents,
            rich.signer,
            classes,
            dylibs,
            rpaths,
            rich.provisioned(bundle_id, profile_extra),
            localized=("en", "fr"),
        )
    )


def build_ios(dest: Path, rich: Rich) -> Path:
    signer = rich.signer
    app = dest / f"{APP_NAME}.app"
    fw = app / "Frameworks" / "VPNCore.framework"
    write_plist(
        fw / "Info.plist",
        {
            "CFBundleIdentifier": "com.example.VPNCore",
            "CFBundlePackageType": "FMWK",
            "CFBundleExecutable": "VPNCore",
            "MinimumOSVersion": "16.0",
        },
    )
    _framework_binary(fw / "VPNCore", "com.example.VPNCore", signer, (swift_class("VPNCore", "TunnelManager"),), "ios", "16.0")
    core = "@rpath/VPNCore.framework/VPNCore"
    groups = [IOS_GROUP]
    tunnel_id = f"{APP_ID}.PacketTunnel"
    tunnel_cls = "PacketTunnel.PacketTunnelProvider" if "ios-tunnel-class-missing" not in rich.faults else "PacketTunnel.TunnelProvider"
    ext = {"NSExtensionPointIdentifier": "com.apple.networkextension.packet-tunnel", "NSExtensionPrincipalClass": tunnel_cls}
    _ios_appex(
        rich,
        app,
        "PacketTunnel",
        tunnel_id,
        ext,
        (swift_class("PacketTunnel", "PacketTunnelProvider"),),
        rich.signed(tunnel_id, ["packet-tunnel-provider"], groups=groups, keychain=True),
        (NE_FRAMEWORK, core),
    )
    if "parental-filter" in rich.variants:  # NEFilterDataProvider + NEFilterControlProvider appexes
        filter_ents = {"com.apple.developer.family-controls": True}
        for name, point, cls in (
            ("FilterData", "com.apple.networkextension.filter-data", "FilterDataProvider"),
            ("FilterControl", "com.apple.networkextension.filter-control", "FilterControlProvider"),
        ):
            fid = f"{APP_ID}.{name}"
            ext = {"NSExtensionPointIdentifier": point, "NSExtensionPrincipalClass": f"{name}.{cls}"}
            ents = rich.signed(fid, ["content-filter-provider"], groups=groups, extra=filter_ents)
            _ios_appex(rich, app, name, fid, ext, (swift_class(name, cls),), ents, (NE_FRAMEWORK,), filter_ents)
    widget_id = f"{APP_ID}.Widgets"
    _ios_appex(
        rich,
        app,
        "Widgets",
        widget_id,
        {"NSExtensionPointIdentifier": "com.apple.widgetkit-extension"},
        (swift_class("Widgets", "StatusProvider"),),
        rich.signed(widget_id, groups=groups),
    )
    share_id = f"{APP_ID}.Share"
    share_ext = {
        "NSExtensionPointIdentifier": "com.apple.share-services",
        "NSExtensionPrincipalClass": "Share.ShareViewController",
        "NSExtensionAttributes": {"NSExtensionActivationRule": "TRUEPREDICATE"},
    }
    _ios_appex(
        rich,
        app,
        "Share",
        share_id,
        share_ext,
        (swift_class("Share", "ShareViewController"),),
        rich.signed(share_id, groups=groups, keychain=True),
    )
    notif_id = f"{APP_ID}.NotificationService"
    notif_ext = {
        "NSExtensionPointIdentifier": "com.apple.usernotifications.service",
        "NSExtensionPrincipalClass": "NotificationService.NotificationService",
    }
    _ios_appex(
        rich,
        app,
        "NotificationService",
        notif_id,
        notif_ext,
        (swift_class("NotificationService", "NotificationService"),),
        rich.signed(notif_id, groups=groups),
    )
    # A watch app (single-target watchOS app) and an App Clip.
    watch_id = f"{APP_ID}.watchkitapp"
    watch_info = _ios_info(
        watch_id,
        "ExampleVPN Watch App",
        "APPL",
        CFBundleSupportedPlatforms=["WatchOS"],
        MinimumOSVersion="9.0",
        WKApplication=True,
        WKCompanionAppBundleIdentifier=APP_ID,
        UIDeviceFamily=[4],
    )
    rich.write(
        Code(
            app / "Watch" / "ExampleVPN Watch App.app",
            "ios",
            watch_info,
            rich.signed(watch_id),
            signer,
            (),
            (),
            ("@executable_path/Frameworks",),
            rich.provisioned(watch_id),
        )
    )
    clip_id = f"{APP_ID}.Clip"
    clip_ents = rich.signed(
        clip_id,
        extra={
            "com.apple.developer.parent-application-identifiers": [f"{rich.prefix}.{APP_ID}"],
            "com.apple.developer.on-demand-install-capable": True,
        },
    )
    clip_info = _ios_info(
        clip_id,
        "ExampleVPN Clip",
        "APPL",
        NSAppClip={"NSAppClipRequestEphemeralUserNotification": False, "NSAppClipRequestLocationConfirmation": False},
    )
    rich.write(
        Code(
            app / "AppClips" / "ExampleVPN Clip.app",
            "ios",
            clip_info,
            clip_ents,
            signer,
            (),
            (),
            ("@executable_path/Frameworks",),
            rich.provisioned(
                clip_id,
                {
                    "com.apple.developer.parent-application-identifiers": [f"{rich.prefix}.{APP_ID}"],
                    "com.apple.developer.on-demand-install-capable": True,
                },
            ),
        )
    )
    # The app.
    app_extra = {
        "com.apple.developer.associated-domains": ["applinks:example.com", "appclips:example.com", "webcredentials:example.com"],
        "aps-environment": "development" if signer.debug else "production",
    }
    app_values = ["packet-tunnel-provider", *(["content-filter-provider"] if "parental-filter" in rich.variants else [])]
    if "parental-filter" in rich.variants:
        app_extra["com.apple.developer.family-controls"] = True
    app_ents = rich.signed(APP_ID, app_values, groups=[IOS_GROUP, "group.com.example.shared"], keychain=True, extra=app_extra)
    app_info = _ios_info(
        APP_ID,
        APP_NAME,
        "APPL",
        CFBundleDisplayName="Example VPN",
        LSRequiresIPhoneOS=True,
        UILaunchStoryboardName="LaunchScreen",
        CFBundleIcons={"CFBundlePrimaryIcon": {"CFBundleIconName": "AppIcon"}},
        UIBackgroundModes=["remote-notification"],
    )
    extra_files = {"Assets.car": bytes(64), "AppIcon60x60@2x.png": b"\x89PNG\r\n\x1a\n"}
    if signer.profile_kind == "app-store" and not rich.testflight:
        extra_files["SC_Info/ExampleVPN.sinf"] = bytes(32)  # FairPlay, App Store downloads
    rich.write(
        Code(
            app,
            "ios",
            app_info,
            app_ents,
            signer,
            (swift_class(APP_NAME, "AppDelegate"),),
            (core,),
            ("/usr/lib/swift", "@executable_path/Frameworks"),
            rich.provisioned(APP_ID, {"com.apple.developer.family-controls": True} if "parental-filter" in rich.variants else None),
            localized=("en", "de", "ja", "zh-Hans"),
            extra_files=extra_files,
        )
    )
    return app


def build(
    dest: Path,
    channel: str,
    faults: tuple[str, ...] = (),
    variants: tuple[str, ...] = (),
    edit: Callable[[Code], None] | None = None,
) -> Path:
    """Write the rich bundle of `channel` as `<dest>/ExampleVPN.app` (in the correct `variants`
    of its shape, with `faults` injected)."""
    unknown = (set(faults) - set(FAULTS)) | (set(variants) - set(VARIANTS))
    if unknown:
        raise ValueError(f"unknown rich fault(s) or variant(s): {sorted(unknown)}")
    rich = Rich(channel, faults, variants, edit)
    dest.mkdir(parents=True, exist_ok=True)
    return build_macos(dest, rich) if rich.platform == "macos" else build_ios(dest, rich)
