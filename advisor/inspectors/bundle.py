"""App bundles on disk: the layout, the container app and the providers it embeds.

macOS: `X.app/Contents/{Info.plist, MacOS/, PlugIns/*.appex, Extensions/*.appex (ExtensionKit),
Library/SystemExtensions/*.systemextension, Frameworks/, embedded.provisionprofile}`; iOS: a flat
`X.app/{Info.plist, <executable>, PlugIns/*.appex, Extensions/*.appex, Frameworks/,
embedded.mobileprovision}`; either one inside a .zip (or an .ipa's Payload/). Each bundle part is
read into a `BundleComponent`; nothing is evaluated here.

Nothing outside the bundle is ever read: a symbolic link that leads out of it is recorded (in
`AppBundle.outside_links`) instead of followed.
"""

from __future__ import annotations

import dataclasses
import errno
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from advisor.exit_status import UserError
from advisor.inspectors.artifact_error import ArtifactError
from advisor.inspectors.bounded_read import read_bounded
from advisor.inspectors.bundle_archive import extract_bundle
from advisor.inspectors.code_signature import SLOT_INFO_PLIST, CodeSignature
from advisor.inspectors.containment import OUTSIDE, BundleRoot
from advisor.inspectors.macho import MachOFile, read_macho
from advisor.inspectors.plist_file import PLIST_LIMIT, read_plist_dict
from advisor.inspectors.provisioning_profile import ProvisioningProfile
from advisor.network_extension_ids import (
    EXTENSION_POINTS,
    NE_ENTITLEMENT,
    NE_EXTENSION_POINT_PREFIX,
    PROVIDER_ENTITLEMENT_VALUES,
    plain_value,
    provider_values,
)

MAX_PROVIDERS = 256  # per folder
MAX_LISTED_PROVIDERS = 20_000  # entries of a provider folder looked at to find them
MAX_FRAMEWORK_ENTRIES = 1024
MAX_LINKED_FRAMEWORKS = 64  # per component: frameworks read to look for a provider class


class ComponentKind(StrEnum):
    APP = "app"
    APPEX = "appex"
    SYSEX = "sysex"


@dataclass(frozen=True)
class LinkedLibrary:
    """One library a component's executable loads, and where it resolves inside the bundle."""

    name: str  # the install name, e.g. @rpath/TunnelKit.framework/Versions/A/TunnelKit
    weak: bool
    path: Path | None  # the file inside the bundle it resolves to (None: not inside the bundle)
    inside_component: bool  # resolves inside the component's own bundle (a copied sysex keeps it)
    system: bool  # an absolute path outside the bundle (the OS provides it; not readable here)
    class_names: frozenset[str] | None = None  # its Objective-C classes, when it was read
    read_error: str | None = None
    # Not reachable from the component, but the container app holds it where the app itself
    # loads it (Embed Frameworks in the app target only); class_names are then that copy's.
    app_copy: Path | None = None


@dataclass
class BundleComponent:
    kind: ComponentKind
    path: Path  # on disk (possibly inside a temporary extraction)
    display: str  # what the user sees: "MyApp.app/Contents/PlugIns/Tunnel.appex"
    platform: str  # macos | ios
    info: dict[str, Any] = field(default_factory=dict)
    info_error: str | None = None
    executable_display: str | None = None
    executable_path: Path | None = None
    executable_error: str | None = None  # missing, not a regular file, not Mach-O...
    executable_mode: int | None = None
    macho: MachOFile | None = None
    profile: ProvisioningProfile | None = None
    profile_display: str | None = None
    profile_error: str | None = None
    frameworks: tuple[str, ...] = ()
    info_plist_sealed: bool | None = None  # Info.plist matches the signature's special slot 1
    linked: tuple[LinkedLibrary, ...] = ()
    stapled_ticket: bool = False  # Contents/CodeResources: a notarisation ticket (macOS app)

    @property
    def contents_prefix(self) -> str:
        return f"{self.display}/Contents" if self.platform == "macos" else self.display

    @property
    def info_display(self) -> str:
        return f"{self.contents_prefix}/Info.plist"

    @property
    def bundle_id(self) -> str | None:
        value = self.info.get("CFBundleIdentifier")
        return value if isinstance(value, str) else None

    @property
    def signature(self) -> CodeSignature | None:
        if self.macho is None or not self.macho.slices:
            return None
        return self.macho.primary.signature

    @property
    def signature_error(self) -> str | None:
        if self.macho is None or not self.macho.slices:
            return None
        primary = self.macho.primary
        if primary.signature_error:
            return primary.signature_error
        if primary.signature and primary.signature.cms_error:
            return primary.signature.cms_error
        return None

    @property
    def entitlements_known(self) -> bool:
        """The signed entitlements could be read (an unsigned executable has none, knowingly).
        A missing or unreadable executable or signature settles nothing about entitlements."""
        return self.macho is not None and bool(self.macho.slices) and self.signature_error is None

    @property
    def signing_identity(self) -> str | None:
        """The signing_identity fact value, or None when it cannot be told (unreadable, not Apple)."""
        if self.macho is None:
            return None
        signature = self.signature
        if signature is None:
            return None if self.signature_error else "unsigned"
        if signature.cms_error:
            return None
        if signature.signer is None:
            return "ad-hoc"
        return {
            "apple-development": "apple-development",
            "apple-distribution": "apple-distribution",
            "app-store": "apple-distribution",
            "testflight": "apple-distribution",
            "developer-id": "developer-id",
        }.get(signature.signer.kind.value)

    @property
    def apple_store_signed(self) -> bool:
        """Re-signed by Apple for the App Store or TestFlight (not by the developer)."""
        signature = self.signature
        return bool(signature and signature.signer and signature.signer.kind.value in ("app-store", "testflight"))

    @property
    def entitlements(self) -> dict[str, Any]:
        signature = self.signature
        return signature.effective_entitlements if signature else {}

    @property
    def extension_kit(self) -> dict[str, Any] | None:
        """EXAppExtensionAttributes: an ExtensionKit extension (URL filter control provider...)."""
        value = self.info.get("EXAppExtensionAttributes")
        return value if isinstance(value, dict) else None

    @property
    def extension_point(self) -> str | None:
        ext = self.info.get("NSExtension")
        value = ext.get("NSExtensionPointIdentifier") if isinstance(ext, dict) else None
        if value is None and self.extension_kit is not None:
            value = self.extension_kit.get("EXExtensionPointIdentifier")
        return value if isinstance(value, str) else None

    @property
    def network_extension_info(self) -> dict[str, Any] | None:
        value = self.info.get("NetworkExtension")
        return value if isinstance(value, dict) else None

    @property
    def extension_points(self) -> list[str]:
        """The extension points this bundle declares (one for an appex, NEProviderClasses keys for a sysex)."""
        if self.kind is ComponentKind.APPEX:
            point = self.extension_point
            return [point] if point else []
        classes = (self.network_extension_info or {}).get("NEProviderClasses")
        return [str(k) for k in classes] if isinstance(classes, dict) else []

    @property
    def provider_classes(self) -> dict[str, Any]:
        """extension point -> class name, from NSExtension (appex) or NEProviderClasses (sysex).
        ExtensionKit extensions name no class (their entry point is compiled in)."""
        if self.kind is ComponentKind.APPEX:
            ext = self.info.get("NSExtension")
            point = self.extension_point
            if point and isinstance(ext, dict):
                return {point: ext.get("NSExtensionPrincipalClass")}
            return {}
        classes = (self.network_extension_info or {}).get("NEProviderClasses")
        return dict(classes) if isinstance(classes, dict) else {}

    @property
    def is_network_extension(self) -> bool:
        if self.kind is ComponentKind.APP:
            return False
        if self.entitlements_known and NE_ENTITLEMENT in self.entitlements:
            return True
        if self.kind is ComponentKind.APPEX:
            return (self.extension_point or "").startswith(NE_EXTENSION_POINT_PREFIX)
        return self.network_extension_info is not None

    @property
    def provider_types(self) -> list[str]:
        types = [EXTENSION_POINTS[p] for p in self.extension_points if p in EXTENSION_POINTS]
        if not types:  # fall back on what the provider is entitled to be
            by_value = {v: k for k, v in PROVIDER_ENTITLEMENT_VALUES.items() if k != "transparent-proxy"}
            types = [by_value[plain_value(v)] for v in provider_values(self.entitlements) if plain_value(v) in by_value]
        return sorted(set(types))

    @property
    def minimum_os(self) -> str | None:
        value = self.info.get("LSMinimumSystemVersion" if self.platform == "macos" else "MinimumOSVersion")
        return value if isinstance(value, str) else None

    def to_json(self) -> dict[str, Any]:
        info = self.info
        out: dict[str, Any] = {
            "path": self.display,
            "kind": self.kind.value,
            "bundle_id": self.bundle_id,
            "name": info.get("CFBundleName"),
            "version": info.get("CFBundleVersion"),
            "short_version": info.get("CFBundleShortVersionString"),
            "package_type": info.get("CFBundlePackageType"),
            "minimum_os": info.get("LSMinimumSystemVersion") or info.get("MinimumOSVersion"),
            "info_plist_error": self.info_error,
            "executable": {
                "path": self.executable_display,
                "error": self.executable_error,
                "mode": oct(self.executable_mode) if self.executable_mode is not None else None,
                **(self.macho.to_json() if self.macho else {}),
            },
            "signing_identity": self.signing_identity,
            "signature": self.signature.to_json() if self.signature else None,
            "signature_error": self.signature_error,
            "info_plist_sealed": self.info_plist_sealed,
            "entitlements": self.entitlements,
            "profile": self.profile.to_json() if self.profile else None,
            "profile_error": self.profile_error,
        }
        if self.kind is ComponentKind.APP:
            out["stapled_ticket"] = self.stapled_ticket
        else:
            out.update(
                network_extension=self.is_network_extension,
                provider_types=self.provider_types,
                extension_point=self.extension_point,
                provider_classes=self.provider_classes,
                mach_service_name=(self.network_extension_info or {}).get("NEMachServiceName"),
                frameworks=list(self.frameworks),
            )
        return out


@dataclass
class AppBundle:
    source: str  # the path as given
    packaging: str  # directory | zip
    platform: str  # macos | ios
    app: BundleComponent | None  # None when a provider bundle was given on its own
    providers: list[BundleComponent]
    modes_known: bool = True  # False for archives that do not record permissions
    misplaced: list[str] = field(default_factory=list)  # provider bundles where the system never looks
    location: Path | None = None  # the root bundle's absolute folder on disk (None inside an archive)
    outside_links: list[str] = field(default_factory=list)  # symlinks leading out of the bundle (not followed)

    @property
    def root(self) -> BundleComponent:
        return self.app if self.app is not None else self.providers[0]

    @property
    def components(self) -> list[BundleComponent]:
        return ([self.app] if self.app else []) + self.providers

    @property
    def network_providers(self) -> list[BundleComponent]:
        return [p for p in self.providers if p.is_network_extension]


def _layout(folder: Path) -> str | None:
    if (folder / "Contents" / "Info.plist").is_file():
        return "macos"
    if (folder / "Info.plist").is_file():
        return "ios"
    return None


@dataclass
class _Reader:
    """Reads the parts of one bundle, never outside `root`, recording links that leave it."""

    root: BundleRoot
    outside_links: list[str] = field(default_factory=list)

    def guard(self, path: Path, display: str) -> bool:
        """True when `path` may be read; False (and recorded) when it leads outside the bundle."""
        if self.root.leaves(path):
            if display not in self.outside_links:
                self.outside_links.append(display)
            return False
        return True

    def component(self, kind: ComponentKind, folder: Path, display: str, platform: str) -> BundleComponent:
        comp = BundleComponent(kind, folder, display, platform)
        contents = folder / "Contents" if platform == "macos" else folder
        if not self.guard(contents / "Info.plist", comp.info_display):
            comp.info_error = f"Info.plist {OUTSIDE}"
        else:
            try:
                comp.info = read_plist_dict(contents / "Info.plist")
            except ArtifactError as exc:
                comp.info_error = f"Info.plist {exc}"
        name = comp.info.get("CFBundleExecutable")
        if isinstance(name, str) and name and "/" not in name and name not in (".", ".."):
            exe = contents / "MacOS" / name if platform == "macos" else contents / name
            comp.executable_display = f"{comp.contents_prefix}/MacOS/{name}" if platform == "macos" else f"{display}/{name}"
            comp.executable_path = exe
            if self.guard(exe, comp.executable_display):
                _read_executable(comp, exe)
            else:
                comp.executable_error = OUTSIDE
        elif comp.info_error is None:
            comp.executable_error = "Info.plist names no CFBundleExecutable"
        profile_name = "embedded.provisionprofile" if platform == "macos" else "embedded.mobileprovision"
        profile_path = contents / profile_name
        if os.path.lexists(profile_path):
            comp.profile_display = f"{comp.contents_prefix}/{profile_name}"
            if not self.guard(profile_path, comp.profile_display):
                comp.profile_error = f"{profile_name} {OUTSIDE}"
            else:
                try:
                    comp.profile = ProvisioningProfile.read(profile_path, comp.profile_display)
                except ArtifactError as exc:
                    comp.profile_error = f"{profile_name} {exc}"
        comp.frameworks = self.listing(contents / "Frameworks", f"{comp.contents_prefix}/Frameworks")
        if kind is ComponentKind.APP and platform == "macos":
            ticket = contents / "CodeResources"
            comp.stapled_ticket = ticket.is_file() and self.guard(ticket, f"{comp.contents_prefix}/CodeResources")
        if comp.info_error is None:
            _check_info_seal(comp, contents / "Info.plist")
        return comp

    def listing(self, folder: Path, display: str, limit: int = 0) -> tuple[str, ...]:
        """The visible entries of a folder inside the bundle (none when it leaves the bundle), at
        most `limit` of them (default MAX_FRAMEWORK_ENTRIES)."""
        limit = limit or MAX_FRAMEWORK_ENTRIES
        if not folder.is_dir() or not self.guard(folder, display):
            return ()
        try:
            with os.scandir(folder) as entries:
                names = []
                for entry in entries:
                    names.append(entry.name)
                    if len(names) >= limit:
                        break
        except OSError:
            return ()
        return tuple(sorted(n for n in names if not n.startswith(".")))


def _read_executable(comp: BundleComponent, exe: Path) -> None:
    try:
        st = os.stat(exe)
    except FileNotFoundError:
        comp.executable_error = "missing"
        return
    except OSError as exc:
        comp.executable_error = f"cannot be read: {exc.strerror or exc}"
        return
    if not stat.S_ISREG(st.st_mode):
        comp.executable_error = "is not a regular file"
        return
    comp.executable_mode = stat.S_IMODE(st.st_mode)
    try:
        comp.macho = read_macho(exe, comp.executable_display or "")
    except ArtifactError as exc:
        comp.executable_error = exc.message


def _check_info_seal(comp: BundleComponent, info_path: Path) -> None:
    signature = comp.signature
    if signature is None or comp.info_error:
        return
    try:
        comp.info_plist_sealed = signature.best.special_slot_matches(
            SLOT_INFO_PLIST, read_bounded(info_path, PLIST_LIMIT)
        )
    except ArtifactError:
        comp.info_plist_sealed = None


# Where the system looks for providers, relative to the app's Contents (macOS) or the app (iOS).
_PROVIDER_PLACES = {
    "macos": (
        ("PlugIns", ".appex", ComponentKind.APPEX),
        ("Extensions", ".appex", ComponentKind.APPEX),  # ExtensionKit extensions
        ("Library/SystemExtensions", ".systemextension", ComponentKind.SYSEX),
    ),
    "ios": (("PlugIns", ".appex", ComponentKind.APPEX), ("Extensions", ".appex", ComponentKind.APPEX)),
}


def _providers(reader: _Reader, app_dir: Path, app_display: str, platform: str) -> list[BundleComponent]:
    contents = app_dir / "Contents" if platform == "macos" else app_dir
    prefix = f"{app_display}/Contents" if platform == "macos" else app_display
    found: list[BundleComponent] = []
    for folder, suffix, kind in _PROVIDER_PLACES[platform]:
        names = [n for n in reader.listing(contents / folder, f"{prefix}/{folder}", MAX_LISTED_PROVIDERS) if n.endswith(suffix)]
        # Real bundles first (an Info.plist where the platform keeps it), so that folders of
        # empty look-alikes cannot push the providers past the cap.
        info = "Contents/Info.plist" if platform == "macos" else "Info.plist"
        names.sort(key=lambda n: (not (contents / folder / n / info).is_file(), n))
        for name in names[:MAX_PROVIDERS]:
            path = contents / folder / name
            display = f"{prefix}/{folder}/{name}"
            if not reader.guard(path, display):
                continue
            if path.is_dir():  # False for symlink loops
                found.append(reader.component(kind, path, display, platform))
    return found


# Folders where build systems are known to drop providers by mistake (Resources, Frameworks...).
_WRONG_PLACES = {
    "macos": (
        "Contents",
        "Contents/Resources",
        "Contents/Frameworks",
        "Contents/Library",
        "Contents/MacOS",
        "Contents/PlugIns",
        "Contents/Extensions",
    ),
    "ios": ("", "Frameworks", "Resources"),
}


def _misplaced(app_dir: Path, app_display: str, platform: str) -> list[str]:
    found = []
    for folder in _WRONG_PLACES[platform]:
        base = app_dir / folder if folder else app_dir
        try:
            with os.scandir(base) as entries:
                names = sorted(e.name for e in entries)[:MAX_PROVIDERS]
        except OSError:
            continue
        for name in names:
            wrong_sysex = name.endswith(".systemextension")
            wrong_appex = name.endswith(".appex") and folder not in ("Contents/PlugIns", "Contents/Extensions")
            if wrong_sysex or wrong_appex:
                found.append(f"{app_display}/{folder}/{name}" if folder else f"{app_display}/{name}")
    return found


def _kind_of(folder: Path) -> ComponentKind:
    if folder.name.endswith(".systemextension"):
        return ComponentKind.SYSEX
    if folder.name.endswith(".appex"):
        return ComponentKind.APPEX
    return ComponentKind.APP


def _enclosing_app(folder: Path) -> Path | None:
    """For a provider inside an app (X.app/Contents/PlugIns/Y.appex), the app around it."""
    for parent in list(folder.parents)[:6]:
        if parent.name.endswith(".app") and _layout(parent):
            return parent
    return None


def load_bundle(folder: Path, source: str, packaging: str = "directory", modes_known: bool = True) -> AppBundle:
    platform = _layout(folder)
    if platform is None:
        raise UserError(f"{source}: not an app bundle (no Contents/Info.plist or Info.plist inside)")
    kind = _kind_of(folder)
    display = folder.name
    location = folder.resolve() if packaging == "directory" else None
    reader = _Reader(BundleRoot(folder))
    if kind is ComponentKind.APP:
        app = reader.component(ComponentKind.APP, folder, display, platform)
        if app.info_error:
            raise UserError(f"{source}: {app.info_display}: {app.info_error.removeprefix('Info.plist ')}")
        providers = _providers(reader, folder, display, platform)
        misplaced = _misplaced(folder, display, platform)
        bundle = AppBundle(source, packaging, platform, app, providers, modes_known, misplaced, location)
    else:
        provider = reader.component(kind, folder, display, platform)
        bundle = AppBundle(source, packaging, platform, None, [provider], modes_known, location=location)
    for comp in bundle.components:
        comp.linked = resolve_linkage(reader, comp, bundle)
    bundle.outside_links = reader.outside_links
    return bundle


@contextmanager
def open_bundle(path: Path) -> Iterator[AppBundle]:
    """Yield the bundle at `path` (a folder, or a .zip/.ipa of one); UserError if it is not one."""
    source = str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise UserError(f"{source}: no such file or directory") from None
    except OSError as exc:
        reason = "symbolic link loop" if exc.errno == errno.ELOOP else (exc.strerror or str(exc))
        raise UserError(f"{source}: {reason}") from None
    if stat.S_ISDIR(st.st_mode):
        folder = Path(path)
        if folder.name == "Contents" and _layout(folder.parent) == "macos":
            folder = folder.parent  # X.app/Contents given: the bundle is X.app
        if _kind_of(folder) is not ComponentKind.APP and not folder.name.endswith(".app"):
            enclosing = _enclosing_app(folder.resolve())
            if enclosing is not None:
                folder = enclosing
        yield load_bundle(folder, source)
        return
    if not stat.S_ISREG(st.st_mode):
        raise UserError(f"{source}: not an app bundle, a .zip or an .ipa")
    if not _looks_like_zip(path):
        raise UserError(f"{source}: not an app bundle, a .zip or an .ipa (a {st.st_size}-byte file)")
    extracted = extract_bundle(Path(path))
    try:
        yield load_bundle(extracted.bundle_dir, source, "zip", extracted.modes_known)
    finally:
        extracted.cleanup()


def _looks_like_zip(path: Path) -> bool:
    if path.suffix.lower() in (".zip", ".ipa"):
        return True  # let the archive reader say what is wrong with it
    try:
        with open(path, "rb") as handle:
            return handle.read(4) in (b"PK\x03\x04", b"PK\x05\x06")
    except OSError:
        return False


# ---- linkage: which libraries an executable loads, and where they resolve -----------------------

def _substitute(path: str, exe_dir: Path) -> tuple[Path, bool] | None:
    """(the path, whether it is relative to the executable) for an install name or rpath."""
    for token in ("@executable_path", "@loader_path"):  # the main executable: both are its folder
        if path.startswith(token + "/"):
            return exe_dir / path[len(token) + 1 :], True
    return (Path(path), False) if path.startswith("/") else None


def _contains(folder: Path, path: Path) -> bool:
    real, base = os.path.realpath(path), os.path.realpath(folder)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def resolve_linkage(reader: _Reader, comp: BundleComponent, bundle: AppBundle) -> tuple[LinkedLibrary, ...]:
    """Each library the component's executable loads, resolved the way dyld would from where the
    component sits now; libraries found inside the bundle are read for their class names.
    Absolute paths (the OS's libraries) are never looked at: they are outside the bundle."""
    if comp.macho is None or not comp.macho.slices or comp.executable_path is None:
        return ()
    primary = comp.macho.primary
    exe_dir = comp.executable_path.parent
    out: list[LinkedLibrary] = []
    for ref in primary.dylibs[:MAX_LINKED_FRAMEWORKS]:
        if ref.name.startswith("@rpath/"):
            rest = ref.name[len("@rpath/") :]
            bases = [b for b in (_substitute(r, exe_dir) for r in primary.rpaths) if b is not None]
            candidates = [(base / rest, relative) for base, relative in bases]
        else:
            single = _substitute(ref.name, exe_dir)
            candidates = [single] if single is not None else []
        inside = [c for c, relative in candidates if relative and reader.root.contains(c)]
        found = next((c for c in inside if c.is_file()), None)
        # The library's own folder (X.framework) is there but its binary is not (an archive keeps
        # only main executables), or the binary cannot be read: it may hold classes we cannot see.
        rpath_relative = ref.name.startswith("@rpath/")
        present = next((c for c in inside if rpath_relative and _top_folder(c, ref.name).exists()), None)
        if found is not None:
            library = _read_classes(LinkedLibrary(ref.name, ref.weak, found, _contains(comp.path, found), False), found)
        elif present is not None:
            library = LinkedLibrary(ref.name, ref.weak, None, _contains(comp.path, present), False, None, "its binary is not in the bundle")
        else:
            # Not in the bundle, and an absolute runpath (the OS's, e.g. /usr/lib/swift) may hold it.
            system = any(not relative for _, relative in candidates)
            library = LinkedLibrary(ref.name, ref.weak, None, False, system, None, None if system else "not found")
            held = _app_copy(reader, comp, bundle, ref.name)
            # An absolute runpath supplies the OS's dylibs (the Swift runtime), never a framework
            # bundle the developer embeds in the app: that one is theirs, out of the component's reach.
            if held is not None and (not system or _is_framework(ref.name)):
                library = _read_classes(LinkedLibrary(ref.name, ref.weak, None, False, False, app_copy=held), held)
        out.append(library)
    return tuple(out)


def _read_classes(library: LinkedLibrary, path: Path) -> LinkedLibrary:
    try:
        return dataclasses.replace(library, class_names=read_macho(path).primary.objc_class_names or frozenset())
    except ArtifactError as exc:
        return dataclasses.replace(library, read_error=exc.message)


def _is_framework(install_name: str) -> bool:
    return install_name.removeprefix("@rpath/").split("/", 1)[0].endswith(".framework")


def _app_copy(reader: _Reader, comp: BundleComponent, bundle: AppBundle, install_name: str) -> Path | None:
    """The container app's own copy of an @rpath library, found through the app's runpaths."""
    app = bundle.app
    if app is None or comp is app or not install_name.startswith("@rpath/"):
        return None
    if app.macho is None or not app.macho.slices or app.executable_path is None:
        return None
    rest = install_name[len("@rpath/") :]
    for rpath in app.macho.primary.rpaths:
        base = _substitute(rpath, app.executable_path.parent)
        if base is not None and base[1] and reader.root.contains(base[0] / rest) and (base[0] / rest).is_file():
            return base[0] / rest
    return None


def _top_folder(candidate: Path, name: str) -> Path:
    """For `<base>/X.framework/Versions/A/X` resolved from `@rpath/X.framework/...`, `<base>/X.framework`."""
    depth = name.removeprefix("@rpath/").count("/")
    folder = candidate
    for _ in range(depth):
        folder = folder.parent
    return folder
