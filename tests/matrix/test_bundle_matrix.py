"""The bundle matrix (tests/matrix/bundle_cases.py): every healthy bundle of every channel and
provider type gives no error finding and no confirmed diagnosis; every fault a bundle proves,
injected alone, ranks first, confirmed, with nothing else confirmed; every fault a bundle only
hints at is listed and confirms nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.matrix import bundle_cases
from tests.matrix.model import CHANNELS, HEALTHY, MatrixCase

CASES = bundle_cases.all_cases()
HINTS = bundle_cases.hint_cases()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_matrix_case(case: MatrixCase, tmp_path: Path) -> None:
    outcome = bundle_cases.run_case(case, tmp_path / "case")
    if case.fault == HEALTHY:
        assert not outcome.error_findings and not outcome.confirmed, outcome.detail
    else:
        assert outcome.top == case.fault, outcome.detail
        assert set(outcome.confirmed) <= {case.fault}, outcome.detail
        # The bundle proves these faults: the injected diagnosis is confirmed, not just first.
        assert outcome.confirmed == [case.fault], outcome.detail
    assert outcome.passed


@pytest.mark.parametrize("case", HINTS, ids=lambda c: c.name)
def test_hinted_fault_is_listed_and_confirms_nothing(case: MatrixCase, tmp_path: Path) -> None:
    path, udid = bundle_cases.build_case(case, tmp_path / "case")
    investigation = bundle_cases.diagnose(path, udid)
    ranked = [a.id for a in investigation.diagnoses()]
    confirmed = [a.id for a in investigation.diagnoses() if str(a.status) == "confirmed"]
    errors = [f["rule"] for f in (investigation.bundle or {}).get("findings", []) if f["severity"] == "error"]
    assert case.fault in ranked, ranked
    assert not confirmed and not errors, (confirmed, errors)


def test_every_channel_has_healthy_and_faulted_bundles() -> None:
    healthy = {c.channel for c in CASES if c.fault == HEALTHY}
    faulted = {c.channel for c in CASES if c.fault != HEALTHY}
    assert healthy == set(CHANNELS) == faulted


def test_every_diagnosis_a_bundle_rule_evidences_has_a_fault_case() -> None:
    """Each diagnosis a rule of knowledge/bundle-rules.yaml points at is injected by at least one
    fault (or hint) case; tests/inspectors/test_inspect_rules.py makes every rule fire."""
    from advisor.knowledge.loader import load_knowledge

    kb = load_knowledge(None)
    expected_by_rule = {rule_id: rule.diagnosis for rule_id, rule in kb.bundle_rules.items()}
    faults = {c.fault for c in CASES + HINTS if c.fault != HEALTHY}
    rules_without_fault = sorted(r for r, d in expected_by_rule.items() if d not in faults)
    assert not rules_without_fault, f"bundle rules whose diagnosis no fault case injects: {rules_without_fault}"


def test_every_bundle_rule_states_where_it_applies() -> None:
    from advisor.knowledge.loader import load_knowledge

    kb = load_knowledge(None)
    unstated = sorted(r.id for r in kb.bundle_rules.values() if r.applies_to is None)
    assert not unstated, f"bundle rules without applies_to: {unstated}"
