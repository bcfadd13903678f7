"""The causes added and the texts corrected by the knowledge audit (issue 10, sections 4 and 5),
through the same Investigation the CLI uses: what ranks first, what may be confirmed, and what an
answer rules out."""

from __future__ import annotations

import pytest

from advisor.engine.scoring import Status
from advisor.investigation import Investigation, KnowledgeRuntime
from tests.engine.stories import investigate


@pytest.fixture(scope="module")
def runtime(kb):
    return KnowledgeRuntime(kb)


def top(inv: Investigation):
    ranked = inv.diagnoses()
    assert ranked, "nothing ranked"
    return ranked[0]


def status_of(inv: Investigation, diagnosis: str):
    return {a.id: a.status for a in inv.diagnoses()}.get(diagnosis)


def ruled_out(inv: Investigation, diagnosis: str) -> bool:
    return bool(inv.session.ranking.all[diagnosis].ruled_out)


MACOS_SYSEX = {"platform": "macos", "packaging": "sysex"}


# ---- confirmed only by the fault itself ------------------------------------------------------


def test_code_10_confirms_the_system_policy_block(kb, runtime):
    inv = investigate(kb, runtime, MACOS_SYSEX, log='Error Domain=OSSystemExtensionErrorDomain Code=10 "(null)"')
    first = top(inv)
    assert (first.id, first.status) == ("sysex-blocked-by-mdm-policy", Status.CONFIRMED)


def test_mdm_pre_approval_rules_out_the_block_and_the_approval_wait(kb, runtime):
    inv = investigate(
        kb, runtime, {**MACOS_SYSEX, "mdm_sysex_policy": "allows-this-extension", "sysex_state": "activated-waiting-for-user"}
    )
    assert ruled_out(inv, "sysex-blocked-by-mdm-policy")
    assert ruled_out(inv, "sysex-awaiting-approval")


def test_a_policy_that_omits_the_extension_is_likely_not_confirmed(kb, runtime):
    inv = investigate(kb, runtime, {**MACOS_SYSEX, "mdm_sysex_policy": "other-extensions-only"})
    assert status_of(inv, "sysex-blocked-by-mdm-policy") in (Status.LIKELY, Status.POSSIBLE)


def test_itms_90889_confirms_the_missing_testflight_profile(kb, runtime):
    log = (
        "ITMS-90889: Cannot be used with TestFlight because the bundle at 'Tunnelix.app' is missing a provisioning "
        "profile. Main bundles are expected to have provisioning profiles in order to be eligible for TestFlight."
    )
    first = top(investigate(kb, runtime, {}, log=log))
    assert (first.id, first.status) == ("mac-testflight-missing-profile", Status.CONFIRMED)
    # An app store build that does carry a profile cannot have this cause.
    inv = investigate(kb, runtime, {"platform": "macos", "distribution": "testflight", "app_profile_embedded": "yes"})
    assert ruled_out(inv, "mac-testflight-missing-profile")


def test_a_jetsam_line_alone_is_not_proof_the_provider_was_killed(kb, runtime):
    # The JetsamEvent line names any process; only the answer that it named the provider confirms.
    log = '"reason" : "per-process-limit",'
    inv = investigate(kb, runtime, {"platform": "ios", "provider_type": "packet-tunnel"}, log=log)
    assert top(inv).id == "ios-provider-memory-limit"
    assert top(inv).status != Status.CONFIRMED
    inv = investigate(kb, runtime, {"platform": "ios", "provider_jetsam_killed": "yes"})
    assert (top(inv).id, top(inv).status) == ("ios-provider-memory-limit", Status.CONFIRMED)
    inv = investigate(kb, runtime, {"platform": "macos", "provider_jetsam_killed": "yes"})
    assert ruled_out(inv, "ios-provider-memory-limit")


def test_the_data_protection_keychain_in_a_sysex(kb, runtime):
    inv = investigate(kb, runtime, {**MACOS_SYSEX, "sysex_uses_data_protection_keychain": "yes"})
    assert (top(inv).id, top(inv).status) == ("sysex-keychain-data-protection", Status.CONFIRMED)
    inv = investigate(kb, runtime, {"platform": "macos", "packaging": "appex", "sysex_uses_data_protection_keychain": "yes"})
    assert ruled_out(inv, "sysex-keychain-data-protection")


def test_url_filter_extension_point(kb, runtime):
    inv = investigate(kb, runtime, {"provider_type": "url-filter", "extensionkit_point_declared": "no"})
    assert (top(inv).id, top(inv).status) == ("url-filter-declared-as-nsextension", Status.CONFIRMED)
    inv = investigate(kb, runtime, {"provider_type": "url-filter", "extensionkit_point_declared": "yes"})
    assert ruled_out(inv, "url-filter-declared-as-nsextension")
    # A classic NE provider is declared with NSExtension: the rule cannot apply.
    inv = investigate(kb, runtime, {"provider_type": "packet-tunnel", "extensionkit_point_declared": "no"})
    assert ruled_out(inv, "url-filter-declared-as-nsextension")


# ---- unconfirmed causes stay below `confirmed` whatever the evidence ---------------------------


def test_unconfirmed_causes_are_never_confirmed(kb, runtime):
    cases = {
        "sysex-no-policy-in-applications": (
            {**MACOS_SYSEX, "app_location": "applications", "notarized": "yes", "gatekeeper": "accepted"},
            "sysextd: no policy, cannot allow apps outside /Applications",
        ),
        "filter-provider-not-running": (
            {"provider_type": "content-filter", "network_blocked_with_filter": "yes", "configuration_enabled": "yes", "provider_started": "no"},
            "unsatisfied (Path was denied by NECP policy), interface: en0[802.11]",
        ),
        "provider-uses-manager-api": (
            {"platform": "ios", "provider_uses_manager_api": "yes"},
            "NETunnelProviderManager objects cannot be instantiated from NEProvider processes",
        ),
    }
    for diagnosis, (answers, log) in cases.items():
        assert kb.diagnoses[diagnosis].unconfirmed
        inv = investigate(kb, runtime, answers, log=log)
        assert top(inv).id == diagnosis
        assert top(inv).status != Status.CONFIRMED, diagnosis


def test_no_policy_steps_aside_for_the_causes_it_is_confused_with(kb, runtime):
    log = "sysextd: no policy, cannot allow apps outside /Applications"
    inv = investigate(kb, runtime, {**MACOS_SYSEX, "notarized": "no", "signing_identity": "developer-id"}, log=log)
    assert ruled_out(inv, "sysex-no-policy-in-applications")
    assert top(inv).id == "developer-id-not-notarized"
    inv = investigate(kb, runtime, {**MACOS_SYSEX, "app_location": "elsewhere"}, log=log)
    assert ruled_out(inv, "sysex-no-policy-in-applications")
    assert top(inv).id == "sysex-not-in-applications"


def test_the_os_version_cause(kb, runtime):
    log = (
        "sysextd: extension failed category property check: extensions belonging to the "
        "com.apple.system_extension.network_extension category require a later version of operating system to launch"
    )
    inv = investigate(kb, runtime, {**MACOS_SYSEX, "os_current": "no"}, log=log)
    assert top(inv).id == "os-version-unsupported"
    assert top(inv).status != Status.CONFIRMED  # the message itself is unconfirmed
    inv = investigate(kb, runtime, {**MACOS_SYSEX, "os_current": "yes"}, log=log)
    assert ruled_out(inv, "os-version-unsupported")


def test_a_cancelled_xpc_connection_no_longer_confirms_a_released_delegate(kb, runtime):
    log = (
        "sysextd notifying client of activation conflict\n"
        "Coder Desktop [0x154f2d5b0] invalidated because the current process cancelled the connection by calling "
        "xpc_connection_cancel()\n"
    )
    inv = investigate(kb, runtime, MACOS_SYSEX, log=log)
    assert "request_delegate_retained" not in inv.session.facts.values
    assert status_of(inv, "sysex-request-delegate-released") != Status.CONFIRMED


def test_xpc_that_needs_a_running_provider_points_at_starting_it(kb, runtime):
    inv = investigate(kb, runtime, {**MACOS_SYSEX, "xpc_needs_running_provider": "yes"})
    assert top(inv).id == "provider-not-started"


# ---- texts the audit found wrong -------------------------------------------------------------


def test_ios_management_rules_per_provider_type(kb):
    diagnosis = kb.diagnoses["ios-provider-requires-supervision"]
    assert "iOS 15" in diagnosis.explanation and "installed through MDM" in diagnosis.explanation
    assert "app proxy runs only on managed devices" in diagnosis.explanation
    dns_note = next(s.note for s in diagnosis.supports if dict(s.condition.items()).get("provider_type") == frozenset({"dns-proxy"}))
    assert "supervised devices only" not in dns_note and "MDM" in dns_note
    for help_text in (kb.facts["device_supervised"].help, kb.questions["device_supervised"].help):
        assert "app prox" in help_text and "MDM" in help_text


def test_sip_advice_cites_apples_sip_documentation_first(kb):
    refs = kb.diagnoses["sip-not-required"].references
    assert refs[0].url == "https://developer.apple.com/documentation/security/disabling-and-enabling-system-integrity-protection"


def test_quarantine_advice_cites_resolving_trusted_execution_problems_first(kb):
    refs = kb.diagnoses["quarantined-development-build"].references
    assert refs[0].url == "https://developer.apple.com/forums/thread/706442"
    assert all("assume no quarantine (signature check failed thread)" not in r.title for r in refs)


def test_unknown_category_cites_the_package_type_source(kb):
    urls = [r.url for r in kb.diagnoses["sysex-unknown-category"].references]
    assert "https://github.com/peterhanily/maccrab/blob/main/CHANGELOG.md" in urls


def test_every_new_cause_has_a_fix_with_commands_and_a_real_reference(kb):
    new = [
        "sysex-no-policy-in-applications", "sysex-blocked-by-mdm-policy", "sysex-keychain-data-protection",
        "os-version-unsupported", "asc-sysex-unexpected-location", "mac-testflight-missing-profile",
        "ios-provider-memory-limit", "url-filter-declared-as-nsextension", "filter-provider-not-running",
        "provider-uses-manager-api",
    ]
    for did in new:
        d = kb.diagnoses[did]
        assert d.references and all(r.url.startswith("https://") for r in d.references), did
        assert any("`" in step for step in d.fix), did
