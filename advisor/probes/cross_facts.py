"""Facts that no single probe settles: they need several outputs read together.

* device_in_profile: this Mac's Provisioning UDID (system_profiler) against ProvisionedDevices
  of every macOS development profile (security cms); never an iOS app's profiles, which name
  the devices that app runs on, not this Mac.
* profile_expired=no, hardened_runtime=yes, ne_entitlement_present=yes: true only when it
  holds for every bundle examined (the "no"/"yes" a single bundle proves comes from its own run).
* team_ids_match, app_groups_match: app, providers and profiles compared.
* other_copy_installed=no, ios_copy_installed=no: every registry listing that ran found no
  other copy.
* app_location: where the examined app is, relative to the Applications folder.

Each fact is reported only when the outputs make it clear.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field

from advisor.evidence import Observation, Source
from advisor.knowledge.model import UNKNOWN, KnowledgeBase
from advisor.probes.context import ProbeContext
from advisor.probes.execution import ProbeRun
from advisor.probes.parsers.codesign import (
    Entitlements,
    SigningSummary,
    bundle_role,
    provider_types,
    read_codesign_display,
    read_entitlements,
)
from advisor.probes.parsers.profiles import MACOS_PROFILE_PLATFORM, ProfileSummary, profile_expired, read_profile
from advisor.probes.parsers.registrations import comparable_path, other_copies, read_lsregister, read_mdfind, read_pluginkit
from advisor.probes.parsers.system import read_hardware_overview

_COPY_READERS = {
    "pluginkit": lambda run: read_pluginkit(run.stdout, run.stderr),
    "mdfind_bundle_id": lambda run: read_mdfind(run.stdout),
    "lsregister_dump": lambda run: read_lsregister(run.stdout),
}


@functools.lru_cache(maxsize=1)
def _default_parser_names() -> dict[str, str]:
    """probe id -> parser from the packaged probes.yaml, for runs recorded without a parser."""
    from advisor.knowledge.loader import default_root
    from advisor.knowledge.yaml_source import YamlError, as_text, read_yaml

    try:
        data = read_yaml(default_root() / "probes.yaml", "probes.yaml")
    except YamlError:
        return {}
    probes = data.get("probes") if isinstance(data, dict) else None
    if not isinstance(probes, dict):
        return {}
    return {
        str(pid): as_text(entry.get("parser")) or str(pid).replace("-", "_")
        for pid, entry in probes.items()
        if isinstance(entry, dict)
    }


def _parser_of(run: ProbeRun, kb: KnowledgeBase | None) -> str:
    if run.parser:
        return run.parser
    if kb is not None and run.probe_id in kb.probes:
        return kb.probes[run.probe_id].parser
    return _default_parser_names().get(run.probe_id, "")


def _observe(fact: str, value: str, detail: str, origins: Iterable[str]) -> Observation:
    return Observation(fact, value, Source.PROBE, detail, "+".join(sorted(set(origins))))


@dataclass
class _Readings:
    """What the finished runs say, grouped by kind, each with the probe id it came from."""

    udids: list[tuple[str, str, str]] = field(default_factory=list)  # (udid, line, probe id)
    profiles: list[tuple[ProfileSummary, str]] = field(default_factory=list)
    signatures: list[tuple[SigningSummary, str]] = field(default_factory=list)
    entitlements: list[tuple[Entitlements, str | None, str]] = field(default_factory=list)  # role
    copy_listings: list[str] = field(default_factory=list)  # probe ids of decisive listings
    reported: dict[str, set[str]] = field(default_factory=dict)  # fact -> values runs reported
    context: ProbeContext | None = None


def _read(runs: list[ProbeRun], kb: KnowledgeBase | None) -> _Readings:
    r = _Readings()
    for run in runs:
        for o in run.observations:
            r.reported.setdefault(o.fact, set()).add(o.value)
        if run.context is not None and r.context is None:
            r.context = run.context
        if run.timed_out or run.exit_code is None:
            continue
        parser = _parser_of(run, kb)
        if parser == "hardware_overview" and run.exit_code == 0:
            hw = read_hardware_overview(run.stdout)
            if hw and hw.provisioning_udid:
                r.udids.append((hw.provisioning_udid, hw.udid_line, run.probe_id))
        elif parser == "provisioning_profile" and run.exit_code == 0:
            profile = read_profile(run.stdout)
            if profile:
                r.profiles.append((profile, run.probe_id))
        elif parser == "codesign_display":
            summary = read_codesign_display(run.stdout, run.stderr)
            if summary and (run.exit_code == 0 or summary.unsigned):
                r.signatures.append((summary, run.probe_id))
        elif parser == "codesign_entitlements":
            ents = read_entitlements(run.stdout, run.stderr, run.exit_code)
            if ents is not None:
                role = bundle_role(ents.executable, run.context)
                r.entitlements.append((ents, role[0] if role else None, run.probe_id))
        elif parser in _COPY_READERS and run.exit_code == 0:
            listing = _COPY_READERS[parser](run)
            if listing is not None and other_copies(listing, run.context) is not None:
                r.copy_listings.append(run.probe_id)
    return r


def _for_this_mac(profile: ProfileSummary, context: ProbeContext | None) -> bool:
    """A profile that provisions code to run on this Mac (a macOS profile of a macOS app)."""
    if context is not None and context.about_ios_app:
        return False
    return not profile.platforms or MACOS_PROFILE_PLATFORM in profile.platforms


def _device_in_profile(r: _Readings) -> list[Observation]:
    dev_profiles = [(p, pid) for p, pid in r.profiles if p.lists_devices and _for_this_mac(p, r.context)]
    if not r.udids or not dev_profiles:
        return []
    udid, udid_line, udid_probe = r.udids[0]
    origins = [udid_probe] + [pid for _, pid in dev_profiles]
    missing = [p for p, _ in dev_profiles if not p.allows_device(udid)]
    if missing:
        names = ", ".join(f'"{p.name}"' for p in missing)
        return [_observe("device_in_profile", "no", f"{udid_line.strip()} is not in ProvisionedDevices of {names}", origins)]
    names = ", ".join(f'"{p.name}"' for p, _ in dev_profiles)
    return [_observe("device_in_profile", "yes", f"{udid_line.strip()} is listed by every development profile ({names})", origins)]


def _profiles_not_expired(r: _Readings) -> list[Observation]:
    if not r.profiles or "yes" in r.reported.get("profile_expired", set()):
        return []
    moment = r.context.moment() if r.context is not None else None
    if any(profile_expired(p, moment) is not False for p, _ in r.profiles):
        return []
    soonest = min((p for p, _ in r.profiles), key=lambda p: p.expiration)  # type: ignore[arg-type, return-value]
    detail = f"{len(r.profiles)} profile(s) valid; the first expires {soonest.expiration:%Y-%m-%d} (\"{soonest.name}\")"
    return [_observe("profile_expired", "no", detail, [pid for _, pid in r.profiles])]


def _hardened_runtime(r: _Readings) -> list[Observation]:
    signed = [(s, pid) for s, pid in r.signatures if not s.unsigned]
    if not signed or any(s.runtime is not True for s, _ in signed):
        return []
    detail = f"flags=0x10000(runtime) on all {len(signed)} signature(s) examined"
    return [_observe("hardened_runtime", "yes", detail, [pid for _, pid in signed])]


def _team_ids(r: _Readings) -> list[Observation]:
    seen: list[tuple[str, str, str]] = []  # (team, what, probe id)
    for s, pid in r.signatures:
        if s.team_id:
            seen.append((s.team_id, s.identifier or s.executable or "code", pid))
    for p, pid in r.profiles:
        for team in p.team_ids[:1]:
            seen.append((team, f'profile "{p.name}"', pid))
    if len(seen) < 2:
        return []
    teams = {t for t, _, _ in seen}
    detail = "; ".join(f"{what}: {team}" for team, what, _ in seen)
    return [_observe("team_ids_match", "yes" if len(teams) == 1 else "no", detail, [pid for _, _, pid in seen])]


def _ne_entitlement(r: _Readings) -> list[Observation]:
    if len(r.entitlements) < 2 or "no" in r.reported.get("ne_entitlement_present", set()):
        return []
    if any(not e.ne_values() for e, _, _ in r.entitlements):
        return []
    roles = {role for _, role, _ in r.entitlements}
    if r.context is not None and not {"app", "provider"} <= roles:
        return []
    # Each bundle must hold its provider's value, not merely the key; with several providers of
    # different types the probes cannot tell which provider needs which value.
    if r.context is not None and len(r.context.provider_paths) > 1 and len(provider_types(r.context)) > 1:
        return []
    detail = f"com.apple.developer.networking.networkextension present on all {len(r.entitlements)} bundles examined"
    return [_observe("ne_entitlement_present", "yes", detail, [pid for _, _, pid in r.entitlements])]


def _mixed_entitlement_forms(r: _Readings) -> list[Observation]:
    """Bundles signed with different NE value forms (plain in one, -systemextension in another):
    no single form describes the shipped code, so the last bundle read must not decide it (a
    faulty app beside a correct provider would otherwise rule the fault out)."""
    forms = r.reported.get("ne_entitlement_form", set()) - {UNKNOWN}
    if len(forms) < 2:
        return []
    detail = "the bundles examined are signed with different forms: " + ", ".join(sorted(forms))
    return [_observe("ne_entitlement_form", UNKNOWN, detail, [pid for _, _, pid in r.entitlements])]


def _app_groups(r: _Readings) -> list[Observation]:
    apps = [(e, pid) for e, role, pid in r.entitlements if role == "app"]
    providers = [(e, pid) for e, role, pid in r.entitlements if role == "provider"]
    if not apps or not providers:
        return []
    app_groups = apps[0][0].app_groups()
    origins = [apps[0][1]] + [pid for _, pid in providers]
    if not app_groups and all(not e.app_groups() for e, _ in providers):
        return []  # no app groups anywhere: nothing to compare
    for e, _ in providers:
        if not app_groups & e.app_groups():
            detail = f"app groups {sorted(app_groups)} (app) vs {sorted(e.app_groups())} ({e.executable or 'provider'})"
            return [_observe("app_groups_match", "no", detail, origins)]
    shared = set.intersection(app_groups, *(e.app_groups() for e, _ in providers))
    detail = f"app and provider(s) share {sorted(shared) or sorted(app_groups)}"
    return [_observe("app_groups_match", "yes", detail, origins)]


def _no_other_copies(r: _Readings) -> list[Observation]:
    if not r.copy_listings:
        return []
    out = []
    detail = f"no other copy in {len(r.copy_listings)} registry listing(s) ({', '.join(sorted(set(r.copy_listings)))})"
    if "yes" not in r.reported.get("other_copy_installed", set()):
        out.append(_observe("other_copy_installed", "no", detail, r.copy_listings))
    if "yes" not in r.reported.get("ios_copy_installed", set()):
        out.append(_observe("ios_copy_installed", "no", detail.replace("no other copy", "no iOS (Wrapper) copy"), r.copy_listings))
    return out


def context_observations(context: ProbeContext) -> list[Observation]:
    """Facts the discovered context itself settles (no command needed): app_location."""
    if not context.app_path:
        return []
    app = comparable_path(context.app_path)
    root = comparable_path(context.applications_dir)
    inside = app.startswith(root.rstrip("/") + "/")
    where = "applications" if inside else "elsewhere"
    detail = f"{context.app_path} is {'inside' if inside else 'outside'} {context.applications_dir}"
    return [Observation("app_location", where, Source.PROBE, detail, "discovery")]


def derive_cross_probe_facts(runs: Iterable[ProbeRun], kb: KnowledgeBase | None = None) -> list[Observation]:
    """Observations that need several probe outputs (see the module docstring)."""
    readings = _read(list(runs), kb)
    out: list[Observation] = []
    for derive in (_device_in_profile, _profiles_not_expired, _hardened_runtime, _team_ids, _ne_entitlement, _mixed_entitlement_forms, _app_groups, _no_other_copies):
        out.extend(derive(readings))
    if readings.context is not None:
        out.extend(context_observations(readings.context))
    return out
