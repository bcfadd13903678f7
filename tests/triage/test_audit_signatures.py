"""Log signatures corrected or added by the knowledge audit (issue 10, sections 4 and 5).

Each test feeds the verbatim message (as posted in its public source) and checks that it matches
the right catalog entry and claims no more than the message proves: what it establishes, where
it points, and whether it is a cause or only context.
"""

from __future__ import annotations

import pytest

from advisor.knowledge.model import KnowledgeBase
from advisor.triage import LogTriage


def only_match(triage: LogTriage, line: str) -> str:
    result = triage.triage_text(line)
    assert len(result.matches) == 1, [m.signature for m in result.matches]
    return result.matches[0].signature


def established(triage: LogTriage, kb: KnowledgeBase, line: str) -> dict[str, str]:
    return {o.fact: o.value for o in triage.triage_text(line).observations(kb)}


# ---- section 4: audit fixes ---------------------------------------------------------------


def test_a_cancelled_xpc_connection_is_context_and_settles_nothing(triage, kb):
    # Every NSXPC connection a process cancels on purpose prints this (forum 772236 shows it
    # next to sysextd, but it alone says nothing about the request's delegate).
    line = (
        "com.apple.xpc\tdefault\t14:13:25.812156+0400\tCoder Desktop\t[0x154f2d5b0] invalidated because the "
        "current process cancelled the connection by calling xpc_connection_cancel()"
    )
    assert only_match(triage, line) == "app-cancelled-sysextd-connection"
    sig = kb.signatures["app-cancelled-sysextd-connection"]
    assert sig.kind == "context"
    assert established(triage, kb, line) == {}
    assert dict(sig.points_to)["sysex-request-delegate-released"] < 2.5  # a hint, never a specific sign


def test_no_policy_is_context_that_also_points_past_the_location(triage, kb):
    line = "sysextd: no policy, cannot allow apps outside /Applications"
    assert only_match(triage, line) == "sysex-no-policy-outside-applications"
    sig = kb.signatures["sysex-no-policy-outside-applications"]
    assert sig.kind == "context"
    assert "app_location" not in dict(sig.sets)
    pointed = dict(sig.points_to)
    assert pointed["sysex-no-policy-in-applications"] >= pointed["sysex-not-in-applications"]
    assert "developer-id-not-notarized" in pointed


def test_the_category_needs_later_os_message_points_at_the_os_version(triage, kb):
    line = (
        "sysextd: extension failed category property check: extensions belonging to the "
        "com.apple.system_extension.network_extension category require a later version of operating system to launch"
    )
    assert only_match(triage, line) == "sysex-category-needs-later-os"
    assert dict(kb.signatures["sysex-category-needs-later-os"].points_to) == {"os-version-unsupported": 4}


@pytest.mark.parametrize(
    "line",
    [
        "(NetworkExtension) [com.apple.networkextension:] Provider is not a NEProvider",
        "(NetworkExtension) [com.apple.networkextension:] Provider is not a NEPacketTunnelProvider",
        "Provider is not an NEFilterDataProvider",
    ],
)
def test_wrong_provider_class_matches_any_expected_class(triage, line):
    result = triage.triage_text(line)
    assert [m.signature for m in result.matches] == ["ne-provider-wrong-class"]
    assert result.matches[0].captures["expected_class"].startswith("NE")


def test_the_package_type_message_no_longer_settles_the_plist_fact(triage, kb):
    # Known from a third-party changelog only: it points, it does not confirm.
    line = "sysextd: com.maccrab.agent.systemextension: package type not `SYSX`"
    assert only_match(triage, line) == "sysex-package-type-not-sysx"
    assert "sysex_category_declared" not in established(triage, kb, line)
    assert kb.signatures["sysex-package-type-not-sysx"].unconfirmed


def test_no_such_class_points_without_settling(triage, kb):
    line = "(NetworkExtension) [com.apple.networkextension:] No such class: PacketTunnelProvider"
    assert only_match(triage, line) == "ne-no-such-class"
    assert established(triage, kb, line) == {}


# Issue 10 #13: each of these cited a page that does not contain its message. Now each cites a
# page that does, or is marked unconfirmed with the reason.
OLD_SOURCES = {
    "ne-virtual-interface-failed": "https://developer.apple.com/forums/thread/130063",
    "nehelper-kernel-control-busy": "https://developer.apple.com/forums/thread/130063",
    "ne-stop-reason-stop-command": "https://developer.apple.com/forums/thread/130063",
    "spctl-unnotarized-developer-id": "https://developer.apple.com/documentation/technotes/tn3161-inside-code-signing-certificates",
    "spctl-origin-apple-development": "https://developer.apple.com/documentation/technotes/tn3161-inside-code-signing-certificates",
    "codesign-sealed-resource-invalid": "https://developer.apple.com/documentation/technotes/tn3127-inside-code-signing-requirements",
    "codesign-not-signed-at-all": "https://developer.apple.com/documentation/technotes/tn3127-inside-code-signing-requirements",
    "sysex-notarization-daemon-error": "https://developer.apple.com/documentation/technotes/tn3127-inside-code-signing-requirements",
    "codesign-entitlements-parse-error": "https://developer.apple.com/documentation/technotes/tn3125-inside-code-signing-provisioning-profiles",
    "keychain-missing-entitlement-macos": "https://developer.apple.com/documentation/technotes/tn3125-inside-code-signing-provisioning-profiles",
    "ne-plugin-error-6-not-installed": "https://developer.apple.com/documentation/networkextension/nevpnerror/code",
    "sysex-unknown-category": "",  # keeps 805996: that thread quotes the message and DTS explains it
    "sysex-package-type-not-sysx": "https://developer.apple.com/forums/thread/805996",
    "sysex-category-needs-later-os": "https://developer.apple.com/documentation/systemextensions/installing-system-extensions-and-drivers",
    "sysex-no-policy-outside-applications": "https://developer.apple.com/forums/tags/networkextension",
}


@pytest.mark.parametrize("signature_id", sorted(OLD_SOURCES))
def test_audited_signatures_cite_a_real_source_or_say_why_not(kb, signature_id):
    sig = kb.signatures[signature_id]
    assert sig.source != OLD_SOURCES[signature_id]
    assert sig.source.startswith("https://") or sig.unconfirmed


def test_the_stapled_ticket_phrase_is_only_a_hint(kb):
    # syspolicy_check's "Notary Ticket Missing" means not stapled, not "not notarised".
    from advisor.engine.describe import DescriptionMatcher

    matcher = DescriptionMatcher(kb)
    matches = matcher.match("syspolicy_check distribution says Notary Ticket Missing for our app")
    weights = {d: w for m in matches for d, w in kb.symptoms[m.symptom].points_to if m.strength > 0}
    assert weights.get("developer-id-not-notarized", 0) <= 1


# ---- section 5: messages of the new causes ---------------------------------------------------


def test_itms_90889_states_the_missing_profile(triage, kb):
    line = (
        "ITMS-90889: Cannot be used with TestFlight because the bundle at 'MyApp.app' is missing a provisioning "
        "profile. Main bundles are expected to have provisioning profiles in order to be eligible for TestFlight."
    )
    assert only_match(triage, line) == "asc-itms-90889-missing-profile"
    assert established(triage, kb, line) == {"platform": "macos", "distribution": "testflight", "app_profile_embedded": "no"}


@pytest.mark.parametrize(
    "line",
    [
        'Error: Error Domain=OSSystemExtensionErrorDomain Code=10 "(null)"',
        "Details: The operation couldn’t be completed. (OSSystemExtensionErrorDomain error 10.)",
    ],
)
def test_code_10_means_a_system_policy_forbids_the_extension(triage, kb, line):
    assert only_match(triage, line) == "sysex-error-10-forbidden-by-policy"
    assert established(triage, kb, line)["sysex_policy_forbids"] == "yes"
    assert dict(kb.signatures["sysex-error-10-forbidden-by-policy"].points_to) == {"sysex-blocked-by-mdm-policy": 5}


def test_a_jetsam_report_line_points_at_the_memory_limit(triage):
    result = triage.triage_text('    "rpages" : 960,\n    "reason" : "per-process-limit",\n    "name" : "RebornTunnel",\n')
    assert [m.signature for m in result.matches] == ["jetsam-per-process-limit"]
    assert result.matches[0].kind == "context"
    assert result.matches[0].points_to == ["ios-provider-memory-limit"]


@pytest.mark.parametrize(
    "line",
    [
        "SecItemCopyMatching failed: -34018 A required entitlement isn't present.",
        "keychain read failed: OSStatus error:[-34018] Internal error when a required entitlement isn't present",
    ],
)
def test_err_sec_missing_entitlement_points_at_the_sysex_keychain(triage, line):
    result = triage.triage_text(line)
    assert [m.signature for m in result.matches] == ["keychain-errsec-missing-entitlement"]
    assert result.matches[0].points_to == ["sysex-keychain-data-protection"]


def test_necp_denial_points_at_a_filter_that_is_not_running(triage):
    line = "cloudd(CFNetwork)[5867] <Error>: _NSURLErrorNWPathKey=unsatisfied (Path was denied by NECP policy), interface: en0[802.11]"
    result = triage.triage_text(line)
    assert [m.signature for m in result.matches] == ["necp-path-denied"]
    assert result.matches[0].points_to[0] == "filter-provider-not-running"


def test_a_provider_creating_managers_points_at_its_cause(triage):
    line = "NETunnelProviderManager objects cannot be instantiated from NEProvider processes"
    result = triage.triage_text(line)
    assert [m.signature for m in result.matches] == ["provider-creates-manager"]
    assert result.matches[0].points_to == ["provider-uses-manager-api"]


def test_a_bootstrap_lookup_failure_also_suggests_a_provider_that_is_not_running(triage):
    line = "[0x1015a2050] failed to do a bootstrap look-up: xpc_error=[3: No such process]"
    result = triage.triage_text(line)
    assert [m.signature for m in result.matches] == ["xpc-bootstrap-lookup-no-such-process"]
    assert "provider-not-started" in result.matches[0].points_to
