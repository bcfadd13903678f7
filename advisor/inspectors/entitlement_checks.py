"""Checks of the entitlements the app and its providers are signed with.

Only code whose signature could be read is judged: a missing or unreadable executable settles
nothing about entitlements (it is reported by its own rule).
"""

from __future__ import annotations

import re

from advisor.inspectors.bundle import ComponentKind
from advisor.inspectors.check_context import CheckContext, component_team, is_true
from advisor.network_extension_ids import (
    APP_GROUPS_ENTITLEMENT,
    NE_ENTITLEMENT,
    NETWORK_CLIENT_ENTITLEMENT,
    PROVIDER_ENTITLEMENT_VALUES,
    SANDBOX_ENTITLEMENT,
    SYSEX_INSTALL_ENTITLEMENT,
    SYSEX_REDISTRIBUTABLE_ENTITLEMENT,
    SYSTEM_EXTENSION_SUFFIX,
    VALUES_WITH_SYSTEM_EXTENSION_FORM,
    allows_provider,
    app_groups,
    plain_value,
    provider_values,
)

_TEAM_PREFIXED = re.compile(r"^([A-Z0-9]{10})\.")


def check_ne_entitlement(ctx: CheckContext) -> None:
    app = ctx.app if ctx.app is not None and ctx.app.entitlements_known else None
    for comp in ctx.providers:
        if not comp.entitlements_known:
            continue
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
                    comp=comp,
                    provider_types=[ptype],
                    fact="ne_entitlement_present",
                    fact_detail=f"{NE_ENTITLEMENT} lacks {value!r} on {comp.display}",
                )
                missing_on.append(comp.display)
            if app is not None and not allows_provider(app.entitlements, ptype):
                ctx.find(
                    "ne-entitlement-missing",
                    app.display,
                    f"The container app lacks {value!r}, needed for its {ptype} provider.",
                    NE_ENTITLEMENT,
                    comp=app,
                    provider_types=[ptype],
                    fact="ne_entitlement_present",
                    fact_detail=f"{NE_ENTITLEMENT} lacks {value!r} on {app.display}",
                )
                missing_on.append(app.display)
            if not missing_on:
                where = f"the app and {comp.display}" if app is not None else comp.display
                ctx.observe("ne_entitlement_present", "yes", f"{NE_ENTITLEMENT} allows {value!r} on {where}", comp.display)


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
    if app is None or not ctx.macos or not app.entitlements_known:
        return
    sysexes = [p for p in ctx.bundle.providers if p.kind is ComponentKind.SYSEX]
    entitled = is_true(app.entitlements.get(SYSEX_INSTALL_ENTITLEMENT))
    if sysexes and not entitled:
        ctx.find(
            "container-missing-install-entitlement",
            app.display,
            f"The app embeds {sysexes[0].display}.",
            SYSEX_INSTALL_ENTITLEMENT,
            comp=app,
            packaging="sysex",
            fact="install_entitlement",
            fact_detail=f"{app.display}: {SYSEX_INSTALL_ENTITLEMENT} absent",
        )
    elif sysexes or entitled:
        ctx.observe("install_entitlement", "yes", f"{app.display}: {SYSEX_INSTALL_ENTITLEMENT}=true", app.display)


def check_sandbox(ctx: CheckContext) -> None:
    """macOS providers: the App Sandbox, and the outgoing-network permission for the provider types
    that open connections (knowledge/bundle-rules.yaml names them; a filter-data provider never does)."""
    if not ctx.macos:
        return
    for comp in ctx.providers:
        if comp.signature is None or not comp.entitlements_known:
            continue
        ents = comp.entitlements
        if not is_true(ents.get(SANDBOX_ENTITLEMENT)):
            rule = "appex-not-sandboxed" if comp.kind is ComponentKind.APPEX else "sysex-not-sandboxed"
            ctx.find(rule, comp.display, "", SANDBOX_ENTITLEMENT, comp=comp)
            ctx.observe("provider_sandboxed", "no", f"{comp.display}: {SANDBOX_ENTITLEMENT} is not true", comp.display)
            continue
        ctx.observe("provider_sandboxed", "yes", f"{comp.display}: {SANDBOX_ENTITLEMENT}=true", comp.display)
        if is_true(ents.get(NETWORK_CLIENT_ENTITLEMENT)):
            ctx.observe(
                "network_client_entitlement", "yes", f"{comp.display}: {NETWORK_CLIENT_ENTITLEMENT} is true", comp.display
            )
        else:
            ctx.find(
                "sandboxed-provider-without-network-client",
                comp.display,
                f"It is a {', '.join(comp.provider_types) or 'Network Extension'} provider.",
                NETWORK_CLIENT_ENTITLEMENT,
                comp=comp,
                fact="network_client_entitlement",
                fact_detail=f"{comp.display}: sandboxed without {NETWORK_CLIENT_ENTITLEMENT}",
            )


def check_app_groups(ctx: CheckContext) -> None:
    app = ctx.app
    if ctx.macos:
        for comp in ([app] if app else []) + ctx.providers:
            if not comp.entitlements_known:
                continue
            team = component_team(comp)
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
                    comp=comp,
                    fact="app_groups_match",
                    fact_detail=f"{comp.display}: app group {group!r} is not Team ID-prefixed",
                )
    if app is None or not app.entitlements_known:
        return
    app_set = set(app_groups(app.entitlements))
    app_team = component_team(app)
    for comp in ctx.providers:
        if not comp.entitlements_known:
            continue
        if is_true(comp.entitlements.get(SYSEX_REDISTRIBUTABLE_ENTITLEMENT)) and component_team(comp) != app_team:
            continue  # another team's system extension: app groups never span teams
        provider_set = set(app_groups(comp.entitlements))
        if not app_set and not provider_set:
            continue
        if app_set and provider_set and not app_set & provider_set:
            ctx.find(
                "app-groups-disjoint",
                comp.display,
                f"The app has {sorted(app_set)}, the provider {sorted(provider_set)}.",
                APP_GROUPS_ENTITLEMENT,
                comp=comp,
                fact="app_groups_match",
                fact_detail=f"{app.display} and {comp.display} share no app group",
            )
        elif not app_set or not provider_set:
            # Correct setups do this (a system extension's only group serves its NEMachServiceName;
            # an app's group serves its widgets while the tunnel gets providerConfiguration).
            lacking = app.display if not app_set else comp.display
            ctx.find(
                "app-group-missing-on-one-side",
                lacking,
                f"Only {comp.display if not app_set else app.display} declares app groups.",
                APP_GROUPS_ENTITLEMENT,
                comp=comp,
            )
        else:
            shared = sorted(app_set & provider_set)
            ctx.observe("app_groups_match", "yes", f"{app.display} and {comp.display} share {shared}", comp.display)
