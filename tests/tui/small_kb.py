"""A small, stable knowledge base for the TUI tests (the real one keeps changing).

Four questions, four diagnoses, one probe (`csrutil status` settles `sip`), one symptom and
one log signature: enough for every flow (question, free text, back, why/how, consent,
timeout, diagnosis, keep checking, finish) with known texts for the snapshots.
"""

from __future__ import annotations

from pathlib import Path

from tests.knowledge_builder import write_knowledge

FACTS = {
    "platform": {"values": ["macos", "ios"], "labels": {"macos": "macOS", "ios": "iOS / iPadOS"}, "help": "The platform."},
    "packaging": {
        "values": ["appex", "sysex"],
        "labels": {"appex": "App extension (.appex)", "sysex": "System extension (.systemextension)"},
        "help": "How the provider is packaged.",
    },
    "distribution": {
        "values": ["mac-app-store", "developer-id", "development"],
        "labels": {"mac-app-store": "Mac App Store", "developer-id": "Developer ID (direct)", "development": "Development builds"},
        "help": "How the build is distributed.",
    },
    "sip": {"values": ["enabled", "disabled"], "labels": {"enabled": "Enabled", "disabled": "Disabled"}, "help": "SIP state."},
}

QUESTIONS = {
    "platform": {"text": "Which platform does the failing provider run on?", "help": "Rules differ by platform.", "priority": 1.6},
    "packaging": {
        "text": "How is the provider packaged?",
        "help": "App extensions and system extensions are deployed differently.",
        "ask_if": {"platform": "macos"},
        "priority": 1.5,
    },
    "distribution": {"text": "How is the failing build distributed?", "help": "Distribution decides the packaging rules.", "priority": 1.4},
    "sip": {
        "text": "Is System Integrity Protection enabled?",
        "help": "Run `csrutil status`.",
        "priority": 3.0,  # asked first, so the probe flows start at once
    },
}

REF = [{"title": "TN3134: Network Extension provider deployment", "url": "https://developer.apple.com/documentation/technotes/tn3134-network-extension-provider-deployment"}]

DIAGNOSES = {
    "appex-requires-mac-app-store": {
        "title": "A macOS NE app extension only works in Mac App Store apps",
        "summary": "Direct distribution needs a system extension.",
        "explanation": "On macOS an app extension provider works only in an app from the Mac App Store.",
        "prior": 1.0,
        "requires": {"platform": "macos", "packaging": "appex"},
        "supports": [{"when": {"distribution": "developer-id"}, "weight": 4, "note": "Developer ID with an appex"}],
        "rules_out": [{"when": {"distribution": "mac-app-store"}, "note": "Mac App Store apps may use an appex."}],
        "confirmed_when": [{"distribution": "developer-id"}],
        "fix": ["Repackage the provider as a system extension.", "Check the result with `codesign -d --entitlements - MyApp.app`."],
        "references": REF,
    },
    "sysex-not-in-applications": {
        "title": "The app is not in /Applications when it activates its system extension",
        "summary": "Move the app to /Applications.",
        "explanation": "The activation request is refused unless the container app is in /Applications.",
        "prior": 1.0,
        "requires": {"platform": "macos", "packaging": "sysex"},
        "supports": [{"when": {"distribution": "development"}, "weight": 2, "note": "Development builds run from the build folder"}],
        "rules_out": [],
        "confirmed_when": [],
        "fix": ["Copy the app to /Applications and run it from there."],
        "references": REF,
    },
    "developer-id-not-notarized": {
        "title": "The Developer ID build is not notarised",
        "summary": "Notarise and staple the build.",
        "explanation": "Developer ID code must be notarised.",
        "prior": 0.8,
        "requires": {"distribution": "developer-id"},
        "supports": [{"when": {"sip": "enabled"}, "weight": 1, "note": "SIP enforces notarisation"}],
        "rules_out": [],
        "confirmed_when": [],
        "fix": ["Notarise with `xcrun notarytool submit MyApp.zip --wait`.", "Staple with `xcrun stapler staple MyApp.app`."],
        "references": REF,
    },
    "sip-not-required": {
        "title": "SIP need not be disabled to develop a Network Extension",
        "summary": "Turn SIP back on.",
        "explanation": "Disabling SIP hides problems that appear on normal Macs.",
        "prior": 1.0,
        "advice": True,
        "requires": {"platform": "macos"},
        "supports": [{"when": {"sip": "disabled"}, "weight": 4, "note": "SIP is off"}],
        "rules_out": [],
        "confirmed_when": [{"sip": "disabled"}],
        "fix": ["Turn SIP back on from Recovery with `csrutil enable`."],
        "references": REF,
    },
}

SYMPTOMS = {
    "works-on-one-mac-only": {
        "phrases": ["works on my mac but not on other macs"],
        "points_to": {"developer-id-not-notarized": 2},
    }
}

SIGNATURES = {
    "sysex-activation-location": {
        "text": "extension activation failed because the app is not in the Applications folder",
        "kind": "cause",
        "process": "sysextd",
        "meaning": "The container app must be in /Applications.",
        "points_to": {"sysex-not-in-applications": 4},
        "source": "https://developer.apple.com/forums/",
    }
}


def write_small_kb(root: Path, probe_timeout: float = 5.0) -> Path:
    probe = {
        "argv": ["csrutil", "status"],
        "parser": "csrutil_status",
        "settles": ["sip"],
        "why": "SIP off relaxes checks that normal Macs enforce.",
        "timeout": probe_timeout,
    }
    return write_knowledge(
        root,
        {
            "meta.yaml": {"knowledge": {"version": "small-test"}},
            "facts.yaml": {"facts": FACTS},
            "questions.yaml": {"questions": QUESTIONS},
            "diagnoses/small.yaml": {"diagnoses": DIAGNOSES},
            "symptoms/small.yaml": {"symptoms": SYMPTOMS},
            "signatures/small.yaml": {"signatures": SIGNATURES},
            "probes.yaml": {"probes": {"csrutil-status": probe}},
            "bundle-rules.yaml": {"bundle_rules": {}},
            "contract.yaml": {"contract": {"facts": {}, "diagnoses": []}},
        },
    )
