"""Anchor choice: literal fragments of every slot, starting at few distinct characters."""

from __future__ import annotations

from advisor.triage.anchors import choose_anchors, pattern_slots, text_slot


def test_text_slot_skips_placeholders_quotes_and_short_leads():
    assert text_slot("System extension <id> has an invalid mach service name or is not signed") == ["has an invalid mach service name or is n"]
    assert text_slot("Killed: 9") == ["Killed"]
    assert text_slot("<id>") == []


def test_pattern_slots_keep_only_required_literals():
    assert pattern_slots(r"OSSystemExtensionErrorDomain(?: error |\W{0,3}Code=)3(?!\d)") == [["OSSystemExtensionErrorDomain"]]
    assert pattern_slots(r"EXC_CRASH \(Code Signature Invalid\)|SIGKILL \(Code") == [["EXC_CRASH", "Code Signature Invalid"], ["SIGKILL"]]
    assert pattern_slots(r"package type not .SYSX.") == [["package type not"]]
    assert pattern_slots(r"(?P<id>\S+) (?:a|b)") is None


def test_chosen_anchors_are_cut_from_their_slots_and_share_first_characters():
    slots = [["Signature check failed"], ["Provider is not signed with a Developer ID"], ["OSSystemExtensionErrorDomain"], ["Tearing down XPC connection"]]
    anchors = choose_anchors(slots)
    assert all(anchor in slot[0] and len(anchor) >= 10 for anchor, slot in zip(anchors, slots, strict=False))
    assert len({a[0] for a in anchors}) < len(anchors)
