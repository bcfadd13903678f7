"""What a description contributes, through the Investigation every shell uses: stated facts at
`describe` trust (overridden by any answer), and each piece of evidence counted once."""

from __future__ import annotations

import pytest

from advisor.evidence import Source
from advisor.investigation import Investigation, KnowledgeRuntime
from advisor.knowledge.model import KnowledgeBase


@pytest.fixture(scope="module")
def runtime(kb: KnowledgeBase) -> KnowledgeRuntime:
    return KnowledgeRuntime(kb)


def start(kb: KnowledgeBase, runtime: KnowledgeRuntime) -> Investigation:
    return Investigation.start(kb, runtime)


def describe_weight(inv: Investigation, diagnosis: str) -> float:
    a = inv.session.ranking.all[diagnosis]
    return sum(e.weight for e in a.evidence if e.source is Source.DESCRIBE)


def test_stated_facts_have_source_describe_and_an_answer_overrides_them(kb, runtime) -> None:  # type: ignore[no-untyped-def]
    inv = start(kb, runtime)
    inv.add_description("Our macOS content filter system extension never activates; it's a Developer ID build.")
    facts = inv.result()["facts"]
    for fact, value in {"platform": "macos", "packaging": "sysex", "provider_type": "content-filter", "distribution": "developer-id"}.items():
        assert facts[fact]["value"] == value and facts[fact]["source"] == "describe", fact
    inv.answer("distribution", "development")
    corrected = inv.result()["facts"]["distribution"]
    assert corrected["value"] == "development" and corrected["source"] == "answer"
    assert corrected["conflicts"][0]["source"] == "describe"


def test_a_description_stating_platform_packaging_and_distribution_is_never_asked_about_them(kb, runtime) -> None:  # type: ignore[no-untyped-def]
    inv = start(kb, runtime)
    inv.add_description("We ship our macOS packet tunnel as a system extension, signed with Developer ID, and it fails to start.")
    stated = {"platform", "packaging", "distribution", "provider_type"}
    assert stated <= set(inv.session.facts.values)
    plan = inv.result()
    listed = {q["fact"] for q in plan["unanswered"] + plan["keep_checking"]}
    assert not listed & stated
    asked = []
    while (q := inv.session.next_question()) is not None and len(asked) < 20:
        asked.append(q.question.fact)
        inv.answer(q.question.fact, "unknown")
    assert not set(asked) & stated


def test_a_message_quoted_in_the_description_and_in_the_log_counts_once(kb, runtime) -> None:  # type: ignore[no-untyped-def]
    line = "Exception Type:  EXC_CRASH (Code Signature Invalid)"
    quoted_and_logged = start(kb, runtime)
    quoted_and_logged.add_description(f'The release build dies at launch with "{line}".')
    before = describe_weight(quoted_and_logged, "profile-missing-device")
    assert before > 0  # the quoted message is evidence, at description trust
    quoted_and_logged.add_log_text(line + "\n")
    logged_only = start(kb, runtime)
    logged_only.add_log_text(line + "\n")
    # the log shows the message: the description's copy of it adds nothing
    assert describe_weight(quoted_and_logged, "profile-missing-device") == 0
    both = quoted_and_logged.session.ranking.all["profile-missing-device"]
    alone = logged_only.session.ranking.all["profile-missing-device"]
    assert sum(e.weight for e in both.evidence) == sum(e.weight for e in alone.evidence)


def test_a_symptom_phrase_inside_a_quoted_message_is_not_counted_again(kb, runtime) -> None:  # type: ignore[no-untyped-def]
    inv = start(kb, runtime)
    inv.add_description("It crashes with EXC_CRASH (Code Signature Invalid).")
    assert {m.symptom for m in inv.describe_matches} >= {"code-signature-invalid"}
    assert {m.signature for m in inv.describe_log_matches} >= {"crash-code-signature-invalid"}
    symptom = dict(kb.symptoms["code-signature-invalid"].points_to)
    signature = dict(kb.signatures["crash-code-signature-invalid"].points_to)
    for diagnosis in set(symptom) & set(signature):
        # the same words: the stronger of the two counts, not their sum
        assert describe_weight(inv, diagnosis) == pytest.approx(max(symptom[diagnosis], signature[diagnosis]), abs=0.05), diagnosis


def test_stated_facts_are_listed_with_the_description(kb, runtime) -> None:  # type: ignore[no-untyped-def]
    inv = start(kb, runtime)
    inv.add_description("The app is not notarized.")
    assert [(s.fact, s.value) for s in inv.stated_facts] == [("notarized", "no")]
    assert inv.result()["facts"]["notarized"]["detail"].startswith('description says "The app is not notarized')
