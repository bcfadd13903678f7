"""What the static checks share: the context they read and record into, where each rule applies,
and how per-component facts are folded into one observation per fact."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from advisor.evidence import Observation, Source
from advisor.inspectors.bundle import AppBundle, BundleComponent, ComponentKind
from advisor.inspectors.inspection import Finding
from advisor.inspectors.provisioning_profile import ProfileKind
from advisor.knowledge.model import CHANNELS, BundleRule

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
    "deployment_target_ok",
    "sysex_name_matches_id",
    "sysex_frameworks_embedded",
)

# Facts where one "yes" settles it ("an embedded profile has expired").
ANY_HOLDS = ("profile_expired", "appex_has_frameworks")

DOUBT = "?"  # a check saw something it cannot call a fault: the fact stays unknown


@dataclass
class Seen:
    value: str
    detail: str
    origin: str


def bundle_channels(bundle: AppBundle) -> frozenset[str]:
    """The distribution channels the bundle can come from, told by who signed the container (or
    the provider given alone) and, for Apple Distribution-signed iOS builds, its profile's kind."""
    platform = bundle.platform
    every = frozenset(c for c in CHANNELS if c.startswith(platform + "-"))
    root = bundle.root
    signature = root.signature
    signer = signature.signer if signature and not signature.cms_error else None
    if signer is None:
        return every  # unsigned, ad hoc or unreadable: any channel
    kind = signer.kind.value
    if kind == "apple-development":
        return frozenset({f"{platform}-development"})
    if kind == "developer-id":
        return frozenset({"macos-developer-id"}) if platform == "macos" else every
    if kind == "testflight":  # "TestFlight Beta Distribution": only TestFlight installs carry it
        return frozenset({f"{platform}-testflight"})
    if kind == "app-store" or (kind == "apple-distribution" and platform == "macos"):
        return frozenset({f"{platform}-app-store", f"{platform}-testflight"})
    if kind == "apple-distribution":
        profile_kind = root.profile.kind if root.profile else None
        if profile_kind is ProfileKind.AD_HOC:
            return frozenset({"ios-ad-hoc"})
        if profile_kind is ProfileKind.ENTERPRISE:
            return frozenset({"ios-enterprise"})
        if profile_kind is ProfileKind.APP_STORE:
            return frozenset({"ios-app-store", "ios-testflight"})
        return every - {"ios-development"}
    return every


def signed_by(comp: BundleComponent) -> str | None:
    """'apple-store' for code Apple re-signed, 'developer' for the developer's own signature."""
    if comp.apple_store_signed:
        return "apple-store"
    return "developer" if comp.entitlements_known else None


@dataclass
class CheckContext:
    bundle: AppBundle
    rules: dict[str, BundleRule]
    udid: str | None
    now: datetime
    findings: list[Finding] = field(default_factory=list)
    seen: dict[str, list[Seen]] = field(default_factory=dict)
    channels: frozenset[str] = frozenset()
    known_facts: frozenset[str] | None = None  # the knowledge base's facts; others are not recorded

    def __post_init__(self) -> None:
        if not self.channels:
            self.channels = bundle_channels(self.bundle)

    def find(
        self,
        rule_id: str,
        path: str,
        specific: str,
        key: str = "",
        *,
        comp: BundleComponent | None = None,
        provider_types: list[str] | None = None,
        packaging: str | None = None,
        fact: str | None = None,
        fact_value: str = "no",
        fact_detail: str = "",
    ) -> Finding | None:
        """Record the rule's finding where it applies (knowledge/bundle-rules.yaml `applies_to`).

        A rule that may or may not apply here (the channel or provider type cannot be told) gives
        at most a warning. `fact` is recorded only with an error finding: a fact that confirms a
        diagnosis must come from a proven fault, never from a doubt.
        """
        rule = self.rules.get(rule_id)
        if rule is None:  # a partial knowledge base (tests, synthetic KBs): keep the facts only
            if fact:
                self.observe(fact, fact_value, fact_detail or specific, path)
            return None
        severity = rule.severity
        if rule.applies_to is not None:
            is_provider = comp is not None and comp.kind is not ComponentKind.APP
            types = provider_types if provider_types is not None else (comp.provider_types if is_provider and comp else None)
            if packaging is None and is_provider and comp is not None:
                packaging = comp.kind.value
            scope = rule.applies_to.scope(
                self.channels,
                frozenset(types) if types else None,
                packaging,
                signed_by(comp) if comp is not None else None,
            )
            if scope is False:
                return None
            if scope is None and severity == "error":
                severity = "warning"
        detail = f"{rule.message} {specific}".strip() if specific else rule.message
        finding = Finding(rule.diagnosis, rule_id, severity, detail, path, key)
        self.findings.append(finding)
        if fact:
            self.observe(fact, fact_value if severity == "error" else DOUBT, fact_detail or detail, path)
        return finding

    def observe(self, fact: str, value: str, detail: str, origin: str) -> None:
        if self.known_facts is not None and fact not in self.known_facts:
            return  # a fact this knowledge base does not define (yet)
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
    doubted = any(s.value == DOUBT for s in seen)
    seen = [s for s in seen if s.value != DOUBT]
    if not seen:
        return None
    if fact in ANY_HOLDS:
        hit = next((s for s in seen if s.value == "yes"), None)
        if hit is None and doubted:
            return None
        chosen = hit or seen[0]
        details = chosen.detail if hit else "; ".join(s.detail for s in seen)
        return Observation(fact, chosen.value, Source.BUNDLE, details, chosen.origin)
    if fact in ALL_MUST_HOLD:
        failing = [s for s in seen if s.value == "no"]
        if failing:
            return Observation(fact, "no", Source.BUNDLE, "; ".join(s.detail for s in failing), failing[0].origin)
        if doubted:
            return None
        return Observation(fact, seen[0].value, Source.BUNDLE, "; ".join(s.detail for s in seen), seen[0].origin)
    values = {s.value for s in seen}
    if len(values) != 1 or doubted:
        return None  # components disagree and the fact has no "worst" value
    return Observation(fact, seen[0].value, Source.BUNDLE, "; ".join(s.detail for s in seen), seen[0].origin)
