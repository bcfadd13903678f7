"""`advisor kb check` finds every kind of knowledge problem and names file:line."""

from pathlib import Path

import pytest

from advisor.graph.checks import check_knowledge, unconfirmed_notes
from advisor.knowledge.loader import KnowledgeError, load_knowledge
from tests.engine.tiny_kb import FILES, write_tiny_kb


def problems_for(tmp_path: Path, **overrides: str) -> list[str]:
    root = write_tiny_kb(tmp_path / "knowledge", {k.replace("__", "/").replace("_yaml", ".yaml"): v for k, v in overrides.items()})
    try:
        kb = load_knowledge(root, strict=False)
    except KnowledgeError as exc:
        return exc.problems
    return check_knowledge(kb)


def test_the_tiny_base_is_clean(tmp_path):
    assert problems_for(tmp_path) == []


def test_unknown_fact_and_value_name_their_line(tmp_path):
    bad = FILES["diagnoses/main.yaml"].replace("{distribution: direct}, weight: 4", "{distribution: sideload}, weight: 4")
    bad = bad.replace("{sip: disabled}", "{sipp: disabled}")
    problems = problems_for(tmp_path, diagnoses__main_yaml=bad)
    assert any(p.startswith("knowledge/diagnoses/main.yaml:8:") and "unknown value 'sideload' for fact 'distribution'" in p for p in problems), problems
    assert any("unknown fact 'sipp'" in p and p.startswith("knowledge/diagnoses/main.yaml:") for p in problems), problems


def test_duplicate_ids_across_files(tmp_path):
    extra = """
        diagnoses:
          sip-myth:
            title: again
            summary: s
            explanation: e
            supports: [{when: {sip: disabled}, weight: 1}]
            fix: [x]
            references: [{title: t, url: "https://example.com"}]
    """
    problems = problems_for(tmp_path, diagnoses__more_yaml=extra)
    assert any("knowledge/diagnoses/more.yaml:2: duplicate diagnosis id 'sip-myth' (first defined at knowledge/diagnoses/main.yaml:" in p for p in problems), problems


def test_missing_fix_reference_and_unknown_key(tmp_path):
    bad = FILES["diagnoses/main.yaml"].replace("    fix: [Turn SIP back on.]\n", "")
    bad = bad.replace("    advice: true\n", "    advice: true\n    colour: red\n")
    problems = problems_for(tmp_path, diagnoses__main_yaml=bad)
    assert any("diagnosis 'sip-myth' has no fix steps" in p for p in problems), problems
    assert any("unknown key 'colour'" in p for p in problems), problems


def test_unreachable_question_and_choice_leading_nowhere(tmp_path):
    facts = FILES["facts.yaml"] + "  colour: {values: [red, blue], help: Colour.}\n"
    questions = FILES["questions.yaml"] + "  colour: {text: Colour?}\n  orphan: {fact: sip, text: Again?, ask_if: {colour: green}}\n"
    problems = problems_for(tmp_path, facts_yaml=facts, questions_yaml=questions)
    assert any("choice 'red' of question 'colour' leads nowhere" in p for p in problems), problems
    assert any("unknown value 'green' for fact 'colour'" in p for p in problems), problems


def test_cycle_between_questions(tmp_path):
    questions = FILES["questions.yaml"].replace(
        "platform: {text: Which platform?, priority: 1.5}", "platform: {text: Which platform?, ask_if: {packaging: appex}}"
    )
    problems = problems_for(tmp_path, questions_yaml=questions)
    assert any("questions form a cycle" in p and p.startswith("knowledge/questions.yaml:") for p in problems), problems


def test_unreachable_diagnosis(tmp_path):
    extra = """
        diagnoses:
          island:
            title: nothing leads here
            summary: s
            explanation: e
            fix: [x]
            references: [{title: t, url: "https://example.com"}]
    """
    problems = problems_for(tmp_path, diagnoses__more_yaml=extra)
    assert any("diagnosis 'island' cannot be reached" in p for p in problems), problems


def test_contract_ids_must_exist(tmp_path):
    contract = FILES["contract.yaml"].replace("diagnoses: [appex-needs-store]", "diagnoses: [appex-needs-store, gone]")
    contract = contract.replace("platform: [macos, ios]", "platform: [macos, ios, tvos]")
    problems = problems_for(tmp_path, contract_yaml=contract)
    assert "knowledge/contract.yaml:3: contract diagnosis 'gone' is missing" in problems, problems
    assert any("contract value 'tvos' of fact 'platform' is missing" in p for p in problems), problems


def test_malformed_yaml_and_probe_that_mutates(tmp_path):
    problems = problems_for(tmp_path, probes_yaml="probes:\n  bad: {argv: [xattr, -d, x], mutates: true, why: w}\n")
    assert any("probes must be read-only" in p for p in problems), problems
    problems = problems_for(tmp_path / "2", facts_yaml="facts:\n  a: [1,\n")
    assert any(p.startswith("knowledge/facts.yaml:") and "malformed YAML" in p for p in problems), problems


@pytest.mark.parametrize("action", ["check", "stats", "graph", "list diagnoses"])
def test_kb_commands_on_the_real_base(advisor_cli, action):
    result = advisor_cli("kb", *action.split())
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip()


def test_kb_check_exit_1_with_file_line(advisor_cli, tmp_path):
    root = write_tiny_kb(tmp_path / "knowledge", {"questions.yaml": FILES["questions.yaml"] + "  x: {fact: nope, text: X?}\n"})
    result = advisor_cli("kb", "--knowledge", str(root), "check")
    assert result.returncode == 1
    assert "unknown fact 'nope'" in result.stdout and "knowledge/questions.yaml:" in result.stdout
    assert "Traceback" not in result.stderr


def test_kb_graph_formats(advisor_cli, tmp_path):
    root = write_tiny_kb(tmp_path / "knowledge")
    dot = advisor_cli("kb", "--knowledge", str(root), "graph", "--format", "dot").stdout
    assert dot.startswith("digraph advisor {") and '"q:platform" -> "c:platform=macos"' in dot
    mermaid = advisor_cli("kb", "--knowledge", str(root), "graph", "--format", "mermaid").stdout
    assert mermaid.startswith("flowchart LR") and "-->|answer|" in mermaid


# ---- `unconfirmed`: knowledge that Apple documentation or a DTS post does not back ----------

UNCONFIRMED_SIGNATURE = """
    signatures:
      sig-check:
        text: "Signature check failed: code failed to satisfy specified code requirement(s)"
        kind: cause
        meaning: m
        points_to: {ios-copy-conflict: 2, appex-needs-store: 2}
        unconfirmed: seen only in a third-party write-up
"""


def test_an_unconfirmed_signature_is_a_note_not_a_problem(tmp_path):
    root = write_tiny_kb(tmp_path / "knowledge", {"signatures/g.yaml": UNCONFIRMED_SIGNATURE})
    kb = load_knowledge(root, strict=True)
    assert kb.signatures["sig-check"].unconfirmed == "seen only in a third-party write-up"
    assert check_knowledge(kb) == []
    assert unconfirmed_notes(kb) == [
        f"{kb.signatures['sig-check'].location}: signature 'sig-check' is unconfirmed: seen only in a third-party write-up"
    ]


def test_kb_check_lists_unconfirmed_items_and_still_passes(advisor_cli, tmp_path):
    root = write_tiny_kb(tmp_path / "knowledge", {"signatures/g.yaml": UNCONFIRMED_SIGNATURE})
    result = advisor_cli("kb", "--knowledge", str(root), "check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 unconfirmed item(s) (notes, not failures):" in result.stdout
    assert "note: knowledge/signatures/g.yaml:2: signature 'sig-check' is unconfirmed: seen only in a third-party write-up" in result.stdout


def test_an_unconfirmed_signature_may_not_prove_a_diagnosis(tmp_path):
    # A message that proves a diagnosis confirms it: only confirmed knowledge may do that.
    sig = UNCONFIRMED_SIGNATURE.replace("        unconfirmed:", "        proves: [ios-copy-conflict]\n        unconfirmed:")
    problems = problems_for(tmp_path, signatures__g_yaml=sig)
    assert any(
        p.startswith("knowledge/signatures/g.yaml:2:") and "unconfirmed signature 'sig-check' may not prove a diagnosis (ios-copy-conflict)" in p
        for p in problems
    ), problems
    # The same message, confirmed, may prove it.
    confirmed = sig.replace("        unconfirmed: seen only in a third-party write-up\n", "")
    assert problems_for(tmp_path / "2", signatures__g_yaml=confirmed) == []


def test_an_unconfirmed_diagnosis_may_not_be_confirmed_at_all(tmp_path):
    bad = FILES["diagnoses/main.yaml"].replace(
        '    confirmed_when: [{ios_copy: "yes"}]\n',
        '    confirmed_when: [{ios_copy: "yes"}]\n    unconfirmed: a forum report only\n',
    )
    assert bad != FILES["diagnoses/main.yaml"]
    problems = problems_for(tmp_path, diagnoses__main_yaml=bad)
    assert any("diagnosis 'ios-copy-conflict' is unconfirmed, so it may not have 'confirmed_when'" in p for p in problems), problems
    # An error bundle finding confirms too, so a rule for an unconfirmed diagnosis must not be an error.
    bad = FILES["diagnoses/main.yaml"].replace(
        "    confirmed_when:\n      - {distribution: direct}\n",
        "    unconfirmed: not in TN3134\n",
    )
    assert bad != FILES["diagnoses/main.yaml"]
    problems = problems_for(tmp_path / "2", diagnoses__main_yaml=bad)
    assert any("bundle rule 'appex-direct' is an error for unconfirmed diagnosis 'appex-needs-store'" in p for p in problems), problems


def test_unconfirmed_must_be_text(tmp_path):
    sig = UNCONFIRMED_SIGNATURE.replace("unconfirmed: seen only in a third-party write-up", "unconfirmed: [a, b]")
    problems = problems_for(tmp_path, signatures__g_yaml=sig)
    assert any("'unconfirmed' must be text" in p for p in problems), problems


def test_the_real_base_never_lets_unconfirmed_knowledge_confirm(kb):
    from advisor.graph.checks import unconfirmed_problems

    assert unconfirmed_problems(kb) == []
    notes = unconfirmed_notes(kb)
    assert len(notes) >= 10 and all(": is unconfirmed:" not in n for n in notes)
