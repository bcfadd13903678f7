"""Matching a developer's description against symptom phrases."""


import pytest

from advisor.engine.describe import DescriptionMatcher, description_evidence
from advisor.knowledge.loader import load_knowledge
from tests.engine.tiny_kb import write_tiny_kb

SYMPTOMS = """
symptoms:
  one-mac-only:
    phrases: [works on one mac but not another]
    points_to: {ios-copy-conflict: 2}
    sets: {platform: macos}
  in-simulator:
    phrases: [running in the simulator]
    points_to: {appex-needs-store: 1}
    sets: {sip: disabled}
  never-shows:
    phrases: [configuration never shows up in settings]
    points_to: {sip-myth: 2}
  identifier:
    phrases: [dns-proxy-systemextension]
    points_to: {appex-needs-store: 3}
  submit:
    phrases: [app store submission rejects the extension]
    points_to: {appex-needs-store: 2}
"""
VOCABULARY = "vocabulary:\n  submit: [submission, upload, uploaded]\n  extension: [appex]\n  reject: [rejected, refused]\n"


@pytest.fixture(scope="module")
def matcher(tmp_path_factory):
    root = write_tiny_kb(tmp_path_factory.mktemp("kb") / "knowledge", {"symptoms/s.yaml": SYMPTOMS, "vocabulary.yaml": VOCABULARY})
    return DescriptionMatcher(load_knowledge(root))


def symptoms(matcher, text):
    return {m.symptom: m for m in matcher.match(text)}


def test_near_verbatim_and_reworded_phrases_match(matcher):
    assert "one-mac-only" in symptoms(matcher, "Our tunnel works on one Mac but not another one.")
    # every content word within a short window, in another order
    assert "one-mac-only" in symptoms(matcher, "It works fine on one Mac, but on another it does not")


def test_interchangeable_words_from_the_vocabulary(matcher):
    found = symptoms(matcher, "When we uploaded the build, the App Store refused the appex.")
    assert "submit" in found and found["submit"].score == 100.0


def test_ordinary_prose_and_scattered_words_do_not_match(matcher):
    text = "The store sells apps. Yesterday I wrote an extension. Submissions are open."
    assert symptoms(matcher, text) == {}
    assert symptoms(matcher, "I tested the VPN on a second machine and it fails there too") == {}


def test_identifier_phrases_need_an_exact_match(matcher):
    assert "identifier" not in symptoms(matcher, "our transparent proxy system extension")
    assert "identifier" in symptoms(matcher, "the profile lists dns-proxy-systemextension only")


def test_negated_symptom_carries_no_weight_and_settles_nothing(matcher):
    kb = matcher.kb
    found = symptoms(matcher, "This is on a device, not running in the simulator.")
    assert found["in-simulator"].negated
    observations, pointers = description_evidence(kb, list(found.values()))
    assert observations == [] and pointers == []
    plain = symptoms(matcher, "I am running in the simulator.")
    observations, pointers = description_evidence(kb, list(plain.values()))
    assert [(o.fact, o.value, o.source) for o in observations] == [("sip", "disabled", "describe")]
    assert pointers[0].diagnosis == "appex-needs-store"


def test_a_negative_phrase_needs_the_negation(matcher):
    assert "never-shows" in symptoms(matcher, "The configuration never shows up in Settings at all")
    assert "never-shows" not in symptoms(matcher, "The configuration shows up in Settings")


@pytest.mark.parametrize("text", ["x", "VPN", "mac", "it fails", "extension"])
def test_a_description_shorter_than_a_phrase_matches_nothing(matcher, text):
    assert symptoms(matcher, text) == {}


def test_short_descriptions_give_no_diagnosis_with_the_real_knowledge(kb):
    from advisor.engine.describe import DescriptionMatcher as Real

    real = Real(kb)
    for text in ("x", "VPN", "help", "network extension", "it does not work"):
        assert real.match(text) == [], text


def test_questions_are_worded_for_the_platform_of_the_build(kb):
    """iOS bundles have no Contents folder: once the platform is known, the question, its help and
    its check command use that platform's layout."""
    from advisor.investigation import Investigation

    questions = [q for q in kb.questions.values() if q.per_platform]
    assert questions
    for platform, wanted, unwanted in (("ios", "PlugIns", "Contents/"), ("macos", "Contents/", None)):
        inv = Investigation.start(kb)
        inv.answer("platform", platform)
        for q in questions:
            worded = q.worded_for(inv.session.facts.values.get("platform"))
            text = " ".join((worded.text, worded.help, worded.check))
            if unwanted:
                assert unwanted not in text, (q.id, text)
            elif q.id == "provider_embedded":
                assert wanted in worded.check
    ios = kb.questions["provider_embedded"].worded_for("ios")
    assert ios.check == "ls {app_path}/PlugIns" and ios.text != kb.questions["provider_embedded"].text


def test_per_platform_wording_names_a_known_platform(tmp_path):
    from advisor.knowledge.loader import KnowledgeError, load_knowledge
    from tests.engine.tiny_kb import FILES, write_tiny_kb

    questions = FILES["questions.yaml"]
    bad = questions.replace("{text: Other copy installed?}", "{text: Other copy installed?, per_platform: {tvos: {help: x}}}")
    assert bad != questions
    root = write_tiny_kb(tmp_path / "knowledge", {"questions.yaml": bad})
    try:
        load_knowledge(root, strict=True)
    except KnowledgeError as exc:
        assert any("unknown platform 'tvos' in 'per_platform'" in p for p in exc.problems), exc.problems
    else:
        raise AssertionError("an unknown platform was accepted")
