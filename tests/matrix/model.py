"""The shape every matrix case shares: bundle faults, Mac-state faults and healthy setups.

A case is one setup (a distribution channel, a provider type, a packaging) with at most one
injected fault, run one way (`inspect`, `diagnose --app --probe yes` in the fake Mac, or
`collect` then `diagnose --from`). The tests under tests/matrix/ assert every case passes;
bench/matrix.py prints the grid and bench/calibration.py counts it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

HEALTHY = "healthy"

# Every distribution channel a correct setup can come from (issue 10, section 1).
CHANNELS = (
    "macos-development",
    "macos-developer-id",  # notarised and stapled, hardened runtime
    "macos-app-store",  # Apple re-signed ("Apple Mac OS Application Signing"), store profile
    "macos-testflight",  # as the App Store, plus beta-reports-active
    "ios-development",
    "ios-app-store",  # Apple re-signed ("Apple iPhone OS Application Signing")
    "ios-testflight",
    "ios-ad-hoc",
    "ios-enterprise",
)

# How a case was run.
VIA_INSPECT = "inspect"
VIA_PROBE = "diagnose-probe"  # diagnose --app APP --probe yes, fake macOS tools on PATH
VIA_COLLECT = "collect"  # collect --app APP --output T; diagnose --from T


@dataclass(frozen=True)
class MatrixCase:
    fault: str  # the injected diagnosis id, or HEALTHY
    channel: str  # one of CHANNELS
    provider_type: str  # a contract provider_type value
    packaging: str  # appex | sysex
    via: str  # VIA_INSPECT | VIA_PROBE | VIA_COLLECT
    variant: str = ""  # which way the fault was injected, when a diagnosis has several

    @property
    def name(self) -> str:
        parts = [self.fault, self.variant, self.channel, self.provider_type, self.packaging, self.via]
        return "/".join(p for p in parts if p)


@dataclass
class MatrixOutcome:
    case: MatrixCase
    top: str | None  # the first-ranked diagnosis id
    confirmed: list[str] = field(default_factory=list)  # every diagnosis with status confirmed
    error_findings: list[str] = field(default_factory=list)  # bundle rule ids found with severity error
    detail: str = ""
    ranked: list[tuple[str, str]] = field(default_factory=list)  # (diagnosis id, status), best first

    @property
    def passed(self) -> bool:
        if self.case.fault == HEALTHY:
            return not self.confirmed and not self.error_findings
        return self.top == self.case.fault and set(self.confirmed) <= {self.case.fault}
