"""What the static checks share: the context they read and record into, and how per-component
facts are folded into one observation per fact."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from advisor.evidence import Observation, Source
from advisor.inspectors.bundle import AppBundle, BundleComponent
from advisor.inspectors.inspection import Finding
from advisor.knowledge.model import BundleRule

# Facts where a "no" from one component makes the whole bundle "no".
ALL_MUST_HOLD = (
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
ANY_HOLDS = ("profile_expired", "appex_has_frameworks")


@dataclass
class Seen:
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
    seen: dict[str, list[Seen]] = field(default_factory=dict)

    def find(self, rule_id: str, path: str, specific: str, key: str = "") -> None:
        rule = self.rules.get(rule_id)
        if rule is None:  # a partial knowledge base (tests, synthetic KBs): keep the facts only
            return
        detail = f"{rule.message} {specific}".strip() if specific else rule.message
        self.findings.append(Finding(rule.diagnosis, rule_id, rule.severity, detail, path, key))

    def observe(self, fact: str, value: str, detail: str, origin: str) -> None:
        self.seen.setdefault(fact, []).append(Seen(value, detail, origin))

    @property
    def app(self) -> BundleComponent | None:
        return self.bundle.app

    @property
    def providers(self) -> list[BundleComponent]:
        return self.bundle.network_providers

    @property
    def macos(self) -> bool:
        return self.bundle.platform == "macos"


def is_true(value: Any) -> bool:
    return value is True


def component_team(comp: BundleComponent) -> str | None:
    signature = comp.signature
    if signature and signature.team_id:
        return signature.team_id
    if signature and signature.signer and signature.signer.team_id:
        return signature.signer.team_id
    return comp.profile.team_id if comp.profile else None


def fold(fact: str, seen: list[Seen]) -> Observation | None:
    if fact in ANY_HOLDS:
        hit = next((s for s in seen if s.value == "yes"), None)
        chosen = hit or seen[0]
        details = chosen.detail if hit else "; ".join(s.detail for s in seen)
        return Observation(fact, chosen.value, Source.BUNDLE, details, chosen.origin)
    if fact in ALL_MUST_HOLD:
        failing = [s for s in seen if s.value == "no"]
        if failing:
            return Observation(fact, "no", Source.BUNDLE, "; ".join(s.detail for s in failing), failing[0].origin)
        return Observation(fact, seen[0].value, Source.BUNDLE, "; ".join(s.detail for s in seen), seen[0].origin)
    values = {s.value for s in seen}
    if len(values) != 1:
        return None  # components disagree and the fact has no "worst" value
    return Observation(fact, seen[0].value, Source.BUNDLE, "; ".join(s.detail for s in seen), seen[0].origin)
