"""The resemblance fallback: a description worded unlike every symptom phrase still finds the
diagnoses whose own text it resembles, with little weight; ordinary prose finds nothing."""

from advisor.engine.resemblance import MAX_WEIGHT, ResemblanceIndex, resemblance_pointers
from advisor.investigation import Investigation


def test_resembles_the_diagnosis_it_describes(kb):
    index = ResemblanceIndex(kb)
    found = index.rank(
        "Every time the app starts, macOS asks the user again to authorise our system extension "
        "in System Settings before the filter runs."
    )
    assert found and found[0].diagnosis == "sysex-awaiting-approval"
    pointers = resemblance_pointers(kb, found)
    assert pointers[0].weight == MAX_WEIGHT and all(p.weight <= MAX_WEIGHT for p in pointers)
    assert all(p.source == "describe" for p in pointers)


def test_short_or_unrelated_text_resembles_nothing(kb):
    index = ResemblanceIndex(kb)
    assert index.rank("help") == []
    assert index.rank("The weather in Lisbon was lovely, we walked along the river all afternoon.") == []


def test_used_only_when_no_symptom_phrase_matched(kb):
    inv = Investigation.start(kb)
    inv.add_description("Settings shows our VPN profile as Update Required and it never connects.")
    assert inv.describe_matches and inv.resemblances == []
    other = Investigation.start(kb)
    other.add_description(
        "Every time the app starts, macOS asks the user again to authorise our system extension in System Settings."
    )
    assert other.resemblances and other.result()["describe"]["resembles"]


def test_ruled_out_diagnoses_do_not_crowd_out_the_open_ones(kb):
    text = (
        "Every time the app starts, macOS asks the user again to authorise our system extension "
        "in System Settings before the filter runs."
    )
    index = ResemblanceIndex(kb)
    first = index.rank(text)[0].diagnosis
    without = index.rank(text, {first})
    assert without and first not in {r.diagnosis for r in without}
    # In an investigation, what the facts already rule out is not a candidate, and the best open
    # candidate gets the full weight, so it is listed.
    inv = Investigation.start(kb)
    inv.answer("platform", "ios")  # system extensions exist only on macOS
    inv.add_description(text)
    assert all(inv.session.ranking.all[r.diagnosis].ruled_out == [] for r in inv.resemblances)
