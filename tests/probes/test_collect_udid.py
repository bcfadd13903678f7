"""`advisor collect` checks the app's profiles against this Mac's UDID only for a macOS app
(issue 10, audit #16): an iOS app's development profile lists iPhones, never this Mac."""

from __future__ import annotations

from pathlib import Path

from advisor.cli.collect_cmd import udid_for_bundle
from advisor.probes import ProbeContext, ProbeRun
from tests.fake_mac import outputs
from tests.fixtures.bundle_builder import build_app

MAC_UDID = "00008132-000A103C02F8801C"


def _hardware_run() -> ProbeRun:
    return ProbeRun("hardware-overview", ["system_profiler", "SPHardwareDataType"], 0, 5, outputs.hardware_overview(MAC_UDID), "", parser="hardware_overview")


def test_this_macs_udid_goes_with_a_macos_app_only(tmp_path: Path) -> None:
    runs = [_hardware_run()]
    mac = build_app(tmp_path / "mac")
    ios = build_app(tmp_path / "ios", platform="ios")
    assert udid_for_bundle(str(mac.app_dir), ProbeContext(platform="macos"), runs) == MAC_UDID
    assert udid_for_bundle(str(ios.app_dir), ProbeContext(platform="ios"), runs) is None
    # No platform in the context (nothing read from disk): the bundle itself is asked.
    assert udid_for_bundle(str(build_app(tmp_path / "ios-zip", platform="ios", pack="ipa").path), ProbeContext(), runs) is None
    assert udid_for_bundle(str(build_app(tmp_path / "mac-zip", pack="zip").path), None, runs) == MAC_UDID
    assert udid_for_bundle(str(mac.app_dir), ProbeContext(platform="macos"), []) is None  # no UDID probed
