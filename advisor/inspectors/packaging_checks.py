"""Checks of packaging, Info.plist declarations, executables and distribution prerequisites."""

from __future__ import annotations

from advisor.inspectors.bundle import ComponentKind
from advisor.inspectors.check_context import CheckContext, is_true
from advisor.inspectors.network_extension_ids import (
    GET_TASK_ALLOW_ENTITLEMENTS,
    MACOS_SYSEX_ONLY_TYPES,
    NE_ENTITLEMENT,
    PROVIDER_ENTITLEMENT_VALUES,
    SYSTEM_EXTENSION_SUFFIX,
    VALUES_WITH_SYSTEM_EXTENSION_FORM,
    app_groups,
    plain_value,
    provider_values,
)


def check_unreadable(ctx: CheckContext) -> None:
    for comp in ctx.bundle.providers:
        if comp.info_error:
            rule = "sysex-info-plist-unreadable" if comp.kind is ComponentKind.SYSEX else "appex-info-plist-unreadable"
            ctx.find(rule, comp.info_display, f"({comp.info_error}).")
    for comp in ctx.bundle.components:
        if comp.profile_error:
            ctx.find("profile-unreadable", comp.profile_display or comp.display, f"({comp.profile_error}).")
        if comp.kind is ComponentKind.APP or comp.is_network_extension:
            error = comp.signature_error
            if comp.executable_error and comp.kind is ComponentKind.APP and comp.executable_error != "missing":
                error = f"executable {comp.executable_error}"
            if error:
                ctx.find("code-signature-unreadable", comp.executable_display or comp.display, f"({error}).")


def check_packaging(ctx: CheckContext) -> None:
    if not ctx.macos:
        return
    for comp in ctx.providers:
        if comp.kind is not ComponentKind.APPEX:
            continue
        if comp.signing_identity == "developer-id":
            signer = comp.signature.signer.common_name if comp.signature and comp.signature.signer else ""
            ctx.find("appex-signed-developer-id", comp.display, f'Signed by "{signer}".', "code signature")
        for ptype in comp.provider_types:
            if ptype in MACOS_SYSEX_ONLY_TYPES:
                ctx.find(
                    "macos-sysex-only-provider-as-appex",
                    comp.info_display,
                    f"Its extension point {comp.extension_point} is a {ptype} provider.",
                    "NSExtension.NSExtensionPointIdentifier",
                )


def check_developer_id_values(ctx: CheckContext) -> None:
    if not ctx.macos:
        return
    sysexes = [p for p in ctx.providers if p.kind is ComponentKind.SYSEX]
    targets = list(sysexes)
    if sysexes and ctx.app is not None:
        targets.insert(0, ctx.app)
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
            )
        if signature.cms and not signature.cms.has_timestamp:
            ctx.find(
                "developer-id-without-secure-timestamp",
                comp.executable_display or comp.display,
                "The CMS signature has no RFC 3161 time-stamp token.",
                "CMS unsigned attributes",
            )
        for key in GET_TASK_ALLOW_ENTITLEMENTS:
            if is_true(comp.entitlements.get(key)):
                ctx.find("developer-id-get-task-allow", comp.display, "", key)


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
        ok = True
        package_type = comp.info.get("CFBundlePackageType")
        if package_type != "SYSX":
            ok = False
            ctx.find(
                "sysex-package-type-not-sysx", comp.info_display, f"It is {package_type!r}.", "CFBundlePackageType"
            )
        classes = (comp.network_extension_info or {}).get("NEProviderClasses")
        if comp.network_extension_info is None:
            ok = False
            ctx.find(
                "sysex-no-provider-classes",
                comp.info_display,
                "There is no NetworkExtension dictionary.",
                "NetworkExtension",
            )
        elif not isinstance(classes, dict) or not classes:
            ok = False
            ctx.find(
                "sysex-no-provider-classes",
                comp.info_display,
                "NetworkExtension has no NEProviderClasses entries.",
                "NetworkExtension.NEProviderClasses",
            )
        declared = "present" if isinstance(classes, dict) and classes else "missing"
        ctx.observe(
            "sysex_category_declared",
            "yes" if ok else "no",
            f"{comp.info_display}: CFBundlePackageType={package_type!r}, NEProviderClasses {declared}",
            comp.info_display,
        )


def check_mach_service(ctx: CheckContext) -> None:
    for comp in ctx.providers:
        if comp.kind is not ComponentKind.SYSEX or comp.info_error:
            continue
        key = "NetworkExtension.NEMachServiceName"
        name = (comp.network_extension_info or {}).get("NEMachServiceName")
        groups = app_groups(comp.entitlements)
        if not isinstance(name, str) or not name:
            ctx.find("mach-service-name-missing", comp.info_display, "", key)
            ctx.observe("mach_service_valid", "no", f"{comp.info_display}: no {key}", comp.info_display)
            continue
        if not any(name.startswith(group + ".") for group in groups):
            entitled = ", ".join(groups) if groups else "no app group at all"
            ctx.find(
                "mach-service-name-not-in-app-group",
                comp.info_display,
                f"It is {name!r}; the extension is entitled to {entitled}.",
                key,
            )
            ctx.observe(
                "mach_service_valid",
                "no",
                f"{comp.info_display}: {key}={name!r} not prefixed by an entitled app group",
                comp.info_display,
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


def check_principal_class(ctx: CheckContext) -> None:
    for comp in ctx.providers:
        if comp.info_error:
            continue
        key = (
            "NSExtension.NSExtensionPrincipalClass"
            if comp.kind is ComponentKind.APPEX
            else "NetworkExtension.NEProviderClasses"
        )
        classes = comp.provider_classes
        if comp.kind is ComponentKind.SYSEX and not classes:
            continue  # reported as sysex-no-provider-classes
        names = comp.macho.primary.objc_class_names if comp.macho and comp.macho.slices else None
        if not classes:
            ctx.find("principal-class-unresolved", comp.info_display, "No provider class is named.", key)
            ctx.observe("principal_class_resolves", "no", f"{comp.info_display}: {key} missing", comp.info_display)
            continue
        for point, value in classes.items():
            where = key if comp.kind is ComponentKind.APPEX else f"{key}.{point}"
            if not isinstance(value, str) or not value.strip():
                ctx.find("principal-class-unresolved", comp.info_display, "The class name is empty.", where)
                ctx.observe("principal_class_resolves", "no", f"{comp.info_display}: {where} empty", comp.info_display)
                continue
            if "$(" in value:
                ctx.find(
                    "principal-class-unresolved",
                    comp.info_display,
                    f"{value!r} still contains an unexpanded build setting.",
                    where,
                )
                ctx.observe(
                    "principal_class_resolves",
                    "no",
                    f"{comp.info_display}: {where}={value!r} unexpanded",
                    comp.info_display,
                )
                continue
            if names:
                runtime = _swift_runtime_name(value)
                if value in names or (runtime is not None and runtime in names):
                    ctx.observe(
                        "principal_class_resolves",
                        "yes",
                        f"{comp.info_display}: {where}={value!r} found in {comp.executable_display}",
                        comp.info_display,
                    )
                elif value.count(".") <= 1:
                    hint = "" if "." in value else " (a Swift class needs its module prefix, e.g. Module.Class)"
                    ctx.find(
                        "principal-class-unresolved",
                        comp.info_display,
                        f"{value!r} is not among the Objective-C classes of {comp.executable_display}{hint}.",
                        where,
                    )
                    ctx.observe(
                        "principal_class_resolves",
                        "no",
                        f"{comp.info_display}: {where}={value!r} not found in the executable",
                        comp.info_display,
                    )
            elif "." not in value:
                ctx.find("principal-class-no-module-prefix", comp.info_display, f"It is {value!r}.", where)


def check_provider_layout(ctx: CheckContext) -> None:
    app = ctx.app
    for comp in ctx.providers:
        if app is not None and app.bundle_id and comp.bundle_id and not comp.bundle_id.startswith(app.bundle_id + "."):
            ctx.find(
                "provider-bundle-id-not-prefixed",
                comp.info_display,
                f"{comp.bundle_id!r} does not start with {app.bundle_id + '.'!r}.",
                "CFBundleIdentifier",
            )
        if comp.info_error:
            continue
        exe = comp.executable_display or comp.display
        if comp.executable_error == "missing":
            ctx.find("provider-executable-missing", exe, "")
            ctx.observe("provider_executable_ok", "no", f"{exe} is missing", exe)
        elif comp.executable_error:
            ctx.find("provider-executable-unreadable", exe, f"({comp.executable_error}).")
            ctx.observe("provider_executable_ok", "no", f"{exe} {comp.executable_error}", exe)
        elif ctx.bundle.modes_known and comp.executable_mode is not None and not comp.executable_mode & 0o111:
            ctx.find("provider-executable-not-executable", exe, f"Its mode is {comp.executable_mode:o}.")
            ctx.observe("provider_executable_ok", "no", f"{exe} has mode {comp.executable_mode:o}", exe)
        elif ctx.bundle.modes_known:
            ctx.observe("provider_executable_ok", "yes", f"{exe} is an executable Mach-O file", exe)
        if ctx.bundle.platform == "ios" and comp.kind is ComponentKind.APPEX:
            if comp.frameworks:
                ctx.find(
                    "ios-appex-embeds-frameworks",
                    f"{comp.display}/Frameworks",
                    f"It holds {', '.join(comp.frameworks[:5])}.",
                )
            held = f"holds {', '.join(comp.frameworks[:5])}" if comp.frameworks else "is absent or empty"
            ctx.observe(
                "appex_has_frameworks",
                "yes" if comp.frameworks else "no",
                f"{comp.display}/Frameworks {held}",
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
        listed = ", ".join(p.display for p in ctx.providers)
        ctx.observe("provider_embedded", "yes", f"embedded: {listed}", ctx.providers[0].display)
        return
    wants = [v for v in provider_values(app.entitlements) if plain_value(v) in PROVIDER_ENTITLEMENT_VALUES.values()]
    if wants:
        places = "Contents/PlugIns or Contents/Library/SystemExtensions" if ctx.macos else "PlugIns"
        ctx.find(
            "ne-entitled-app-without-provider",
            app.display,
            f"It is entitled to {', '.join(wants)} but {places} holds no Network Extension provider.",
            NE_ENTITLEMENT,
        )
        ctx.observe("provider_embedded", "no", f"{app.display}: no provider in {places}", app.display)


def check_seal(ctx: CheckContext) -> None:
    for comp in ctx.bundle.components:
        if comp.info_plist_sealed is False:
            ctx.observe(
                "signature_valid",
                "no",
                f"{comp.info_display} does not match the hash sealed in the code signature (modified after signing)",
                comp.info_display,
            )
