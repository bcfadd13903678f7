"""pluginkit, mdfind and lsregister: other copies of the app or provider, iOS wrapper copies.

Samples: ne-knowledge.md 8.2 (Mimic record verbatim; the DerivedData + Wrapper duplicate),
8.3 and 12.5 (lsregister path lines), public `pluginkit -mv` single-line output.
"""

from __future__ import annotations

from advisor.knowledge.model import KnowledgeBase
from advisor.probes import ProbeContext
from advisor.probes.parsers.registrations import (
    comparable_path,
    lsregister_line,
    parse_lsregister,
    parse_mdfind,
    parse_pluginkit,
    read_pluginkit,
)
from tests.probes.vocabulary import check_vocabulary

MIMIC = """-    com.cheekyghost.mimic.XcodeExtension(1.0.0)
\t            Path = /Applications/Mimic.app/Contents/PlugIns/MimicExtension.appex
\t            UUID = 9ABC42A4-E867-4A27-95AF-EDBAEB447B3E
\t       Timestamp = 2022-08-26 00:49:53 +0000
\t             SDK = com.apple.dt.Xcode.extension.source-editor
\t   Parent Bundle = /Applications/Mimic.app
\t    Display Name = Mimic
\t      Short Name = Mimic
\t     Parent Name = Mimic

 (1 plug-in)
"""
DUPLICATE = """     com.example.vpn.tunnel(1.2)
\t            Path = /Users/dev/Library/Developer/Xcode/DerivedData/VPN-abc/Build/Products/Debug/VPN.app/Contents/PlugIns/Tunnel.appex
\t             SDK = com.apple.networkextension.packet-tunnel
\t   Parent Bundle = /Users/dev/Library/Developer/Xcode/DerivedData/VPN-abc/Build/Products/Debug/VPN.app
     com.example.vpn.tunnel(1.2)
\t            Path = /Applications/VPN.app/Wrapper/VPN.app/PlugIns/Tunnel.appex
\t             SDK = com.apple.networkextension.packet-tunnel
\t   Parent Bundle = /Applications/VPN.app/Wrapper/VPN.app
 (2 plug-ins)
"""
DERIVED = "/Users/dev/Library/Developer/Xcode/DerivedData/VPN-abc/Build/Products/Debug/VPN.app"
SINGLE_LINE = (
    "+    com.example.vpn.tunnel(1.2)\t9ABC42A4-E867-4A27-95AF-EDBAEB447B3E\t2022-08-26 00:49:53 +0000\t/Applications/VPN.app/Contents/PlugIns/Tunnel.appex\n"
    "!    com.example.vpn.tunnel(1.2)\t1C7E5B2A-3D4F-4A6B-8C9D-0E1F2A3B4C5D\t2022-08-27 10:00:00 +0000\t/Users/dev/Downloads/VPN copy.app/Contents/PlugIns/Tunnel.appex\n"
)
LSREGISTER = """Checking data integrity......done.
--------------------------------------------------------------------------------
bundle id:                  Example (0x1a2b)
path:                       /Applications/Example.app (0x1a2b)
name:                       Example
identifier:                 com.example.vpn (0x1a2c)
--------------------------------------------------------------------------------
bundle id:                  Example (0x3c4d)
path:                       /Users/dev/Library/Developer/Xcode/DerivedData/Example-abc/Build/Products/Debug/Example.app (0x3c4d)
identifier:                 com.example.vpn
--------------------------------------------------------------------------------
bundle id:                  Calculator (0x10)
path:                       /System/Applications/Calculator.app
identifier:                 com.apple.calculator
--------------------------------------------------------------------------------
"""


def _facts(observations: list) -> dict[str, str]:
    return {o.fact: o.value for o in observations}


def test_pluginkit_multi_line_record() -> None:
    listing = read_pluginkit(MIMIC, "")
    assert listing is not None and listing.filtered_by_id
    assert [(c.bundle_id, c.path) for c in listing.copies] == [
        ("com.cheekyghost.mimic.XcodeExtension", "/Applications/Mimic.app/Contents/PlugIns/MimicExtension.appex")
    ]


def test_pluginkit_single_line_records() -> None:
    listing = read_pluginkit(SINGLE_LINE, "")
    assert listing is not None
    assert [c.path for c in listing.copies] == [
        "/Applications/VPN.app/Contents/PlugIns/Tunnel.appex",
        "/Users/dev/Downloads/VPN copy.app/Contents/PlugIns/Tunnel.appex",
    ]


def test_pluginkit_duplicate_under_an_ios_wrapper(kb: KnowledgeBase) -> None:
    ours = ProbeContext(
        app_path=DERIVED,
        provider_paths=[DERIVED + "/Contents/PlugIns/Tunnel.appex"],
        bundle_id="com.example.vpn",
        provider_bundle_ids=["com.example.vpn.tunnel"],
    )
    found = parse_pluginkit(DUPLICATE, "", 0, ours)
    assert _facts(found) == {"other_copy_installed": "yes", "ios_copy_installed": "yes"}
    assert "/Applications/VPN.app/Wrapper/VPN.app/PlugIns/Tunnel.appex" in found[1].detail
    check_vocabulary(kb, found)
    # Replayed without a context: two copies of one id, one of them wrapped, still prove it.
    assert _facts(parse_pluginkit(DUPLICATE, "", 0, None)) == {"other_copy_installed": "yes", "ios_copy_installed": "yes"}


def test_pluginkit_only_our_own_copy() -> None:
    ours = ProbeContext(
        app_path="/Applications/Mimic.app",
        provider_paths=["/Applications/Mimic.app/Contents/PlugIns/MimicExtension.appex"],
        provider_bundle_ids=["com.cheekyghost.mimic.XcodeExtension"],
    )
    assert parse_pluginkit(MIMIC, "", 0, ours) == []  # "no" needs every listing: cross_facts
    assert parse_pluginkit(MIMIC, "", 0, None) == []
    assert parse_pluginkit("(no matches)\n", "", 0, ours) == []
    assert read_pluginkit("(no matches)\n", "") is not None  # a valid, empty listing


def test_pluginkit_another_copy_without_wrapper() -> None:
    ours = ProbeContext(provider_paths=["/Applications/VPN.app/Contents/PlugIns/Tunnel.appex"], provider_bundle_ids=["com.example.vpn.tunnel"])
    assert _facts(parse_pluginkit(SINGLE_LINE, "", 0, ours)) == {"other_copy_installed": "yes"}


def test_pluginkit_extension_point_listing_needs_to_know_our_ids() -> None:
    mixed = MIMIC.replace(" (1 plug-in)\n", "") + DUPLICATE
    assert parse_pluginkit(mixed, "", 0, None) == []  # several ids: which is ours?
    ours = ProbeContext(provider_bundle_ids=["com.example.vpn.tunnel"], provider_paths=[DERIVED + "/Contents/PlugIns/Tunnel.appex"])
    assert _facts(parse_pluginkit(mixed, "", 0, ours)) == {"other_copy_installed": "yes", "ios_copy_installed": "yes"}
    theirs = ProbeContext(provider_bundle_ids=["com.other.vpn.tunnel"], provider_paths=["/Applications/Other.app/Contents/PlugIns/T.appex"])
    assert parse_pluginkit(mixed, "", 0, theirs) == []


def test_mdfind_paths() -> None:
    ours = ProbeContext(app_path="/Applications/VPN.app", bundle_id="com.example.vpn")
    stdout = "/Applications/VPN.app\n/Applications/VPN iOS.app/Wrapper/VPN.app\n"
    assert _facts(parse_mdfind(stdout, "", 0, ours)) == {"other_copy_installed": "yes", "ios_copy_installed": "yes"}
    assert parse_mdfind("/Applications/VPN.app\n", "", 0, ours) == []
    archived = "/Applications/VPN.app\n/Users/dev/Library/Developer/Xcode/Archives/2025-11-02/VPN.xcarchive/Products/Applications/VPN.app\n"
    assert parse_mdfind(archived, "", 0, ours) == []  # an archive is not an installed copy
    assert parse_mdfind("mdfind: garbage \x00\x01\n", "", 0, ours) == []


def test_same_bundle_through_another_spelling_is_not_another_copy() -> None:
    ours = ProbeContext(app_path="/Applications/VPN.app/", bundle_id="com.example.vpn")
    assert parse_mdfind("/System/Volumes/Data/Applications/VPN.app\n", "", 0, ours) == []
    assert comparable_path("/private/var/folders/x/../y/A.app/") == "/var/folders/y/A.app"


def test_lsregister_records(kb: KnowledgeBase) -> None:
    kept = "".join(line + "\n" for line in LSREGISTER.splitlines() if lsregister_line(line))
    assert "bundle id:" not in kept and "path:" in kept
    ours = ProbeContext(app_path="/Applications/Example.app", bundle_id="com.example.vpn")
    found = parse_lsregister(kept, "", 0, ours)
    assert _facts(found) == {"other_copy_installed": "yes"}
    assert "DerivedData" in found[0].detail
    check_vocabulary(kb, found)
    assert parse_lsregister(kept, "", 0, None) == []  # everything is registered: ours unknown


def test_lsregister_calculator_alone_is_not_a_copy() -> None:
    ours = ProbeContext(app_path="/System/Applications/Calculator.app", bundle_id="com.apple.calculator")
    assert parse_lsregister(LSREGISTER, "", 0, ours) == []


def test_registries_ignore_failures_and_garbage() -> None:
    ours = ProbeContext(app_path="/Applications/VPN.app", bundle_id="com.example.vpn", provider_bundle_ids=["com.example.vpn.tunnel"])
    garbage = "\ufffd\x00(\ufffd)\n" * 50
    for parse in (parse_pluginkit, parse_mdfind, parse_lsregister):
        assert parse(garbage, "", 0, ours) == []
        assert parse(DUPLICATE, "error", 1, ours) == []
