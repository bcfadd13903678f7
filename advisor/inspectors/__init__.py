"""The bundle inspector: read app bundles, profiles and code signatures; find NE misconfigurations.

`inspect_bundle` is the entry point used by `advisor inspect`, `advisor diagnose --app` and the TUI.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from advisor.inspectors.bundle import AppBundle, open_bundle
from advisor.inspectors.inspection import BundleInspection, Finding, bundle_ids
from advisor.inspectors.static_checks import run_checks
from advisor.knowledge.model import KnowledgeBase

__all__ = ["BundleInspection", "Finding", "bundle_ids", "inspect_bundle"]


def _summary(bundle: AppBundle) -> dict:
    root = bundle.root
    return {
        **root.to_json(),
        "platform": bundle.platform,
        "packaging": bundle.packaging,
        "standalone_provider": bundle.app is None,
        "location": str(bundle.location) if bundle.location else None,
    }


def inspect_bundle(
    path: Path, kb: KnowledgeBase, udid: str | None = None, now: datetime | None = None
) -> BundleInspection:
    """Inspect the app bundle (or .zip/.ipa of one, or a provider bundle) at `path`.

    Raises UserError (one line naming the path) when `path` is not a readable bundle or archive.
    `now` decides profile expiry (default: the current time).
    """
    with open_bundle(Path(path)) as bundle:
        findings, observations = run_checks(
            bundle, kb.bundle_rules, udid, now or datetime.now(UTC), known_facts=frozenset(kb.facts)
        )
        providers = [p.to_json() for p in bundle.providers]
        return BundleInspection(str(path), _summary(bundle), providers, findings, observations)
