"""Normalisation: variable parts become placeholders; message text, Apple ids and codes stay."""

from __future__ import annotations

from advisor.triage.normalise import fold_quotes, normalise, number_tokens


def test_quotes_case_and_spacing():
    assert normalise("Provisioning profile “X” doesn’t  match") == 'provisioning profile "x" doesn\'t match'
    assert fold_quotes("package type not `SYSX` …") == "package type not 'SYSX' ..."


def test_variable_parts_become_placeholders():
    line = "Disallowing ABCDE12345.com.acme.vpn.tunnel (pid 4567) at /Applications/Acme.app/Contents/MacOS/Acme 0x600000c1c000 1F2E3D4C-5B6A-4978-8A9B-0C1D2E3F4A5B"
    assert normalise(line) == "disallowing <id> (pid <n>) at <path> <hex> <uuid>"


def test_apple_identifiers_error_codes_and_short_paths_stay():
    assert normalise("Unsatisfied entitlements: com.apple.security.application-groups") == "unsatisfied entitlements: com.apple.security.application-groups"
    assert normalise("Error Domain=NEVPNErrorDomain Code=5 Code 0x1") == "error domain=nevpnerrordomain code=5 code 0x1"
    assert normalise("must be in /Applications folder and/or") == "must be in /applications folder and/or"


def test_signature_placeholders_survive():
    assert normalise("System extension <id> has an invalid mach service name") == "system extension <id> has an invalid mach service name"


def test_numbers():
    assert number_tokens("code=5 -413 error 8. type 1, <n> 0x1") == ["5", "-413", "8", "1"]
