"""Checks of provisioning profiles and Team IDs across the app, its providers and their profiles."""

from __future__ import annotations

import re
from typing import Any

from advisor.inspectors.bundle import BundleComponent, ComponentKind
from advisor.inspectors.certificates import TEAM_ID
from advisor.inspectors.check_context import CheckContext, component_team, is_true
from advisor.network_extension_ids import (
    APP_GROUPS_ENTITLEMENT,
    APPLICATION_ID_ENTITLEMENTS,
    NE_ENTITLEMENT,
    SYSEX_REDISTRIBUTABLE_ENTITLEMENT,
    SYSTEM_EXTENSION_SUFFIX,
    TEAM_ID_ENTITLEMENT,
    VALUES_WITH_SYSTEM_EXTENSION_FORM,
    app_groups,
)

# On macOS, App Sandbox / app-group / hardened runtime keys (com.apple.security.*) need no
# profile (TN3125); every other key is restricted. On iOS every key is checked.
_UNRESTRICTED_MACOS_PREFIX = "com.apple.security."
_TEAM_PREFIXED = re.compile(r"^([A-Z0-9]{10})\.")


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
    # The application identifier starts with the App ID prefix, which is the Team ID unless the
    # profile names another one (a unique prefix of an App ID older than June 2011, TN2311).
    legacy_prefixes = set(comp.profile.app_id_prefixes) - set(comp.profile.team_ids) if comp.profile else set()
    for key in APPLICATION_ID_ENTITLEMENTS:
        value = ents.get(key)
        if isinstance(value, str) and (m := _TEAM_PREFIXED.match(value)) and m.group(1) not in legacy_prefixes:
            claims.append((m.group(1), key))
    for group in app_groups(ents):
        if m := _TEAM_PREFIXED.match(group):
            claims.append((m.group(1), f"app group {group}"))
    return claims


def _redistributable(comp: BundleComponent) -> bool:
    """A system extension another team may ship (its team need not be the app's)."""
    return comp.kind is ComponentKind.SYSEX and is_true(comp.entitlements.get(SYSEX_REDISTRIBUTABLE_ENTITLEMENT))


def check_team_ids(ctx: CheckContext) -> None:
    per_component = [(comp, _team_claims(comp)) for comp in ctx.bundle.components]
    all_teams = [team for _, claims in per_component for team, _ in claims]
    if len(all_teams) < 2:
        return
    root = ctx.bundle.root
    # The container's own signing team is the reference; otherwise the most common one. A
    # redistributable system extension is only held to its own team.
    reference = component_team(root) or max(set(all_teams), key=all_teams.count)
    mismatched = False
    for comp, claims in per_component:
        own = component_team(comp) if _redistributable(comp) and comp is not root else None
        expected = own or reference
        foreign = [(team, where) for team, where in claims if team != expected]
        if not foreign:
            continue
        mismatched = True
        listed = "; ".join(
            f"{team} ({', '.join(w for t, w in foreign if t == team)})" for team in sorted({t for t, _ in foreign})
        )
        against = f"its own signature uses {expected}" if own else f"{root.display} uses {reference}"
        ctx.find(
            "team-id-mismatch",
            comp.display,
            f"It uses {listed} where {against}.",
            comp=comp,
            fact="team_ids_match",
            fact_detail=f"{comp.display}: {listed}; expected {expected}",
        )
    if not mismatched:
        ctx.observe(
            "team_ids_match",
            "yes",
            f"Team ID {reference} in all {len(all_teams)} places (signatures, certificates, profiles, entitlements)",
            root.display,
        )


def _restricted(ctx: CheckContext, entitlements: dict[str, Any]) -> dict[str, Any]:
    if ctx.macos:
        return {k: v for k, v in entitlements.items() if not k.startswith(_UNRESTRICTED_MACOS_PREFIX)}
    return dict(entitlements)


def _developer_id_form_authorised(comp: BundleComponent, key: str, value: Any) -> bool:
    """A Developer ID build signed with plain NE values whose profile allows their -systemextension
    form: one fault, reported as developer-id-plain-ne-values, not a second time here."""
    if key != NE_ENTITLEMENT or comp.signing_identity != "developer-id" or comp.profile is None:
        return False
    values = value if isinstance(value, list) else [value]
    converted = [
        v + SYSTEM_EXTENSION_SUFFIX if isinstance(v, str) and v in VALUES_WITH_SYSTEM_EXTENSION_FORM else v for v in values
    ]
    return converted != values and comp.profile.authorises(key, converted)


def _built_for_simulator(comp: BundleComponent) -> bool:
    return bool(comp.macho and comp.macho.slices and comp.macho.primary.platform == "ios-simulator")


def check_profile_entitlements(ctx: CheckContext) -> None:
    for comp in ([ctx.app] if ctx.app else []) + ctx.providers:
        if comp.signature is None or comp.profile_error or not comp.entitlements_known:
            continue
        if _built_for_simulator(comp) and comp.profile is None:
            # Xcode signs Simulator builds "to run locally" (ad hoc) and embeds no profile: the
            # Simulator grants entitlements without one. Such a build is evidence of running in
            # the Simulator (running_in_simulator), not of a provisioning fault.
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
                comp=comp,
                fact="profile_authorizes_entitlements",
                fact_detail=f"{comp.display}: restricted entitlements and no embedded profile",
            )
            continue
        refused = [
            k
            for k, v in sorted(restricted.items())
            if not profile.authorises(k, v) and not _developer_id_form_authorised(comp, k, v)
        ]
        for key in refused:
            allowed = profile.entitlements.get(key, "nothing")
            if key == APP_GROUPS_ENTITLEMENT:
                ctx.find(
                    "app-group-not-in-profile",
                    comp.display,
                    f"Signed with {restricted[key]!r}; {comp.profile_display} allows {allowed!r}.",
                    key,
                    comp=comp,
                    fact="app_groups_match",
                    fact_detail=f"{comp.profile_display} does not authorise the app group(s) {restricted[key]!r}",
                )
                continue
            ctx.find(
                "entitlement-not-in-profile",
                comp.display,
                f"Signed with {restricted[key]!r}; {comp.profile_display} allows {allowed!r}.",
                key,
                comp=comp,
                fact="profile_authorizes_entitlements",
                fact_detail=f"{comp.profile_display} does not authorise {key}",
            )
        if not refused:
            ctx.observe(
                "profile_authorizes_entitlements",
                "yes",
                f"{comp.profile_display} authorises all {len(restricted)} restricted entitlements of {comp.display}",
                comp.profile_display or comp.display,
            )


def check_profile_certificate(ctx: CheckContext) -> None:
    """The profile must list the certificate the code is signed with, unless Apple re-signed the
    code for the store (its profile then lists the developer's distribution certificate)."""
    for comp in ctx.bundle.components:
        signer = comp.signature.signer if comp.signature else None
        if comp.profile is None or signer is None:
            continue
        where = comp.profile_display or comp.display
        if comp.profile.lists_certificate(signer):
            ctx.observe("certificate_in_profile", "yes", f"{where} lists {signer.common_name!r}", where)
            continue
        if comp.profile.unreadable_certificates:  # the signer may be the entry that cannot be read
            continue
        listed = ", ".join(sorted({c.common_name for c in comp.profile.developer_certificates})) or "no certificates"
        ctx.find(
            "certificate-not-in-profile",
            where,
            f"{comp.display} is signed by {signer.common_name!r} (SHA-1 {signer.sha1}); the profile lists {listed}.",
            "DeveloperCertificates",
            comp=comp,
            fact="certificate_in_profile",
            fact_detail=f"{where} does not list {signer.common_name!r}",
        )


def check_profile_expiry(ctx: CheckContext) -> None:
    for comp in ctx.bundle.components:
        profile = comp.profile
        if profile is None or profile.expiration_date is None:
            continue
        where = comp.profile_display or comp.display
        stamp = profile.expiration_date.strftime("%Y-%m-%d %H:%M UTC")
        if profile.expired(ctx.now):
            ctx.find(
                "profile-expired",
                where,
                f"{profile.name!r} expired on {stamp}.",
                "ExpirationDate",
                comp=comp,
                fact="profile_expired",
                fact_value="yes",
                fact_detail=f"{where}: ExpirationDate {stamp}",
            )
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
                comp=comp,
                fact="device_in_profile",
                fact_detail=f"{where}: ProvisionedDevices lacks {ctx.udid}",
            )
