"""Finding what to probe: the container app, its NE providers, and other copies of them.

`discover_context` reads bundles on disk (Info.plist in XML or binary form) and needs no
command; `refine_context` adds what earlier probe runs revealed (the app's VPN services, the
app itself when only a bundle id was known). `find_ios_copies` lists the iOS apps installed
on this Mac (`/Applications/*.app/Wrapper/*.app`) in Python, no shell glob, under the folder
named by `ADVISOR_APPLICATIONS_DIR` (default /Applications) so tests can move it.
"""

from __future__ import annotations

import dataclasses
import os
import plistlib
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from advisor.evidence import Observation, Source
from advisor.exit_status import UserError
from advisor.probes.context import BUNDLE_VERSION_PATTERN, VERSION_PATTERN, ProbeContext, check_identifier, is_identifier
from advisor.probes.execution import ProbeRun
from advisor.probes.parsers.netconfig import own_services, read_vpn_services
from advisor.probes.parsers.registrations import WRAPPER_SEGMENT, read_mdfind, read_pluginkit

APPLICATIONS_ENV = "ADVISOR_APPLICATIONS_DIR"
NE_POINT_PREFIX = "com.apple.networkextension"
_MAX_PLIST_BYTES = 4 * 1024 * 1024
# Info.plist keys of the other system extension categories (Endpoint Security clients, camera
# extensions), which an NE system extension never carries.
OTHER_CATEGORY_KEY_PREFIXES = ("NSEndpointSecurity", "CMIOExtension")
_MAX_SCANNED_APPS = 5000  # a bound on directory listings, not a limit anyone should reach


def applications_dir() -> str:
    return os.path.abspath(os.environ.get(APPLICATIONS_ENV) or "/Applications")


@dataclass(frozen=True)
class BundleInfo:
    path: str
    kind: str  # app | appex | sysex
    platform: str  # macos (Contents/ layout) | ios (flat layout)
    bundle_id: str | None
    extension_points: tuple[str, ...] = ()
    minimum_system_version: str | None = None
    versions: str | None = None  # "short/bundle"
    profile_path: str | None = None
    # Info.plist declares a system extension category other than Network Extension.
    other_category: bool = False

    @property
    def declares_ne(self) -> bool:
        return any(p.startswith(NE_POINT_PREFIX) for p in self.extension_points)

    @property
    def is_ne_provider(self) -> bool:
        if self.kind == "sysex":
            # One without NE keys is still the provider (sysex-unknown-category), unless it says
            # it is something else: probing an Endpoint Security client as "the provider" would
            # report its state and entitlements as the NE provider's.
            return self.declares_ne or not self.other_category
        return self.kind == "appex" and (not self.extension_points or self.declares_ne)


def _read_plist(path: Path) -> dict | None:
    try:
        if not path.is_file() or path.stat().st_size > _MAX_PLIST_BYTES:
            return None
        with path.open("rb") as fh:
            data = plistlib.load(fh)
    except Exception:  # unreadable or malformed: the bundle inspector reports it, probes skip it
        return None
    return data if isinstance(data, dict) else None


def _kind(path: Path) -> str | None:
    return {".app": "app", ".appex": "appex", ".systemextension": "sysex"}.get(path.suffix.lower())


def read_bundle(path: Path) -> BundleInfo | None:
    kind = _kind(path)
    if kind is None or not path.is_dir():
        return None
    macos = (path / "Contents").is_dir()
    info = _read_plist(path / "Contents" / "Info.plist" if macos else path / "Info.plist") or {}
    bid = info.get("CFBundleIdentifier")
    points: list[str] = []
    extension = info.get("NSExtension")
    if isinstance(extension, dict) and isinstance(extension.get("NSExtensionPointIdentifier"), str):
        points.append(extension["NSExtensionPointIdentifier"])
    network = info.get("NetworkExtension")
    if isinstance(network, dict) and isinstance(network.get("NEProviderClasses"), dict):
        points.extend(k for k in network["NEProviderClasses"] if isinstance(k, str))
    minimum = info.get("LSMinimumSystemVersion") if macos else None
    other_category = any(isinstance(k, str) and k.startswith(OTHER_CATEGORY_KEY_PREFIXES) for k in info)
    short, build = info.get("CFBundleShortVersionString"), info.get("CFBundleVersion")
    versions = f"{short}/{build}" if isinstance(short, str) and isinstance(build, str) else None
    profile = path / ("Contents/embedded.provisionprofile" if macos else "embedded.mobileprovision")
    return BundleInfo(
        path=str(path),
        kind=kind,
        platform="macos" if macos else "ios",
        bundle_id=bid if isinstance(bid, str) and is_identifier(bid) else None,
        extension_points=tuple(p for p in points if is_identifier(p)),
        minimum_system_version=minimum if isinstance(minimum, str) and VERSION_PATTERN.fullmatch(minimum) else None,
        versions=versions if versions and BUNDLE_VERSION_PATTERN.fullmatch(versions) else None,
        profile_path=str(profile) if profile.is_file() else None,
        other_category=other_category,
    )


def _children(folder: Path, suffix: str) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.suffix.lower() == suffix and p.is_dir())[:_MAX_SCANNED_APPS]
    except OSError:
        return []


def providers_of(app: BundleInfo) -> list[BundleInfo]:
    root = Path(app.path)
    if app.platform == "macos":
        candidates = _children(root / "Contents" / "PlugIns", ".appex") + _children(
            root / "Contents" / "Library" / "SystemExtensions", ".systemextension"
        )
    else:
        candidates = _children(root / "PlugIns", ".appex")
    found = [b for b in (read_bundle(c) for c in candidates) if b is not None and b.is_ne_provider]
    # A system extension without NE keys may be the provider with a broken Info.plist, unless
    # another one of the app declares the NE providers: then it is another category (an Endpoint
    # Security client, a camera extension...), which is not activated or listed as NE.
    if any(b.kind == "sysex" and b.declares_ne for b in found):
        found = [b for b in found if b.kind != "sysex" or b.declares_ne]
    return found


def _container_of(path: Path) -> Path | None:
    for parent in path.parents:
        if parent.suffix.lower() == ".app":
            return parent
    return None


def context_from_bundles(app: BundleInfo | None, providers: list[BundleInfo], apps_dir: str, bundle_id: str | None = None) -> ProbeContext:
    bundles = ([app] if app else []) + providers
    return ProbeContext(
        app_path=app.path if app else None,
        platform=bundles[0].platform if bundles else None,
        provider_paths=[p.path for p in providers],
        bundle_id=(app.bundle_id if app else None) or bundle_id,
        provider_bundle_ids=[p.bundle_id for p in providers if p.bundle_id],
        extension_points=[e for p in providers for e in p.extension_points],
        profile_paths=[b.profile_path for b in bundles if b.profile_path],
        sysex_bundle_ids=[p.bundle_id for p in providers if p.kind == "sysex" and p.bundle_id],
        minimum_system_versions={
            p.bundle_id: p.minimum_system_version for p in providers if p.bundle_id and p.minimum_system_version
        },
        bundle_versions={p.bundle_id: p.versions for p in providers if p.bundle_id and p.versions},
        applications_dir=apps_dir,
    )


def find_app_by_bundle_id(bundle_id: str, apps_dir: str | None = None) -> str | None:
    """A native app in the Applications folder with this id (app or one of its providers)."""
    for candidate in _children(Path(apps_dir or applications_dir()), ".app"):
        app = read_bundle(candidate)
        if app is None or app.platform != "macos":
            continue
        if app.bundle_id == bundle_id or any(p.bundle_id == bundle_id for p in providers_of(app)):
            return app.path
    return None


def discover_context(app_path: str | None, bundle_id: str | None = None) -> ProbeContext:
    """The probe subjects for `--app PATH` (an app, or a provider inside one) or a bundle id.

    Without either, the context is empty and only machine-wide probes can run. A .zip is not
    probed (nothing is installed from it). A path that does not exist is a UserError.
    """
    apps_dir = applications_dir()
    if bundle_id is not None:
        check_identifier(bundle_id, "bundle id")
    if app_path is None:
        found = find_app_by_bundle_id(bundle_id, apps_dir) if bundle_id else None
        if found is None:
            return ProbeContext(bundle_id=bundle_id, applications_dir=apps_dir)
        app_path = found
    if "\x00" in app_path or "\n" in app_path:
        raise UserError(f"{app_path!r}: not a valid path")
    path = Path(os.path.abspath(app_path))
    if not path.exists():
        raise UserError(f"{app_path}: no such file or folder")
    if path.is_file() and path.suffix.lower() in (".zip", ".ipa"):
        # Nothing is installed from an archive: no subject to probe, but its platform decides
        # whether this Mac's state may be held against it.
        return ProbeContext(bundle_id=bundle_id, applications_dir=apps_dir, platform=archive_platform(path))
    if not path.is_dir() or _kind(path) is None:
        raise UserError(f"{app_path}: not an app or provider bundle (.app, .appex or .systemextension folder)")
    if _kind(path) != "app":
        container = _container_of(path)
        provider = read_bundle(path)
        if container is None:
            return context_from_bundles(None, [provider] if provider else [], apps_dir, bundle_id)
        path = container
    app = read_bundle(path)
    return context_from_bundles(app, providers_of(app) if app else [], apps_dir, bundle_id)


_ARCHIVED_MACOS_APP = re.compile(r"^(?:[^/]+/)?[^/]+\.app/Contents/Info\.plist$")
_ARCHIVED_IOS_APP = re.compile(r"^(?:Payload/)?[^/]+\.app/Info\.plist$")


def archive_platform(path: Path) -> str | None:
    """macos or ios for a .zip/.ipa holding one app (by its layout), None when unclear."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()[:_MAX_SCANNED_APPS * 10]
    except (OSError, zipfile.BadZipFile, ValueError):
        return None  # the inspector reports a bad archive; probes just do not rely on it
    found = {"macos" for n in names if _ARCHIVED_MACOS_APP.match(n)} | {"ios" for n in names if _ARCHIVED_IOS_APP.match(n)}
    return found.pop() if len(found) == 1 else None


def find_ios_copies(bundle_ids: Iterable[str], apps_dir: str | None = None) -> list[BundleInfo]:
    """iOS apps on this Mac (…/<Name>.app/Wrapper/<Name>.app) and their appexes with these ids."""
    wanted = set(bundle_ids)
    found: list[BundleInfo] = []
    if not wanted:
        return found
    for outer in _children(Path(apps_dir or applications_dir()), ".app"):
        for inner in _children(outer / "Wrapper", ".app"):
            app = read_bundle(inner)
            if app is None:
                continue
            for bundle in [app, *(read_bundle(p) for p in _children(inner / "PlugIns", ".appex"))]:
                if bundle is not None and bundle.bundle_id in wanted:
                    found.append(bundle)
    return found


def ios_copy_observations(context: ProbeContext) -> list[Observation]:
    """ios_copy_installed / other_copy_installed = yes when an iOS build with our ids is installed."""
    copies = find_ios_copies(context.own_bundle_ids, context.applications_dir)
    if not copies:
        return []
    first = copies[0]
    detail = f"{first.path} ({first.bundle_id}), an iOS build installed on this Mac"
    return [
        Observation("ios_copy_installed", "yes", Source.PROBE, detail, "applications-scan"),
        Observation("other_copy_installed", "yes", Source.PROBE, detail, "applications-scan"),
    ]


def _registered_native_app(runs: list[ProbeRun]) -> str | None:
    """The first native (not iOS-wrapped) app that pluginkit or mdfind reported."""
    for run in runs:
        if run.exit_code != 0:
            continue
        if run.parser == "pluginkit":
            listing = read_pluginkit(run.stdout, run.stderr)
        elif run.parser == "mdfind_bundle_id":
            listing = read_mdfind(run.stdout)
        else:
            continue
        for copy in listing.copies if listing else ():
            path = Path(copy.path)
            app = path if path.suffix.lower() == ".app" else _container_of(path)
            if app is not None and WRAPPER_SEGMENT not in copy.path and ".xcarchive/" not in copy.path and app.is_dir():
                return str(app)
    return None


def refine_context(context: ProbeContext, runs: Iterable[ProbeRun]) -> ProbeContext:
    """Add what probe runs revealed: this app's VPN service ids (for `scutil --nc show`) and,
    when only a bundle id was known, the native app that pluginkit found registered."""
    runs = list(runs)
    refined = context
    if refined.app_path is None:
        app = _registered_native_app(runs)
        if app is not None:
            refined = dataclasses.replace(discover_context(app), vpn_service_ids=refined.vpn_service_ids)
    service_ids = list(refined.vpn_service_ids)
    for run in runs:
        if run.parser == "vpn_services" and run.exit_code == 0:
            services = read_vpn_services(run.stdout) or []
            service_ids += [s.service_id for s in own_services(services, refined)]
    if service_ids != refined.vpn_service_ids:
        refined = dataclasses.replace(refined, vpn_service_ids=service_ids)
    return refined
