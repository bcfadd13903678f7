"""Limits a session states when it applies them: the description cap (#17) and the probe budget
(#3), in process and as a user meets them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from advisor import investigation
from advisor.investigation import Investigation
from advisor.knowledge.model import KnowledgeBase
from advisor.probes import ProbeContext
from tests.fake_mac import FakeMac, Reply, Scenario, always, broken, outputs
from tests.hostile.runtime_harness import assert_well_behaved, run_advisor

QUOTED = "Signature check failed: code failed to satisfy specified code requirement(s)"


def test_a_long_description_is_cut_and_the_notes_say_so(kb: KnowledgeBase) -> None:
    inv = Investigation.start(kb)
    text = f"My tunnel fails with {QUOTED}. " + "It still does not work after a reinstall. " * 5000
    inv.add_description(text)
    assert len(inv.describe) <= investigation.DESCRIPTION_LIMIT
    assert any(f"only the first {investigation.DESCRIPTION_LIMIT:,}" in note and f"{len(text):,} characters" in note for note in inv.notes)
    assert any(m.signature == "ne-signature-check-failed" for m in inv.describe_log_matches), "the quoted message was lost"


def test_a_short_description_is_not_cut(kb: KnowledgeBase) -> None:
    inv = Investigation.start(kb)
    inv.add_description("works on one Mac but not another")
    assert inv.describe == "works on one Mac but not another" and inv.notes == []


def test_diagnose_with_a_description_at_the_argument_size_limit() -> None:
    """120,000 characters (a single argument can hold 128 KB on Linux) finish well inside the
    ceiling; before the cap, matching them took minutes."""
    text = f"It fails: {QUOTED}. " + "nothing helps, " * 8000
    outcome = run_advisor(["diagnose", "--describe", text[:120_000], "--format", "json"], ceiling=60.0)
    assert_well_behaved(outcome, {0, 1})
    result = json.loads(outcome.stdout)
    assert any("only the first" in note for note in result["notes"])
    assert len(result["describe"]["text"]) <= investigation.DESCRIPTION_LIMIT


def test_the_budget_follows_the_per_probe_timeout() -> None:
    budget = investigation.probe_budget_seconds
    assert budget(None) == investigation.PROBE_BUDGET_SECONDS
    assert budget(2) == 6
    assert budget(30) == investigation.PROBE_BUDGET_SECONDS
    assert budget(120) == 120  # never less than one probe's own timeout


def test_probe_rounds_stop_at_the_budget_and_say_which_probes_it_cut(
    kb: KnowledgeBase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    tools = {name: broken("hang") for name in ("sw_vers", "uname", "system_profiler", "systemextensionsctl", "scutil", "log", "lsregister")}
    tools["csrutil"] = always(Reply(outputs.csrutil_status("enabled")))
    FakeMac(tmp_path / "mac", Scenario(tools)).activate(monkeypatch)
    inv = Investigation.start(kb)
    runs = inv.run_probe_rounds(ProbeContext(applications_dir=str(tmp_path)), timeout=1.0, budget=1.5)
    assert inv.session.facts.values["sip"] == "enabled"
    cut = [r.probe_id for r in runs if r.cut_short or r.not_run]
    assert cut, [(r.probe_id, r.error) for r in runs]
    [note] = [n for n in inv.notes if "budget of 1.5 s" in n]
    assert all(probe_id in note for probe_id in cut)
    assert not any(n.startswith(f"probe {probe_id}:") for probe_id in cut for n in inv.notes)  # one note, not one each


def test_the_text_report_states_the_notes_once() -> None:
    from advisor.reports.text import render_text

    result = {
        "diagnoses": [],
        "probes": [{"id": "sw-vers", "argv": ["sw_vers"], "error": "timed out after 2 s", "timed_out": True}],
        "notes": [
            "the description has 20,000 characters: only the first 10,000 were read (give logs with --log)",
            "probe sw-vers: timed out after 2 s",
            "probes stopped at the session's budget of 6 s: 2 not run (codesign-app, spctl-app)",
        ],
    }
    text = render_text(result)
    assert "Notes:\n  - the description has 20,000 characters" in text
    assert "budget of 6 s: 2 not run" in text
    assert text.count("timed out after 2 s") == 1  # the failed probe is listed once, not again as a note
