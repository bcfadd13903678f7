"""Checks of packaging, Info.plist declarations, executables and distribution prerequisites.

Which channels and provider types each rule concerns is stated in knowledge/bundle-rules.yaml
(`applies_to`); the checks here report what they see and `CheckContext.find` keeps a finding
only where its rule applies.
"""

from __future__ import annotations

from advisor.inspectors.bundle import BundleComponent, ComponentKind, LinkedLibrary
from advisor.inspectors.check_context import CheckContext, is_true
from advisor.network_extension_ids import (
    EXTENSION_POINTS,
    FILTER_CONTROL_POINT,
    FILTER_DATA_POINT,
    GET_TASK_ALLOW_ENTITLEMENTS,
    NE_ENTITLEMENT,
    NE_EXTENSION_POINT_PREFIX,
    PROVIDER_ENTITLEMENT_VALUES,
    SYSTEM_EXTENSION_SUFFIX,
    VALUES_WITH_SYSTEM_EXTENSION_FORM,
    app_groups,
    plain_value,
    provider_values,
)

SYSEX_SUFFIX = ".systemextension"


def check_unreadable(ctx: CheckContext) -> None:
    for path in ctx.bundle.outside_links:
        ctx.find("symlink-leaves-bundle", path, "It was not followed.")
    for comp in ctx.bundle.providers:
        if comp.info_error:
            rule = "sysex-info-plist-unreadable" if comp.kind is ComponentKind.SYSEX else "appex-info-plist-unreadable"
            ctx.find(rule, comp.info_display, f"({comp.info_error}).", comp=comp, packaging=comp.kind.value)
    for comp in ctx.bundle.components:
        if comp.profile_error:
            ctx.find("profile-unreadable", comp.profile_display or comp.display, f"({comp.profile_error}).")
        if comp.kind is ComponentKind.APP or comp.is_network_extension:
            error = comp.signature_error
            if comp.executable_error and comp.kind is ComponentKind.APP and comp.executable_error != "missing":
                error = f"executable {comp.executable_error}"
            if error:
                ctx.find("code-signature-unreadable", comp.executable_display or comp.display, f"({error}).", comp=comp)


def check_packaging(ctx: CheckContext) -> None:
    """macOS app extensions: only some provider types, and only some channels, may be one."""
    if not ctx.macos:
        return
    for comp in ctx.providers:
        if comp.kind is not ComponentKind.APPEX:
            continue
        if comp.signing_identity == "developer-id":
            signer = comp.signature.signer.common_name if comp.signature and comp.signature.signer else ""
            ctx.find("appex-signed-developer-id", comp.display, f'Signed by "{signer}".', "code signature", comp=comp)
        if comp.provider_types:
            ctx.find(
                "macos-sysex-only-provider-as-appex",
                comp.info_display,
                f"Its extension point {comp.extension_point} is a {', '.join(comp.provider_types)} provider.",
                "NSExtension.NSExtensionPointIdentifier",
                comp=comp,
            )


def check_developer_id_values(ctx: CheckContext) -> None:
    if not ctx.macos:
        return
    sysexes = [p for p in ctx.providers if p.kind is ComponentKind.SYSEX]
    targets = list(sysexes)
    if sysexes and ctx.app is not None:
        targets.insert(0, ctx.app)
    sysex_types = sorted({t for p in sysexes for t in p.provider_types})
    for comp in targets:
        if comp.signing_identity != "developer-id":
            continue
        plain = [v for v in provider_values(comp.entitlements) if v in VALUES_WITH_SYSTEM_EXTENSION_FORM]
        if plain:
            wanted = ", ".join(v + SYSTEM_EXTENSION_SUFFIX for v in plain)
            ctx.find(
                "developer-id-plain-ne-values",
                comp.display,
                f"Signed with Developer ID but with {', '.join(plain)}; expected {wanted}.",
                NE_ENTITLEMENT,
                comp=comp,
                packaging="sysex",
                provider_types=comp.provider_types if comp is not ctx.app else sysex_types,
            )


def check_notarization_prerequisites(ctx: CheckContext) -> None:
    if not ctx.macos:
        return
    for comp in ([ctx.app] if ctx.app else []) + ctx.providers:
        signature = comp.signature
        if signature is None or comp.signing_identity != "developer-id":
            continue
        if not signature.hardened_runtime:
            ctx.find(
                "developer-id-without-hardened-runtime",
                comp.executable_display or comp.display,
                f"CodeDirectory flags 0x{signature.flags:x}.",
                "CodeDirectory flags",
                comp=comp,
            )
        if signature.cms and not signature.cms.has_timestamp:
            ctx.find(
                "developer-id-without-secure-timestamp",
                comp.executable_display or comp.display,
                "The CMS signature has no RFC 3161 time-stamp token.",
                "CMS unsigned attributes",
                comp=comp,
            )
        for key in GET_TASK_ALLOW_ENTITLEMENTS:
            if is_true(comp.entitlements.get(key)):
                ctx.find("developer-id-get-task-allow", comp.display, "", key, comp=comp)


def check_hardened_runtime_fact(ctx: CheckContext) -> None:
    if not ctx.macos:
        return
    for comp in ([ctx.app] if ctx.app else []) + ctx.providers:
        signature = comp.signature
        if signature is None or comp.signing_identity in (None, "unsigned"):
            continue
        value = "yes" if signature.hardened_runtime else "no"
        ctx.observe(
            "hardened_runtime",
            value,
            f"{comp.executable_display}: CodeDirectory flags 0x{signature.flags:x}",
            comp.executable_display or comp.display,
        )


def check_sysex_declarations(ctx: CheckContext) -> None:
    for comp in ctx.providers:
        if comp.kind is not ComponentKind.SYSEX or comp.info_error:
            continue
        package_type = comp.info.get("CFBundlePackageType")
        classes = (comp.network_extension_info or {}).get("NEProviderClasses")
        declared = "present" if isinstance(classes, dict) and classes else "missing"
        summary = f"{comp.info_display}: CFBundlePackageType={package_type!r}, NEProviderClasses {declared}"
        failed = False
        if package_type != "SYSX":
            failed = True
            ctx.find(
                "sysex-package-type-not-sysx",
                comp.info_display,
                f"It is {package_type!r}.",
                "CFBundlePackageType",
                comp=comp,
                fact="sysex_category_declared",
                fact_detail=summary,
            )
        if comp.network_extension_info is None:
            failed = True
            ctx.find(
                "sysex-no-provider-classes",
                comp.info_display,
                "There is no NetworkExtension dictionary.",
                "NetworkExtension",
                comp=comp,
                fact="sysex_category_declared",
                fact_detail=summary,
            )
        elif not isinstance(classes, dict) or not classes:
            failed = True
            ctx.find(
                "sysex-no-provider-classes",
                comp.info_display,
                "NetworkExtension has no NEProviderClasses entries.",
                "NetworkExtension.NEProviderClasses",
                comp=comp,
                fact="sysex_category_declared",
                fact_detail=summary,
            )
        if not failed:
            ctx.observe("sysex_category_declared", "yes", summary, comp.info_display)


def check_sysex_identity(ctx: CheckContext) -> None:
    """sysextd finds a system extension by its file name: `<CFBundleIdentifier>.systemextension`."""
    for comp in ctx.providers:
        if comp.kind is not ComponentKind.SYSEX or comp.info_error:
            continue
        name = comp.path.name
        bundle_id = comp.bundle_id
        if not bundle_id:
            ctx.find(
                "sysex-file-name-mismatch",
                comp.info_display,
                "It has no CFBundleIdentifier.",
                "CFBundleIdentifier",
                comp=comp,
                fact="sysex_name_matches_id",
                fact_detail=f"{comp.info_display}: no CFBundleIdentifier",
            )
        elif name != bundle_id + SYSEX_SUFFIX:
            ctx.find(
                "sysex-file-name-mismatch",
                comp.display,
                f"It is named {name!r}; its CFBundleIdentifier {bundle_id!r} asks for {bundle_id + SYSEX_SUFFIX!r}.",
                "CFBundleIdentifier",
                comp=comp,
                fact="sysex_name_matches_id",
                fact_detail=f"{comp.display}: named {name!r}, CFBundleIdentifier {bundle_id!r}",
            )
        else:
            ctx.observe("sysex_name_matches_id", "yes", f"{comp.display} is named after {bundle_id!r}", comp.display)


def check_mach_service(ctx: CheckContext) -> None:
    for comp in ctx.providers:
        if comp.kind is not ComponentKind.SYSEX or comp.info_error:
            continue
        if comp.network_extension_info is None:
            continue  # no NetworkExtension dictionary at all: reported as sysex-no-provider-classes
        key = "NetworkExtension.NEMachServiceName"
        name = comp.network_extension_info.get("NEMachServiceName")
        if not isinstance(name, str) or not name:
            ctx.find(
                "mach-service-name-missing",
                comp.info_display,
                "",
                key,
                comp=comp,
                fact="mach_service_valid",
                fact_detail=f"{comp.info_display}: no {key}",
            )
            continue
        if not comp.entitlements_known:
            continue  # its app groups cannot be read
        groups = app_groups(comp.entitlements)
        if not any(name.startswith(group + ".") for group in groups):
            entitled = ", ".join(groups) if groups else "no app group at all"
            ctx.find(
                "mach-service-name-not-in-app-group",
                comp.info_display,
                f"It is {name!r}; the extension is entitled to {entitled}.",
                key,
                comp=comp,
                fact="mach_service_valid",
                fact_detail=f"{comp.info_display}: {key}={name!r} not prefixed by an entitled app group",
            )
        else:
            ctx.observe("mach_service_valid", "yes", f"{comp.info_display}: {key}={name!r}", comp.info_display)


def _swift_runtime_name(name: str) -> str | None:
    """`Module.Class` -> the Objective-C runtime name Swift gives it (`_TtC6Module5Class`)."""
    parts = name.split(".")
    if len(parts) != 2 or not all(parts):
        return None
    module, cls = parts
    return f"_TtC{len(module.encode())}{module}{len(cls.encode())}{cls}"


def _searchable_libraries(comp: BundleComponent) -> tuple[list[LinkedLibrary], list[str]]:
    """The bundle's own libraries the provider loads (read), and those it could not read."""
    read: list[LinkedLibrary] = []
    unread: list[str] = []
    for lib in comp.linked:
        if lib.system:
            continue  # the OS's libraries hold no class of the developer's
        if lib.class_names is not None:
            read.append(lib)
        else:
            unread.append(lib.name)
    return read, unread


def check_principal_class(ctx: CheckContext) -> None:
    """The class named in the Info.plist must exist in the provider's executable or in a library
    it loads from the bundle. When a library it loads could not be read, the class may be there:
    that is a warning, never an error."""
    for comp in ctx.providers:
        if comp.info_error or comp.extension_kit is not None:
            continue  # ExtensionKit extensions name no class
        key = (
            "NSExtension.NSExtensionPrincipalClass"
            if comp.kind is ComponentKind.APPEX
            else "NetworkExtension.NEProviderClasses"
        )
        classes = comp.provider_classes
        if comp.kind is ComponentKind.SYSEX and not classes:
            continue  # reported as sysex-no-provider-classes
        if comp.kind is ComponentKind.APPEX and comp.extension_point not in EXTENSION_POINTS:
            continue  # not registered as a provider at all: appex-extension-point-invalid (or not an NE)
        if not classes or not any(isinstance(v, str) and v.strip() for v in classes.values()):
            ctx.find(
                "principal-class-unresolved",
                comp.info_display,
                "No provider class is named.",
                key,
                comp=comp,
                fact="principal_class_resolves",
                fact_detail=f"{comp.info_display}: {key} missing",
            )
            continue
        names = comp.macho.primary.objc_class_names if comp.macho and comp.macho.slices else None
        libraries, unread = _searchable_libraries(comp)
        for point, value in classes.items():
            where = key if comp.kind is ComponentKind.APPEX else f"{key}.{point}"
            if not isinstance(value, str) or not value.strip():
                ctx.find(
                    "principal-class-unresolved",
                    comp.info_display,
                    "The class name is empty.",
                    where,
                    comp=comp,
                    fact="principal_class_resolves",
                    fact_detail=f"{comp.info_display}: {where} empty",
                )
                continue
            if "$(" in value:
                ctx.find(
                    "principal-class-unresolved",
                    comp.info_display,
                    f"{value!r} still contains an unexpanded build setting.",
                    where,
                    comp=comp,
                    fact="principal_class_resolves",
                    fact_detail=f"{comp.info_display}: {where}={value!r} unexpanded",
                )
                continue
            wanted = {value, *([r] if (r := _swift_runtime_name(value)) else [])}
            if names is None:
                if "." not in value:
                    ctx.find("principal-class-no-module-prefix", comp.info_display, f"It is {value!r}.", where, comp=comp)
                continue  # no class list to look in
            holder = comp.executable_display if wanted & names else None
            for lib in libraries:
                if holder is None and lib.class_names and wanted & lib.class_names:
                    # In the app's copy only: the class exists; that the provider cannot load the
                    # framework is its own finding (sysex-loads-framework-from-app).
                    holder = lib.name + (" (the app's copy)" if lib.app_copy is not None else "")
            if holder is not None:
                ctx.observe(
                    "principal_class_resolves",
                    "yes",
                    f"{comp.info_display}: {where}={value!r} found in {holder}",
                    comp.info_display,
                )
                continue
            if value.count(".") > 1:
                continue  # a nested or namespaced name this reading cannot map to a runtime name
            hint = "" if "." in value else " (a Swift class needs its module prefix, e.g. Module.Class)"
            searched = ", ".join([comp.executable_display or comp.display, *(lib.name for lib in libraries)])
            if unread:
                ctx.find(
                    "principal-class-in-unread-library",
                    comp.info_display,
                    f"{value!r} is not in {searched}; it may be in {', '.join(unread)}, which could not be read{hint}.",
                    where,
                    comp=comp,
                    fact="principal_class_resolves",
                )
                continue
            ctx.find(
                "principal-class-unresolved",
                comp.info_display,
                f"{value!r} is not among the Objective-C classes of {searched}{hint}.",
                where,
                comp=comp,
                fact="principal_class_resolves",
                fact_detail=f"{comp.info_display}: {where}={value!r} not found in the executable or its libraries",
            )


def check_appex_declarations(ctx: CheckContext) -> None:
    """An app extension is registered by its extension point, and only as an XPC! bundle."""
    for comp in ctx.bundle.providers:
        if comp.kind is not ComponentKind.APPEX or comp.info_error:
            continue
        point = comp.extension_point
        entitled = comp.entitlements_known and any(
            plain_value(v) in PROVIDER_ENTITLEMENT_VALUES.values() for v in provider_values(comp.entitlements)
        )
        unknown_ne_point = point is not None and point.startswith(NE_EXTENSION_POINT_PREFIX) and point not in EXTENSION_POINTS
        if (entitled and not point) or unknown_ne_point:
            seen = f"It declares {point!r}." if point else "It declares no NSExtension / NSExtensionPointIdentifier."
            ctx.find(
                "appex-extension-point-invalid",
                comp.info_display,
                seen,
                "NSExtension.NSExtensionPointIdentifier",
                comp=comp,
                provider_types=comp.provider_types or None,
                fact="provider_embedded",
                fact_detail=f"{comp.display} cannot be registered as a provider (no known extension point)",
            )
        if comp.is_network_extension and comp.info.get("CFBundlePackageType") != "XPC!":
            ctx.find(
                "appex-package-type-not-xpc",
                comp.info_display,
                f"It is {comp.info.get('CFBundlePackageType')!r}.",
                "CFBundlePackageType",
                comp=comp,
                fact="provider_embedded",  # a doubt: whether the system registers it is not documented
            )


def _version(text: str | None) -> tuple[int, ...] | None:
    if not text:
        return None
    try:
        parts = [int(p) for p in text.strip().split(".")]
    except ValueError:
        return None
    return tuple([*parts, 0, 0, 0][:3]) if len(parts) <= 3 else tuple(parts)


def check_minimum_os(ctx: CheckContext) -> None:
    """A provider that asks for a newer OS than its app, or whose executable was built for a newer
    OS than its Info.plist says, does not run on the OS versions in between."""
    app = ctx.app
    app_min = _version(app.minimum_os) if app else None
    for comp in ctx.providers:
        if comp.info_error:
            continue
        declared = _version(comp.minimum_os)
        key = "LSMinimumSystemVersion" if ctx.macos else "MinimumOSVersion"
        if app is not None and declared and app_min and declared > app_min:
            ctx.find(
                "provider-minimum-os-above-app",
                comp.info_display,
                f"It needs {comp.minimum_os}; {app.display} runs from {app.minimum_os}.",
                key,
                comp=comp,
                fact="deployment_target_ok",
            )
        built = comp.macho.primary.min_os if comp.macho and comp.macho.slices else None
        built_version = _version(built)
        if declared and built_version and built_version > declared:
            ctx.find(
                "minimum-os-below-executable",
                comp.info_display,
                f"Info.plist says {comp.minimum_os}; {comp.executable_display} was built for {built} at least.",
                key,
                comp=comp,
                fact="deployment_target_ok",
            )


def check_provider_layout(ctx: CheckContext) -> None:
    app = ctx.app
    for comp in ctx.providers:
        if (
            app is not None
            and comp.kind is ComponentKind.APPEX
            and app.bundle_id
            and comp.bundle_id
            and not comp.bundle_id.startswith(app.bundle_id + ".")
        ):
            ctx.find(
                "provider-bundle-id-not-prefixed",
                comp.info_display,
                f"{comp.bundle_id!r} does not start with {app.bundle_id + '.'!r}.",
                "CFBundleIdentifier",
                comp=comp,
            )
        if comp.info_error:
            continue
        exe = comp.executable_display or comp.display
        if comp.executable_error in ("missing", "Info.plist names no CFBundleExecutable"):
            detail = "" if comp.executable_error == "missing" else "Its Info.plist names no CFBundleExecutable."
            ctx.find(
                "provider-executable-missing",
                exe,
                detail,
                comp=comp,
                fact="provider_executable_ok",
                fact_detail=f"{exe} {comp.executable_error}",
            )
        elif comp.executable_error:
            # Not a permission problem: the file is damaged or not the one signed (its own diagnosis).
            ctx.find("provider-executable-unreadable", exe, f"({comp.executable_error}).", comp=comp)
        elif ctx.bundle.modes_known and comp.executable_mode is not None and not comp.executable_mode & 0o111:
            ctx.find(
                "provider-executable-not-executable",
                exe,
                f"Its mode is {comp.executable_mode:o}.",
                comp=comp,
                fact="provider_executable_ok",
                fact_detail=f"{exe} has mode {comp.executable_mode:o}",
            )
        elif ctx.bundle.modes_known:
            ctx.observe("provider_executable_ok", "yes", f"{exe} is an executable Mach-O file", exe)
        if ctx.bundle.platform == "ios" and comp.kind is ComponentKind.APPEX:
            if comp.frameworks:
                ctx.find(
                    "ios-appex-embeds-frameworks",
                    f"{comp.display}/Frameworks",
                    f"It holds {', '.join(comp.frameworks[:5])}.",
                    comp=comp,
                    fact="appex_has_frameworks",
                    fact_value="yes",
                    fact_detail=f"{comp.display}/Frameworks holds {', '.join(comp.frameworks[:5])}",
                )
            else:
                ctx.observe("appex_has_frameworks", "no", f"{comp.display}/Frameworks is absent or empty", comp.display)


def check_sysex_frameworks(ctx: CheckContext) -> None:
    """Activation copies the system extension out of the app (to /Library/SystemExtensions), so
    every library it loads through @rpath must be inside the system extension itself."""
    app = ctx.app
    for comp in ctx.providers:
        if comp.kind is not ComponentKind.SYSEX or comp.macho is None:
            continue
        outside = []
        for lib in comp.linked:
            if lib.weak or lib.system or lib.inside_component or not lib.name.startswith("@rpath/"):
                continue
            top = lib.name[len("@rpath/") :].split("/", 1)[0]
            if lib.path is not None or lib.app_copy is not None or (app is not None and top in app.frameworks):
                outside.append(lib.name)
                where = f"{app.contents_prefix}/Frameworks/{top}" if app else "the app"
                ctx.find(
                    "sysex-loads-framework-from-app",
                    comp.display,
                    f"Its executable loads {lib.name}, which only {where} holds.",
                    "LC_LOAD_DYLIB",
                    comp=comp,
                    fact="sysex_frameworks_embedded",
                    fact_detail=f"{comp.display} loads {lib.name} from the app",
                )
        if not outside and comp.linked:
            ctx.observe(
                "sysex_frameworks_embedded",
                "yes",
                f"{comp.display}: every @rpath library it loads resolves inside it or in the OS",
                comp.display,
            )


def check_provider_embedded(ctx: CheckContext) -> None:
    app = ctx.app
    if app is None:
        return
    for path in ctx.bundle.misplaced:
        ctx.find("provider-in-wrong-folder", path, "")
    if ctx.bundle.misplaced and not ctx.providers:
        ctx.observe(
            "provider_embedded",
            "no",
            f"provider bundles only in the wrong place: {', '.join(ctx.bundle.misplaced)}",
            ctx.bundle.misplaced[0],
        )
        return
    if ctx.providers:
        points = {point for p in ctx.providers for point in p.extension_points}
        if FILTER_CONTROL_POINT in points and FILTER_DATA_POINT not in points:
            # A content filter is a data provider fed by a control provider: the control one alone filters nothing.
            control = next(p for p in ctx.providers if FILTER_CONTROL_POINT in p.extension_points)
            ctx.find(
                "filter-control-without-data",
                control.display,
                "A filter control provider is embedded but no filter data provider.",
                comp=control,
                provider_types=["content-filter"],
                fact="provider_embedded",
                fact_detail=f"{control.display} has no filter data provider beside it",
            )
            return
        listed = ", ".join(p.display for p in ctx.providers)
        ctx.observe("provider_embedded", "yes", f"embedded: {listed}", ctx.providers[0].display)
        return
    if not app.entitlements_known or any(p.info_error for p in ctx.bundle.providers):
        return  # a provider bundle whose Info.plist cannot be read may be the one (reported already)
    by_value = {v: t for t, v in PROVIDER_ENTITLEMENT_VALUES.items() if t != "transparent-proxy"}
    wants = [v for v in provider_values(app.entitlements) if plain_value(v) in by_value]
    if wants:
        places = "Contents/PlugIns, Contents/Extensions or Contents/Library/SystemExtensions" if ctx.macos else "PlugIns or Extensions"
        ctx.find(
            "ne-entitled-app-without-provider",
            app.display,
            f"It is entitled to {', '.join(wants)} but {places} holds no Network Extension provider.",
            NE_ENTITLEMENT,
            comp=app,
            provider_types=sorted({by_value[plain_value(v)] for v in wants}),
            fact="provider_embedded",
            fact_detail=f"{app.display}: no provider in {places}",
        )


def check_seal(ctx: CheckContext) -> None:
    for comp in ctx.bundle.components:
        if comp.info_plist_sealed is False:
            ctx.find(
                "info-plist-modified-after-signing",
                comp.info_display,
                "Its hash differs from the one sealed in the code signature (special slot 1).",
                comp=comp,
            )
            ctx.observe(
                "signature_valid",
                "no",
                f"{comp.info_display} does not match the hash sealed in the code signature (modified after signing)",
                comp.info_display,
            )
