"""The static checks of `advisor inspect`: read a loaded bundle, emit findings and facts.

Each check names a rule of knowledge/bundle-rules.yaml; the rule supplies the diagnosis it
evidences, its severity, its message and where it applies (`applies_to`: channels, provider
types, packaging, signer). The code only decides whether the rule's condition is met and on
which file and key (packaging_checks, entitlement_checks, provisioning_checks);
CheckContext.find keeps the finding only where the rule applies, and as a warning where the
bundle cannot tell.
Facts (knowledge/facts.yaml names) are recorded per component and folded into one observation
per fact at the end (check_context).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from advisor.evidence import Observation
from advisor.inspectors.bundle import AppBundle
from advisor.inspectors.check_context import CheckContext, fold
from advisor.inspectors.entitlement_checks import (
    check_app_groups,
    check_install_entitlement,
    check_ne_entitlement,
    check_ne_entitlement_form,
    check_sandbox,
)
from advisor.inspectors.inspection import SEVERITY_ORDER, Finding
from advisor.inspectors.packaging_checks import (
    check_appex_declarations,
    check_developer_id_values,
    check_hardened_runtime_fact,
    check_mach_service,
    check_minimum_os,
    check_notarization_prerequisites,
    check_packaging,
    check_principal_class,
    check_provider_embedded,
    check_provider_layout,
    check_seal,
    check_sysex_declarations,
    check_sysex_frameworks,
    check_sysex_identity,
    check_unreadable,
)
from advisor.inspectors.provisioning_checks import (
    check_device,
    check_profile_certificate,
    check_profile_entitlements,
    check_profile_expiry,
    check_team_ids,
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
    "filter-control-without-data",
    "provider-in-wrong-folder",
    "app-groups-disjoint",
    "app-group-missing-on-one-side",
    "app-group-not-team-prefixed",
    "developer-id-without-hardened-runtime",
    "developer-id-without-secure-timestamp",
    "developer-id-get-task-allow",
    "symlink-leaves-bundle",
    "sysex-file-name-mismatch",
    "sysex-loads-framework-from-app",
    "principal-class-in-unread-library",
    "appex-extension-point-invalid",
    "appex-package-type-not-xpc",
    "provider-minimum-os-above-app",
    "minimum-os-below-executable",
    "app-group-not-in-profile",
    "info-plist-modified-after-signing",
)


def observe_identity(ctx: CheckContext) -> None:
    """platform, packaging, provider_type, signing_identity and (inferred) distribution."""
    bundle = ctx.bundle
    root = bundle.root
    layout = (
        "Contents/Info.plist (macOS layout)"
        if bundle.platform == "macos"
        else "Info.plist at the bundle root (iOS layout)"
    )
    ctx.observe("platform", bundle.platform, f"{root.display}: {layout}", root.info_display)
    providers = ctx.providers
    # A provider bundle whose Info.plist cannot be read still shows its packaging by where it sits.
    placed = providers + [p for p in bundle.providers if p.info_error and p not in providers]
    if placed:
        kinds = sorted({p.kind.value for p in placed})
        listed = ", ".join(p.display for p in placed)
        if len(kinds) == 1:
            ctx.observe("packaging", kinds[0], f"Network Extension provider(s): {listed}", placed[0].display)
    if providers:
        listed = ", ".join(p.display for p in providers)
        types = sorted({t for p in providers for t in p.provider_types})
        # The app-proxy extension point also serves transparent proxies, which exist on macOS
        # only (TN3134, ne-knowledge.md 1.1): on iOS it is an app proxy.
        if len(types) == 1 and (types[0] != "app-proxy" or bundle.platform == "ios"):
            ctx.observe(
                "provider_type",
                types[0],
                f"{listed}: {', '.join(p.extension_point or ', '.join(p.provider_classes) for p in providers)}",
                providers[0].info_display,
            )
    built_for = root.macho.primary.platform if root.macho and root.macho.slices else None
    if bundle.platform == "ios" and built_for in ("ios", "ios-simulator"):
        # The bundle given is what runs: a device build cannot run in the Simulator, and back.
        ctx.observe(
            "running_in_simulator",
            "yes" if built_for == "ios-simulator" else "no",
            f"{root.executable_display} is built for {'the iOS Simulator' if built_for == 'ios-simulator' else 'iOS devices'} (LC_BUILD_VERSION)",
            root.executable_display or root.display,
        )
    identities = [(c.signing_identity, c.display) for c in ([bundle.app] if bundle.app else []) + providers]
    known = [(v, where) for v, where in identities if v]
    if known:
        values = {v for v, _ in known}
        # When app and provider disagree, the provider's signature is the one NE checks.
        chosen = values.pop() if len(values) == 1 else known[-1][0]
        listed = "; ".join(f"{where}: {v}" for v, where in known)
        ctx.observe("signing_identity", chosen, f"code signatures: {listed}", root.executable_display or root.display)
    # Only a signature that names one channel settles it: TestFlight installs carry Apple's
    # "TestFlight Beta Distribution" signature; Apple's App Store signature is not told apart from
    # TestFlight here, and an Apple Distribution signature serves several channels.
    app_identity = root.signing_identity
    signer_kind = root.signature.signer.kind.value if root.signature and root.signature.signer else None
    if signer_kind in ("testflight", "app-store"):
        inferred = "testflight" if signer_kind == "testflight" else None
    else:
        inferred = {"developer-id": "developer-id", "apple-development": "development"}.get(app_identity or "")
    if inferred:
        ctx.observe(
            "distribution",
            inferred,
            f"inferred from the signature of {root.display} ({app_identity}); not read from any distribution record",
            root.executable_display or root.display,
        )


def observe_layout(ctx: CheckContext) -> None:
    """Plain facts of the layout (recorded only where the knowledge base defines them): whether
    the macOS app embeds a profile (TestFlight needs one), whether a notarisation ticket is
    stapled to a Developer ID app, and how a URL filter provider declares its extension point."""
    app = ctx.app
    if app is not None and ctx.macos:
        embedded = app.profile_display is not None
        ctx.observe(
            "app_profile_embedded",
            "yes" if embedded else "no",
            f"{app.contents_prefix}/embedded.provisionprofile {'is present' if embedded else 'is absent'}",
            app.display,
        )
        if app.signing_identity == "developer-id":
            ctx.observe(
                "notarization_ticket_stapled",
                "yes" if app.stapled_ticket else "no",
                f"{app.contents_prefix}/CodeResources (the stapled ticket) {'is present' if app.stapled_ticket else 'is absent'}",
                app.display,
            )
    for comp in ctx.providers:
        if comp.info_error or "url-filter" not in comp.provider_types or not comp.extension_point:
            continue
        declared = comp.extension_kit is not None
        ctx.observe(
            "extensionkit_point_declared",
            "yes" if declared else "no",
            f"{comp.info_display}: {'EXAppExtensionAttributes' if declared else 'NSExtension'} declares {comp.extension_point}",
            comp.info_display,
        )


CHECKS: tuple[Callable[[CheckContext], None], ...] = (
    check_unreadable,
    observe_identity,
    observe_layout,
    check_packaging,
    check_developer_id_values,
    check_notarization_prerequisites,
    check_hardened_runtime_fact,
    check_sysex_declarations,
    check_sysex_identity,
    check_mach_service,
    check_appex_declarations,
    check_principal_class,
    check_minimum_os,
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
    check_sysex_frameworks,
    check_seal,
)


def run_checks(
    bundle: AppBundle,
    rules: dict[str, BundleRule],
    udid: str | None,
    now: datetime,
    known_facts: frozenset[str] | None = None,
) -> tuple[list[Finding], list[Observation]]:
    ctx = CheckContext(bundle, rules, udid.strip() if udid else None, now, known_facts=known_facts)
    for check in CHECKS:
        check(ctx)
    findings = sorted(ctx.findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), f.path, f.rule, f.key))
    unique: list[Finding] = []
    for f in findings:
        if f not in unique:
            unique.append(f)
    observations = [o for fact, seen in ctx.seen.items() if (o := fold(fact, seen)) is not None]
    return unique, observations
