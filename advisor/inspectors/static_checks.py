"""The static checks of `advisor inspect`: read a loaded bundle, emit findings and facts.

Each check names a rule of knowledge/bundle-rules.yaml; the rule supplies the diagnosis it
evidences, its severity and its message. The code only decides whether the rule fires and
which file and key it fires on. Facts (knowledge/facts.yaml names) are recorded per component
and folded into one observation per fact at the end.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from advisor.evidence import Observation, Source
from advisor.inspectors.bundle import AppBundle, BundleComponent, ComponentKind
from advisor.inspectors.certificates import TEAM_ID
from advisor.inspectors.inspection import SEVERITY_ORDER, Finding
from advisor.inspectors.network_extension_ids import (
    APP_GROUPS_ENTITLEMENT,
    APPLICATION_ID_ENTITLEMENTS,
    GET_TASK_ALLOW_ENTITLEMENTS,
    MACOS_SYSEX_ONLY_TYPES,
    NE_ENTITLEMENT,
    NETWORK_CLIENT_ENTITLEMENT,
    NETWORK_SERVER_ENTITLEMENT,
    PROVIDER_ENTITLEMENT_VALUES,
    SANDBOX_ENTITLEMENT,
    SYSEX_INSTALL_ENTITLEMENT,
    SYSTEM_EXTENSION_SUFFIX,
    TEAM_ID_ENTITLEMENT,
    VALUES_WITH_SYSTEM_EXTENSION_FORM,
    allows_provider,
    app_groups,
    plain_value,
    provider_values,
)
from advisor.knowledge.model import BundleRule

# Every rule id the checks can fire; each must exist in knowledge/bundle-rules.yaml.
RULE_IDS = (
    "appex-signed-developer-id",
    "macos-sysex-only-provider-as-appex",
    "developer-id-plain-ne-values",
    "sysex-package-type-not-sysx",
    "sysex-no-provider-classes",
    "sysex-info-plist-unreadable",
    "appex-info-plist-unreadable",
    "mach-service-name-missing",
    "mach-service-name-not-in-app-group",
    "container-missing-install-entitlement",
    "team-id-mismatch",
    "entitlement-not-in-profile",
    "restricted-entitlements-without-profile",
    "profile-unreadable",
    "certificate-not-in-profile",
    "profile-expired",
    "device-not-in-profile",
    "principal-class-unresolved",
    "principal-class-no-module-prefix",
    "appex-not-sandboxed",
    "sysex-not-sandboxed",
    "sandboxed-provider-without-network-client",
    "provider-bundle-id-not-prefixed",
    "provider-executable-missing",
    "provider-executable-not-executable",
    "provider-executable-unreadable",
    "code-signature-unreadable",
    "ios-appex-embeds-frameworks",
    "ne-entitlement-missing",
    "ne-entitled-app-without-provider",
    "provider-in-wrong-folder",
    "app-groups-disjoint",
    "app-group-missing-on-one-side",
    "app-group-not-team-prefixed",
    "developer-id-without-hardened-runtime",
    "developer-id-without-secure-timestamp",
    "developer-id-get-task-allow",
)

# The catalog lists the restricted entitlements; on macOS, App Sandbox / app-group / hardened
# runtime keys (com.apple.security.*) need no profile (TN3125). On iOS every key is checked.
_UNRESTRICTED_MACOS_PREFIX = "com.apple.security."
_TEAM_PREFIXED = re.compile(r"^([A-Z0-9]{10})\.")

# Facts whose "no" from one component makes the whole bundle "no".
_ALL_MUST_HOLD = (
    "ne_entitlement_present",
    "sysex_category_declared",
    "mach_service_valid",
    "profile_authorizes_entitlements",
    "certificate_in_profile",
    "provider_sandboxed",
    "network_client_entitlement",
    "principal_class_resolves",
    "provider_executable_ok",
    "app_groups_match",
    "device_in_profile",
    "hardened_runtime",
    "team_ids_match",
    "install_entitlement",
    "provider_embedded",
)
# Facts where one "yes" settles it ("an embedded profile has expired").
_ANY_HOLDS = ("profile_expired", "appex_has_frameworks")


@dataclass
class _Seen:
    value: str
    detail: str
    origin: str


@dataclass
class CheckContext:
    bundle: AppBundle
    rules: dict[str, BundleRule]
    udid: str | None
    now: datetime
    findings: list[Finding] = field(default_factory=list)
    seen: dict[str, list[_Seen]] = field(default_factory=dict)

    def find(self, rule_id: str, path: str, specific: str, key: str = "") -> None:
        rule = self.rules.get(rule_id)
        if rule is None:  # a partial knowledge base (tests, synthetic KBs): keep the facts only
            return
        detail = f"{rule.message} {specific}".strip() if specific else rule.message
        self.findings.append(Finding(rule.diagnosis, rule_id, rule.severity, detail, path, key))

    def observe(self, fact: str, value: str, detail: str, origin: str) -> None:
        self.seen.setdefault(fact, []).append(_Seen(value, detail, origin))

    @property
    def app(self) -> BundleComponent | None:
        return self.bundle.app

    @property
    def providers(self) -> list[BundleComponent]:
        return self.bundle.network_providers

    @property
    def macos(self) -> bool:
        return self.bundle.platform == "macos"


def _ent_key(comp: BundleComponent, key: str) -> str:
    return f"{comp.display} (entitlement {key})"


def _is_true(value: Any) -> bool:
    return value is True


# ---- unreadable artifacts -------------------------------------------------------------------


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


# ---- packaging and distribution ------------------------------------------------------------


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
            if _is_true(comp.entitlements.get(key)):
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


# ---- Info.plist declarations ----------------------------------------------------------------


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


# ---- entitlements ---------------------------------------------------------------------------


def check_ne_entitlement(ctx: CheckContext) -> None:
    app = ctx.app
    for comp in ctx.providers:
        for ptype in comp.provider_types:
            value = PROVIDER_ENTITLEMENT_VALUES.get(ptype, ptype)
            missing_on = []
            if not allows_provider(comp.entitlements, ptype):
                unsigned = "" if comp.signature else " (the provider is not signed at all)"
                ctx.find(
                    "ne-entitlement-missing",
                    comp.display,
                    f"The {ptype} provider lacks {value!r}{unsigned}.",
                    NE_ENTITLEMENT,
                )
                missing_on.append(comp.display)
            if app is not None and not allows_provider(app.entitlements, ptype):
                ctx.find(
                    "ne-entitlement-missing",
                    app.display,
                    f"The container app lacks {value!r}, needed for its {ptype} provider.",
                    NE_ENTITLEMENT,
                )
                missing_on.append(app.display)
            detail = (
                f"{NE_ENTITLEMENT} lacks {value!r} on {', '.join(missing_on)}"
                if missing_on
                else f"{NE_ENTITLEMENT} allows {value!r} on the app and {comp.display}"
            )
            ctx.observe("ne_entitlement_present", "no" if missing_on else "yes", detail, comp.display)


def check_ne_entitlement_form(ctx: CheckContext) -> None:
    values = []
    for comp in ([ctx.app] if ctx.app else []) + ctx.providers:
        values += [
            (v, comp.display)
            for v in provider_values(comp.entitlements)
            if plain_value(v) in VALUES_WITH_SYSTEM_EXTENSION_FORM
        ]
    if not values:
        return
    forms = {"systemextension" if v.endswith(SYSTEM_EXTENSION_SUFFIX) else "plain" for v, _ in values}
    if len(forms) == 1:
        form = forms.pop()
        listed = "; ".join(f"{where}: {v}" for v, where in values)
        ctx.observe("ne_entitlement_form", form, f"{NE_ENTITLEMENT} values: {listed}", values[0][1])


def check_install_entitlement(ctx: CheckContext) -> None:
    app = ctx.app
    if app is None or not ctx.macos:
        return
    sysexes = [p for p in ctx.bundle.providers if p.kind is ComponentKind.SYSEX]
    entitled = _is_true(app.entitlements.get(SYSEX_INSTALL_ENTITLEMENT))
    if sysexes and not entitled:
        ctx.find(
            "container-missing-install-entitlement",
            app.display,
            f"The app embeds {sysexes[0].display}.",
            SYSEX_INSTALL_ENTITLEMENT,
        )
    if sysexes or entitled:
        ctx.observe(
            "install_entitlement",
            "yes" if entitled else "no",
            f"{app.display}: {SYSEX_INSTALL_ENTITLEMENT}={'true' if entitled else 'absent'}",
            app.display,
        )


def check_sandbox(ctx: CheckContext) -> None:
    if not ctx.macos:
        return
    for comp in ctx.providers:
        if comp.signature is None:
            continue
        ents = comp.entitlements
        if not _is_true(ents.get(SANDBOX_ENTITLEMENT)):
            rule = "appex-not-sandboxed" if comp.kind is ComponentKind.APPEX else "sysex-not-sandboxed"
            ctx.find(rule, comp.display, "", SANDBOX_ENTITLEMENT)
            ctx.observe("provider_sandboxed", "no", f"{comp.display}: {SANDBOX_ENTITLEMENT} is not true", comp.display)
            continue
        ctx.observe("provider_sandboxed", "yes", f"{comp.display}: {SANDBOX_ENTITLEMENT}=true", comp.display)
        if _is_true(ents.get(NETWORK_CLIENT_ENTITLEMENT)) or _is_true(ents.get(NETWORK_SERVER_ENTITLEMENT)):
            ctx.observe(
                "network_client_entitlement",
                "yes",
                f"{comp.display}: {NETWORK_CLIENT_ENTITLEMENT} (or .server) is true",
                comp.display,
            )
        else:
            ctx.find("sandboxed-provider-without-network-client", comp.display, "", NETWORK_CLIENT_ENTITLEMENT)
            ctx.observe(
                "network_client_entitlement",
                "no",
                f"{comp.display}: neither {NETWORK_CLIENT_ENTITLEMENT} nor .server",
                comp.display,
            )


def check_app_groups(ctx: CheckContext) -> None:
    app = ctx.app
    if ctx.macos:
        for comp in ([app] if app else []) + ctx.providers:
            team = _component_team(comp)
            for group in app_groups(comp.entitlements):
                authorised = comp.profile is not None and comp.profile.authorises(APP_GROUPS_ENTITLEMENT, [group])
                # A group prefixed by another team's ID is reported as a team mismatch instead.
                if _TEAM_PREFIXED.match(group) or authorised:
                    continue
                ctx.find(
                    "app-group-not-team-prefixed",
                    comp.display,
                    f"{group!r} does not start with the Team ID {team or '(unknown)'} and no profile authorises it.",
                    APP_GROUPS_ENTITLEMENT,
                )
                ctx.observe(
                    "app_groups_match",
                    "no",
                    f"{comp.display}: app group {group!r} is not Team ID-prefixed",
                    comp.display,
                )
    if app is None:
        return
    app_set = set(app_groups(app.entitlements))
    for comp in ctx.providers:
        provider_set = set(app_groups(comp.entitlements))
        if not app_set and not provider_set:
            continue
        if app_set and provider_set and not app_set & provider_set:
            ctx.find(
                "app-groups-disjoint",
                comp.display,
                f"The app has {sorted(app_set)}, the provider {sorted(provider_set)}.",
                APP_GROUPS_ENTITLEMENT,
            )
            ctx.observe("app_groups_match", "no", f"{app.display} and {comp.display} share no app group", comp.display)
        elif not app_set or not provider_set:
            lacking = app.display if not app_set else comp.display
            ctx.find(
                "app-group-missing-on-one-side",
                lacking,
                f"Only {comp.display if not app_set else app.display} declares app groups.",
                APP_GROUPS_ENTITLEMENT,
            )
            ctx.observe("app_groups_match", "no", f"{lacking} has no {APP_GROUPS_ENTITLEMENT}", lacking)
        else:
            shared = sorted(app_set & provider_set)
            ctx.observe("app_groups_match", "yes", f"{app.display} and {comp.display} share {shared}", comp.display)


# ---- team identity --------------------------------------------------------------------------


def _component_team(comp: BundleComponent) -> str | None:
    signature = comp.signature
    if signature and signature.team_id:
        return signature.team_id
    if signature and signature.signer and signature.signer.team_id:
        return signature.signer.team_id
    return comp.profile.team_id if comp.profile else None


def _team_claims(comp: BundleComponent) -> list[tuple[str, str]]:
    """(Team ID, where it was read) pairs for one component."""
    claims: list[tuple[str, str]] = []
    signature = comp.signature
    if signature is not None:
        if signature.team_id:
            claims.append((signature.team_id, "signature TeamIdentifier"))
        if signature.signer and signature.signer.team_id:
            claims.append((signature.signer.team_id, "signing certificate OU"))
    if comp.profile is not None:
        claims += [(team, "profile TeamIdentifier") for team in comp.profile.team_ids]
    ents = comp.entitlements
    team_ent = ents.get(TEAM_ID_ENTITLEMENT)
    if isinstance(team_ent, str) and TEAM_ID.fullmatch(team_ent):
        claims.append((team_ent, TEAM_ID_ENTITLEMENT))
    for key in APPLICATION_ID_ENTITLEMENTS:
        value = ents.get(key)
        if isinstance(value, str) and (m := _TEAM_PREFIXED.match(value)):
            claims.append((m.group(1), key))
    for group in app_groups(ents):
        if m := _TEAM_PREFIXED.match(group):
            claims.append((m.group(1), f"app group {group}"))
    return claims


def check_team_ids(ctx: CheckContext) -> None:
    per_component = [(comp, _team_claims(comp)) for comp in ctx.bundle.components]
    all_teams = [team for _, claims in per_component for team, _ in claims]
    if len(all_teams) < 2:
        return
    root = ctx.bundle.root
    # The container's own signing team is the reference; otherwise the most common one.
    reference = _component_team(root) or max(set(all_teams), key=all_teams.count)
    mismatched = False
    for comp, claims in per_component:
        foreign = [(team, where) for team, where in claims if team != reference]
        if not foreign:
            continue
        mismatched = True
        listed = "; ".join(
            f"{team} ({', '.join(w for t, w in foreign if t == team)})" for team in sorted({t for t, _ in foreign})
        )
        ctx.find("team-id-mismatch", comp.display, f"It uses {listed} where {root.display} uses {reference}.")
        ctx.observe("team_ids_match", "no", f"{comp.display}: {listed}; {root.display}: {reference}", comp.display)
    if not mismatched:
        ctx.observe(
            "team_ids_match",
            "yes",
            f"Team ID {reference} in all {len(all_teams)} places (signatures, certificates, profiles, entitlements)",
            root.display,
        )


# ---- provisioning profiles ------------------------------------------------------------------


def _restricted(ctx: CheckContext, entitlements: dict[str, Any]) -> dict[str, Any]:
    if ctx.macos:
        return {k: v for k, v in entitlements.items() if not k.startswith(_UNRESTRICTED_MACOS_PREFIX)}
    return dict(entitlements)


def check_profile_entitlements(ctx: CheckContext) -> None:
    for comp in ([ctx.app] if ctx.app else []) + ctx.providers:
        if comp.signature is None or comp.profile_error:
            continue
        restricted = {k: v for k, v in _restricted(ctx, comp.entitlements).items() if v is not False}
        if not restricted:
            continue
        profile = comp.profile
        if profile is None:
            ctx.find(
                "restricted-entitlements-without-profile",
                comp.display,
                f"It claims {', '.join(sorted(restricted))}.",
                "embedded profile",
            )
            ctx.observe(
                "profile_authorizes_entitlements",
                "no",
                f"{comp.display}: restricted entitlements and no embedded profile",
                comp.display,
            )
            continue
        refused = [k for k, v in sorted(restricted.items()) if not profile.authorises(k, v)]
        for key in refused:
            allowed = profile.entitlements.get(key, "nothing")
            ctx.find(
                "entitlement-not-in-profile",
                comp.display,
                f"Signed with {restricted[key]!r}; {comp.profile_display} allows {allowed!r}.",
                key,
            )
        if refused:
            ctx.observe(
                "profile_authorizes_entitlements",
                "no",
                f"{comp.profile_display} does not authorise {', '.join(refused)}",
                comp.profile_display or comp.display,
            )
        else:
            ctx.observe(
                "profile_authorizes_entitlements",
                "yes",
                f"{comp.profile_display} authorises all {len(restricted)} restricted entitlements of {comp.display}",
                comp.profile_display or comp.display,
            )


def check_profile_certificate(ctx: CheckContext) -> None:
    for comp in ctx.bundle.components:
        signer = comp.signature.signer if comp.signature else None
        if comp.profile is None or signer is None:
            continue
        where = comp.profile_display or comp.display
        if comp.profile.lists_certificate(signer):
            ctx.observe("certificate_in_profile", "yes", f"{where} lists {signer.common_name!r}", where)
        else:
            listed = (
                ", ".join(sorted({c.common_name for c in comp.profile.developer_certificates})) or "no certificates"
            )
            ctx.find(
                "certificate-not-in-profile",
                where,
                f"{comp.display} is signed by {signer.common_name!r} (SHA-1 {signer.sha1}); the profile lists {listed}.",
                "DeveloperCertificates",
            )
            ctx.observe("certificate_in_profile", "no", f"{where} does not list {signer.common_name!r}", where)


def check_profile_expiry(ctx: CheckContext) -> None:
    for comp in ctx.bundle.components:
        profile = comp.profile
        if profile is None or profile.expiration_date is None:
            continue
        where = comp.profile_display or comp.display
        stamp = profile.expiration_date.strftime("%Y-%m-%d %H:%M UTC")
        if profile.expired(ctx.now):
            ctx.find("profile-expired", where, f"{profile.name!r} expired on {stamp}.", "ExpirationDate")
            ctx.observe("profile_expired", "yes", f"{where}: ExpirationDate {stamp}", where)
        else:
            ctx.observe("profile_expired", "no", f"{where}: valid until {stamp}", where)


def check_device(ctx: CheckContext) -> None:
    if not ctx.udid:
        return
    for comp in ctx.bundle.components:
        profile = comp.profile
        if profile is None or profile.provisions_all_devices or not profile.provisioned_devices:
            continue
        where = comp.profile_display or comp.display
        if profile.lists_device(ctx.udid):
            ctx.observe("device_in_profile", "yes", f"{where}: ProvisionedDevices lists {ctx.udid}", where)
        else:
            ctx.find(
                "device-not-in-profile",
                where,
                f"{ctx.udid} is not among its {len(profile.provisioned_devices)} ProvisionedDevices.",
                "ProvisionedDevices",
            )
            ctx.observe("device_in_profile", "no", f"{where}: ProvisionedDevices lacks {ctx.udid}", where)


# ---- layout ---------------------------------------------------------------------------------


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
            ctx.observe("appex_has_frameworks", "yes" if comp.frameworks else "no", f"{comp.display}/Frameworks {held}", comp.display)


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


# ---- facts about the whole bundle -----------------------------------------------------------


def observe_identity(ctx: CheckContext) -> None:
    bundle = ctx.bundle
    root = bundle.root
    layout = (
        "Contents/Info.plist (macOS layout)"
        if bundle.platform == "macos"
        else "Info.plist at the bundle root (iOS layout)"
    )
    ctx.observe("platform", bundle.platform, f"{root.display}: {layout}", root.info_display)
    providers = ctx.providers
    if providers:
        kinds = sorted({p.kind.value for p in providers})
        listed = ", ".join(p.display for p in providers)
        if len(kinds) == 1:
            ctx.observe("packaging", kinds[0], f"Network Extension provider(s): {listed}", providers[0].display)
        types = sorted({t for p in providers for t in p.provider_types})
        if len(types) == 1 and types[0] != "app-proxy":  # app-proxy also serves transparent proxies
            ctx.observe(
                "provider_type",
                types[0],
                f"{listed}: {', '.join(p.extension_point or ', '.join(p.provider_classes) for p in providers)}",
                providers[0].info_display,
            )
    identities = [(c.signing_identity, c.display) for c in ([bundle.app] if bundle.app else []) + providers]
    known = [(v, where) for v, where in identities if v]
    if known:
        values = {v for v, _ in known}
        # When app and provider disagree, the provider's signature is the one NE checks.
        chosen = values.pop() if len(values) == 1 else known[-1][0]
        listed = "; ".join(f"{where}: {v}" for v, where in known)
        ctx.observe("signing_identity", chosen, f"code signatures: {listed}", root.executable_display or root.display)
    app_identity = root.signing_identity
    inferred = {"developer-id": "developer-id", "apple-development": "development"}.get(app_identity or "")
    signer = root.signature.signer if root.signature else None
    if signer is not None and signer.kind.value == "app-store":
        inferred = "mac-app-store"
    if inferred:
        ctx.observe(
            "distribution",
            inferred,
            f"inferred from the signature of {root.display} ({app_identity}); not read from any distribution record",
            root.executable_display or root.display,
        )


CHECKS: tuple[Callable[[CheckContext], None], ...] = (
    check_unreadable,
    observe_identity,
    check_packaging,
    check_developer_id_values,
    check_notarization_prerequisites,
    check_hardened_runtime_fact,
    check_sysex_declarations,
    check_mach_service,
    check_principal_class,
    check_ne_entitlement,
    check_ne_entitlement_form,
    check_install_entitlement,
    check_sandbox,
    check_app_groups,
    check_team_ids,
    check_profile_entitlements,
    check_profile_certificate,
    check_profile_expiry,
    check_device,
    check_provider_layout,
    check_provider_embedded,
    check_seal,
)


def _fold(fact: str, seen: list[_Seen]) -> Observation | None:
    if fact in _ANY_HOLDS:
        hit = next((s for s in seen if s.value == "yes"), None)
        chosen = hit or seen[0]
        details = chosen.detail if hit else "; ".join(s.detail for s in seen)
        return Observation(fact, chosen.value, Source.BUNDLE, details, chosen.origin)
    if fact in _ALL_MUST_HOLD:
        failing = [s for s in seen if s.value == "no"]
        if failing:
            return Observation(fact, "no", Source.BUNDLE, "; ".join(s.detail for s in failing), failing[0].origin)
        return Observation(fact, seen[0].value, Source.BUNDLE, "; ".join(s.detail for s in seen), seen[0].origin)
    values = {s.value for s in seen}
    if len(values) != 1:
        return None  # components disagree and the fact has no "worst" value
    return Observation(fact, seen[0].value, Source.BUNDLE, "; ".join(s.detail for s in seen), seen[0].origin)


def run_checks(
    bundle: AppBundle, rules: dict[str, BundleRule], udid: str | None, now: datetime
) -> tuple[list[Finding], list[Observation]]:
    ctx = CheckContext(bundle, rules, udid.strip() if udid else None, now)
    for check in CHECKS:
        check(ctx)
    findings = sorted(ctx.findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.path, f.rule, f.key))
    unique: list[Finding] = []
    for f in findings:
        if f not in unique:
            unique.append(f)
    observations = [o for fact, seen in ctx.seen.items() if (o := _fold(fact, seen)) is not None]
    return unique, observations
