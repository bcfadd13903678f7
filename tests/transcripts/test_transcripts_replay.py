"""Every transcript in transcripts/ is replayed as a user would (`advisor replay`, a real process)
and must reach its expected diagnoses; the collection itself is checked against its sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from advisor.transcripts.format import load_transcript

REPO = Path(__file__).resolve().parents[2]
TRANSCRIPTS = sorted(p for p in (REPO / "transcripts").iterdir() if p.suffix == ".yaml")
CASES = REPO / ".." / "shared" / "cases"


@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[p.stem for p in TRANSCRIPTS])
def test_transcript_replays_to_its_expected_diagnoses(advisor_cli, path):
    r = advisor_cli("replay", str(path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith(f"PASS {path}:")


def test_the_collection_is_large_and_well_formed():
    assert len(TRANSCRIPTS) >= 20
    ids = set()
    for path in TRANSCRIPTS:
        t = load_transcript(path)
        assert t.id == path.stem, path
        assert t.source.startswith("https://"), path
        assert t.expected is not None and t.expected.first, path
        ids.add(t.id)
    seed = [i for i in ids if i.startswith("seed-")]
    assert len(seed) >= 6
    assert any(load_transcript(p).probes for p in TRANSCRIPTS if p.stem.startswith("seed-"))


@pytest.fixture(scope="module")
def cases() -> list[dict]:
    if not CASES.is_dir():
        pytest.skip("the shared cases folder is not present")
    return [yaml.safe_load(p.read_text()) for p in sorted(CASES.glob("*.yaml"))]


def test_every_case_has_a_faithful_transcript(cases):
    """Own words for the description, but the case's facts, verbatim log lines and expectation."""
    for case in cases:
        path = REPO / "transcripts" / f"{case['id']}.yaml"
        assert path.is_file(), f"no transcript for case {case['id']}"
        t = load_transcript(path)
        assert t.answers == {k: str(v) for k, v in case["facts"].items()}, case["id"]
        assert t.log.strip() == (case.get("log") or "").strip(), case["id"]
        assert t.expected.first == case["expected"]["diagnosis"], case["id"]
        assert t.expected.also_acceptable == list(case["expected"].get("also_acceptable") or []), case["id"]
        assert t.describe.split() != str(case["description"]).split(), f"{case['id']}: describe is copied, not rephrased"
        assert t.source == case["source"], case["id"]


def test_recorded_probe_outputs_go_through_the_parsers(advisor_cli):
    """The seed transcript with probe outputs: facts come from re-parsing them, not from answers."""
    path = REPO / "transcripts" / "seed-f-probes-testflight-wrapper.yaml"
    r = advisor_cli("diagnose", "--from", str(path), "--format", "json", "--no-redact")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    facts = out["facts"]
    for fact, value in {"ios_copy_installed": "yes", "other_copy_installed": "yes", "sip": "enabled", "arch": "arm64",
                        "device_in_profile": "yes", "signing_identity": "apple-development", "quarantined": "no"}.items():
        assert facts[fact]["value"] == value and facts[fact]["source"] == "probe", (fact, facts.get(fact))
    assert "/Wrapper/" in facts["ios_copy_installed"]["detail"]
    kinds = {m["kind"] for m in out["log_matches"]}
    assert {"cause", "noise"} <= kinds  # the log show probe's output was triaged
    assert out["diagnoses"][0]["id"] == "ios-app-bundle-id-conflict"


@pytest.mark.parametrize("path", [p for p in TRANSCRIPTS if load_transcript(p).probes], ids=lambda p: p.stem)
def test_redacting_a_transcript_does_not_change_its_facts_or_ranking(kb, path):
    """Pseudonyms keep equality (this Mac's UDID in system_profiler and in the profile), so every
    fact that compares identifiers must come out the same from a redacted transcript."""
    from advisor.conversation.recording import investigation_from_transcript
    from advisor.transcripts.redaction import redact_transcript

    original = load_transcript(path)
    redacted = redact_transcript(original)
    assert redacted.probes != original.probes  # there was something personal to replace
    plain, hidden = (investigation_from_transcript(kb, t).result() for t in (original, redacted))
    assert {f: v["value"] for f, v in hidden["facts"].items()} == {f: v["value"] for f, v in plain["facts"].items()}
    assert [d["id"] for d in hidden["diagnoses"]] == [d["id"] for d in plain["diagnoses"]]
