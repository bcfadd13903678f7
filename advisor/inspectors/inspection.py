"""The result of inspecting a bundle: findings, observed facts, and the JSON/pointer views."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from advisor.evidence import Observation, Pointer, Source

SEVERITY_WEIGHTS = {"error": 5.0, "warning": 2.0, "info": 0.5}
SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}


@dataclass(frozen=True)
class Finding:
    id: str  # the diagnosis it evidences (catalog id)
    rule: str  # the bundle rule that produced it (knowledge/bundle-rules.yaml)
    severity: str  # error | warning | info
    detail: str
    path: str  # the file inside the bundle
    key: str = ""  # the Info.plist / entitlement / profile key, when there is one

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "rule": self.rule,
            "severity": self.severity,
            "detail": self.detail,
            "path": self.path,
            "key": self.key,
        }


def json_safe(value: Any) -> Any:
    """Plist values (dates, data) made JSON-serialisable."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


@dataclass
class BundleInspection:
    path: str
    bundle: dict[str, Any]
    providers: list[dict[str, Any]]
    findings: list[Finding]
    observations: list[Observation] = field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    def pointers(self) -> list[Pointer]:
        return [
            Pointer(
                f.id,
                SEVERITY_WEIGHTS.get(f.severity, 0.5),
                Source.BUNDLE,
                f.detail,
                f"{f.path}:{f.key}" if f.key else f.path,
            )
            for f in self.findings
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "bundle": json_safe(self.bundle),
            "providers": json_safe(self.providers),
            "findings": [f.to_json() for f in self.findings],
            "facts": {o.fact: {"value": o.value, "detail": o.detail, "origin": o.origin} for o in self.observations},
            "observations": [
                {"fact": o.fact, "value": o.value, "detail": o.detail, "origin": o.origin} for o in self.observations
            ],
        }


def bundle_ids(inspection: BundleInspection) -> dict[str, Any]:
    """What probes need: the app's bundle id and path, and each provider's id, path and kind.

    Paths are absolute on-disk paths when a folder was inspected; inside an archive there is no
    such path, and `path` is the one relative to the archive (with `on_disk` False).
    """
    bundle = inspection.bundle
    location = bundle.get("location")
    base = Path(location).parent if location else None

    def where(display: str | None) -> str | None:
        return str(base / display) if base is not None and display else display

    return {
        "app_bundle_id": None if bundle.get("standalone_provider") else bundle.get("bundle_id"),
        "app_path": location if location and not bundle.get("standalone_provider") else None,
        "on_disk": base is not None,
        "providers": [
            {
                "bundle_id": p.get("bundle_id"),
                "path": where(p.get("path")),
                "kind": p.get("kind"),
                "provider_types": p.get("provider_types", []),
                "network_extension": p.get("network_extension", False),
            }
            for p in inspection.providers
        ],
    }
