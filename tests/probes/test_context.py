"""ProbeContext refuses every value that could turn into an extra argument or a shell trick."""

from __future__ import annotations

import pytest

from advisor.exit_status import UserError
from advisor.probes import ProbeContext


@pytest.mark.parametrize(
    "kwargs",
    [
        {"bundle_id": "com.example.app; rm -rf ~"},
        {"bundle_id": "-i"},
        {"bundle_id": "com.example.app'"},
        {"bundle_id": ""},
        {"provider_bundle_ids": ["com.example.ok", "com.example bad"]},
        {"extension_points": ["com.apple.networkextension.packet-tunnel\n"]},
        {"app_path": "relative/Example.app"},
        {"app_path": "/Applications/Example.app\n--deep"},
        {"provider_paths": ["Ex.app/Contents/PlugIns/T.appex"]},  # a NUL or line break is skipped, not refused
        {"profile_paths": ["-i"]},
        {"vpn_service_ids": ["not-a-uuid"]},
        {"minimum_system_versions": {"com.example.tunnel": "13.0; echo"}},
        {"bundle_versions": {"com.example.tunnel": "1.0/1\n"}},
        {"applications_dir": "Applications"},
    ],
)
def test_invalid_values_are_user_errors(kwargs: dict) -> None:
    with pytest.raises(UserError):
        ProbeContext(**kwargs)


def test_valid_values_are_kept_once_each() -> None:
    ctx = ProbeContext(
        app_path="/Applications/My VPN.app",
        provider_paths=["/Applications/My VPN.app/Contents/PlugIns/T.appex"] * 2,
        bundle_id="com.example.vpn",
        provider_bundle_ids=["com.example.vpn.tunnel", "com.example.vpn.tunnel"],
        extension_points=["com.apple.networkextension.packet-tunnel"],
        vpn_service_ids=["F866AE22-4EC1-4524-8769-86A290A0C582"],
    )
    assert ctx.provider_bundle_ids == ["com.example.vpn.tunnel"]
    assert ctx.own_bundle_ids == ["com.example.vpn", "com.example.vpn.tunnel"]
    values = ctx.placeholder_values()
    assert values["app_path"] == ["/Applications/My VPN.app"]
    assert values["provider_path"] == ["/Applications/My VPN.app/Contents/PlugIns/T.appex"]
    assert values["profile_path"] == []
