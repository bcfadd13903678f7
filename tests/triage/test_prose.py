"""Triage also reads the developer's own description: quoted errors count, ordinary prose does not."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "text",
    [
        "the extension failed",
        "The network extension fails to start on some Macs, it works on mine.",
        "I think the code signature is invalid or the provisioning profile is wrong.",
        "When I click Run in Xcode I get an error that the app containing the system extension must be in /Applications.",
        "Saving the VPN configuration fails with permission denied and the prompt never shows.",
        "Some users report that our firewall app's network extension never installs and nothing happens.",
        "The provider is not signed with the right certificate and the signature check fails.",
        "After upgrading, the extension died and the VPN was disabled by the system.",
        "Every time I connect, the status goes to connecting and then immediately back to disconnected.",
    ],
)
def test_ordinary_prose_matches_nothing(triage, text):
    assert triage.triage_text(text).matches == []


@pytest.mark.parametrize(
    "text, signature",
    [
        ('when I copy the built app to a tester\'s Mac with SIP on it dies with "Code Signature Invalid". codesign looks fine.', "code-signature-invalid"),
        ("Several users report that tapping connect fails with NEVPNErrorDomain error 2.", "nevpn-error-2-configuration-disabled"),
        ('Loading the VPN configuration fails straight away with an "IPC failed" error.', "ne-ipc-failed"),
        ("Console shows: Signature check failed: code failed to satisfy specified code requirement(s)", "ne-signature-check-failed"),
    ],
)
def test_quoted_errors_in_prose_are_recognised(triage, text, signature):
    assert [m.signature for m in triage.triage_text(text).matches] == [signature]
