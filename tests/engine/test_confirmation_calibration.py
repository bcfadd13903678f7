"""bench/calibration.py: the status precision figures, and the promise they keep on the stories
the project holds (issue 10: confirmed >= 0.97, likely >= 0.7, and no story loses its first place)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from tests.matrix.model import HEALTHY, VIA_INSPECT, MatrixCase, MatrixOutcome

BENCH = Path(__file__).resolve().parents[2] / "bench" / "calibration.py"


@pytest.fixture(scope="module")
def calibration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("calibration", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["calibration"] = module
    spec.loader.exec_module(module)
    return module


def test_statuses_keep_their_promise_on_scenarios_and_transcripts(calibration, kb):
    from advisor.investigation import KnowledgeRuntime

    runtime = KnowledgeRuntime(kb)
    stories = [*calibration.scenario_stories(kb, runtime), *calibration.transcript_stories(kb, runtime)]
    assert len(stories) >= 100
    tallies = calibration.status_tallies(stories)
    confirmed, likely = tallies["confirmed"], tallies["likely"]
    assert confirmed.total >= 10 and confirmed.right / confirmed.total >= 0.97
    assert likely.total >= 10 and likely.right / likely.total >= 0.70
    wrong_first = [s.name for s in stories if not s.right_first]
    assert wrong_first == []


def test_a_healthy_case_counts_any_confirmation_as_wrong(calibration):
    case = MatrixCase(HEALTHY, "macos-app-store", "packet-tunnel", "appex", VIA_INSPECT)
    clean = calibration._matrix_story(case, MatrixOutcome(case, top="profile-certificate-mismatch"), frozenset())
    assert clean.right_first and calibration.status_tallies([clean])["confirmed"].total == 0
    false_alarm = MatrixOutcome(case, top="profile-certificate-mismatch", confirmed=["profile-certificate-mismatch"])
    story = calibration._matrix_story(case, false_alarm, frozenset())
    tally = calibration.status_tallies([story])["confirmed"]
    assert (tally.right, tally.total) == (0, 1) and not story.right_first


def test_a_fault_case_is_right_when_its_fault_is_first(calibration):
    case = MatrixCase("profile-expired", "macos-development", "packet-tunnel", "sysex", VIA_INSPECT)
    outcome = MatrixOutcome(case, top="profile-expired", confirmed=["team-id-mismatch", "profile-expired"])
    story = calibration._matrix_story(case, outcome, frozenset({"profile-expired"}))
    assert story.right_first
    assert story.top_with("confirmed") == "profile-expired"
    # Statuses other than confirmed are not known from a bare outcome: not counted.
    assert calibration.status_tallies([story])["likely"].total == 0


def test_it_prints_the_figures(calibration, capsys):
    code = calibration.main(["--only", "transcripts"])
    out = capsys.readouterr().out
    assert "confirmed" in out and "likely" in out and "right first" in out
    assert "target confirmed >= 0.97: met" in out
    assert code == 0
