"""Every scenario in tests/scenarios ranks its expected diagnosis first (answers, description,
log), through the same Investigation the CLI uses."""

from pathlib import Path

import pytest
import yaml

from advisor.investigation import Investigation, KnowledgeRuntime

SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def runtime(kb):
    return KnowledgeRuntime(kb)


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario_ranks_expected_diagnosis_first(path, kb, runtime):
    story = yaml.safe_load(path.read_text())
    inv = Investigation.start(kb, runtime)
    for fact, value in story["facts"].items():
        inv.answer(fact, str(value))
    inv.add_description(story["description"])
    inv.add_log_text(story.get("log") or "")
    ranked = [a.id for a in inv.diagnoses()]
    accepted = [story["expected"]["diagnosis"], *story["expected"].get("also_acceptable", [])]
    assert ranked and ranked[0] in accepted, f"ranked {ranked[:3]}"


def test_there_are_enough_scenarios():
    assert len(SCENARIOS) >= 30
