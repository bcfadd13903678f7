"""Checks of provisioning profiles and Team IDs across the app, its providers and their profiles."""

from __future__ import annotations

import re
from typing import Any

from advisor.inspectors.bundle import BundleComponent
from advisor.inspectors.certificates import TEAM_ID
from advisor.inspectors.check_context import CheckContext, component_team
from advisor.inspectors.network_extension_ids import APPLICATION_ID_ENTITLEMENTS, TEAM_ID_ENTITLEMENT, app_groups

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
    reference = component_team(root) or max(set(all_teams), key=all_teams.count)
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
