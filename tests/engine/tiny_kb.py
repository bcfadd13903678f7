"""A small, hand-written knowledge base for engine tests (independent of the real content)."""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.knowledge_builder import write_knowledge

FILES = {
    "meta.yaml": 'knowledge: {version: "test.1"}\n',
    "facts.yaml": """
        facts:
          platform: {values: [macos, ios], help: Platform.}
          packaging: {values: [appex, sysex], help: Packaging.}
          distribution: {values: [store, direct, dev], help: Distribution.}
          sip: {values: [enabled, disabled], help: SIP.}
          ios_copy: {values: ["yes", "no"], help: iOS copy., implies: {"yes": {other_copy: "yes"}}}
          other_copy: {values: ["yes", "no"], help: Other copy.}
    """,
    "questions.yaml": """
        questions:
          platform: {text: Which platform?, priority: 1.5}
          packaging: {text: Which packaging?, ask_if: {platform: macos}}
          distribution: {text: How distributed?}
          sip: {text: SIP?, ask_if: {platform: macos}, priority: 0.5}
          ios_copy: {text: iOS copy installed?, ask_if: {platform: macos}}
          other_copy: {text: Other copy installed?}
    """,
    "diagnoses/main.yaml": """
        diagnoses:
          appex-needs-store:
            title: Appex needs the store
            summary: s
            explanation: e
            requires: {platform: macos, packaging: appex}
            supports:
              - {when: {distribution: direct}, weight: 4, note: direct distribution of an appex}
            rules_out:
              - {when: {distribution: store}, note: store apps may use an appex}
            confirmed_when:
              - {distribution: direct}
            fix: [Use a system extension.]
            references: [{title: TN3134, url: "https://developer.apple.com/documentation/technotes/tn3134-network-extension-provider-deployment"}]
          ios-copy-conflict:
            title: iOS copy shadows the build
            summary: s
            explanation: e
            requires: {platform: macos}
            supports:
              - {when: {ios_copy: "yes"}, weight: 4}
              - {when: {other_copy: "yes"}, weight: 2}
            rules_out:
              - {when: {other_copy: "no"}, note: no other copy is installed}
            confirmed_when: [{ios_copy: "yes"}]
            fix: [Delete the iOS copy.]
            references: [{title: Thread, url: "https://developer.apple.com/forums/thread/805996"}]
          sip-myth:
            title: SIP need not be off
            summary: s
            explanation: e
            advice: true
            supports:
              - {when: {sip: disabled}, weight: 2}
            fix: [Turn SIP back on.]
            references: [{title: SIP, url: "https://developer.apple.com/documentation/security/disabling-and-enabling-system-integrity-protection"}]
    """,
    "symptoms/s.yaml": """
        symptoms:
          one-mac-only:
            phrases: [works on one mac but not another]
            points_to: {ios-copy-conflict: 2}
            sets: {platform: macos}
    """,
    "signatures/g.yaml": """
        signatures:
          sig-check:
            text: "Signature check failed: code failed to satisfy specified code requirement(s)"
            kind: cause
            meaning: m
            points_to: {ios-copy-conflict: 2, appex-needs-store: 2}
    """,
    "probes.yaml": """
        probes:
          csrutil-status: {argv: [csrutil, status], settles: [sip], why: SIP state.}
    """,
    "bundle-rules.yaml": """
        bundle_rules:
          appex-direct: {diagnosis: appex-needs-store, severity: error, message: m}
    """,
    "contract.yaml": """
        contract:
          facts: {platform: [macos, ios]}
          diagnoses: [appex-needs-store]
    """,
}


FILES = {name: textwrap.dedent(text).lstrip("\n") for name, text in FILES.items()}


def write_tiny_kb(root: Path, overrides: dict[str, str] | None = None) -> Path:
    return write_knowledge(root, {**FILES, **(overrides or {})})
